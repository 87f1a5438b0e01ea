"""晋升 and 调动 (SPEC §E9, §E10): whom a request may name (the starter or their direct reports), the payload rows,
the approval hooks, the completion that changes the Employee record (a promotion after its 公示, a transfer on its
effective date) with one history row each — once per request, also with several workers (a conditional update and
app/core/claims.py) — and the handover checklist HR ticks. One transaction with an audit row per action."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.core import audit
from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.permissions import Perm
from app.core.timeutil import now, today_local
from app.core.workdays import calendar_for
from app.hr_move import rules
from app.hr_move.tables import Grade, PositionHistory as H, Promotion as P, Transfer as T, TransferItem as I
from app.org.tables import Employee as E, Position
from app.workflow.tables import Task

OPEN_STATES = ("审批中", "已退回")


class Refused(Exception):
    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message, self.field = message, field


# ---- who may be named --------------------------------------------------------------------------------------------

PERSON_COLUMNS = (E.id, E.name, E.employee_no, E.company, E.department, E.position, E.hired_on, E.is_group_lead, E.user,
                  E.position.name.as_alias("position_name"), E.position.role.as_alias("role"),
                  E.department.name.as_alias("department_name"), E.company.name.as_alias("company_name"))


async def pickable(user: Any) -> list[dict]:
    """The starter themself and their active direct reports (one query)."""
    emp = getattr(user, "employee_id", None)
    if not emp:
        return []
    return await E.select(*PERSON_COLUMNS).where(((E.id == emp) | (E.manager == emp)) & (E.active == True)).order_by(  # noqa: E712
        E.id).limit(200)


async def busy(table, employee_id: int, request_id: int | None) -> bool:
    """An open request of this kind on the person, or an approved one not yet in effect."""
    q = (table.employee == employee_id) & (table.request.status.is_in(OPEN_STATES) | (
        (table.request.status == "已通过") & table.applied_at.is_null()))
    if request_id:
        q &= table.request != request_id
    return await table.exists().where(q)


async def current_grade(employee_id: int) -> dict | None:
    """The grade of the latest history row (None without one)."""
    row = await H.select(H.grade, H.grade.code.as_alias("code"), H.grade.name.as_alias("name"), H.grade.rank.as_alias("rank")).where(
        H.employee == employee_id).order_by(H.since, ascending=False).order_by(H.id, ascending=False).first()
    return row if row and row["grade"] else None


async def position_choices() -> list[tuple[str, str]]:
    return [(str(r["id"]), r["name"]) for r in await Position.select(Position.id, Position.name).order_by(Position.sort)]


async def grade_choices() -> list[tuple[str, str]]:
    return [(str(r["id"]), f"{r['code']} {r['name']}") for r in await Grade.select(Grade.id, Grade.code, Grade.name).order_by(Grade.rank)]


# ---- payload ----------------------------------------------------------------------------------------------------

async def save_promotion(request_id: int, c: dict) -> None:
    values = dict(employee=c["employee"], from_position=c["from_position"], from_grade=c["from_grade"], to_position=c["to_position"],
                  to_grade=c["to_grade"], score=c["score"], appraisal=c["appraisal"], tenure_months=c["tenure_months"],
                  group_lead=c["group_lead"], trial_months=c["trial_months"], salary_change=c["salary_change"])
    existing = await P.select(P.id).where(P.request == request_id).first()
    if existing:
        await P.update({getattr(P, k): v for k, v in values.items()}).where(P.id == existing["id"])
    else:
        await P.insert(P(request=request_id, created_at=now(), **values))


async def save_transfer(request_id: int, c: dict) -> None:
    values = dict(employee=c["employee"], from_company=c["from_company"], from_department=c["from_department"],
                  from_position=c["from_position"], to_company=c["to_company"], to_department=c["to_department"],
                  to_position=c["to_position"], effective_on=c["effective_on"], salary=c["salary"], si_done=c["si_done"],
                  si_date=c["si_date"], note=c["note"])
    existing = await T.select(T.id).where(T.request == request_id).first()
    if existing:
        await T.update({getattr(T, k): v for k, v in values.items()}).where(T.id == existing["id"])
        return
    t = T(request=request_id, created_at=now(), **values)
    await t.save()
    await I.insert(*[I(transfer=t.id, seq=i, name=n) for i, n in enumerate(rules.HANDOVER_ITEMS, 1)])


PROMOTION_COLUMNS = (
    *P.all_columns(), P.employee.name.as_alias("employee_name"), P.employee.employee_no.as_alias("employee_no"),
    P.employee.company.name.as_alias("company_name"), P.employee.department.name.as_alias("department_name"),
    P.employee.hired_on.as_alias("hired_on"),
    P.from_position.name.as_alias("from_position_name"), P.to_position.name.as_alias("to_position_name"),
    P.from_grade.code.as_alias("from_grade_code"), P.to_grade.code.as_alias("to_grade_code"),
    P.to_grade.name.as_alias("to_grade_name"),
    P.request.status.as_alias("request_status"), P.request.number.as_alias("request_number"),
    P.request.applicant_user.as_alias("applicant_user"), P.request.finished_at.as_alias("finished_at"))

TRANSFER_COLUMNS = (
    *T.all_columns(), T.employee.name.as_alias("employee_name"), T.employee.employee_no.as_alias("employee_no"),
    T.employee.hired_on.as_alias("hired_on"),
    T.from_company.name.as_alias("from_company_name"), T.from_department.name.as_alias("from_department_name"),
    T.from_position.name.as_alias("from_position_name"), T.to_company.name.as_alias("to_company_name"),
    T.to_department.name.as_alias("to_department_name"), T.to_position.name.as_alias("to_position_name"),
    T.request.status.as_alias("request_status"), T.request.number.as_alias("request_number"),
    T.request.applicant_user.as_alias("applicant_user"))


def promotion_state(p: dict, today: date) -> str:
    if p["applied_at"]:
        return rules.APPOINTED
    if p["request_status"] == "已通过" and p["publish_until"]:
        return rules.PUBLISHING if not rules.publication_over(p["publish_until"], today) else rules.WAITING
    return p["request_status"]


async def promotion_of(request_id: int) -> dict | None:
    return await P.select(*PROMOTION_COLUMNS).where(P.request == request_id).first()


async def transfer_of(request_id: int) -> dict | None:
    t = await T.select(*TRANSFER_COLUMNS).where(T.request == request_id).first()
    if t:
        t["items"] = await I.select(*I.all_columns(), I.done_by.name.as_alias("done_by_name")).where(I.transfer == t["id"]).order_by(I.seq)
    return t


def transfer_state(t: dict) -> str:
    if t["applied_at"]:
        return rules.DONE
    if t["request_status"] == "已通过":
        return rules.WAITING
    return t["request_status"]


async def may_see(user: Any, req: dict) -> bool:
    if user.can(Perm.HR_MANAGE) or req["applicant_user"] == user.user_id:
        return True
    if req.get("employee") == getattr(user, "employee_id", None):
        return True
    return await Task.exists().where((Task.request == req["request"]) & (Task.assignee == user.user_id))


# ---- hooks (inside the engine's transaction) ---------------------------------------------------------------------

async def promotion_approved(req: dict, actor: Any, days: int, today: date) -> None:
    """The final approval starts the 公示: `days` working days after today."""
    cal = await calendar_for(today, today + timedelta(days=days * 3 + 60))
    until = rules.publication_end(today, days, cal.is_workday)
    await P.update({P.publish_until: until}).where(P.request == req["id"])
    p = await promotion_of(req["id"])
    await audit.record(actor=actor, action="hr_move.publish", entity="hr_promotion", entity_id=p["id"],
                       summary=f"{p['employee_name']} 晋升为 {p['to_position_name']}，公示至 {until:%Y-%m-%d}", ip=getattr(actor, "ip", ""))


async def transfer_approved(req: dict, actor: Any) -> None:
    """The handover must be complete before the last approval (the E5 checklist without the exit steps)."""
    from app.workflow.engine import WorkflowError

    t = await transfer_of(req["id"])
    if t is None:
        return
    left = [i["name"] for i in t["items"] if not i["done"]]
    if left:
        raise WorkflowError(f"交接清单尚未完成（{'、'.join(left)}），请人事在调动页面勾选后再审批通过：/hr/moves/{req['id']}")
    await T.update({T.approved_on: today_local()}).where(T.id == t["id"])


# ---- completion --------------------------------------------------------------------------------------------------

async def _history(employee_id: int, company: int, department: int, position: int, grade: int | None, since: date, reason: str,
                   request_id: int | None) -> None:
    await H.insert(H(employee=employee_id, company=company, department=department, position=position, grade=grade, since=since,
                     reason=reason, request=request_id, created_at=now()))


async def record_hire(employee_id: int, company: int, department: int, position: int, since: date) -> None:
    """The first row of a new employee's position history (入职, no grade yet): onboarding calls it in its transaction."""
    await _history(employee_id, company, department, position, None, since, "入职", None)


