"""考勤 demo data (SPEC §G): every employee without one gets a 参加工作日期 some years before joining (spread over the
annual-leave brackets of 职工带薪年休假条例 art. 3), so 我的假期 shows a balance. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import date

from app.core.timeutil import now, today_local
from app.hr_leave.tables import LeaveProfile
from app.org.tables import Employee

PRIOR_YEARS = (0, 2, 5, 9, 12, 16, 21, 3, 7, 11)  # years worked elsewhere before joining, by employee id


async def seed() -> None:
    have = {r["employee"] for r in await LeaveProfile.select(LeaveProfile.employee)}
    today = today_local()
    rows = []
    for e in await Employee.select(Employee.id, Employee.hired_on).order_by(Employee.id):
        if e["id"] in have:
            continue
        hired = e["hired_on"] or date(today.year - 2, 7, 1)
        start = date(max(1970, hired.year - PRIOR_YEARS[e["id"] % len(PRIOR_YEARS)]), hired.month, min(hired.day, 28))
        rows.append(LeaveProfile(employee=e["id"], work_start=start, note="演示数据", updated_at=now()))
    if rows:
        await LeaveProfile.insert(*rows)
