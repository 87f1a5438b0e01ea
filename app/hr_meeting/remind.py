"""例会 reminders: an action item past its due date and not done tells its owner once, with an in-portal notification
(once per item also with several workers at once: app/core/claims.py). Marking the item done closes the notification.

    python -m app.hr_meeting.remind       # one pass (cron / the worker loop)
"""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.tables import Notification
from app.core.timeutil import today_local
from app.hr_meeting.tables import ActionItem

LOOKBACK_DAYS = 90  # items overdue longer than this were told long ago (or predate the worker)


def reference(item_id: int) -> str:
    return f"hr_meeting_item:{item_id}"


async def remind_once(today: date | None = None) -> int:
    today = today or today_local()
    rows = await ActionItem.select(ActionItem.id, ActionItem.text, ActionItem.due_on, ActionItem.meeting, ActionItem.owner.user).where(
        (ActionItem.done == False) & (ActionItem.due_on < today) & (ActionItem.due_on >= today - timedelta(days=LOOKBACK_DAYS))  # noqa: E712
        & ActionItem.owner.user.is_not_null()).order_by(ActionItem.due_on).limit(5000)
    sent = 0
    for r in rows:
        ref, user = reference(r["id"]), r["owner.user"]
        async with write_transaction():
            await serialise(f"notice:{user}:{ref}")
            if await Notification.exists().where((Notification.user == user) & (Notification.ref == ref)):
                continue
            await notify(user, f"例会行动项已逾期（期限 {r['due_on']:%Y-%m-%d}）：{r['text'][:80]}", f"/hr/meetings/{r['meeting']}",
                         "overdue", ref)
        sent += 1
    return sent


if __name__ == "__main__":
    print(f"meeting action-item reminders sent: {asyncio.run(remind_once())}", flush=True)
