"""The 考勤 section of the employee record (/hr/people/{id}): this month's lateness and the 调休 balance; the timeline's
weekend duty days."""
from __future__ import annotations

from app.core.months import month_start
from app.core.timeutil import today_local
from app.hr_attend import rules, services
from app.hr_attend.tables import WeekendDutyStaff

ORDER = 60


async def section(emp: dict, viewer) -> dict | None:
    today = today_local()
    s = (await services.month_of([emp["id"]], month_start(today), today))[emp["id"]]
    t = await services.time_off(emp["id"])
    return {"title": "考勤", "template": "hr_attend/_profile.html",
            "ctx": {"s": s, "time_off": t, "month": f"{today.year}年{today.month}月", "fmt_days": rules.fmt_days}}


async def events(employee_id: int) -> list[dict]:
    rows = await WeekendDutyStaff.select(WeekendDutyStaff.duty.day, WeekendDutyStaff.duty.occasion, WeekendDutyStaff.duty.credit_days).where(
        WeekendDutyStaff.employee == employee_id)
    return [{"on": r["duty.day"], "text": f"{r['duty.occasion']}加班，记调休 {rules.fmt_days(r['duty.credit_days'])} 天", "url": None}
            for r in rows]
