"""Permit reminders (SPEC §C, §0.2): each open deadline's owner gets an in-portal notification when a threshold is
reached (资质 90/60/30 days before expiry, 公积金/按揭协议 60 days, …; thresholds in ReminderRule), at most once per
deadline and threshold; once overdue, the owner and the 客服主管 are told. It also opens each year's
开发规模审批 record in January (the annual task).

Each notification names its deadline (`ref` "permit-deadline:<id>"); when the deadline is done, or its record is
renewed to a new date, services.sync_deadlines closes them in the same transaction (`deadline_done`).

What was sent is stored on the deadline (`notified_days`), claimed with a conditional UPDATE, so any number of
runs (cron, a worker, two hosts) send each reminder once.

    python -m app.permits.remind                     # one pass, then exit (cron: e.g. 0 8 * * *)
    python -m app.permits.remind --every 3600        # a pass every hour
    python -m app.permits.remind --today 2027-01-05  # as if it were that day (checks, back-fills)
"""
from __future__ import annotations

import argparse
import asyncio
from datetime import date, timedelta

from app.core import audit
from app.core.db import write_transaction
from app.core.notify import close, notify
from app.core.timeutil import now, today_local
from app.permits import rules, services
from app.permits.kinds import KINDS
from app.permits.tables import Deadline, MaintenanceFund, ReminderLog, ScaleApproval


def deadline_ref(deadline_id: int) -> str:
    return f"permit-deadline:{deadline_id}"


async def deadline_done(deadline_id: int) -> int:
    """Close the reminders about the deadline (done, or moved to a new date). Call inside the action's transaction."""
    return await close([deadline_ref(deadline_id)])


async def ensure_annual_records(today: date) -> int:
    """Open this year's 开发规模审批 (status 待申报, due end of January) for every project that had one last year."""
    year = today.year
    rows = await ScaleApproval.raw(
        "SELECT s.project AS project, s.owner AS owner, s.original_at AS original_at FROM permit_scale s WHERE s.year = {} "
        "AND NOT EXISTS (SELECT 1 FROM permit_scale t WHERE t.project = s.project AND t.year = {})", year - 1, year)
    kind = KINDS["scale"]
    created = 0
    for r in rows:
        try:
            async with write_transaction():
                if await ScaleApproval.exists().where((ScaleApproval.project == r["project"]) & (ScaleApproval.year == year)):
                    continue
                stamp = now()
                rec = ScaleApproval(project=r["project"], year=year, due_on=rules.annual_due(year), status="待申报", owner=r["owner"],
                                    original_at=r["original_at"] or "", note="系统生成的年度任务", created_at=stamp, updated_at=stamp)
                await rec.save()
                await services.sync_deadlines(kind, rec.id)
                loaded = await services.load(kind, rec.id)
                await audit.record(actor=None, action="permits.create", entity=kind.entity, entity_id=rec.id,
                                   summary=f"生成年度任务：{loaded['title']}，截止 {rules.annual_due(year).isoformat()}")
            created += 1
        except Exception as e:  # another run created it first (unique project+year)
            if "unique" not in f"{type(e).__name__} {e}".lower():
                raise
    return created


async def resync_funds() -> None:
    """Sales move on outside this register: bring each fund's handover deadline in step (closed once all sold units paid)."""
    kind = KINDS["fund"]
    for f in await MaintenanceFund.select(MaintenanceFund.id):
        async with write_transaction():
            await services.sync_deadlines(kind, f["id"])


def reminder_text(label: str, due_on: date, days: int, threshold: int, extra: str = "") -> str:
    if threshold == rules.OVERDUE:
        return f"逾期提醒：{label}（{due_on.isoformat()}）已逾期 {-days} 天，请尽快办理。{extra}"
    return f"到期提醒：{label}（{due_on.isoformat()}），{rules.countdown_text(days)}。{extra}"


async def _supervisors(company_id: int | None) -> list[int]:
    from app.workflow.engine import users_with_role

    return await users_with_role("supervisor", company_id or 0)


async def remind_once(today: date | None = None) -> int:
    """One pass. Returns how many reminders went out (one per deadline and threshold)."""
    today = today or today_local()
    await ensure_annual_records(today)
    await resync_funds()
    rule_map = await services.load_rules()
    horizon = max((max(days) for days, _ in rule_map.values() if days), default=0)
    rows = await Deadline.select(
        Deadline.id, Deadline.kind, Deadline.record_id, Deadline.item, Deadline.label, Deadline.project, Deadline.due_on,
        Deadline.notified_days, Deadline.owner.user, Deadline.owner.company,
    ).where((Deadline.done == False) & (Deadline.due_on <= today + timedelta(days=horizon))).order_by(Deadline.due_on)  # noqa: E712
    sent = 0
    for r in rows:
        thresholds, _ = rule_map.get(f"{r['kind']}.{r['item']}", ((), rules.DEFAULT_AMBER_PERCENT))
        days = rules.days_left(r["due_on"], today)
        threshold = rules.due_threshold(days, thresholds)
        if not rules.should_send(threshold, r["notified_days"]):
            continue
        extra = ""
        if r["kind"] == "fund":
            unpaid = await services.unpaid_units(r["project"])
            if unpaid == 0:  # nothing sold yet, or everything paid: nothing to remind about
                continue
            extra = f"尚有 {unpaid} 套已售房源未缴存维修基金。"
        async with write_transaction():
            claimed = await Deadline.update({Deadline.notified_days: threshold, Deadline.notified_at: now()}).where(
                (Deadline.id == r["id"]) & (Deadline.done == False) & (Deadline.due_on == r["due_on"])  # noqa: E712
                & (Deadline.notified_days.is_null() | (Deadline.notified_days > threshold))
            ).returning(Deadline.id)
            if not claimed:
                continue  # another run sent it, or the record changed meanwhile
            recipients = [r["owner.user"]] if r["owner.user"] else []
            if threshold == rules.OVERDUE:  # SPEC §0.2: red when overdue, notify the owner and the 客服主管
                recipients += await _supervisors(r["owner.company"])
            text = reminder_text(r["label"], r["due_on"], days, threshold, extra)
            url = f"/permits/{r['kind']}/{r['record_id']}"
            for user_id in dict.fromkeys(recipients):
                await notify(user_id, text, url, "overdue" if threshold == rules.OVERDUE else "reminder", ref=deadline_ref(r["id"]))
            await ReminderLog.insert(ReminderLog(deadline=r["id"], threshold=threshold, due_on=r["due_on"], sent_at=now(),
                                                 recipients=len(dict.fromkeys(recipients))))
        sent += 1
    return sent


async def main(every: int | None, today: date | None) -> None:
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        while True:
            n = await remind_once(today)
            print(f"permit reminders sent: {n}", flush=True)
            if not every:
                return
            await asyncio.sleep(every)
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="证件到期提醒")
    ap.add_argument("--every", type=int, default=None, help="seconds between passes; omit for a single pass (cron)")
    ap.add_argument("--today", type=date.fromisoformat, default=None, help="run as if today were this date (YYYY-MM-DD)")
    args = ap.parse_args()
    asyncio.run(main(args.every, args.today))
