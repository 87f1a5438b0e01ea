"""内部培训 (SPEC §E6): the queries and the writes of the course page — sign-in (ticked by the trainer or HR, or by
the attendee themself on the session day), test scores 0–100, the attendees' evaluations (1–5 and a comment), each
employee's training record with the hours per year summed in SQL, and the new hires still without the required
new-hire training [S 1.11]. Each action is one write transaction with an audit row."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser, parse_id
from app.core.permissions import Perm
from app.core.timeutil import now, today_local
from app.hr_course import rules
from app.hr_course.tables import APPROVED, CourseAttendance, CoursePlan, CoursePlanLine, CourseSession
from app.org.tables import Employee


class CourseError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


COLUMNS = (*CourseSession.all_columns(), CourseSession.employee.name, CourseSession.employee.company, CourseSession.trainer_emp.name,
           CourseSession.request.number, CourseSession.plan_line.topic)


async def plan_line_choices() -> list[tuple[str, str]]:
    """The lines of approved plans of this year and the next: what a session may be linked to."""
    year = today_local().year
    rows = await CoursePlanLine.select(CoursePlanLine.id, CoursePlanLine.topic, CoursePlanLine.month, CoursePlanLine.plan.year).where(
        (CoursePlanLine.plan.status == APPROVED) & (CoursePlanLine.plan.year >= year - 1)).order_by(CoursePlanLine.plan.year).order_by(
        CoursePlanLine.month).limit(300)
    return [(str(r["id"]), f"{r['plan.year']} 年 {r['month']} 月 · {r['topic']}") for r in rows]


async def trainer_choices(user) -> list[tuple[str, str]]:
    """Active employees of the user's company (the internal trainer, who may tick attendees and enter scores)."""
    if not getattr(user, "company_id", None):
        return []
    rows = await Employee.select(Employee.id, Employee.name, Employee.employee_no).where(
        (Employee.active == True) & (Employee.company == user.company_id)).order_by(Employee.employee_no)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['employee_no']}）") for r in rows]


async def get(session_id: int | None) -> dict | None:
    if session_id is None:
        return None
    return await CourseSession.select(*COLUMNS).where(CourseSession.id == session_id).first()


def is_hr(user) -> bool:
    return user.can(Perm.HR_MANAGE)


def may_manage(user, s: dict) -> bool:
    """HR, the internal trainer and the organiser tick attendees and enter scores."""
    eid = getattr(user, "employee_id", None)
    return is_hr(user) or (bool(eid) and eid in (s["trainer_emp"], s["employee"]))


def may_see(user, s: dict) -> bool:
    """An approved session is seen by every employee of its company (they sign in on the day); a pending one by HR and
    its organiser."""
    if may_manage(user, s):
        return True
    return s["status"] == APPROVED and bool(getattr(user, "employee_id", None)) and user.company_id == s["employee.company"]


async def attendees(session_id: int) -> list[dict]:
    return await CourseAttendance.select(*CourseAttendance.all_columns(), CourseAttendance.employee.name,
                                         CourseAttendance.employee.employee_no).where(
        CourseAttendance.session == session_id).order_by(CourseAttendance.employee.employee_no)


async def candidates(s: dict) -> list[dict]:
    return await Employee.select(Employee.id, Employee.name, Employee.employee_no, Employee.department.name).where(
        (Employee.active == True) & (Employee.company == s["employee.company"])).order_by(Employee.employee_no)  # noqa: E712


def _require_open(s: dict | None) -> dict:
    if s is None:
        raise CourseError("没有找到该培训")
    if s["status"] != APPROVED:
        raise CourseError("培训申请批准后才能签到、录入成绩和评价")
    return s


