"""The monthly supplies plan's reminder (SPEC E1: next month's plan is due by the 25th — the plan_deadline_day
setting): within plan_remind_days before the deadline, whoever files the plan (the applicants of the plans of the
last three months) and has not filed next month's yet gets an in-portal notification, once a day — also when several
workers run at once (the check and the insert are serialised per person and day: app/core/claims.py).

    python -m app.office.remind       # one pass (the Procfile's worker loop; cron)
"""
from __future__ import annotations

import asyncio
from datetime import date

from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.tables import Notification
from app.core.timeutil import today_local
from app.office import rules
from app.office.tables import Purchase

HOLDING = ["审批中", "已退回", "已通过"]


async def remind_once(today: date | None = None) -> int:
    from app.office import flows  # noqa: F401  (registers the type and its settings)
    from app.workflow.definitions import get_flow
    from app.workflow.engine import flow_settings

    today = today or today_local()
    settings = await flow_settings(get_flow("supplies_purchase"))
    day = int(settings["plan_deadline_day"])
    month = rules.remind_due(today, day, int(settings["plan_remind_days"]))
    if not month:
        return 0
    target = rules.month_text(month)
    recent = [rules.month_text(rules.add_months(today, -k)) for k in range(3)]
    filers = {r["request.applicant_user"] for r in await Purchase.select(Purchase.request.applicant_user).where(
        Purchase.plan_month.is_in(recent) & Purchase.request.status.is_in(HOLDING)).limit(1000)}
    filed = {r["request.applicant_user"] for r in await Purchase.select(Purchase.request.applicant_user).where(
        (Purchase.plan_month == target) & Purchase.request.status.is_in(HOLDING)).limit(1000)}
    ref = f"supplies_plan:{target}:{today.isoformat()}"  # once a day per person: the day is part of the reference
    sent = 0
    deadline = rules.plan_deadline(month, day)
    for user in sorted(filers - filed):
        async with write_transaction():  # the check and the insert as one, across workers and hosts (app/core/claims.py)
            await serialise(f"notice:{user}:{ref}")
            if await Notification.exists().where((Notification.user == user) & (Notification.ref == ref)):
                continue
            await notify(user, f"请在 {deadline:%m月%d日} 前提交 {target} 办公用品申购计划（逾期提交将被标记）", "/workflow/new/supplies_purchase",
                         "reminder", ref)
        sent += 1
    return sent


if __name__ == "__main__":
    print(f"supplies plan reminders sent: {asyncio.run(remind_once())}", flush=True)
