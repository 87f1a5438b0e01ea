"""转正 (SPEC §E11): the contracts an employee may file 转正 about, the review's score and outcome (recorded by the
approver of the step on /hr/probation/{request id}), applying the approved outcome to hr_employee_status, and the
list page's queries. One transaction with an audit row per action."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.core import attachments, audit
from app.core.db import write_transaction
from app.core.permissions import Perm
from app.core.timeutil import now
from app.hr_contract.rules import PENDING, SIGNED
from app.hr_contract.tables import LabourContract as C
from app.hr_probation import rules
from app.hr_probation.tables import EmployeeStatus, ProbationReview as R
from app.workflow.attachment_owners import OWNER as WF_OWNER
from app.workflow.tables import Request, Step, Task

OPEN_STATES = ("审批中", "已退回")
SCORE_STEP = "manager"
HR_STEP = "hr"


class Refused(Exception):
    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message, self.field = message, field


async def other_probations(contract: dict) -> list[date | None]:
    rows = await C.select(C.probation_end).where((C.employee == contract["employee"]) & (C.id != contract["id"]))
    return [r["probation_end"] for r in rows]


async def decided(employee_id: int) -> dict | None:
    """The employee's recorded status (正式 / 不予录用), if any."""
    return await EmployeeStatus.select().where(EmployeeStatus.employee == employee_id).first()


async def busy(contract_id: int, request_id: int | None = None) -> bool:
    """A 转正申请 on this contract is open or approved already (a rejected or withdrawn one may be filed again)."""
    q = (R.contract == contract_id) & R.request.status.is_in([*OPEN_STATES, "已通过"])
    if request_id:
        q &= R.request != request_id
    return await R.exists().where(q)


async def fileable(user: Any, request_id: int | None = None) -> list[dict]:
    """The user's own contracts in probation that a 转正申请 may be filed about: signed or awaiting signature, with a
    lawful single probation (第十九条), not decided yet, none open or approved on it."""
    emp = getattr(user, "employee_id", None)
    if not emp:
        return []
    rows = await C.select(C.id, C.employee, C.seq, C.kind, C.start, C.end, C.probation_end, C.post).where(
        (C.employee == emp) & C.probation_end.is_not_null() & C.status.is_in([PENDING, SIGNED])).order_by(C.seq).limit(20)
    if rows and await decided(emp):
        return []
    out = []
    for r in rows:
        if rules.check_contract(r["kind"], r["start"], r["end"], r["probation_end"], await other_probations(r)):
            continue
        if await busy(r["id"], request_id):
            continue
        out.append(r)
    return out


async def review_of(request_id: int) -> dict | None:
    return await R.select(*R.all_columns(), R.employee.name.as_alias("employee_name"), R.scored_by.name.as_alias("scored_by_name"),
                          R.decided_by.name.as_alias("decided_by_name"), R.contract.seq.as_alias("contract_seq"),
                          R.contract.start.as_alias("contract_start"), R.contract.post.as_alias("post"),
                          R.request.status.as_alias("request_status"), R.request.number.as_alias("request_number"),
                          R.request.applicant_user.as_alias("applicant_user")).where(R.request == request_id).first()


async def step_assignee(request_id: int, step_key: str, user_id: int) -> bool:
    """Whether the user holds (or held) a task on this request's step: the one who scores / decides."""
    steps = await Step.select(Step.id).where((Step.request == request_id) & (Step.key == step_key))
    if not steps:
        return False
    return await Task.exists().where(Task.step.is_in([s["id"] for s in steps]) & (Task.assignee == user_id)
                                     & Task.status.is_in(["待处理", "已同意"]))


async def may_score(user: Any, review: dict) -> bool:
    return review["request_status"] == "审批中" and await step_assignee(review["request"], SCORE_STEP, user.user_id)


async def may_decide(user: Any, review: dict) -> bool:
    return (review["request_status"] == "审批中" and user.can(Perm.HR_MANAGE)
            and await step_assignee(review["request"], HR_STEP, user.user_id))


async def may_see(user: Any, review: dict) -> bool:
    if user.can(Perm.HR_MANAGE) or review["applicant_user"] == user.user_id:
        return True
    return await Task.exists().where((Task.request == review["request"]) & (Task.assignee == user.user_id))


async def save_score(user: Any, request_id: int, score: int, comment: str) -> None:
    async with write_transaction():
        review = await review_of(request_id)
        if review is None or not await may_score(user, review):
            raise Refused("只有本申请直属上级评分环节的审批人可以在审批中评分")
        await R.update({R.score: score, R.score_comment: comment, R.scored_by: user.employee_id}).where(R.id == review["id"])
        await audit.record(actor=user, action="hr_probation.score", entity="hr_probation", entity_id=review["id"],
                           summary=f"{review['employee_name']} 转正评分 {score} 分", ip=getattr(user, "ip", ""))


async def save_outcome(user: Any, request_id: int, outcome: str, reason: str, file_ids: list[int], today: date) -> None:
    """HR records 转正 or 不予录用; 不予录用 only within the probation and with evidence [L art. 21, 39 (1)]: files
    uploaded with this form are bound to the request, and those already on it count too."""
    problem = rules.check_outcome(outcome)
    if problem:
        raise Refused(problem, "outcome")
    async with write_transaction():
        review = await review_of(request_id)
        if review is None or not await may_decide(user, review):
            raise Refused("只有本申请人事审核环节的审批人可以在审批中填写结论")
        if review["score"] is None:
            raise Refused("直属上级尚未评分，请待评分后再填写结论")
        if file_ids:
            await attachments.bind(user, file_ids, WF_OWNER, request_id)
        if outcome == rules.NOT_HIRED:
            evidence = len(await attachments.list_for(WF_OWNER, request_id))
            problem = rules.check_not_hired(review["probation_end"], today, evidence)
            if problem:
                raise Refused(problem, "attachments" if "材料" in problem else "outcome")
            if not reason:
                raise Refused(f"请说明不符合录用条件的具体情形（{rules.ART_21_39}）", "reason")
        await R.update({R.outcome: outcome, R.outcome_reason: reason, R.decided_by: user.employee_id}).where(R.id == review["id"])
        await audit.record(actor=user, action="hr_probation.decide", entity="hr_probation", entity_id=review["id"],
                           summary=f"{review['employee_name']} 转正结论：{outcome}", ip=getattr(user, "ip", ""))


