"""Rectifications past their due time (SPEC §F6: fix within 30 minutes, then re-inspect): the cleaning team's lead
gets one in-portal notification per overdue ticket — also when several workers run at once (the check and the insert
are serialised per ticket: app/core/claims.py). The notification closes when the ticket is re-inspected.

    python -m app.site_cleaning.remind       # one pass (the worker loop; cron)
"""
from __future__ import annotations

import asyncio
from datetime import datetime

from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.tables import Notification
from app.core.timeutil import SHANGHAI, now
from app.org.tables import Employee
from app.site_cleaning.tables import CHECKED, CleanTicket

BATCH = 500


def overdue_ref(ticket_id: int) -> str:
    return f"site_clean_overdue:{ticket_id}"


async def remind_once(moment: datetime | None = None) -> int:
    moment = moment or now()
    rows = await CleanTicket.select(CleanTicket.id, CleanTicket.due_at, CleanTicket.status, CleanTicket.area.name, CleanTicket.team.lead).where(
        (CleanTicket.status != CHECKED) & (CleanTicket.due_at < moment) & CleanTicket.team.lead.is_not_null()).order_by(CleanTicket.due_at).limit(BATCH)
    leads = {r["id"]: r["user"] for r in await Employee.select(Employee.id, Employee.user).where(
        Employee.id.is_in([r["team.lead"] for r in rows] or [0]))}
    sent = 0
    for r in rows:
        user = leads.get(r["team.lead"])
        if not user:
            continue
        ref = overdue_ref(r["id"])
        async with write_transaction():
            await serialise(f"notice:{user}:{ref}")
            if await Notification.exists().where((Notification.user == user) & (Notification.ref == ref)):
                continue
            await notify(user, f"保洁整改超时：{r['area.name']} 整改单应于 {r['due_at'].astimezone(SHANGHAI):%H:%M} 前整改复检（当前：{r['status']}）",
                         f"/site/cleaning/rectifications/{r['id']}", "overdue", ref)
        sent += 1
    return sent


if __name__ == "__main__":
    import argparse

    from app.core.timeutil import parse_moment

    ap = argparse.ArgumentParser()
    ap.add_argument("--now", type=parse_moment, default=None, help="run as if it were this moment (ISO, Asia/Shanghai if no zone)")
    print(f"cleaning rectification reminders sent: {asyncio.run(remind_once(ap.parse_args().now))}", flush=True)
