"""A2 签约 demo data: deals waiting in 审核单待审, 网签草拟 and 待客户签字, one returned 审核单, and one 联机备案故障
that held two contracts up. Idempotent: does nothing once an outage is logged. Through the real services."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from app.core.timeutil import SHANGHAI, today_local
from app.estate.tables import Unit
from app.pipeline import services
from app.pipeline.tables_signing import Outage
from seeds.pipeline import NAMES, _check_and_draft, _id, _user, FormValues, pay_deposit

PLAN = ("审核单待审", "审核退回", "网签草拟", "待客户签字")


async def seed() -> None:
    if await Outage.exists():
        return
    today = today_local()
    sales, contract, accountant = await _user("sales"), await _user("contract"), await _user("accountant")
    units = await Unit.select(Unit.id, Unit.unit_price, Unit.total_price, Unit.area_build, Unit.project.code).where(
        (Unit.status == "可售") & (Unit.project.code == "JC01")).order_by(Unit.floor, ascending=False).order_by(Unit.id).limit(len(PLAN))
    held = []
    for i, (u, goal) in enumerate(zip(units, PLAN)):
        total = u["total_price"]
        deal = await services.subscribe(sales, u["id"], FormValues(
            name=NAMES[(i + 5) % len(NAMES)], id_type="居民身份证", id_number=_id(200 + i), mobile=f"137{20000000 + i * 911:08d}", address="苏州市姑苏区",
            marital="未婚", spouse_name="", co_ownership="单独所有", unit_price=f"{u['unit_price']:.2f}", total_price=f"{total:.2f}",
            deposit="50000.00", payment_method="一次性", down_payment=f"{total:.2f}", action="submit"))
        await pay_deposit(accountant, deal["id"])  # 财务 receives the 定金: 已认购 (A1)
        if goal in ("审核单待审", "审核退回"):
            from app.pipeline.tables import Receipt

            receipt = await Receipt.select(Receipt.voucher_no).where(Receipt.deal == deal["id"]).first()
            await services.submit_check(sales, deal["id"], FormValues(
                area=f"{u['area_build']:.2f}", unit_price=f"{u['unit_price']:.2f}", total_price=f"{total:.2f}", payment_method="一次性",
                down_payment=f"{total:.2f}", receipt_no=receipt["voucher_no"], delivery_due=(today + timedelta(days=200)).isoformat(),
                title_deadline=(today + timedelta(days=290)).isoformat(), supplement="1" if i == 0 else "",
                supplement_text="车位使用权另行约定" if i == 0 else ""))
            if goal == "审核退回":
                await services.check(contract, deal["id"], FormValues(result="退回补正", note="缺婚姻证明（单身声明），请补齐后重新提交"))
            continue
        await _check_and_draft(sales, contract, deal, u, total, total, today + timedelta(days=200), draft=True,
                               contract_no=f"JC01-2026-{800 + i:04d}", online_no=f"WQ{2026800 + i}", printed=goal == "待客户签字")
        held.append(str(deal["id"]))
    start = datetime.combine(today - timedelta(days=1), time(9, 30), tzinfo=SHANGHAI)
    await services.save_outage(contract, None, FormValues(
        started_at=start.strftime("%Y-%m-%dT%H:%M"), ended_at=(start + timedelta(hours=3, minutes=15)).strftime("%Y-%m-%dT%H:%M"),
        cause="房管局网签系统专线中断", action_taken="已联系房管局信息中心及网通报修，专线恢复后补录网签。",
        coordinated=["信息中心", "网通"], deal_ids=held))
