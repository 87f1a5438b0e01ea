"""离职交接 (SPEC §E5) and 辞退 (§E8): the exit case (the 离职申请's payload, and after a 辞退's approval its sweep),
the checklist ticks of the sweep, the 辞退 proposal's payload, and HR's custody register (keys, 网签账号, CA U-keys,
badges and uniforms handed to an employee)."""
from decimal import Decimal

from piccolo.columns import Date, ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.workflow.tables import Request

PENDING = "审批中"  # the 离职申请 is being approved
SWEEP = "交接中"  # approved: the holdings and the checklist are being cleared
DONE = "已完成"  # the sweep is complete; the sign-in is disabled at the end of the last day
CLOSED = "已撤销"  # the request was rejected or withdrawn
RESIGN = "辞职"
DISMISS = "辞退"


class ExitCase(Table, tablename="hr_exit"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)  # the 离职申请 or the 辞退 request
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=4, default=RESIGN, help_text="辞职 / 辞退")
    notice_on = Date(help_text="提出（通知）日期")
    last_day = Date(index=True, help_text="最后工作日")
    reason = Text(default="", help_text="离职原因")
    in_probation = Varchar(length=2, default="", help_text="提出时是否在试用期：是 / 否")
    status = Varchar(length=4, index=True, default=PENDING, help_text="审批中 / 交接中 / 已完成 / 已撤销")
    receiver = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="工作接收人")
    completed_at = Timestamptz(null=True, default=None)
    completed_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    disabled_at = Timestamptz(null=True, default=None, help_text="账号停用时间")
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.status)


class ExitTick(Table, tablename="hr_exit_tick"):
    """One sign-off of the sweep's checklist (receiver, 经, 行政, IT, 财务), by whom and when."""

    exit = ForeignKey(ExitCase, on_delete=OnDelete.cascade, index=True)
    item = Varchar(length=20, help_text="交接项代码")
    by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    by_name = Varchar(length=50, default="")
    note = Varchar(length=200, default="")
    at = Timestamptz()


class Dismissal(Table, tablename="hr_dismissal"):
    """辞退 proposal (the payload of the request): the legal ground, the notice, pay in lieu and the severance."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    ground = Varchar(length=10, help_text="法定事由：第三十九条 / 第四十条 / 第四十一条")
    ground_item = Varchar(length=4, default="", help_text="项")
    facts = Text(default="", help_text="事实与证据说明")
    notice_how = Varchar(length=20, default="", help_text="通知方式")
    notice_on = Date(help_text="通知日期")
    in_lieu = Varchar(length=2, default="", help_text="是否以额外支付一个月工资代替提前通知：是 / 否")
    last_day = Date(help_text="最后工作日")
    severance_months = Numeric(digits=(6, 1), default=Decimal("0"), help_text="经济补偿月数 N")
    severance_text = Text(default="", help_text="经济补偿计算说明")
    union_notified_on = Date(null=True, default=None, help_text="通知工会日期（《劳动合同法》第四十三条）")
    union_note = Varchar(length=200, default="")


class Custody(Table, tablename="hr_custody"):
    """离职交接登记：钥匙、网签账号、CA 证书 U 盾、工牌、工服 — held until returned or revoked."""

    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True, help_text="持有人")
    kind = Varchar(length=10, help_text="类别：钥匙 / 网签账号 / CA证书U盾 / 工牌 / 工服")
    label = Varchar(length=100, help_text="名称或编号，例如 售楼处前台钥匙 2 号")
    issued_on = Date(help_text="发放日期")
    returned_on = Date(null=True, default=None, help_text="归还/注销日期")
    note = Varchar(length=200, default="")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