async def apply_approved(request_id: int, actor: Any, today: date) -> None:
    """on_approved, inside the engine's transaction: the outcome becomes the employee's status."""
    from app.workflow.engine import WorkflowError

    review = await review_of(request_id)
    if review is None:
        return
    if review["score"] is None:
        raise WorkflowError("直属上级尚未在转正页面评分，不能审批通过")
    if not review["outcome"]:
        raise WorkflowError(f"人事尚未在转正页面填写结论（转正 / 不予录用），不能审批通过：/hr/probation/{request_id}")
    if review["outcome"] == rules.NOT_HIRED:
        evidence = len(await attachments.list_for(WF_OWNER, request_id))
        problem = rules.check_not_hired(review["probation_end"], today, evidence)
        if problem:
            raise WorkflowError(problem)
    status, since = rules.status_after(review["outcome"], review["probation_end"], today)
    existing = await EmployeeStatus.select(EmployeeStatus.id).where(EmployeeStatus.employee == review["employee"]).first()
    if existing:
        await EmployeeStatus.update({EmployeeStatus.status: status, EmployeeStatus.since: since, EmployeeStatus.request: request_id,
                                     EmployeeStatus.updated_at: now()}).where(EmployeeStatus.id == existing["id"])
    else:
        await EmployeeStatus.insert(EmployeeStatus(employee=review["employee"], status=status, since=since, request=request_id,
                                                   updated_at=now()))
    await audit.record(actor=actor, action="hr_probation.apply", entity="hr_employee_status", entity_id=review["employee"],
                       summary=f"{review['employee_name']} 转正审批通过：{status}（自 {since:%Y-%m-%d}）", ip=getattr(actor, "ip", ""))


# ---- the list page ----------------------------------------------------------------------------------------------

def list_where(user: Any, today: date, recent_days: int, show_all: bool = False):
    """HR sees the contracts in probation (and those ended within `recent_days`, or all with `show_all`); an employee
    their own."""
    q = C.probation_end.is_not_null() & C.status.is_in([PENDING, SIGNED]) & (C.employee.active == True)  # noqa: E712
    if not show_all:
        q &= C.probation_end >= today - timedelta(days=recent_days)
    if not user.can(Perm.HR_MANAGE):
        q &= C.employee == (getattr(user, "employee_id", None) or -1)
    return q


def list_queries(user: Any, today: date, recent_days: int, show_all: bool = False):
    where = list_where(user, today, recent_days, show_all)
    q = C.select(C.id, C.employee, C.probation_end, C.post, C.employee.name.as_alias("employee_name"),
                 C.employee.employee_no.as_alias("employee_no"), C.employee.department.name.as_alias("department")).where(
        where).order_by(C.probation_end).order_by(C.id)
    return q, C.count().where(where)


async def decorate(rows: list[dict], today: date) -> list[dict]:
    """Each row with its latest 转正申请 and the employee's status."""
    ids = [r["id"] for r in rows]
    emps = [r["employee"] for r in rows]
    reviews = {}
    if ids:
        for v in await R.select(R.contract, R.request, R.outcome, R.score, R.request.status.as_alias("request_status"),
                                R.request.number.as_alias("request_number")).where(R.contract.is_in(ids)).order_by(R.id):
            reviews[v["contract"]] = v
    statuses = {s["employee"]: s for s in await EmployeeStatus.select().where(EmployeeStatus.employee.is_in(emps))} if emps else {}
    out = []
    for r in rows:
        st = statuses.get(r["employee"])
        shown = st["status"] if st else (rules.ON_PROBATION if rules.in_probation(r["probation_end"], today) else "试用期已满")
        out.append({**r, "review": reviews.get(r["id"]), "emp_status": shown, "since": st["since"] if st else None})
    return out


async def create_review(request_id: int, contract_id: int, text: str, user: Any) -> None:
    row = await C.select(C.id, C.employee, C.probation_end).where(C.id == contract_id).first()
    existing = await R.select(R.id).where(R.request == request_id).first()
    if existing:
        await R.update({R.contract: row["id"], R.employee: row["employee"], R.probation_end: row["probation_end"],
                        R.self_appraisal: text}).where(R.id == existing["id"])
        return
    await R.insert(R(request=request_id, contract=row["id"], employee=row["employee"], probation_end=row["probation_end"],
                     self_appraisal=text, created_at=now()))


async def set_status(employee_id: int, status: str, since: date, request_id: int | None) -> None:
    """Another domain's decision becomes the employee's status (e.g. 离职 after the exit's completion, app/hr_exit);
    inside the caller's transaction, which writes the audit row."""
    existing = await EmployeeStatus.select(EmployeeStatus.id).where(EmployeeStatus.employee == employee_id).first()
    if existing:
        await EmployeeStatus.update({EmployeeStatus.status: status, EmployeeStatus.since: since, EmployeeStatus.request: request_id,
                                     EmployeeStatus.updated_at: now()}).where(EmployeeStatus.id == existing["id"])
    else:
        await EmployeeStatus.insert(EmployeeStatus(employee=employee_id, status=status, since=since, request=request_id, updated_at=now()))
