"""The sales office's shared reference data (SPEC §F): the outsourced teams per project (保安队, 保洁组) with their
contractor and lead, the people on each team (most without a portal account), the shift patterns and their slots,
the posts a team covers, the special days that need extra staff, and the chapter's settings (售楼处设置).
The chapter's parts (site_roster, site_shift, site_patrol, site_incident, site_cleaning) build on these."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.estate.tables import Project
from app.org.tables import Employee

SECURITY = "保安"
CLEANING = "保洁"
KINDS = (SECURITY, CLEANING)


class SiteTeam(Table, tablename="site_team"):
    """One outsourced team at one project's sales office: the security team or the cleaning team."""

    name = Varchar(length=50)
    kind = Varchar(length=4, index=True, help_text="保安 / 保洁")
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    contractor = Varchar(length=100, default="", help_text="外包单位（物业公司）")
    lead = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True, help_text="队长/领班（有门户账号）")
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class SiteWorker(Table, tablename="site_worker"):
    """A guard or cleaner on a team. Outsourced staff have no portal account (employee is empty), except the leads."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=50)
    badge = Varchar(length=20, default="", help_text="工号/胸卡号")
    phone = Varchar(length=20, default="")
    employee = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True, help_text="门户账号（队长/领班）")
    active = Boolean(default=True, index=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class ShiftPattern(Table, tablename="site_shift_pattern"):
    """三班 (08–16/16–24/00–08), 两班 (08–20/20–08) or a custom pattern."""

    name = Varchar(length=30, unique=True)
    note = Varchar(length=200, default="")

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class ShiftSlot(Table, tablename="site_shift_slot"):
    """One shift of a pattern. An end at or before the start crosses midnight (20:00–08:00 ends the next morning)."""

    pattern = ForeignKey(ShiftPattern, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=20)
    start = Varchar(length=5, help_text="开始 时:分")
    end = Varchar(length=5, help_text="结束 时:分（不晚于开始即跨午夜）")
    sort = Integer(default=0)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class SitePost(Table, tablename="site_post"):
    """A post a team covers (门岗/迎宾, 车场, 大厅形象岗 … for security; areas are the cleaning part's)."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=30)
    duties = Text(default="")
    pattern = ForeignKey(ShiftPattern, on_delete=OnDelete.restrict, help_text="本岗位的班制")
    headcount = Integer(default=1, help_text="每班人数")
    night_only = Boolean(default=False, help_text="仅夜间（闭馆后）设岗")
    sort = Integer(default=0)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class SiteEvent(Table, tablename="site_event"):
    """A special day at a project's sales office (开盘, 集中签约, 交房) that needs extra staff on every post."""

    project = ForeignKey(Project, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    kind = Varchar(length=6, help_text="开盘 / 集中签约 / 交房")
    extra = Integer(default=1, help_text="每岗每班加派人数")
    note = Varchar(length=200, default="")

    @classmethod
    def get_readable(cls):
        return readable(cls.kind)


class SiteSetting(Table, tablename="site_setting"):
    """The chapter's configuration (售楼处设置): integer values with their defaults declared by each part."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[S] 规章原文 / [C] 惯例 / [P] 提议")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
