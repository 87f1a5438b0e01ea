"""考勤 demo data (SPEC §G): the settings with their defaults, and one 开盘 weekend duty of the demo 置业顾问 (sales)
crediting one 调休 day. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.core.timeutil import now, today_local
from app.core.workdays import calendar_for
from app.hr_attend import settings
from app.hr_attend.tables import WeekendDuty, WeekendDutyStaff
from app.org.tables import Employee


async def seed() -> None:
    await settings.seed()
    if await WeekendDuty.exists():
        return
    emp = await Employee.select(Employee.id).where(Employee.user.username == "sales").first()
    if not emp:
        return
    today = today_local()
    cal = await calendar_for(today - timedelta(days=30), today)
    day = next((today - timedelta(days=i) for i in range(1, 30) if not cal.is_workday(today - timedelta(days=i))), None)
    if day is None:
        return
    duty = WeekendDuty(day=day, occasion="开盘", credit_days=Decimal("1"), note="演示数据", created_at=now())
    await duty.save()
    await WeekendDutyStaff.insert(WeekendDutyStaff(duty=duty.id, employee=emp["id"]))
