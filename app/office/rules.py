"""Office rules as pure functions (no I/O): the monthly supplies plan's month, deadline and lateness (SPEC E1: the plan
for next month is due by the 25th — a setting), the reminder window, the plan's remaining quantities."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from app.core.months import add_months, month_start, month_text, parse_month  # noqa: F401  (re-exported: one set of month helpers)


def day_in_month(month: date, day: int) -> date:
    """`day` of that month, clamped to its length (a deadline of the 31st falls on the 30th in November)."""
    return month.replace(day=max(1, min(int(day), calendar.monthrange(month.year, month.month)[1])))


def plan_deadline(plan_month: date, deadline_day: int) -> date:
    """The plan for a month is due by the deadline day of the month before."""
    return day_in_month(add_months(plan_month, -1), deadline_day)


def plan_is_late(plan_month: date, submitted_on: date, deadline_day: int) -> bool:
    """Filed after its deadline: flagged 逾期提交 (not refused — a supplementary plan for this month is always late)."""
    return submitted_on > plan_deadline(plan_month, deadline_day)


def plan_month_error(plan_month: date, today: date) -> str | None:
    """A plan is for next month (or, late, for this month): never for a past month or beyond next month."""
    if plan_month < month_start(today):
        return "不能为已过去的月份提交计划"
    if plan_month > add_months(today, 1):
        return f"只能提交本月（补报）或下月（{month_text(add_months(today, 1))}）的计划"
    return None


def remind_due(today: date, deadline_day: int, remind_days: int) -> date | None:
    """Within `remind_days` before this month's deadline (and on the day itself): the plan month to remind about
    (next month); otherwise None."""
    deadline = day_in_month(month_start(today), deadline_day)
    if deadline - timedelta(days=int(remind_days)) <= today <= deadline:
        return add_months(today, 1)
    return None


def plan_remaining(planned: dict[int, int], taken: dict[int, int]) -> dict[int, dict[str, int]]:
    """Per item of the month's approved plans: planned, taken (requisitions this month, pending or approved), left."""
    return {item: {"planned": q, "taken": taken.get(item, 0), "left": q - taken.get(item, 0)} for item, q in planned.items()}
