"""考勤 queries and writes outside the import: the month view (one query of the page's employees, one of their month's
punches, one of their approved leaves; then one pass per employee), the weekend duty roster and the 调休 balance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.core import audit
from app.core.db import write_transaction
from app.core.permissions import Perm
from app.core.fields import Parser, ascii_digits
from app.core.months import month_days, month_last
from app.core.timeutil import now, today_local
from app.core.workdays import calendar_for
from app.hr_attend import rules, settings
from app.hr_attend.tables import ClockDay, WeekendDuty, WeekendDutyStaff
from app.hr_leave.tables import LeaveRequest
from app.org.tables import Employee
from app.workflow.engine import APPROVED, OPEN, RETURNED

TIME_OFF = "调休"
HOLDING = (OPEN, RETURNED, APPROVED)


def staff_query(department_id: int | None = None):
    where = Employee.active == True  # noqa: E712
    if department_id:
        where &= Employee.department == department_id
    cols = (Employee.id, Employee.name, Employee.employee_no, Employee.department.name)
    return Employee.select(*cols).where(where).order_by(Employee.department).order_by(Employee.id), Employee.count().where(where)


def _days_upto(first: date, today: date) -> list[date]:
    return [d for d in month_days(first) if d <= today]


async def month_of(employee_ids: list[int], first: date, today: date | None = None) -> dict[int, rules.MonthSummary]:
    """Each employee's month (up to today, from their first day of work): four queries whatever the number of employees."""
    today = today or today_local()
    last = month_last(first)
    cfg = await settings.read()
    cal = await calendar_for(first, last)
    out: dict[int, rules.MonthSummary] = {}
    if not employee_ids:
        return out
    punches: dict[int, dict[date, tuple[int | None, int | None]]] = {i: {} for i in employee_ids}
    for r in await ClockDay.select(ClockDay.employee, ClockDay.day, ClockDay.first_in, ClockDay.last_out).where(
            ClockDay.employee.is_in(employee_ids) & (ClockDay.day >= first) & (ClockDay.day <= last)):
        punches[r["employee"]][r["day"]] = (r["first_in"], r["last_out"])
    leaves: dict[int, list[dict]] = {i: [] for i in employee_ids}
    for r in await LeaveRequest.select(LeaveRequest.employee, LeaveRequest.start_on, LeaveRequest.start_half, LeaveRequest.end_on,
                                       LeaveRequest.end_half).where(
            LeaveRequest.employee.is_in(employee_ids) & (LeaveRequest.holds == True)  # noqa: E712
            & (LeaveRequest.request.status == APPROVED) & (LeaveRequest.start_on <= last) & (LeaveRequest.end_on >= first)):
        leaves[r["employee"]].append(r)
    hired = {r["id"]: r["hired_on"] for r in await Employee.select(Employee.id, Employee.hired_on).where(Employee.id.is_in(employee_ids))}
    days = _days_upto(first, today)
    for i in employee_ids:
        mine = [d for d in days if hired.get(i) is None or d >= hired[i]]  # no absence before the first day of work
        out[i] = rules.month_summary(mine, punches[i], cal, rules.leave_halves(leaves[i], first, last), cfg["start"], cfg["end"], cfg["grace"])
    return out


async def schedule_text() -> str:
    cfg = await settings.read()
    return (f"上班 {rules.fmt_minutes(cfg['start'])}，下班 {rules.fmt_minutes(cfg['end'])}，宽限 {cfg['grace']} 分钟"
            f"（晚于 {rules.fmt_minutes(cfg['start'] + cfg['grace'])} 打卡为迟到，早于 {rules.fmt_minutes(cfg['end'] - cfg['grace'])} 为早退）")


# ---------------------------------------------------------------- 调休


@dataclass(frozen=True)
class TimeOff:
    credited: Decimal
    taken: Decimal  # approved 调休 leave
    pending: Decimal  # 调休 leave in approval

    @property
    def balance(self) -> Decimal:
        return self.credited - self.taken - self.pending


async def time_off(employee_id: int, exclude_request: int | None = None) -> TimeOff:
    """调休 balance = days credited by rostered weekend duty − 调休 leave approved or pending (two queries)."""
    credited = Decimal("0")
    for r in await WeekendDutyStaff.select(WeekendDutyStaff.duty.credit_days).where(WeekendDutyStaff.employee == employee_id):
        credited += Decimal(str(r["duty.credit_days"]))
    q = LeaveRequest.select(LeaveRequest.days, LeaveRequest.request.status).where(
        (LeaveRequest.employee == employee_id) & (LeaveRequest.kind == TIME_OFF) & (LeaveRequest.holds == True)  # noqa: E712
        & LeaveRequest.request.status.is_in(list(HOLDING)))
    if exclude_request:
        q = q.where(LeaveRequest.request != exclude_request)
    taken = pending = Decimal("0")
    for r in await q:
        if r["request.status"] == APPROVED:
            taken += Decimal(str(r["days"]))
        else:
            pending += Decimal(str(r["days"]))
    return TimeOff(credited, taken, pending)


