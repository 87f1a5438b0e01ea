"""转正 (SPEC §E11, 71p 第十七章): one review per 转正申请 (the payload of the workflow request: the self-appraisal, the
direct manager's score, HR's outcome), the employees' status after it (hr_employee_status; app/org is not edited) and
the chapter's settings (转正设置)."""
from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.hr_contract.tables import LabourContract
from app.org.tables import Employee
from app.workflow.tables import Request


class ProbationReview(Table, tablename="hr_probation"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    contract = ForeignKey(LabourContract, on_delete=OnDelete.restrict, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    probation_end = Date(help_text="试用期至")
    self_appraisal = Text(default="", help_text="个人总结")
    score = Integer(null=True, default=None, help_text="直属上级评分（0–100）")
    score_comment = Text(default="", help_text="评语")
    scored_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    outcome = Varchar(length=6, default="", help_text="转正 / 不予录用")
    outcome_reason = Text(default="", help_text="人事结论说明")
    decided_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.outcome)


class EmployeeStatus(Table, tablename="hr_employee_status"):
    """An employee's employment status after a 转正 decision: 试用期 | 正式 | 不予录用, since when."""

    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, unique=True)
    status = Varchar(length=6, help_text="试用期 / 正式 / 不予录用")
    since = Date(help_text="起始日期")
    request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.status)


class ProbationSetting(Table, tablename="hr_probation_setting"):
    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[L] 法律 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
