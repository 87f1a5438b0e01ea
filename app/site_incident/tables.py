"""Incident reports at the sales office (SPEC §F4 事件报告): what happened, where, who was involved, what was done,
whether 110/119/120 were called, the photos (attachments, owner kind "site_incident"), who was notified and when,
the follow-up, and for 聚集维权/媒体 the P1 customer-care case it opened (linked both ways)."""
from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.care.tables import CareCase
from app.core.tables import readable
from app.estate.tables import Project
from app.org.tables import Employee
from app.site.tables import SiteTeam

KINDS = ("盗窃", "纠纷", "客户受伤", "火警", "停电/设备故障", "恶劣天气", "聚集维权", "媒体")
ESCALATED = ("聚集维权", "媒体")  # also to the 客服副经理 and the 总经理, and a P1 case in D
OPEN = "处理中"
CLOSED = "已结案"
STATUSES = (OPEN, CLOSED)


class Incident(Table, tablename="site_incident"):
    """One incident reported by a sales-office team."""

    number = Varchar(length=20, unique=True, help_text="事件编号")
    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True, help_text="取自班组")
    kind = Varchar(length=10, index=True, help_text="盗窃 / 纠纷 / 客户受伤 / 火警 / 停电/设备故障 / 恶劣天气 / 聚集维权 / 媒体")
    occurred_at = Timestamptz(index=True)
    place = Varchar(length=100)
    people = Text(default="", help_text="涉及人员")
    contact_phone = Varchar(length=20, default="", help_text="现场联系电话（立客服案件时作为来电电话）")
    account = Text(help_text="经过")
    actions = Text(help_text="处置")
    called_110 = Boolean(default=False)
    called_119 = Boolean(default=False)
    called_120 = Boolean(default=False)
    follow_up = Text(default="", help_text="后续跟进")
    reported_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    reported_at = Timestamptz()
    care_case = ForeignKey(CareCase, null=True, default=None, on_delete=OnDelete.set_null, index=True, help_text="P1 客服案件")
    status = Varchar(length=4, default=OPEN, index=True, help_text="处理中 / 已结案")
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    version = Integer(default=0)

    @classmethod
    def get_readable(cls):
        return readable(cls.number)


class IncidentNotice(Table, tablename="site_incident_notice"):
    """Who was notified of an incident, as whom and when (one row per person told)."""

    incident = ForeignKey(Incident, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    name = Varchar(length=50)
    role = Varchar(length=20, help_text="客服主管 / 客服副经理 / 总经理")
    at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.name)
