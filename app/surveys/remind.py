"""The surveys' part of the reminder worker (app/care/remind.py calls `remind_once()` each pass):
1. the schedule pass (app/surveys/schedule.py) creates the invitations that have come due;
2. a non-responder's invitation, sent `reminder_days` ago and not answered, reminds its sender once (kind "survey").
   The reminder is claimed by a conditional UPDATE (reminders = 0 → 1) with RETURNING, so several worker processes
   running at once notify exactly once per invitation. One UPDATE per published questionnaire, never one per row."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta

from app.core import notify
from app.core.timeutil import now
from app.org.tables import Employee
from app.surveys.schedule import schedule_once
from app.surveys.tables import Invitation, Questionnaire


def reminder_ref(invitation_id: int) -> str:
    return f"survey:{invitation_id}:remind"


async def remind_non_responders() -> int:
    at = now()
    sent = 0
    qs = await Questionnaire.select(Questionnaire.id, Questionnaire.title, Questionnaire.reminder_days).where(
        (Questionnaire.status == "已发布") & (Questionnaire.reminder_days > 0))
    for q in qs:
        cutoff = at - timedelta(days=int(q["reminder_days"]))
        async with Invitation._meta.db.transaction():
            claimed = await Invitation.update({Invitation.reminders: Invitation.reminders + 1, Invitation.reminded_at: at}).where(
                (Invitation.questionnaire == q["id"]) & Invitation.sent_at.is_not_null() & (Invitation.sent_at <= cutoff)
                & Invitation.answered_at.is_null() & (Invitation.reminders == 0) & Invitation.sent_by.is_not_null()
            ).returning(Invitation.id, Invitation.sent_by)
            if not claimed:
                continue
            users = {e["id"]: e["user"] for e in await Employee.select(Employee.id, Employee.user).where(
                Employee.id.is_in(list({c["sent_by"] for c in claimed})))}
            per_user: dict[int, list] = defaultdict(list)
            for c in claimed:
                uid = users.get(c["sent_by"])
                if uid:
                    per_user[uid].append((f"满意度调查未回复：{q['title']}（邀请 #{c['id']}），已发送 {q['reminder_days']} 天，请再次提醒客户填写",
                                          f"/surveys/invitations/{c['id']}", "survey", reminder_ref(c["id"])))
            for uid, items in per_user.items():
                await notify.notify_many(uid, items)
            sent += len(claimed)
    return sent


async def remind_once() -> int:
    """One pass: schedule the due invitations, then remind the senders of non-responders. Returns the notices sent."""
    await schedule_once()
    return await remind_non_responders()


if __name__ == "__main__":
    print(f"survey reminders sent: {asyncio.run(remind_once())}")