async def set_attendance(actor, session_id: int, values: Any) -> int:
    """The trainer or HR ticks who attended: the ticked set becomes the attendance (rows of the unticked are removed,
    their scores with them). Returns how many attended."""
    async with write_transaction():
        s = _require_open(await get(session_id))
        if not may_manage(actor, s):
            raise CourseError("只有讲师、组织者或人事可以勾选签到", "forbidden")
        allowed = {r["id"] for r in await candidates(s)}
        chosen = {i for i in (parse_id(v) for v in Parser(values).getall("attendee")) if i is not None}
        if chosen - allowed:
            raise CourseError("所选人员不是本公司在职员工，请刷新后重试", "attendee")
        have = {r["employee"]: r for r in await CourseAttendance.select().where(CourseAttendance.session == session_id)}
        removed = [e for e in have if e not in chosen]
        added = [e for e in chosen if e not in have]
        if removed:
            await CourseAttendance.delete().where((CourseAttendance.session == session_id) & CourseAttendance.employee.is_in(removed))
        at = now()
        if added:
            await CourseAttendance.insert(*[CourseAttendance(session=session_id, employee=e, signed_at=at, self_signed=False) for e in added])
        await audit.record(actor=actor, action="hr_course.attendance", entity="hr_course_session", entity_id=session_id,
                           summary=f"培训「{s['topic']}」签到：{len(chosen)} 人（新增 {len(added)}，取消 {len(removed)}）",
                           after={"added": sorted(added), "removed": sorted(removed)})
    return len(chosen)


async def self_sign_in(user, session_id: int, today: date | None = None) -> None:
    """An attendee signs in themself on the session day. Idempotent."""
    today = today or today_local()
    async with write_transaction():
        s = _require_open(await get(session_id))
        if not may_see(user, s) or not getattr(user, "employee_id", None):
            raise CourseError("您不能参加该培训", "forbidden")
        if s["held_on"] != today:
            raise CourseError(f"只能在培训当天（{s['held_on']:%Y-%m-%d}）本人签到")
        if await CourseAttendance.exists().where((CourseAttendance.session == session_id) & (CourseAttendance.employee == user.employee_id)):
            return
        await CourseAttendance.insert(CourseAttendance(session=session_id, employee=user.employee_id, signed_at=now(), self_signed=True))
        await audit.record(actor=user, action="hr_course.sign_in", entity="hr_course_session", entity_id=session_id,
                           summary=f"本人签到培训「{s['topic']}」")


async def save_scores(actor, session_id: int, values: Any) -> dict[str, str]:
    """Scores 0–100 by attendance row (`score_<id>`, blank = no score). Returns field errors (nothing saved then)."""
    async with write_transaction():
        s = _require_open(await get(session_id))
        if not may_manage(actor, s):
            raise CourseError("只有讲师、组织者或人事可以录入成绩", "forbidden")
        rows = await CourseAttendance.select(CourseAttendance.id, CourseAttendance.score).where(CourseAttendance.session == session_id)
        p = Parser(values)
        new: dict[int, int | None] = {}
        for r in rows:
            new[r["id"]] = p.integer(f"score_{r['id']}", "成绩", minimum=rules.SCORE_MIN, maximum=rules.SCORE_MAX, required=False)
        if p.errors:
            return p.errors
        changed = {k: v for k, v in new.items() if v != next(r["score"] for r in rows if r["id"] == k)}
        for k, v in changed.items():
            await CourseAttendance.update({CourseAttendance.score: v}).where(CourseAttendance.id == k)
        await audit.record(actor=actor, action="hr_course.scores", entity="hr_course_session", entity_id=session_id,
                           summary=f"录入培训「{s['topic']}」成绩 {len(changed)} 人", after={str(k): v for k, v in changed.items()})
    return {}


async def evaluate(user, session_id: int, values: Any) -> dict[str, str]:
    """The attendee's evaluation: 1–5 and a comment; only one who signed in. Returns field errors."""
    async with write_transaction():
        s = _require_open(await get(session_id))
        row = await CourseAttendance.select(CourseAttendance.id).where(
            (CourseAttendance.session == session_id) & (CourseAttendance.employee == (getattr(user, "employee_id", None) or 0))).first()
        if not row:
            raise CourseError("签到后才能评价本次培训", "rating")
        p = Parser(values)
        rating = p.integer("rating", "评分", minimum=rules.RATING_MIN, maximum=rules.RATING_MAX)
        comment = p.text("comment", "评价", required=False, max_len=1000)
        if p.errors:
            return p.errors
        await CourseAttendance.update({CourseAttendance.rating: rating, CourseAttendance.comment: comment}).where(CourseAttendance.id == row["id"])
        await audit.record(actor=user, action="hr_course.evaluate", entity="hr_course_session", entity_id=session_id,
                           summary=f"评价培训「{s['topic']}」：{rating} 分", after={"rating": rating, "comment": comment})
    return {}


