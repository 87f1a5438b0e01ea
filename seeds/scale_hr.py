"""HR records of the scale employees (SPEC §E), for the scale generator — only the tables' own rows, bulk-inserted:

- one labour contract each (hr_contract, seq 1, 已签, signed on the day it starts = hired_on): 固定期限 three years when
  that term still runs today, else 无固定期限 (nobody is left on an expired contract); the probation the law allows
  (app/hr_contract/rules.probation_latest_end) at 80 % of the pay;
- the 入职 row of hr_position_history (their company, department and position since hired_on, the grade by role as
  seeds/hr_move.py gives it);
- hr_employee_status: 试用期 while the probation runs, else 正式 since the day after it ended;
- hr_leave_profile (参加工作日期 some years before joining, as seeds/hr_leave.py);
- a few leave requests (hr_leave_request: ~1 per 5 employees, whole working days Monday to Friday after hired_on) —
  the payload rows only, WITHOUT their approval requests (request empty), so they show in the leave lists but count
  as no approved leave in a balance. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from seeds.scale_db import Bulk

SH = timezone(timedelta(hours=8))
PAY_BY_ROLE = {"guard": 4500, "cleaner": 4000, "reception": 5000, "clerk": 5500, "sales": 6000, "data": 6500, "archive": 5500,
               "contract": 7500, "title": 7000, "mortgage": 7500, "bureau": 7000, "cr_officer": 6500, "complaint_officer": 6500}
LEAVE_KINDS = [("事假", "家中有事"), ("病假", "感冒发烧，附病历"), ("年休假", "年休假"), ("调休", "加班调休")]


def _d(v) -> date | None:
    if v is None or isinstance(v, date) and not isinstance(v, datetime):
        return v
    return date.fromisoformat(str(v)[:10])


async def make_hr(bulk: Bulk, run: int, rng: random.Random, log, today: date | None = None) -> dict[str, int]:
    from app.hr_contract import rules
    from app.hr_contract.rules import FIXED, OPEN, SIGNED
    from seeds.hr_leave import PRIOR_YEARS
    from seeds.hr_move import BY_ROLE

    today = today or datetime.now(SH).date()
    _, rows = await bulk.fetch('SELECT e.id, e.hired_on, e.company, e.department, e.position, p.name, p.role FROM "employee" e '
                               f"JOIN \"position\" p ON p.id = e.position WHERE e.employee_no LIKE 'S{run}%' ORDER BY e.id")
    _, grades = await bulk.fetch('SELECT code, id FROM "hr_grade"')
    grade_of = {r[0]: r[1] for r in grades}
    contracts, history, status, profiles, leaves = [], [], [], [], []
    for eid, hired, company, department, position, post, role in rows:
        start = _d(hired) or today
        created = datetime.combine(start, time(10), SH)
        end = rules.add_months(start, 36) - timedelta(days=1)
        kind = FIXED if end >= today else OPEN
        end = end if kind == FIXED else None
        probation_end = rules.probation_latest_end(kind, start, end)
        pay = Decimal(PAY_BY_ROLE.get(role, 6000) + 500 * rng.randint(0, 6))
        contracts.append((eid, 1, kind, start, end, probation_end, (pay * Decimal("0.8")).quantize(Decimal("0.01")) if probation_end else None,
                          pay, post, True, False, start, SIGNED, None, "", "", None, created))
        history.append((eid, company, department, position, grade_of.get(BY_ROLE.get(role, "P2")), start, "入职", None, created))
        if probation_end and probation_end >= today:
            status.append((eid, "试用期", start, None, created))
        else:
            since = (probation_end + timedelta(days=1)) if probation_end else start
            status.append((eid, "正式", since, None, datetime.combine(since, time(9), SH)))
        profiles.append((eid, date(max(1970, start.year - PRIOR_YEARS[eid % len(PRIOR_YEARS)]), start.month, min(start.day, 28)),
                         "规模数据", None, created))
        if rng.random() < 0.2 and (today - start).days > 30:
            # whole working days in one week (Monday to Friday) between hiring and today
            first = start + timedelta(days=rng.randint(7, (today - start).days - 7))
            first -= timedelta(days=first.weekday())
            if first <= start:
                first += timedelta(days=7)
            offset = rng.randint(0, 3)
            length = rng.randint(1, 5 - offset)
            day0 = first + timedelta(days=offset)
            kind_, reason = rng.choice(LEAVE_KINDS)
            leaves.append((None, eid, kind_, day0, "上午", day0 + timedelta(days=length - 1), "下午", Decimal(length), reason, True))
    counts = {}
    for table, cols, rows_ in (
            ("hr_contract", ["employee", "seq", "kind", "start", "end", "probation_end", "probation_pay", "pay", "post", "nda", "non_compete",
                             "signed_on", "status", "ended_on", "end_reason", "note", "created_by", "created_at"], contracts),
            ("hr_position_history", ["employee", "company", "department", "position", "grade", "since", "reason", "request", "created_at"], history),
            ("hr_employee_status", ["employee", "status", "since", "request", "updated_at"], status),
            ("hr_leave_profile", ["employee", "work_start", "note", "updated_by", "updated_at"], profiles),
            ("hr_leave_request", ["request", "employee", "kind", "start_on", "start_half", "end_on", "end_half", "days", "reason", "holds"], leaves)):
        if rows_:
            await bulk.insert(table, cols, rows_)
        counts[table] = len(rows_)
    log(f"  hr_contract/position/status   {len(contracts):>9,} 份劳动合同、入职记录与员工状态，{len(leaves):,} 条请假（无审批单）")
    return counts


SEQUENCES = ["hr_contract", "hr_position_history", "hr_employee_status", "hr_leave_profile", "hr_leave_request"]
