"""Labour contracts (SPEC §E4, 71p 第十章): one row per contract an employee signs (seq 1, 2, 3 … per employee) and the
chapter's settings (劳动合同设置)."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee


class LabourContract(Table, tablename="hr_contract"):
    """An employee's labour contract. `end` is empty for an open-ended contract (and may be for a task contract)."""

    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    seq = Integer(default=1, help_text="第几次签订")
    kind = Varchar(length=20, help_text="固定期限 / 无固定期限 / 以完成一定工作任务为期限")
    start = Date()
    end = Date(null=True, default=None, index=True, help_text="无固定期限为空")
    probation_end = Date(null=True, default=None, help_text="试用期至（无试用期为空）")
    probation_pay = Numeric(digits=(15, 2), null=True, default=None, help_text="试用期月工资（元）")
    pay = Numeric(digits=(15, 2), help_text="合同约定月工资（元）")
    post = Varchar(length=60, default="", help_text="工作岗位")
    nda = Boolean(default=False, help_text="保密协议")
    non_compete = Boolean(default=False, help_text="竞业限制")
    signed_on = Date(null=True, default=None, help_text="签订日期")
    status = Varchar(length=4, default="待签", index=True, help_text="待签 / 已签 / 已到期 / 已终止")
    ended_on = Date(null=True, default=None, help_text="终止/到期日期")
    end_reason = Varchar(length=20, default="", help_text="期满终止 / 协商解除 / 员工提出解除 / 公司提出解除")
    note = Text(default="")
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.post)


class ContractSetting(Table, tablename="hr_contract_setting"):
    """The chapter's configuration (劳动合同设置): integer values with the defaults of app/hr_contract/settings.py."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[L] 法律 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