async def rating_summary(session_id: int) -> dict:
    r = await CourseAttendance.raw(
        "SELECT COUNT(*) AS n, COUNT(rating) AS rated, AVG(rating) AS avg_rating, AVG(score) AS avg_score, COUNT(score) AS scored "
        "FROM hr_course_attendance WHERE session = {}", session_id)
    row = r[0] if r else {}
    fmt = lambda v: f"{float(v):.1f}" if v is not None else "—"  # noqa: E731
    return {"n": row.get("n") or 0, "rated": row.get("rated") or 0, "scored": row.get("scored") or 0,
            "avg_rating": fmt(row.get("avg_rating")), "avg_score": fmt(row.get("avg_score"))}


async def sessions(user, limit: int = 200) -> list[dict]:
    """HR: every session, newest first; others: the approved ones of their company."""
    q = CourseSession.select(*COLUMNS)
    if not is_hr(user):
        q = q.where((CourseSession.status == APPROVED) & (CourseSession.employee.company == (user.company_id or 0)))
    return await q.order_by(CourseSession.held_on, ascending=False).limit(limit)


async def plans(limit: int = 100) -> list[dict]:
    return await CoursePlan.select(*CoursePlan.all_columns(), CoursePlan.request.number, CoursePlan.employee.name).order_by(
        CoursePlan.year, ascending=False).order_by(CoursePlan.month, ascending=False).limit(limit)


async def record_of(employee_id: int) -> dict:
    """An employee's training record: the sessions attended (one statement) and the hours per year (summed in SQL)."""
    rows = await CourseAttendance.select(CourseAttendance.session, CourseAttendance.session.topic, CourseAttendance.session.held_on,
                                         CourseAttendance.session.hours, CourseAttendance.session.new_hire, CourseAttendance.session.trainer,
                                         CourseAttendance.score, CourseAttendance.rating).where(
        (CourseAttendance.employee == employee_id) & (CourseAttendance.session.status == APPROVED)).order_by(
        CourseAttendance.session.held_on, ascending=False)
    years = await CourseAttendance.raw(
        "SELECT SUBSTR(CAST(s.held_on AS TEXT), 1, 4) AS year, SUM(s.hours) AS hours, COUNT(*) AS n "
        "FROM hr_course_attendance a JOIN hr_course_session s ON s.id = a.session "
        "WHERE a.employee = {} AND s.status = {} GROUP BY SUBSTR(CAST(s.held_on AS TEXT), 1, 4) ORDER BY year DESC", employee_id, APPROVED)
    return {"rows": rows, "years": [{"year": y["year"], "hours": Decimal(str(y["hours"] or 0)).quantize(Decimal("0.1")), "n": y["n"]} for y in years],
            "new_hire_done": any(r["session.new_hire"] for r in rows)}


async def missing_new_hire(days: int, today: date | None = None) -> list[dict]:
    """Active employees hired in the last `days` days without an approved 新员工入职培训 they signed in to [S 1.11]."""
    since = rules.new_hire_since(today or today_local(), days)
    return await Employee.raw(
        "SELECT e.id, e.employee_no, e.name, e.hired_on, d.name AS department FROM employee e "
        "LEFT JOIN department d ON d.id = e.department "
        "WHERE e.active = {} AND e.hired_on >= {} AND NOT EXISTS (SELECT 1 FROM hr_course_attendance a "
        "JOIN hr_course_session s ON s.id = a.session WHERE a.employee = e.id AND s.new_hire = {} AND s.status = {}) "
        "ORDER BY e.hired_on, e.employee_no", True, since, True, APPROVED)