async def complete_promotion(p: dict, today: date, actor: Any = None) -> bool:
    """The publication is over: the position changes (data: Employee.position), a history row, once per request."""
    if not rules.publication_over(p["publish_until"], today) or p["applied_at"] or p["request_status"] != "已通过":
        return False
    async with write_transaction(claim=False):
        await serialise(f"hr_move:promotion:{p['id']}")
        won = await P.update({P.applied_at: now()}).where((P.id == p["id"]) & P.applied_at.is_null()).returning(P.id)
        if not won:
            return False
        emp = await E.select(E.company, E.department, E.user).where(E.id == p["employee"]).first()
        await E.update({E.position: p["to_position"]}).where(E.id == p["employee"])
        await _history(p["employee"], emp["company"], emp["department"], p["to_position"], p["to_grade"], today, rules.PROMOTED, p["request"])
        await audit.record(actor=actor, action="hr_move.appoint", entity="hr_promotion", entity_id=p["id"],
                           summary=f"{p['employee_name']} 公示期满，任命为 {p['to_position_name']}（{p['request_number']}）")
        if emp["user"]:
            await notify(emp["user"], f"您的晋升公示期满，自 {today:%Y-%m-%d} 起任 {p['to_position_name']}；新岗位的审批权限自下次登录起生效",
                         f"/hr/moves/{p['request']}", "result", f"hr_move:promotion:{p['id']}")
    return True


