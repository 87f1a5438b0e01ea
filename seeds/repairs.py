"""Demo repairs (SPEC D3), idempotent (by number): one in warranty waiting for the customer's signature on a home handed
over recently, one out of warranty (finishes on a home handed over in 2022: routed to the 物业 as paid service), and
one serious case waiting for the 安全质量监督中心's inspection. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from app.core.timeutil import today_local
from datetime import date, timedelta
from decimal import Decimal

from app.care import clocks, core, rules, states
from app.care.settings import load_limits
from app.care.tables import CareCase, CareRepair, Contractor
from app.core.timeutil import now
from app.estate.tables import Unit
from app.pipeline.tables import Deal

IN_WARRANTY = "BX-DEMO-0001"
OUT_OF_WARRANTY = "BX-DEMO-0002"
INSPECTION = "BX-DEMO-0003"


async def create_repair(*, number: str, project: int, unit: int | None, deal: int | None, buyer: int | None, caller: str,
                        title: str, content: str, element: str, location: str, priority: str = rules.NORMAL_REPAIR,
                        needs_inspection: bool = False, handover_on: date | None = None, received_ago: timedelta = timedelta(hours=3),
                        status: str = states.R_ACCEPTED, repair_values: dict | None = None) -> int:
    """A 报修 case and its CareRepair with the clocks' due columns, as the intake would write them."""
    limits = await load_limits()
    received = now() - received_ago
    handler = await core.pick_handler(rules.ROLE_CR_OFFICER, project)
    case = {"kind": "报修", "level": rules.P3, "received_at": received}
    repair = {"priority": priority}
    cal = await clocks.calendar_around(received)
    case_vals, repair_vals = clocks.due_columns(case, repair, [], cal, limits)
    row = CareCase(number=number, kind="报修", channel="电话", project=project, unit=unit, buyer=buyer, deal=deal, caller_name=caller,
                   title=title, content=content, level=rules.P3, level_computed=rules.P3, status=status,
                   handler_role=rules.ROLE_CR_OFFICER, handler=handler["id"] if handler else None, received_at=received,
                   **{k: v for k, v in case_vals.items()})
    await row.save()
    await CareRepair.insert(CareRepair(case=row.id, element=element, location=location, priority=priority,
                                       needs_inspection=needs_inspection, handover_on=handover_on,
                                       **repair_vals, **(repair_values or {})))
    await core.event(row.id, None, "intake", "报修登记（演示数据）", "", states.R_ACCEPTED, at=received)
    return row.id


async def seed() -> None:
    if await CareCase.exists().where(CareCase.number.is_in([IN_WARRANTY, OUT_OF_WARRANTY, INSPECTION])):
        return
    handed = await Deal.select(Deal.id, Deal.unit, Deal.buyer, Deal.project).where(
        (Deal.project.code == "JC01") & Deal.handed_over_on.is_not_null() & (Deal.handover_status == "已交付")  # handed over before the report
        & (Deal.handed_over_on <= today_local() - timedelta(days=3))).order_by(Deal.id).first()
    if not handed:
        return
    contractor = await Contractor.select(Contractor.id).where(Contractor.trade == "防水").first()
    await create_repair(
        number=IN_WARRANTY, project=handed["project"], unit=handed["unit"], deal=handed["id"], buyer=handed["buyer"], caller="",
        title="卫生间地面渗水到楼下", content="业主来电：主卫淋浴区地面渗水，楼下顶棚有水渍。", element=rules.WATERPROOF_WET_ROOM,
        location="主卫淋浴区", received_ago=timedelta(days=2), status=states.R_SIGN,
        repair_values={"contractor": contractor["id"] if contractor else None, "dispatched_at": now() - timedelta(days=2, hours=-2),
                       "planned_done_on": (now() + timedelta(days=3)).date(), "on_site_at": now() - timedelta(days=1, hours=20),
                       "done_at": now() - timedelta(hours=2), "materials": "聚氨酯防水涂料 2 桶，瓷砖填缝剂 1 袋",
                       "check_materials": True, "check_quality": True, "check_safety": True, "check_note": "闭水试验 48 小时无渗漏",
                       "cost_bearer": "施工单位", "cost": Decimal("0.00"), "in_warranty": True})
    old_unit = await Unit.select(Unit.id, Unit.project).where(
        (Unit.project.code == "JC01") & Unit.id.not_in([handed["unit"]]) & (Unit.status == "可售")).order_by(Unit.id, ascending=False).first()
    if old_unit:
        await create_repair(
            number=OUT_OF_WARRANTY, project=old_unit["project"], unit=old_unit["id"], deal=None, buyer=None, caller="李先生",
            title="客厅墙面乳胶漆起皮开裂", content="老业主来电：客厅墙面乳胶漆大面积起皮，要求维修。", element=rules.FINISHES,
            location="客厅墙面", handover_on=date(2022, 6, 30), received_ago=timedelta(hours=5))
    await create_repair(
        number=INSPECTION, project=handed["project"], unit=handed["unit"], deal=handed["id"], buyer=handed["buyer"], caller="",
        title="阳台楼板出现贯通裂缝", content="业主来电：阳台楼板出现裂缝，担心结构安全。", element=rules.STRUCTURE, location="南阳台楼板",
        priority=rules.COMPLEX, needs_inspection=True, received_ago=timedelta(days=1), status=states.R_INSPECTING)
