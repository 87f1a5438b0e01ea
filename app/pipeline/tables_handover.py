"""A6a 房屋验收: the inspection plan per project and building (房屋验收计划进度表) and the keys the 施工单位 hands over
to the 客服中心 per unit. The 问题单 themselves are pipeline Defect rows (source 验收)."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.estate.tables import Building, Project, Unit
from app.org.tables import Employee
from app.workflow.tables import Request


class InspectionPlan(Table, tablename="pl_inspection_plan"):
    """房屋验收计划进度表 of one building, drawn up by the 客服中心 after the 竣工验收."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True)
    starts_on = Date()
    ends_on = Date()
    units_note = Varchar(length=200, default="")  # 验收范围 (e.g. 1-18 层全部房源)
    project_dept = Varchar(length=100, default="")  # 项目部 participant
    supervisor_co = Varchar(length=100, default="")  # 监理
    contractor = Varchar(length=100, default="")  # 施工单位
    note = Text(default="")
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class KeyReceipt(Table, tablename="pl_key_receipt"):
    """The 施工单位 hands a unit's keys to the 客服中心 (one row per unit)."""

    plan = ForeignKey(InspectionPlan, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, unique=True)
    keys_count = Integer(default=0)
    received_on = Date()
    contractor = Varchar(length=100, default="")
    recorded_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)


class InspectionDefect(Table, tablename="pl_inspection_defect"):
    """问题单 of the 房屋验收, per unit (there may be no buyer yet). Photos are attachments (owner pl_issue).
    States: 待整改 → 整改中 → 待复验 → 已通过 (a failed 复验 goes back to 整改中). While one is open the unit cannot be
    handed over, unless 有条件交付."""

    plan = ForeignKey(InspectionPlan, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True)
    location = Varchar(length=50)  # 部位
    category = Varchar(length=20)  # 类别
    description = Text(default="")
    contractor = Varchar(length=100, default="")  # 施工单位 responsible
    due_on = Date()  # promised date
    status = Varchar(length=10, default="待整改", index=True)
    rectify_note = Text(default="")  # the contractor's rectification and the 项目部/监理 check
    recheck_note = Text(default="")  # the 客服中心's 复验
    closed_on = Date(null=True, default=None)
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class SurveyedArea(Table, tablename="pl_surveyed_area"):
    """确权面积 of a unit (the surveyor's report, entered or imported by building before the handover): the 面积差对照表
    and the handover day use it."""

    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, unique=True)
    area_build = Numeric(digits=(10, 2))
    area_inner = Numeric(digits=(10, 2), null=True, default=None)
    recorded_on = Date()
    recorded_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)


class HandoverBulletin(Table, tablename="pl_handover_bulletin"):
    """交房公告 with the 面积差对照表 of one building: written by the 客服中心, approved by the 客服副经理 then the 总经理 on
    the approval engine (request type handover_bulletin). On approval its handover day becomes the 交房日期 of the
    building's deals not yet notified."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True)
    handover_on = Date()
    text = Text(default="")
    approved = Boolean(default=False)