async def complete_transfer(t: dict, today: date, actor: Any = None) -> bool:
    """On the effective date: company / department / position change, hired_on unchanged (continuous service)."""
    if t["applied_at"] or t["request_status"] != "已通过" or t["effective_on"] > today:
        return False
    async with write_transaction(claim=False):
        await serialise(f"hr_move:transfer:{t['id']}")
        won = await T.update({T.applied_at: now()}).where((T.id == t["id"]) & T.applied_at.is_null()).returning(T.id)
        if not won:
            return False
        grade = await current_grade(t["employee"])
        await E.update({E.company: t["to_company"], E.department: t["to_department"], E.position: t["to_position"]}).where(
            E.id == t["employee"])
        await _history(t["employee"], t["to_company"], t["to_department"], t["to_position"], grade["grade"] if grade else None,
                       t["effective_on"], rules.TRANSFERRED, t["request"])
        await audit.record(actor=actor, action="hr_move.transfer", entity="hr_transfer", entity_id=t["id"],
                           summary=f"{t['employee_name']} 调动至 {t['to_company_name']} {t['to_department_name']} {t['to_position_name']}"
                                   f"（{t['request_number']}，工龄连续计算）")
    return True


async def complete_due(today: date) -> int:
    """Every promotion whose publication is over and every transfer whose effective date has come (the reminder job)."""
    done = 0
    for r in await P.select(P.request).where(P.applied_at.is_null() & P.publish_until.is_not_null() & (P.publish_until < today)
                                             & (P.request.status == "已通过")).limit(500):
        done += await complete_promotion(await promotion_of(r["request"]), today)
    for r in await T.select(T.request).where(T.applied_at.is_null() & (T.effective_on <= today) & (T.request.status == "已通过")).limit(500):
        done += await complete_transfer(await transfer_of(r["request"]), today)
    return done


async def tick(user: Any, request_id: int, item_id: int, done: bool) -> str:
    if not user.can(Perm.HR_MANAGE):
        raise Refused("只有人事可以勾选交接清单")
    async with write_transaction():
        t = await T.select(T.id, T.applied_at, T.employee.name.as_alias("employee_name"), T.request.status.as_alias("status")).where(
            T.request == request_id).first()
        if t is None:
            raise Refused("没有这份调动申请")
        if t["applied_at"] or t["status"] not in ("审批中", "已退回"):
            raise Refused("调动申请不在审批中，交接清单不能再修改")
        item = await I.select(I.id, I.name).where((I.id == item_id) & (I.transfer == t["id"])).first()
        if item is None:
            raise Refused("交接清单中没有这一项")
        await I.update({I.done: done, I.done_by: user.employee_id if done else None, I.done_at: now() if done else None}).where(I.id == item_id)
        await audit.record(actor=user, action="hr_move.handover", entity="hr_transfer", entity_id=t["id"],
                           summary=f"{t['employee_name']} 调动交接「{item['name']}」{'已完成' if done else '改为未完成'}", ip=getattr(user, "ip", ""))
    return item["name"]


async def current_grades(employee_ids: list[int]) -> dict[int, dict]:
    """Each employee's grade on their latest history row (one query)."""
    if not employee_ids:
        return {}
    out: dict[int, dict] = {}
    for r in await H.select(H.employee, H.grade, H.grade.code.as_alias("code"), H.grade.name.as_alias("name"),
                            H.grade.rank.as_alias("rank")).where(H.employee.is_in(employee_ids)).order_by(H.since).order_by(H.id):
        out[r["employee"]] = r
    return {k: v for k, v in out.items() if v["grade"]}
