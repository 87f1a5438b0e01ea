"""考勤 queries and the one write outside the engine (HR sets an employee's 参加工作日期). A leave's own rows are written by
the engine's transaction through the flow's form (app/hr_leave/flows.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import parse_id
from app.core.timeutil import now, parse_date, today_local
from app.core.workdays import calendar_for
from app.hr_leave import rules
from app.hr_leave.tables import LeaveProfile, LeaveRequest
from app.org.tables import Department, Employee
from app.workflow.engine import APPROVED, OPEN, RETURNED, flow_settings

HOLDING = (OPEN, RETURNED, APPROVED)  # a leave that is pending (or returned for changes) or approved holds its days


class LeaveInputError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


async def settings() -> dict[str, Decimal]:
    from app.workflow.definitions import get_flow

    return await flow_settings(get_flow("leave"))


async def work_start(employee_id: int) -> date | None:
    row = await LeaveProfile.select(LeaveProfile.work_start).where(LeaveProfile.employee == employee_id).first()
    return row["work_start"] if row else None


async def annual_used(employee_id: int, year: int, exclude_request: int | None = None) -> dict[str, Decimal]:
    """年休假 days of `year` (by the leave's start) approved and still pending."""
    q = LeaveRequest.select(LeaveRequest.days, LeaveRequest.request.status).where(
        (LeaveRequest.employee == employee_id) & (LeaveRequest.kind == rules.ANNUAL) & (LeaveRequest.holds == True)  # noqa: E712
        & (LeaveRequest.start_on >= date(year, 1, 1)) & (LeaveRequest.start_on <= date(year, 12, 31))
        & (LeaveRequest.request.status.is_in(list(HOLDING))))
    if exclude_request:
        q = q.where(LeaveRequest.request != exclude_request)
    taken = pending = Decimal("0")
    for r in await q:
        if r["request.status"] == APPROVED:
            taken += Decimal(str(r["days"]))
        else:
            pending += Decimal(str(r["days"]))
    return {"taken": taken, "pending": pending}


@dataclass(frozen=True)
class Balance:
    year: int
    work_start: date | None
    years: int
    entitlement: Decimal
    taken: Decimal
    pending: Decimal
    bracket: str

    @property
    def remaining(self) -> Decimal:
        return max(Decimal("0"), self.entitlement - self.taken - self.pending)


async def balance(employee_id: int, year: int, on: date, cfg: dict[str, Decimal] | None = None,
                  exclude_request: int | None = None, start: date | None = None) -> Balance:
    """The year's annual leave: the entitlement by whole years of work on `on` (the day asked about: today on the page,
    the leave's first day on the form), what is approved and what is pending."""
    rule = rules.AnnualRule.of(cfg if cfg is not None else await settings())
    ws = start if start is not None else await work_start(employee_id)
    years = rules.years_of_work(ws, on)
    used = await annual_used(employee_id, year, exclude_request)
    return Balance(year, ws, years, rule.entitlement(years), used["taken"], used["pending"], rule.bracket(years))


async def overlapping(employee_id: int, start: date, start_half: str, end: date, end_half: str,
                      exclude_request: int | None = None) -> dict | None:
    """Another pending or approved leave of the same person sharing a half day with this one."""
    q = LeaveRequest.select(LeaveRequest.kind, LeaveRequest.start_on, LeaveRequest.start_half, LeaveRequest.end_on,
                            LeaveRequest.end_half, LeaveRequest.request.number, LeaveRequest.request.status).where(
        (LeaveRequest.employee == employee_id) & (LeaveRequest.holds == True)  # noqa: E712
        & (LeaveRequest.start_on <= end) & (LeaveRequest.end_on >= start) & (LeaveRequest.request.status.is_in(list(HOLDING))))
    if exclude_request:
        q = q.where(LeaveRequest.request != exclude_request)
    for r in await q:
        if rules.overlaps((start, start_half, end, end_half), (r["start_on"], r["start_half"], r["end_on"], r["end_half"])):
            return r
    return None


async def count_days(kind: str, start: date, start_half: str, end: date, end_half: str) -> Decimal:
    cal = await calendar_for(start, end)
    return rules.leave_days(kind, start, start_half, end, end_half, cal)


def period_text(r: dict) -> str:
    a = f"{r['start_on']:%Y-%m-%d} {r['start_half']}"
    b = f"{r['end_on']:%Y-%m-%d} {r['end_half']}"
    return f"{a} 至 {b}"


# ---------------------------------------------------------------- pages


def my_leaves_query(employee_id: int):
    cols = (LeaveRequest.id, LeaveRequest.kind, LeaveRequest.start_on, LeaveRequest.start_half, LeaveRequest.end_on,
            LeaveRequest.end_half, LeaveRequest.days, LeaveRequest.request, LeaveRequest.request.number, LeaveRequest.request.status)
    where = LeaveRequest.employee == employee_id
    return (LeaveRequest.select(*cols).where(where).order_by(LeaveRequest.start_on, ascending=False).order_by(LeaveRequest.id, ascending=False),
            LeaveRequest.count().where(where))


async def department_choices() -> list[tuple[str, str]]:
    rows = await Department.select(Department.id, Department.name, Department.company.short_name).order_by(Department.sort).order_by(Department.id)
    return [(str(r["id"]), f"{r['company.short_name']} · {r['name']}" if r["company.short_name"] else r["name"]) for r in rows]


def staff_query(department_id: int | None):
    where = Employee.active == True  # noqa: E712
    if department_id:
        where &= Employee.department == department_id
    cols = (Employee.id, Employee.name, Employee.employee_no, Employee.department.name, Employee.position.name, Employee.hired_on)
    return Employee.select(*cols).where(where).order_by(Employee.department).order_by(Employee.id), Employee.count().where(where)


async def balances_of(rows: list[dict], year: int, on: date) -> list[dict]:
    """Each listed employee's balance: two queries for the page (the profiles and the year's annual leaves)."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    cfg = await settings()
    rule = rules.AnnualRule.of(cfg)
    starts = {r["employee"]: r["work_start"] for r in await LeaveProfile.select(LeaveProfile.employee, LeaveProfile.work_start).where(
        LeaveProfile.employee.is_in(ids))}
    used: dict[int, dict[str, Decimal]] = {i: {"taken": Decimal("0"), "pending": Decimal("0")} for i in ids}
    for r in await LeaveRequest.select(LeaveRequest.employee, LeaveRequest.days, LeaveRequest.request.status).where(
            LeaveRequest.employee.is_in(ids) & (LeaveRequest.kind == rules.ANNUAL) & (LeaveRequest.holds == True)  # noqa: E712
            & (LeaveRequest.start_on >= date(year, 1, 1)) & (LeaveRequest.start_on <= date(year, 12, 31))
            & LeaveRequest.request.status.is_in(list(HOLDING))):
        used[r["employee"]]["taken" if r["request.status"] == APPROVED else "pending"] += Decimal(str(r["days"]))
    out = []
    for r in rows:
        ws = starts.get(r["id"])
        years = rules.years_of_work(ws, on)
        b = Balance(year, ws, years, rule.entitlement(years), used[r["id"]]["taken"], used[r["id"]]["pending"], rule.bracket(years))
        out.append({**r, "balance": b})
    return out


async def employee(employee_id: int) -> dict | None:
    return await Employee.select(Employee.id, Employee.name, Employee.employee_no, Employee.department.name, Employee.hired_on).where(
        Employee.id == employee_id).first()


async def set_work_start(actor, employee_id: int, raw: str, note: str) -> date:
    """HR records an employee's 参加工作日期 (the start of cumulative work), with an audit row."""
    raw = (raw or "").strip()
    note = (note or "").strip()
    try:
        value = parse_date(raw)
    except (ValueError, TypeError):
        raise LeaveInputError("日期格式不正确，例如 2015-07-01", "work_start") from None
    if value > today_local():
        raise LeaveInputError("参加工作日期不能晚于今天", "work_start")
    if value < today_local() - timedelta(days=366 * 60):
        raise LeaveInputError("参加工作日期不能早于 60 年前", "work_start")
    if len(note) > 200:
        raise LeaveInputError("依据最多 200 个字", "note")
    emp = await employee(employee_id)
    if emp is None:
        raise LeaveInputError("员工不存在", "work_start")
    async with write_transaction():
        before = await LeaveProfile.select(LeaveProfile.id, LeaveProfile.work_start).where(LeaveProfile.employee == employee_id).first()
        if before:
            await LeaveProfile.update({LeaveProfile.work_start: value, LeaveProfile.note: note, LeaveProfile.updated_by: actor.employee_id,
                                       LeaveProfile.updated_at: now()}).where(LeaveProfile.id == before["id"])
        else:
            await LeaveProfile.insert(LeaveProfile(employee=employee_id, work_start=value, note=note, updated_by=actor.employee_id,
                                                   updated_at=now()))
        await audit.record(actor=actor, action="hr_leave.work_start", entity="hr_leave_profile", entity_id=employee_id,
                           summary=f"{emp['name']} 参加工作日期：{value:%Y-%m-%d}" + (f"（{note}）" if note else ""),
                           before={"work_start": before["work_start"].isoformat() if before and before["work_start"] else ""},
                           after={"work_start": value.isoformat()}, ip=getattr(actor, "ip", ""))
    return value


def department_id(raw) -> int | None:
    return parse_id(raw)
