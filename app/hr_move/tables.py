"""晋升 (SPEC §E9, 71p 第十五章) and 跨公司调动 (§E10, 第十六章): the grades (hr_grade, reference data edited in the
admin), every employee's position and grade history (hr_position_history: the latest row is the current one), the
payload of a 晋升申请 (hr_promotion) and of a 调动申请 (hr_transfer) with its handover checklist (hr_transfer_item)."""
from decimal import Decimal

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Company, Department, Employee, Position
from app.workflow.tables import Request


class Grade(Table, tablename="hr_grade"):
    code = Varchar(length=10, unique=True, help_text="职级代码，例如 P3、M1")
    name = Varchar(length=40, help_text="名称，例如 专员三级")
    rank = Integer(default=0, help_text="高低次序（数值越大职级越高）")

    @classmethod
    def get_readable(cls):
        return readable(cls.code)


class PositionHistory(Table, tablename="hr_position_history"):
    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, index=True)
    company = ForeignKey(Company, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, on_delete=OnDelete.restrict)
    position = ForeignKey(Position, on_delete=OnDelete.restrict)
    grade = ForeignKey(Grade, null=True, default=None, on_delete=OnDelete.set_null)
    since = Date(help_text="起始日期")
    reason = Varchar(length=4, help_text="入职 / 晋升 / 调动 / 调整")
    request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.reason)


class Promotion(Table, tablename="hr_promotion"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    from_position = ForeignKey(Position, on_delete=OnDelete.restrict)
    from_grade = ForeignKey(Grade, null=True, default=None, on_delete=OnDelete.set_null)
    to_position = ForeignKey(Position, on_delete=OnDelete.restrict)
    to_grade = ForeignKey(Grade, null=True, default=None, on_delete=OnDelete.set_null)
    score = Integer(default=0, help_text="考核得分（0–100）")
    appraisal = Text(default="", help_text="考核评价")
    tenure_months = Integer(default=0, help_text="司龄（月）")
    group_lead = Boolean(default=False, help_text="组长经历")
    trial_months = Integer(default=3, help_text="新岗位试岗期（月）")
    salary_change = Numeric(digits=(12, 2), default=Decimal("0"), help_text="月薪调整（元）")
    publish_until = Date(null=True, default=None, help_text="公示截止日")
    applied_at = Timestamptz(null=True, default=None, help_text="任命生效时间")
    created_at = Timestamptz()


class Transfer(Table, tablename="hr_transfer"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    from_company = ForeignKey(Company, on_delete=OnDelete.restrict)
    from_department = ForeignKey(Department, on_delete=OnDelete.restrict)
    from_position = ForeignKey(Position, on_delete=OnDelete.restrict)
    to_company = ForeignKey(Company, on_delete=OnDelete.restrict)
    to_department = ForeignKey(Department, on_delete=OnDelete.restrict)
    to_position = ForeignKey(Position, on_delete=OnDelete.restrict)
    effective_on = Date(help_text="调动生效日期")
    salary = Numeric(digits=(12, 2), default=Decimal("0"), help_text="调动后月薪（元）")
    si_done = Boolean(default=False, help_text="社保关系已转移")
    si_date = Date(null=True, default=None, help_text="社保转移日期")
    note = Text(default="")
    approved_on = Date(null=True, default=None)
    applied_at = Timestamptz(null=True, default=None, help_text="调动生效时间")
    created_at = Timestamptz()


class TransferItem(Table, tablename="hr_transfer_item"):
    transfer = ForeignKey(Transfer, on_delete=OnDelete.cascade, index=True)
    seq = Integer(default=0)
    name = Varchar(length=40)
    done = Boolean(default=False)
    done_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    done_at = Timestamptz(null=True, default=None)
