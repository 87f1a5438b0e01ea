"""转正 reminders (SPEC §E11 [C]: 15 days before the probation ends, setting remind_days; a rest day moves to the
previous working day): on the reminder day the employee, their direct manager and every HR user get an in-portal
notification, once per contract — also with several workers at once (app/core/claims.py). A pass that runs late
still sends it, once, until the probation's last day. Nothing is sent for an employee whose status is decided.

    python -m app.hr_probation.remind       # one pass (cron / the worker loop)
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
from app.hr_contract.remind import hr_users
from app.hr_contract.rules import PENDING, SIGNED
from app.hr_contract.tables import LabourContract as C
from app.hr_probation import rules
from app.hr_probation import settings as probation_settings
from app.hr_probation.tables import EmployeeStatus


def reference(contract_id: int) -> str:
    return f"hr_probation:{contract_id}"


async def remind_once(today: date | None = None) -> int:
    today = today or today_local()
    cfg = await probation_settings.read()
    days = cfg["remind_days"]
    horizon = today + timedelta(days=days + 31)
    rows = await C.select(C.id, C.employee, C.probation_end, C.employee.name, C.employee.user, C.employee.manager.user).where(
        C.probation_end.is_not_null() & (C.probation_end >= today) & (C.probation_end <= horizon)
        & C.status.is_in([PENDING, SIGNED])).order_by(C.probation_end).limit(5000)
    decided = {r["employee"] for r in await EmployeeStatus.select(EmployeeStatus.employee).where(
        EmployeeStatus.employee.is_in([r["employee"] for r in rows]))} if rows else set()
    hr = await hr_users()
    sent = 0
    with calendar_cache():
        cal = await calendar_for(today - timedelta(days=31), horizon)
        for r in rows:
            if r["employee"] in decided or rules.reminder_day(r["probation_end"], days, cal.is_workday) > today:
                continue
            ref = reference(r["id"])
            left = (r["probation_end"] - today).days
            base = f"{r['employee.name']} 的试用期将于 {r['probation_end']:%Y-%m-%d} 结束（还有 {left} 天）"
            texts = {}
            for u in hr:
                texts[u] = base + "，请组织转正考核；不予录用须在试用期内作出并有证据（劳动合同法第二十一条、第三十九条）"
            if r["employee.manager.user"]:
                texts.setdefault(r["employee.manager.user"], base + "，请对其试用期表现进行评分")
            if r["employee.user"]:
                texts[r["employee.user"]] = f"您的试用期将于 {r['probation_end']:%Y-%m-%d} 结束，请在「新建审批 · 转正申请」中提交个人总结"
            for user, text in texts.items():
                async with write_transaction():
                    await serialise(f"notice:{user}:{ref}")
                    if await Notification.exists().where((Notification.user == user) & (Notification.ref == ref)):
                        continue
                    link = "/workflow/new/probation" if user == r["employee.user"] else "/hr/probation"
                    await notify(user, text, link, "reminder", ref)
                sent += 1
    return sent


if __name__ == "__main__":
    print(f"probation reminders sent: {asyncio.run(remind_once())}", flush=True)
