"""Demo ledger data beyond the pipeline's seed: one contract voided through the real 合同作废 approval chain (so the
作废台账 has a row) on a deal of its own, and yesterday's 合同登记进度日报表 of 锦程·滨江府 confirmed by the 合同专员
and approved by the 客服主管. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta

from piccolo.apps.user.tables import BaseUser

from app.core.auth import load_user
from app.core.fields import FormValues
from app.core.timeutil import today_local
from app.estate.tables import Project, Unit
from app.ledgers.tables import DailyReport
from app.pipeline.tables import DealVoid
from app.workflow import engine
from app.workflow.tables import Task


async def _user(username: str):
    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    return await load_user(row["id"])


async def _approve_all(request_id: int) -> None:
    """Each pending approver approves, step by step, until the request is finished."""
    for _ in range(20):
        t = await Task.select(Task.id, Task.assignee).where((Task.request == request_id) & (Task.status == engine.T_PENDING)).first()
        if not t:
            return
        await engine.act(await load_user(t["assignee"]), t["id"], "同意", "同意（演示数据）")


async def _seed_void() -> None:
    from app.pipeline import services
    from app.pipeline.flows import VOID

    unit = await Unit.select(Unit.id, Unit.unit_price, Unit.total_price).where(
        (Unit.status == "可售") & (Unit.project.code == "JC01")).order_by(Unit.id, ascending=False).first()
    if not unit:
        return
    sales, contract = await _user("sales"), await _user("contract")
    today = today_local()
    total = unit["total_price"]
    deal = await services.subscribe(sales, unit["id"], FormValues(
        name="钱立新", id_type="居民身份证", id_number="320506198503120028", mobile="13962001234", address="苏州市姑苏区",
        marital="未婚", spouse_name="", co_ownership="单独所有", unit_price=f"{unit['unit_price']:.2f}", total_price=f"{total:.2f}",
        deposit="50000.00", payment_method="一次性", down_payment=f"{total:.2f}", action="submit"))
    from seeds.pipeline import pay_deposit

    await pay_deposit(await _user("accountant"), deal["id"])  # A1: the 定金 received, the subscription 已认购
    await services.check(contract, deal["id"], FormValues(result="审核通过", delivery_due=(today + timedelta(days=400)).isoformat()))
    from app.pipeline.tables import Deal

    await Deal.update({Deal.subscribed_on: today - timedelta(days=8)}).where(Deal.id == deal["id"])  # subscribed before signing
    await services.sign(contract, deal["id"], FormValues(contract_no="JC01-2026-9001", online_no="WQ2026901",
                                                      signed_on=(today - timedelta(days=6)).isoformat(), home_count="首套"))
    result = await VOID.form.parse(FormValues(deal_ref="JC01-2026-9001", reason="退房", penalty_waived="0", refund="50000.00",
                                           note="客户因工作调动申请退房，合同原件已全部收回。"), contract, None)
    if result.errors:
        return
    req = await engine.submit(contract, VOID, result)
    await _approve_all(req["id"])


async def _seed_report() -> None:
    from app.ledgers.flows import DAILY_REPORT

    project = await Project.select(Project.id).where(Project.code == "JC01").first()
    if not project:
        return
    contract = await _user("contract")
    day = today_local() - timedelta(days=1)
    result = await DAILY_REPORT.form.parse(FormValues(project=str(project["id"]), report_date=day.isoformat()), contract, None)
    if result.errors:
        return
    req = await engine.submit(contract, DAILY_REPORT, result)
    await _approve_all(req["id"])


async def seed() -> None:
    from seeds import pipeline as pipeline_seed

    await pipeline_seed.seed()  # the ledgers describe the pipeline's deals (seed order is alphabetical)
    from app.ledgers.schedule import seed_settings

    await seed_settings()  # 台账与日报设置: the daily report's 17:30 / 18:00
    if not await DealVoid.exists():
        await _seed_void()
    if not await DailyReport.exists():
        await _seed_report()