def can_roster(user) -> bool:
    """HR, or the 客服副经理, rosters weekend duty."""
    from app.core.permissions import Perm

    return user.can(Perm.HR_MANAGE) or user.role == "dept_head"


class DutyError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def employee_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.employee_no, Employee.department.name).where(
        Employee.active == True).order_by(Employee.department).order_by(Employee.id)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['employee_no']}，{r['department.name'] or '—'}）") for r in rows]


async def create_duty(actor, values) -> int:
    """Roster a non-working day: day, occasion, credit days, employees. Refused on a working day."""
    p = Parser(values)
    day = p.date("day", "加班日期")
    occasion = p.choice("occasion", "事由", rules.OCCASIONS)
    credit = p.money("credit_days", "每人记入调休（天）")
    note = p.text("note", "说明", required=False, max_len=200)
    raw_ids = p.getall("employees")
    ids: list[int] = []
    for r in raw_ids:
        if ascii_digits(r) and len(r) < 10 and int(r) not in ids:
            ids.append(int(r))
    if credit is not None and (credit <= 0 or credit > 3 or credit != credit.quantize(Decimal("0.5"))):
        p.fail("credit_days", "每人记入调休应为 0.5 到 3 天，按半天计")
    if day:
        today = today_local()
        if abs((day - today).days) > 400:
            p.fail("day", "加班日期应在一年以内")
        else:
            cal = await calendar_for(day, day)
            if cal.is_workday(day):
                p.fail("day", f"{day:%Y-%m-%d} 是工作日：调休只记入非工作日（周末、法定节假日）的加班")
    if not ids:
        p.fail("employees", "请选择安排加班的员工")
    elif len(ids) > 200:
        p.fail("employees", "一次最多安排 200 人")
    else:
        q = Employee.id.is_in(ids) & (Employee.active == True)  # noqa: E712
        if not actor.can(Perm.HR_MANAGE):  # the 客服副经理 rosters their own company's staff
            q &= Employee.company == (actor.company_id or 0)
        found = {r["id"]: r["name"] for r in await Employee.select(Employee.id, Employee.name).where(q)}
        if len(found) != len(ids):
            p.fail("employees", "所选员工不存在、已离职或不是本公司员工")
    if p.errors:
        raise DutyError(p.errors)
    async with write_transaction():
        twice = await WeekendDutyStaff.select(WeekendDutyStaff.employee.name).where(
            (WeekendDutyStaff.duty.day == day) & WeekendDutyStaff.employee.is_in(ids)).limit(5)
        if twice:  # one day's weekend work credits 调休 once (inside the transaction: two posts cannot both pass)
            raise DutyError({"employees": f"{'、'.join(r['employee.name'] for r in twice)} 在 {day:%Y-%m-%d} 已安排加班并记入调休"})
        duty = WeekendDuty(day=day, occasion=occasion, credit_days=credit, note=note, created_by=actor.employee_id, created_at=now())
        await duty.save()
        await WeekendDutyStaff.insert(*[WeekendDutyStaff(duty=duty.id, employee=i) for i in ids])
        await audit.record(actor=actor, action="hr_attend.duty", entity="hr_attend_duty", entity_id=duty.id,
                           summary=f"{day:%Y-%m-%d} {occasion}加班排班 {len(ids)} 人，每人记调休 {rules.fmt_days(credit)} 天",
                           after={"day": day.isoformat(), "occasion": occasion, "credit_days": str(credit), "employees": ids},
                           ip=getattr(actor, "ip", ""))
    return duty.id


def duties_query():
    cols = (WeekendDuty.id, WeekendDuty.day, WeekendDuty.occasion, WeekendDuty.credit_days, WeekendDuty.note, WeekendDuty.created_by.name)
    return WeekendDuty.select(*cols).order_by(WeekendDuty.day, ascending=False).order_by(WeekendDuty.id, ascending=False), WeekendDuty.count()


async def duty_staff(duty_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in duty_ids}
    if duty_ids:
        for r in await WeekendDutyStaff.select(WeekendDutyStaff.duty, WeekendDutyStaff.employee.name).where(
                WeekendDutyStaff.duty.is_in(duty_ids)).order_by(WeekendDutyStaff.id):
            out[r["duty"]].append(r["employee.name"])
    return out


async def my_duties(employee_id: int) -> list[dict]:
    return await WeekendDutyStaff.select(WeekendDutyStaff.duty.day, WeekendDutyStaff.duty.occasion, WeekendDutyStaff.duty.credit_days).where(
        WeekendDutyStaff.employee == employee_id).order_by(WeekendDutyStaff.duty.day, ascending=False).limit(20)
