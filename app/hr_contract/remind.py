"""The labour contracts' renewal reminders (SPEC §E4 [C]: 60 and 30 days before the end, the settings
remind_first_days / remind_second_days; a reminder day on a rest day moves to the previous working day): on a
reminder day every HR user (role hr) gets an in-portal notification, once per contract and reminder — also when
several workers run at once (the check and the insert are serialised per person and reference: app/core/claims.py).
A pass that runs late (the day was missed) still sends the latest reminder due, once.

    python -m app.hr_contract.remind       # one pass (the Procfile's worker loop; cron)
"""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.tables import Notification
from app.core.timeutil import today_local
from app.core.workdays import calendar_cache, calendar_for
from app.hr_contract import rules
from app.hr_contract import settings as contract_settings
from app.hr_contract.tables import LabourContract as C
from app.org.tables import Employee


def reference(contract_id: int, days: int) -> str:
    return f"hr_contract:{contract_id}:{days}"


async def hr_users() -> list[int]:
    rows = await Employee.select(Employee.user).where(
        (Employee.position.role == "hr") & (Employee.active == True) & Employee.user.is_not_null())  # noqa: E712
    return sorted({r["user"] for r in rows})


async def _entitled(row: dict, years: int) -> bool:
    hist = await C.select(C.kind, C.start, C.end, C.status, C.seq, C.employee.hired_on).where(
        (C.employee == row["employee"]) & (C.seq <= row["seq"])).order_by(C.seq)
    past = [rules.PastContract(h["kind"], h["start"], h["end"], h["status"]) for h in hist]
    return bool(past) and bool(rules.open_ended_entitlement(hist[0]["employee.hired_on"], past, row["end"], years))


async def remind_once(today: date | None = None) -> int:
    today = today or today_local()
    cfg = await contract_settings.read()
    offsets = (cfg["remind_first_days"], cfg["remind_second_days"])
    horizon = today + timedelta(days=max(offsets) + 1)
    rows = await C.select(C.id, C.end, C.employee, C.employee.name, C.seq).where(
        C.end.is_not_null() & (C.end > today) & (C.end <= horizon + timedelta(days=31))
        & C.status.is_in([rules.PENDING, rules.SIGNED])
    ).order_by(C.end).limit(5000)
    users = await hr_users()
    sent = 0
    with calendar_cache():
        cal = await calendar_for(today - timedelta(days=31), horizon + timedelta(days=31))
        for r in rows:
            due = [(n, d) for n, d in rules.reminder_days(r["end"], offsets, cal.is_workday) if d <= today]
            if not due:
                continue
            n, _day = min(due)  # the latest reminder due (a contract entered late is told once, not twice)
            ref = reference(r["id"], n)
            left = (r["end"] - today).days
            text = f"{r['employee.name']} 的劳动合同将于 {r['end']:%Y-%m-%d} 到期（还有 {left} 天），请办理续签或终止手续"
            if await _entitled(r, cfg["open_ended_years"]):
                text += "；该员工续订时可要求订立无固定期限劳动合同（劳动合同法第十四条）"
            for user in users:
                async with write_transaction():
                    await serialise(f"notice:{user}:{ref}")
                    if await Notification.exists().where((Notification.user == user) & (Notification.ref == ref)):
                        continue
                    await notify(user, text, f"/hr/contracts/{r['id']}", "reminder", ref)
                sent += 1
    return sent


if __name__ == "__main__":
    print(f"labour contract reminders sent: {asyncio.run(remind_once())}", flush=True)
