"""The sales office's shift log and handover (SPEC §F4 交接班记录, §F6 the lead's tablet): one shift log per team, day
and slot (roll call with uniform check, post spot checks, consumables used, damaged or missing items), and the
handover between the outgoing and incoming person of a post, signed by both, with the open issues carried on."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.site.tables import ShiftSlot, SitePost, SiteTeam, SiteWorker

PRESENT, ABSENT, LATE = "到岗", "缺勤", "迟到"
ATTENDANCE = (PRESENT, ABSENT, LATE)
UNIFORM_OK, UNIFORM_FAIL = "合格", "不合格"
UNIFORM = (UNIFORM_OK, UNIFORM_FAIL)
NORMAL, ABNORMAL = "正常", "异常"
CHECK_RESULTS = (NORMAL, ABNORMAL)
CONSUMABLE, DAMAGED = "耗材", "损坏遗失"
WAITING, DONE = "待接班", "已交接"
OPEN, RESOLVED = "未结", "已解决"


class ShiftLog(Table, tablename="site_shift_log"):
    """班前点名与班中记录: one per (team, day, slot) — `slot_key` "team:day:slot" is unique."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)
    slot = ForeignKey(ShiftSlot, on_delete=OnDelete.restrict)
    slot_key = Varchar(length=40, unique=True, help_text="班组:日期:班次（唯一）")
    written_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    written_by_name = Varchar(length=50, default="")
    created_at = Timestamptz()
    note = Text(default="")

    @classmethod
    def get_readable(cls):
        return readable(cls.slot_key)


class RollCall(Table, tablename="site_shift_rollcall"):
    log = ForeignKey(ShiftLog, on_delete=OnDelete.cascade, index=True)
    worker = ForeignKey(SiteWorker, on_delete=OnDelete.restrict, index=True)
    attendance = Varchar(length=4, default=PRESENT, help_text="到岗 / 缺勤 / 迟到")
    uniform = Varchar(length=4, default=UNIFORM_OK, help_text="着装 合格 / 不合格（缺勤为空）")


class PostCheck(Table, tablename="site_shift_postcheck"):
    log = ForeignKey(ShiftLog, on_delete=OnDelete.cascade, index=True)
    post = ForeignKey(SitePost, on_delete=OnDelete.restrict)
    result = Varchar(length=4, default=NORMAL, help_text="正常 / 异常")
    note = Varchar(length=200, default="")


class LogItem(Table, tablename="site_shift_item"):
    """A consumable used (quantity) or an item found damaged or missing (note)."""

    log = ForeignKey(ShiftLog, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=6, help_text="耗材 / 损坏遗失")
    item = Varchar(length=60)
    quantity = Integer(default=0)
    note = Varchar(length=200, default="")


class Handover(Table, tablename="site_handover"):
    """交接班记录: the outgoing person signs when creating it, the incoming person signs on receipt; then 已交接.
    Signed by the incoming person after the outgoing slot's change time: 逾时 (`late`)."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    post = ForeignKey(SitePost, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)
    slot = ForeignKey(ShiftSlot, on_delete=OnDelete.restrict, help_text="交班的班次")
    handover_key = Varchar(length=40, unique=True, help_text="班组:岗位:日期:班次（唯一）")
    change_at = Timestamptz(help_text="换班时间（交班班次结束）")
    outgoing = ForeignKey(SiteWorker, on_delete=OnDelete.restrict, index=True)
    incoming = ForeignKey(SiteWorker, on_delete=OnDelete.restrict, index=True)
    radios = Varchar(length=100, default="", help_text="对讲机编号，如 1,2,5")
    keys = Integer(default=0)
    umbrellas = Integer(default=0)
    shoe_covers = Integer(default=0)
    fire_status = Varchar(length=4, default=NORMAL)
    fire_note = Varchar(length=200, default="")
    note = Text(default="")
    status = Varchar(length=4, default=WAITING, index=True)
    out_signed_at = Timestamptz()
    in_signed_at = Timestamptz(null=True, default=None)
    late = Boolean(default=False)
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)

    @classmethod
    def get_readable(cls):
        return readable(cls.handover_key)


class HandoverIssue(Table, tablename="site_handover_issue"):
    """An open issue or anomaly on a handover; an open one is offered again on the next handover of the same post."""

    handover = ForeignKey(Handover, on_delete=OnDelete.cascade, index=True)
    text = Varchar(length=200)
    status = Varchar(length=4, default=OPEN)
    carried_from = Integer(null=True, default=None, help_text="上一次交接的问题编号")
