"""The employee record (SPEC §E, issue 12 item 1): the personnel file's sensitive fields (hr_employee_file: ID number and
base salary, masked by default and revealed per record with an audit row) and the rewards and penalties recorded
against a person (hr_reward, §G 奖惩), citing a clause of the rules library."""
from piccolo.columns import Date, ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.rules.tables import RuleClause
from app.workflow.tables import Request


class EmployeeFile(Table, tablename="hr_employee_file"):
    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, unique=True)
    id_no = Varchar(length=18, default="", help_text="身份证号")
    base_salary = Numeric(digits=(15, 2), null=True, default=None, help_text="基本工资（元/月）")
    education = Varchar(length=40, default="", help_text="学历")
    emergency_name = Varchar(length=50, default="", help_text="紧急联系人")
    emergency_phone = Varchar(length=20, default="", help_text="紧急联系人电话")
    note = Text(default="")
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.education)


class Reward(Table, tablename="hr_reward"):
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=2, index=True, help_text="奖励 / 处罚")
    happened_on = Date(index=True, help_text="日期")
    title = Varchar(length=100)
    detail = Text(default="")
    amount = Numeric(digits=(15, 2), null=True, default=None, help_text="金额（元，可不填）")
    clause = ForeignKey(RuleClause, null=True, default=None, on_delete=OnDelete.set_null, help_text="依据的规章条款")
    basis = Varchar(length=200, default="", help_text="依据（文字说明）")
    recorded_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.title)
