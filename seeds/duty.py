"""Duty demo data (SPEC §G 值班): the settings with their defaults, this month's and next month's roster of the demo
department's duty staff by rotation, and two handovers from earlier in the month (one received, one waiting).
Idempotent: a month that already has shifts is left alone, settings the admin changed are kept, handovers are
written once. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.care import states as care_states
from app.care.tables import CareCase
from app.core.timeutil import SHANGHAI, today_local
from app.duty import rules
from app.duty.services import load_config, seed_settings
from app.duty.tables import DutyHandover, DutyShift
from app.org.tables import Employee

# the rotation of the demo company's customer-service desk (the 客服主管 and the 投诉主管/客户关系主管 are kept free
# for planning and for the browser test's own shifts)
ROTATION = ["reception", "cr_officer", "complaint_officer", "clerk", "reception2", "cr_officer2", "complaint_officer2"]

async def _people() -> list[int]:
    rows = await Employee.select(Employee.id, Employee.user.username).where(Employee.user.username.is_in(ROTATION))
    by_name = {r["user.username"]: r["id"] for r in rows}
    return [by_name[u] for u in ROTATION if u in by_name]


async def _seed_month(first, people: list[int], start: int) -> None:
    days = rules.month_days(first)
    if await DutyShift.exists().where((DutyShift.day >= days[0]) & (DutyShift.day <= days[-1])):
        return
    await DutyShift.insert(*[DutyShift(day=d, shift=s, employee=e, note="") for d, s, e in rules.rotation(days, people, start)])


async def _demo_cases() -> list[int]:
    open_ids = [r["id"] for r in await CareCase.select(CareCase.id).where(CareCase.status.is_in(care_states.OPEN))
                .order_by(CareCase.received_at, ascending=False).limit(2)]
    return open_ids  # the care seed (which runs before this one) has taken in the demo cases


async def seed() -> None:
    await seed_settings()
    people = await _people()
    if not people:
        return
    first = today_local().replace(day=1)
    await _seed_month(first, people, 0)
    await _seed_month(rules.add_months(first, 1), people, len(rules.month_days(first)) * 2)
    if await DutyHandover.exists():
        return
    config = await load_config()
    cases = await _demo_cases()
    # the two shifts before the one running now: the earlier one received by the next person, the later one waiting
    day, shift = rules.shift_at(datetime.now(SHANGHAI), config.times)
    later = rules.previous_shift(day, shift)
    earlier = rules.previous_shift(*later)
    rows = []
    for (d, s), received, summary, carried in (
        (earlier, True, "来电 6 个（咨询交房 4 个，报修 2 个已转维修单位），来访 1 批；无突发事件。", cases[:1]),
        (later, False, "来电 3 个：业主咨询 2 个已答复，楼道照明投诉 1 个已登记待跟进。售楼处门窗已检查锁好。", cases),
    ):
        writer = await DutyShift.select(DutyShift.employee).where((DutyShift.day == d) & (DutyShift.shift == s)).first()
        nd, ns = rules.next_shift(d, s)
        reader = await DutyShift.select(DutyShift.employee).where((DutyShift.day == nd) & (DutyShift.shift == ns)).first()
        if not writer:
            continue
        end = rules.window(d, s, config.times)[1]
        same = reader and reader["employee"] == writer["employee"]
        rows.append(DutyHandover(
            day=d, shift=s, handed_by=writer["employee"], handed_at=end - timedelta(minutes=10),
            received_by=reader["employee"] if received and reader and not same else None,
            received_at=end + timedelta(minutes=5) if received and reader and not same else None,
            summary=summary, equipment="值班手机 1 部、前台钥匙 2 把、来访登记本", open_cases=",".join(str(i) for i in carried),
            month=rules.month_key(d), received_note="已核对钥匙和登记本" if received else ""))
    if rows:
        await DutyHandover.insert(*rows)
