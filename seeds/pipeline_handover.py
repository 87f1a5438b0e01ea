"""A6 交房 demo data (idempotent): a 房屋验收 plan with open and closed 问题单 and a key hand-over; of the deals the demo
left 已通知, one 已预约 (its maintenance fund still unpaid), one 有条件交付 with its 整改单, one 拒收."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline import services
from app.pipeline.tables import Deal
from app.pipeline.tables_handover import InspectionDefect, InspectionPlan
from seeds.pipeline import _pay_fund, _user, FormValues


async def seed() -> None:
    if await InspectionPlan.exists():
        return
    today = today_local()
    sup, eng, bureau = await _user("supervisor"), await _user("project_engineer"), await _user("bureau")
    notified = await Deal.select(Deal.id, Deal.unit, Deal.unit.building.as_alias("building")).where(
        (Deal.handover_status == "已通知") & Deal.stage.is_in(["已签约", "已备案"])).order_by(Deal.id).limit(3)
    first = notified[0] if notified else None
    building = first["building"] if first else (await Unit.select(Unit.building).first())["building"]
    plan = await services.create_plan(sup, FormValues(building=str(building), starts_on=(today - timedelta(days=40)).isoformat(),
                                                   ends_on=(today - timedelta(days=30)).isoformat(), units_note="全部房源",
                                                   project_dept="项目部 王工", supervisor_co="苏州建科监理有限公司", contractor="江苏中建八局三公司"))
    units = await Unit.select(Unit.id).where(Unit.building == building).order_by(Unit.id).limit(3)
    target = first["unit"] if first else units[0]["id"]
    other = next((u["id"] for u in units if u["id"] != target), target)
    due = (today + timedelta(days=10)).isoformat()
    issue = lambda unit, loc, cat, text: FormValues(unit=str(unit), location=loc, category=cat, contractor="江苏中建八局三公司", due_on=due,  # noqa: E731
                                                 description=text)
    closed = await services.add_issue(sup, plan["id"], issue(other, "卫生间地面", "防水渗漏", "闭水试验时楼下顶板渗水"))
    for action, values in (("start", {"note": "施工单位防水班组进场"}), ("rectified", {"note": "重做防水层，闭水 48 小时无渗漏，项目部与监理已验收"}),
                           ("recheck", {"result": "通过", "note": "复验无渗漏"})):
        await services.defect_step(eng if action != "recheck" else sup, "issue", closed["id"], action, FormValues(values))
    await services.add_issue(sup, plan["id"], issue(target, "主卧窗台", "门窗", "窗框与墙体间打胶开裂"))
    working = await services.add_issue(sup, plan["id"], issue(other, "客厅墙面", "墙地面", "墙面空鼓约 0.5㎡"))
    await services.defect_step(eng, "issue", working["id"], "start", FormValues(note="抹灰班组下周进场"))
    await InspectionDefect.update({InspectionDefect.due_on: today - timedelta(days=2)}).where(InspectionDefect.id == working["id"])  # past due
    await services.record_keys(sup, plan["id"], FormValues(unit=str(other), keys_count="4", received_on=(today - timedelta(days=25)).isoformat()))
    # 确权面积 of the building's sold units from the surveyor's report (±1 %), shown on its 面积差对照表
    rows = (await services.area_table(building))[:4]
    if rows:
        values = {}
        for k, r in enumerate(rows):
            f = Decimal("1") + Decimal([1, -1, 0, 2][k % 4]) / 100
            values[f"area_build_{r['unit']}"] = f"{(Decimal(r['unit.area_build']) * f).quantize(Decimal('0.01'))}"
            values[f"area_inner_{r['unit']}"] = f"{(Decimal(r['unit.area_inner']) * f).quantize(Decimal('0.01'))}"
        await services.record_surveyed(sup, building, FormValues(values))
    if len(notified) < 3:
        return
    book = lambda: FormValues(appointment_on=(today - timedelta(days=1)).isoformat(), appointment_time="10:00")  # noqa: E731
    # 有条件交付: the open 问题单 of the unit goes on the 整改单
    cond = notified[0]["id"]
    await services.handover_book(sup, cond, book())
    await services.handover_identify(sup, cond, FormValues(identity_by="本人", checked="1"))
    await _pay_fund(bureau, notified[0]["unit"], today - timedelta(days=2), "WXJ2026399")
    area = (await Unit.select(Unit.area_build, Unit.area_inner).where(Unit.id == notified[0]["unit"]).first())
    await services.handover(sup, cond, FormValues(on=(today - timedelta(days=1)).isoformat(), surveyed_area=f"{area['area_build']:.2f}",
                                               surveyed_inner_area=f"{area['area_inner']:.2f}", keys_count="3",
                                               meter_readings="水 0008 / 电 0021 / 气 0003", defect=["主卧窗台打胶开裂（验收问题单）"]))
    # 拒收 on quality grounds, to be rebooked once rectified
    ref = notified[1]["id"]
    await services.handover_book(sup, ref, book())
    await services.handover_identify(sup, ref, FormValues(identity_by="本人", checked="1"))
    await services.handover_refuse(sup, ref, FormValues(reason="入户门变形无法关严，厨房台面开裂", defect=["入户门变形", "厨房台面开裂"]))
    # 已预约 for tomorrow; its maintenance fund is still unpaid
    await services.handover_book(sup, notified[2]["id"], FormValues(appointment_on=(today + timedelta(days=1)).isoformat(), appointment_time="14:30"))
