"""Labour-contract demo data (SPEC §E4): the settings with their defaults, and contracts for the demo employees —
most signed for three years, some ending within the reminder windows, one unsigned past its first month (the
double-pay risk), one open-ended, and one employee on a second fixed-term contract (entitled to an open-ended one at
renewal). Idempotent: nothing is added once any contract exists. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.core.timeutil import now, today_local
from app.hr_contract import rules, settings
from app.hr_contract.rules import FIXED, OPEN, PENDING, SIGNED
from app.hr_contract.tables import LabourContract
from app.org.tables import Employee


def _row(emp: dict, seq: int, kind: str, start, end, pay: str, status: str = SIGNED, probation: bool = False) -> LabourContract:
    p = Decimal(pay)
    probation_end = rules.probation_latest_end(kind, start, end) if probation else None
    return LabourContract(employee=emp["id"], seq=seq, kind=kind, start=start, end=end, probation_end=probation_end,
                          probation_pay=(p * Decimal("0.8")).quantize(Decimal("0.01")) if probation_end else None, pay=p,
                          post=emp["position.name"], nda=seq == 1, non_compete=False,
                          signed_on=start if status != PENDING else None, status=status, created_at=now())


async def seed() -> None:
    await settings.seed()
    if await LabourContract.exists():
        return
    today = today_local()
    emps = await Employee.select(Employee.id, Employee.name, Employee.hired_on, Employee.position.name,
                                 Employee.user.username).where(Employee.active == True).order_by(Employee.employee_no).limit(40)  # noqa: E712
    if not emps:
        return
    rows: list[LabourContract] = []
    special = {"supervisor": "expiring_soon", "contract": "expiring_later", "sales": "unsigned", "data": "entitled",
               "dept_head": "open"}
    for i, e in enumerate(emps):
        role = special.get(e["user.username"] or "", "")
        pay = f"{8000 + (i % 9) * 1000}"
        if role == "expiring_soon":  # ends within the 30-day window
            end = today + timedelta(days=20)
            rows.append(_row(e, 1, FIXED, rules.add_months(end + timedelta(days=1), -36), end, pay))
        elif role == "expiring_later":  # within 60 days
            end = today + timedelta(days=45)
            rows.append(_row(e, 1, FIXED, rules.add_months(end + timedelta(days=1), -36), end, pay))
        elif role == "unsigned":  # started 40 days ago, no signed contract yet
            start = today - timedelta(days=39)
            rows.append(_row(e, 1, FIXED, start, rules.add_months(start, 36) - timedelta(days=1), pay, PENDING, probation=True))
        elif role == "entitled":  # the second fixed-term contract running: its renewal must be open-ended on request
            first = today - timedelta(days=365 * 4)
            mid = rules.add_months(first, 36)
            rows.append(_row(e, 1, FIXED, first, mid - timedelta(days=1), pay, probation=True))
            rows.append(_row(e, 2, FIXED, mid, rules.add_months(mid, 36) - timedelta(days=1), pay))
        elif role == "open":
            rows.append(_row(e, 1, OPEN, e["hired_on"] or today - timedelta(days=3000), None, pay))
        else:
            start = e["hired_on"] or today - timedelta(days=200)
            end = rules.add_months(start, 36) - timedelta(days=1)
            seq = 1
            while end < today:  # renewed for three years at a time up to today
                rows.append(_row(e, seq, FIXED, start, end, pay, rules.EXPIRED, probation=seq == 1))
                seq += 1
                start, end = end + timedelta(days=1), rules.add_months(end + timedelta(days=1), 36) - timedelta(days=1)
                if seq >= 3:  # the third contract of a long-serving employee is open-ended (art. 14)
                    rows.append(_row(e, seq, OPEN, start, None, pay))
                    break
            else:
                rows.append(_row(e, seq, FIXED, start, end, pay, probation=seq == 1))
    await LabourContract.insert(*rows)
