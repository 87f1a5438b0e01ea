"""Cleaning at the sales office (SPEC §F5–F6): the areas of a cleaning team with their standard and frequency, the
checklist items of an area with their maximum deduction, the inspections (a score out of 100 and its grade, the
points deducted per item) and the rectification tickets (整改单) a failed inspection opens, closed by a re-inspection.
Photos are attachments: an inspection's are the ticket's "before" photos, the ticket's own are the "after" photos."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.site.tables import SiteTeam

GOOD, PASS, FAIL = "优良", "合格", "不合格"
TODO, DONE, CHECKED = "待整改", "已整改", "已复检"
TICKET_STATUSES = (TODO, DONE, CHECKED)


class CleanArea(Table, tablename="site_clean_area"):
    """One area a cleaning team keeps (卫生间, 洽谈区/签约室 …) with its standard and how often it is checked."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=40)
    standard = Text(default="", help_text="保洁标准")
    every_min = Integer(default=0, help_text="检查频次（分钟，0 表示每日一次）")
    sort = Integer(default=0)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class CleanItem(Table, tablename="site_clean_item"):
    """One line of an area's checklist with the most points it can cost."""

    area = ForeignKey(CleanArea, on_delete=OnDelete.cascade, index=True)
    text = Varchar(length=120)
    max_points = Integer(default=5, help_text="最多扣分")
    sort = Integer(default=0)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.text)


class CleanInspection(Table, tablename="site_clean_inspection"):
    """One scoring of an area. A re-inspection names the failed inspection it re-checks (parent)."""

    area = ForeignKey(CleanArea, on_delete=OnDelete.restrict, index=True)
    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    by_name = Varchar(length=50, default="")
    at = Timestamptz(index=True)
    day = Date(index=True, help_text="检查日（北京时间）")
    score = Integer(default=100)
    grade = Varchar(length=4, default=GOOD)
    note = Text(default="")
    parent = ForeignKey("self", null=True, default=None, on_delete=OnDelete.set_null, help_text="复检所针对的检查")

    @classmethod
    def get_readable(cls):
        return readable(cls.grade)


class CleanDeduction(Table, tablename="site_clean_deduction"):
    """The points an inspection took off for one checklist item (only items with a deduction are stored)."""

    inspection = ForeignKey(CleanInspection, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(CleanItem, on_delete=OnDelete.restrict)
    item_text = Varchar(length=120, default="")
    points = Integer(default=0)


class CleanTicket(Table, tablename="site_clean_ticket"):
    """整改单: opened by an inspection below the pass mark, due a set number of minutes later; the cleaner adds the
    after photos and marks it 已整改, a re-inspection (a new inspection of the area) closes it as 已复检."""

    inspection = ForeignKey(CleanInspection, on_delete=OnDelete.cascade, index=True)
    area = ForeignKey(CleanArea, on_delete=OnDelete.restrict, index=True)
    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    opened_at = Timestamptz()
    due_at = Timestamptz(index=True)
    status = Varchar(length=4, default=TODO, index=True, help_text="待整改 / 已整改 / 已复检")
    done_at = Timestamptz(null=True, default=None)
    done_by_name = Varchar(length=50, default="")
    done_note = Text(default="")
    reinspection = ForeignKey(CleanInspection, null=True, default=None, on_delete=OnDelete.set_null, help_text="复检记录")
    closed_at = Timestamptz(null=True, default=None)

    @classmethod
    def get_readable(cls):
        return readable(cls.status)
