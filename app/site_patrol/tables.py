"""Patrols at the sales office (SPEC §F3): the checkpoints a security team scans (a QR code per checkpoint, printed on
an A4 sheet, encoding the portal URL of the checkpoint), the scans (one per checkpoint and round window: a repeated
scan in the same round is recorded once — unique (checkpoint, window_start), created by the migration), and the misses
the reminder pass found for windows that ended without a scan (unique likewise: found once, alerted once)."""
import secrets

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.site.tables import SiteTeam

NORMAL, ABNORMAL = "正常", "异常"
RESULTS = (NORMAL, ABNORMAL)


def new_token() -> str:
    """The checkpoint's URL token: random, unguessable, short enough for a small QR code."""
    return secrets.token_urlsafe(12)


class PatrolCheckpoint(Table, tablename="site_patrol_checkpoint"):
    """A place a guard scans on every round (入口, 配电房, 消防通道/灭火器 …)."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=50)
    place = Varchar(length=100, default="", help_text="位置说明")
    token = Varchar(length=32, unique=True, default=new_token, help_text="二维码链接的随机码（自动生成）")
    sort = Integer(default=0)
    active = Boolean(default=True)
    created_at = Timestamptz(help_text="启用时间：此前的巡更轮次不计应巡")

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class PatrolScan(Table, tablename="site_patrol_scan"):
    """One checkpoint scanned in one round window; 异常 carries a note and photos (attachments, owner site_patrol_scan)."""

    checkpoint = ForeignKey(PatrolCheckpoint, on_delete=OnDelete.restrict, index=True)
    window_start = Timestamptz(index=True, help_text="所属巡更轮次的开始时间")
    scanned_at = Timestamptz()
    result = Varchar(length=2, default=NORMAL, help_text="正常 / 异常")
    note = Text(default="")
    by_user = ForeignKey(BaseUser, null=True, default=None, on_delete=OnDelete.set_null)
    by_employee = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    by_name = Varchar(length=50, default="")


class PatrolMiss(Table, tablename="site_patrol_miss"):
    """A checkpoint not scanned in a round window that has ended, found by `python -m app.site_patrol.remind`."""

    checkpoint = ForeignKey(PatrolCheckpoint, on_delete=OnDelete.cascade, index=True)
    window_start = Timestamptz(index=True)
    window_end = Timestamptz()
    alerted_at = Timestamptz(null=True, default=None)
