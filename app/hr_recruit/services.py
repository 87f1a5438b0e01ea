"""招聘 → 入职 (SPEC §E12): the headcount figures of a 用人申请, the candidates on an approved one (interview rounds,
background check), the candidates a 录用审批 may name, and 入职 — the employee, the sign-in, the project scope, the
draft labour contract and the probation status in one transaction. The only module that writes; an audit row per
step. The ID number and the mobile are never written to the audit log."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.apps.user.tables import BaseUser

from app.core import audit
from app.core.db import write_transaction
from app.core.tables import Counter
from app.core.timeutil import now
from app.core.validators import mask_id_number, mask_phone
from app.estate.tables import Project
from app.hr_recruit import rules
from app.hr_recruit import settings as recruit_settings
from app.hr_recruit.tables import (APPROVED, BG_RESULTS, CLOSED, DROPPED, OFFERED, OFFERING, ONBOARDED, OPEN, PASSED, REVIEWING, SCREENING,
                                   Candidate, Headcount, Interview, InterviewReview, Offer, Onboarding, Staffing)
from app.org.tables import Employee, EmployeeProject, Position

S, K, I, O, R = Staffing, Candidate, Interview, Offer, InterviewReview
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class Refused(Exception):
    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message, self.field = message, field


def _ip(user: Any) -> str:
    return getattr(user, "ip", "")


# ---- headcount --------------------------------------------------------------------------------------------------

@dataclass
class HeadcountState:
    approved: int
    employed: int
    pending: int

    def outside(self, wanted: int) -> bool:
        return rules.outside_headcount(self.approved, self.employed, self.pending, wanted)

    def text(self, wanted: int) -> str:
        return rules.headcount_text(self.approved, self.employed, self.pending, wanted)


async def headcount_state(company_id: int, position_id: int, exclude_request: int | None = None) -> HeadcountState:
    """编制 of the position in the company, its active employees, and the people still asked for by the open or
    approved 用人申请 (their headcount less those already onboarded from them)."""
    row = await Headcount.select(Headcount.approved).where((Headcount.company == company_id) & (Headcount.position == position_id)).first()
    employed = await Employee.count().where((Employee.company == company_id) & (Employee.position == position_id)
                                            & (Employee.active == True))  # noqa: E712
    q = (S.company == company_id) & (S.position == position_id) & S.status.is_in([OPEN, APPROVED])
    if exclude_request:
        q &= S.request != exclude_request
    asked = sum(r["headcount"] for r in await S.select(S.headcount).where(q))
    filled = await Onboarding.count().where((Onboarding.candidate.staffing.company == company_id)
                                            & (Onboarding.candidate.staffing.position == position_id)
                                            & Onboarding.candidate.staffing.status.is_in([OPEN, APPROVED]))
    return HeadcountState(approved=row["approved"] if row else 0, employed=employed, pending=max(asked - filled, 0))


async def position_choices() -> list[tuple[str, str]]:
    rows = await Position.select(Position.id, Position.name).order_by(Position.sort).order_by(Position.id).limit(500)
    return [(str(r["id"]), r["name"]) for r in rows]


async def applicant_org(user: Any) -> dict | None:
    if not getattr(user, "employee_id", None):
        return None
    return await Employee.select(Employee.id, Employee.company, Employee.department, Employee.company.name.as_alias("company_name"),
                                 Employee.department.name.as_alias("department_name")).where(Employee.id == user.employee_id).first()


async def save_staffing(request_id: int, cleaned: dict, user: Any) -> None:
    data = {S.company: cleaned["company"], S.department: cleaned["department"], S.position: cleaned["position"],
            S.headcount: cleaned["headcount"], S.requirements: cleaned["requirements"], S.start_on: cleaned["start_on"],
            S.reason: cleaned["reason"], S.approved: cleaned["approved"], S.employed: cleaned["employed"],
            S.pending: cleaned["pending"], S.outside: cleaned["outside"], S.manager: user.employee_id, S.status: OPEN}
    existing = await S.select(S.id).where(S.request == request_id).first()
    if existing:
        await S.update(data).where(S.id == existing["id"])
    else:
        await S.insert(S(request=request_id, created_at=now(), **{c._meta.name: v for c, v in data.items()}))


STAFFING_COLUMNS = (S.id, S.request, S.company, S.department, S.position, S.headcount, S.requirements, S.start_on, S.reason,
                    S.approved, S.employed, S.pending, S.outside, S.manager, S.status, S.created_at,
                    S.company.name.as_alias("company_name"), S.department.name.as_alias("department_name"),
                    S.position.name.as_alias("position_name"), S.manager.name.as_alias("manager_name"),
                    S.request.number.as_alias("request_number"), S.request.status.as_alias("request_status"))


async def staffing_of_request(request_id: int) -> dict | None:
    return await S.select(*STAFFING_COLUMNS).where(S.request == request_id).first()


async def staffing(staffing_id: int) -> dict | None:
    return await S.select(*STAFFING_COLUMNS).where(S.id == staffing_id).first()


async def set_staffing_status(request_id: int, status: str, actor: Any) -> None:
    """on_approved / on_closed, inside the engine's transaction."""
    row = await S.select(S.id, S.position.name).where(S.request == request_id).first()
    if not row:
        return
    await S.update({S.status: status}).where(S.id == row["id"])
    await audit.record(actor=actor, action="hr_recruit.staffing", entity="hr_staffing", entity_id=row["id"],
                       summary=f"用人申请（{row['position.name']}）：{status}", ip=_ip(actor))


def staffing_list_queries():
    where = S.status.is_in([APPROVED, CLOSED])
    q = S.select(*STAFFING_COLUMNS).where(where).order_by(S.id, ascending=False)
    return q, S.count().where(where)


async def candidate_counts(staffing_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    if staffing_ids:
        for r in await K.select(K.staffing, K.status).where(K.staffing.is_in(staffing_ids)):
            d = out.setdefault(r["staffing"], {"all": 0, ONBOARDED: 0})
            d["all"] += 1
            if r["status"] == ONBOARDED:
                d[ONBOARDED] += 1
    return out


# ---- candidates, interviews, background check -------------------------------------------------------------------

async def candidates(staffing_id: int, reveal: bool = False) -> list[dict]:
    """The candidates of a staffing request with their interview rounds (two queries)."""
    rows = await K.select(*K.all_columns()).where(K.staffing == staffing_id).order_by(K.id).limit(500)
    ids = [r["id"] for r in rows]
    rounds: dict[int, list[dict]] = {}
    if ids:
        for iv in await I.select(*I.all_columns(), I.interviewer.name.as_alias("interviewer_name")).where(
                I.candidate.is_in(ids)).order_by(I.seq):
            rounds.setdefault(iv["candidate"], []).append(iv)
    for r in rows:
        r["rounds"] = rounds.get(r["id"], [])
        if not reveal:
            r["mobile"], r["id_number"] = mask_phone(r["mobile"]), mask_id_number(r["id_number"])
    return rows


async def _open_staffing(staffing_id: int) -> dict:
    st = await staffing(staffing_id)
    if st is None:
        raise Refused("没有这份用人申请")
    if st["status"] != APPROVED:
        raise Refused(f"该用人申请当前为「{st['status']}」，审批通过后才能登记候选人")
    return st


async def add_candidate(user: Any, staffing_id: int, name: str, mobile: str, id_number: str) -> int:
    async with write_transaction():
        st = await _open_staffing(staffing_id)
        if await K.exists().where((K.staffing == staffing_id) & (K.id_number == id_number)):
            raise Refused("该身份证号的候选人已登记在本用人申请下", "id_number")
        row = K(staffing=staffing_id, name=name, mobile=mobile, id_number=id_number, status=SCREENING,
                created_by=getattr(user, "employee_id", None), created_at=now())
        await row.save()
        await audit.record(actor=user, action="hr_recruit.candidate", entity="hr_candidate", entity_id=row.id,
                           summary=f"登记候选人 {name}（{st['position_name']}）", ip=_ip(user))
    return row.id


async def candidate(candidate_id: int) -> dict | None:
    return await K.select(*K.all_columns(), K.staffing.status.as_alias("staffing_status"),
                          K.staffing.position.name.as_alias("position_name")).where(K.id == candidate_id).first()


BG_STATES = (SCREENING, REVIEWING, PASSED)  # the background check may be recorded until the 录用审批


async def _screening(candidate_id: int, staffing_id: int, states: tuple[str, ...] = (SCREENING,)) -> dict:
    """The candidate, refused unless in one of `states`: interview rounds only while 面试中 (a 面试审批 freezes them),
    the background check also while the 面试审批 is open or approved (before the 录用审批)."""
    c = await candidate(candidate_id)
    if c is None or c["staffing"] != staffing_id:
        raise Refused("没有这位候选人")
    if c["status"] not in states:
        what = "面试记录" if states == (SCREENING,) else "背景调查"
        raise Refused(f"该候选人当前为「{c['status']}」，不能再修改{what}")
    return c


async def add_interview(user: Any, staffing_id: int, candidate_id: int, score: int, interviewer: int, held_on: date, note: str) -> int:
    async with write_transaction():
        c = await _screening(candidate_id, staffing_id)
        if not await Employee.exists().where((Employee.id == interviewer) & (Employee.active == True)):  # noqa: E712
            raise Refused("请选择在职员工作为面试官", "interviewer")
        last = await I.select(I.seq).where(I.candidate == candidate_id).order_by(I.seq, ascending=False).first()
        seq = (last["seq"] + 1) if last else 1
        row = I(candidate=candidate_id, seq=seq, score=score, interviewer=interviewer, held_on=held_on, note=note, created_at=now())
        await row.save()
        await audit.record(actor=user, action="hr_recruit.interview", entity="hr_interview", entity_id=row.id,
                           summary=f"{c['name']} 第 {seq} 轮面试 {score} 分", ip=_ip(user))
    return row.id


async def record_background(user: Any, staffing_id: int, candidate_id: int, result: str, note: str, on: date) -> None:
    if result not in BG_RESULTS:
        raise Refused("背景调查结果的选项无效", "bg_result")
    async with write_transaction():
        c = await _screening(candidate_id, staffing_id, BG_STATES)
        await K.update({K.bg_result: result, K.bg_note: note, K.bg_on: on}).where(K.id == candidate_id)
        await audit.record(actor=user, action="hr_recruit.background", entity="hr_candidate", entity_id=candidate_id,
                           summary=f"{c['name']} 背景调查：{result}", ip=_ip(user))


# ---- 面试审批 ---------------------------------------------------------------------------------------------------


async def reviewable(user: Any, request_id: int | None = None) -> list[dict]:
    """Candidates on approved staffing requests of the user's company, 面试中, with at least `min_rounds` interview
    rounds recorded (the one on `request_id` itself is kept while 面试审批中). Two queries."""
    org = await applicant_org(user)
    if org is None:
        return []
    cfg = await recruit_settings.read()
    mine: set[int] = set()
    if request_id:
        mine = {r["candidate"] for r in await R.select(R.candidate).where(R.request == request_id)}
    rows = await K.select(K.id, K.name, K.status, K.staffing, K.staffing.position.as_alias("position"),
                          K.staffing.position.name.as_alias("position_name"), K.staffing.position.role.as_alias("position_role"),
                          K.staffing.department.as_alias("department"), K.staffing.company.as_alias("company"),
                          K.staffing.manager.user.as_alias("manager_user")).where(
        (K.staffing.status == APPROVED) & (K.staffing.company == org["company"])
        & (K.status.is_in([SCREENING, REVIEWING]))).order_by(K.id).limit(200)
    if not rows:
        return []
    counts: dict[int, int] = {}
    for iv in await I.select(I.candidate).where(I.candidate.is_in([r["id"] for r in rows])):
        counts[iv["candidate"]] = counts.get(iv["candidate"], 0) + 1
    out = []
    for r in rows:
        if r["status"] == REVIEWING and r["id"] not in mine:
            continue
        r["rounds"] = counts.get(r["id"], 0)
        if rules.ready_for_review(r["rounds"], cfg["min_rounds"]):
            continue
        out.append(r)
    return out


async def department_heads(company_id: int, department_id: int, fallback_user: int | None) -> list[int]:
    """经 of a 面试审批: the active 客服副经理 (role dept_head) of the staffing request's department; without one, the
    person who filed the staffing request (its 经)."""
    rows = await Employee.select(Employee.user).where(
        (Employee.company == company_id) & (Employee.department == department_id) & (Employee.position.role == "dept_head")
        & (Employee.active == True) & Employee.user.is_not_null()).order_by(Employee.id)  # noqa: E712
    users = [r["user"] for r in rows]
    return users or ([fallback_user] if fallback_user else [])


async def save_review(request_id: int, cleaned: dict) -> None:
    data = {R.candidate: cleaned["candidate"], R.rounds: cleaned["rounds"], R.target_senior: cleaned["target_senior"]}
    existing = await R.select(R.id, R.candidate).where(R.request == request_id).first()
    if existing:
        if existing["candidate"] != cleaned["candidate"]:
            await K.update({K.status: SCREENING}).where((K.id == existing["candidate"]) & (K.status == REVIEWING))
        await R.update(data).where(R.id == existing["id"])
    else:
        await R.insert(R(request=request_id, created_at=now(), **{c._meta.name: v for c, v in data.items()}))
    await K.update({K.status: REVIEWING}).where(K.id == cleaned["candidate"])


async def review_of_request(request_id: int) -> dict | None:
    """The 面试审批 with every interview round (scores, interviewers, comments) and the background check."""
    r = await R.select(R.id, R.request, R.candidate, R.rounds, R.target_senior, R.candidate.name.as_alias("candidate_name"),
                       R.candidate.status.as_alias("candidate_status"), R.candidate.staffing.as_alias("staffing"),
                       R.candidate.bg_result.as_alias("bg_result"), R.candidate.bg_note.as_alias("bg_note"),
                       R.candidate.bg_on.as_alias("bg_on")).where(R.request == request_id).first()
    if r:
        # a separate query: two joins below the candidate's staffing give PostgreSQL a duplicate alias in Piccolo
        st = await S.select(S.position.name.as_alias("position_name"), S.department.name.as_alias("department_name")).where(
            S.id == r["staffing"]).first() or {}
        r.update(position_name=st.get("position_name", ""), department_name=st.get("department_name", ""))
        r["interviews"] = await I.select(*I.all_columns(), I.interviewer.name.as_alias("interviewer_name")).where(
            I.candidate == r["candidate"]).order_by(I.seq)
    return r


async def set_review_outcome(request_id: int, status: str, actor: Any) -> None:
    """on_approved → 面试通过 (a 录用审批 may name the candidate); 驳回 → 未录用; 撤回 → back to 面试中."""
    row = await R.select(R.id, R.candidate, R.candidate.name).where(R.request == request_id).first()
    if not row:
        return
    await K.update({K.status: status}).where((K.id == row["candidate"]) & (K.status == REVIEWING))
    await audit.record(actor=actor, action="hr_recruit.interview_review", entity="hr_candidate", entity_id=row["candidate"],
                       summary=f"{row['candidate.name']} 面试审批：{status}", ip=_ip(actor))


# ---- 录用审批 ---------------------------------------------------------------------------------------------------

async def offerable(user: Any, request_id: int | None = None) -> list[dict]:
    """Candidates on approved staffing requests of the user's company whose 面试审批 is approved (面试通过), with at
    least `min_rounds` interviews and the background check 通过, and no open or approved offer (the one on
    `request_id` itself is kept)."""
    org = await applicant_org(user)
    if org is None:
        return []
    cfg = await recruit_settings.read()
    states = [PASSED]
    rows = await K.select(K.id, K.name, K.status, K.bg_result, K.staffing, K.staffing.position.as_alias("position"),
                          K.staffing.position.name.as_alias("position_name"), K.staffing.start_on.as_alias("wanted_on")).where(
        (K.staffing.status == APPROVED) & (K.staffing.company == org["company"]) & (K.status.is_in([*states, OFFERING]))).order_by(K.id).limit(200)
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    counts: dict[int, int] = {}
    for iv in await I.select(I.candidate).where(I.candidate.is_in(ids)):
        counts[iv["candidate"]] = counts.get(iv["candidate"], 0) + 1
    mine = set()
    if request_id:
        mine = {o["candidate"] for o in await O.select(O.candidate).where(O.request == request_id)}
    out = []
    for r in rows:
        if r["status"] == OFFERING and r["id"] not in mine:
            continue
        if rules.ready_for_offer(counts.get(r["id"], 0), cfg["min_rounds"], r["bg_result"]):
            continue
        out.append(r)
    return out


async def save_offer(request_id: int, cleaned: dict) -> None:
    data = {O.candidate: cleaned["candidate"], O.position: cleaned["position"], O.salary: cleaned["salary"],
            O.start_on: cleaned["start_on"], O.probation_months: cleaned["probation_months"], O.contract_years: cleaned["contract_years"]}
    existing = await O.select(O.id, O.candidate).where(O.request == request_id).first()
    if existing:
        if existing["candidate"] != cleaned["candidate"]:
            await K.update({K.status: PASSED}).where(K.id == existing["candidate"])
        await O.update(data).where(O.id == existing["id"])
    else:
        await O.insert(O(request=request_id, created_at=now(), **{c._meta.name: v for c, v in data.items()}))
    await K.update({K.status: OFFERING}).where(K.id == cleaned["candidate"])


OFFER_COLUMNS = (O.id, O.request, O.candidate, O.position, O.salary, O.start_on, O.probation_months, O.contract_years,
                 O.candidate.name.as_alias("candidate_name"), O.candidate.status.as_alias("candidate_status"),
                 O.candidate.staffing.as_alias("staffing"), O.position.name.as_alias("position_name"),
                 O.request.number.as_alias("request_number"), O.request.status.as_alias("request_status"))


async def offer_of_request(request_id: int) -> dict | None:
    return await O.select(*OFFER_COLUMNS).where(O.request == request_id).first()


async def set_offer_outcome(request_id: int, approved: bool, actor: Any) -> None:
    """on_approved → the candidate is 已录用 (HR may then 办理入职); on_closed → back to 面试通过 (the approved
    面试审批 stands)."""
    row = await O.select(O.id, O.candidate, O.candidate.name).where(O.request == request_id).first()
    if not row:
        return
    status = OFFERED if approved else PASSED
    await K.update({K.status: status}).where((K.id == row["candidate"]) & K.status.is_in([OFFERING, PASSED]))
    await audit.record(actor=actor, action="hr_recruit.offer", entity="hr_offer", entity_id=row["id"],
                       summary=f"{row['candidate.name']} 录用审批{'通过' if approved else '未通过'}", ip=_ip(actor))


async def approved_offer(candidate_id: int) -> dict | None:
    return await O.select(*OFFER_COLUMNS).where((O.candidate == candidate_id) & (O.request.status == "已通过")).order_by(
        O.id, ascending=False).first()


# ---- 入职 -------------------------------------------------------------------------------------------------------

@dataclass
class Onboarded:
    employee_id: int
    employee_no: str
    username: str
    onboarding_id: int
    contract_id: int | None


def new_password(length: int) -> str:
    length = max(10, min(length, 32))
    while True:
        pw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


async def _next_employee_no(start_on: date) -> str:
    """JC + the year's two digits + a 4-digit number from the counter (the demo's numbers are JC1001 …)."""
    key = f"employee_no-{start_on:%y}"
    while True:
        rows = await Counter.raw("INSERT INTO counter (key, value) VALUES ({}, 1) ON CONFLICT (key) DO UPDATE SET value = counter.value + 1 "
                                 "RETURNING value", key)
        no = f"JC{start_on:%y}{int(rows[0]['value']):04d}"
        if not await Employee.exists().where(Employee.employee_no == no) and not await BaseUser.exists().where(BaseUser.username == no):
            return no


async def project_choices() -> list[tuple[str, str]]:
    rows = await Project.select(Project.id, Project.code, Project.name).where(Project.active == True).order_by(Project.code).limit(200)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['code']}）") for r in rows]


async def onboard(user: Any, staffing_id: int, candidate_id: int, project_ids: list[int], today: date) -> Onboarded:
    """办理入职, in ONE transaction: the employee (company, department and position of the staffing request, its filer as
    the manager, hired on the offer's start date), its sign-in (username = the employee number, a one-time password),
    the project scope, a draft labour contract (app/hr_contract's `create`, 待签, joining this transaction), the status
    试用期 (hr_employee_status; app/hr_probation has no service that sets it), and the onboarding row that sends the new
    sign-in to the pledge first. Refused a second time."""
    from app.hr_contract import services as contracts
    from app.hr_contract.forms import ContractInput
    from app.hr_contract.rules import FIXED
    from app.hr_probation.rules import ON_PROBATION, REGULAR
    from app.hr_probation.tables import EmployeeStatus

    cfg = await recruit_settings.read()
    async with write_transaction():
        c = await candidate(candidate_id)
        if c is None or c["staffing"] != staffing_id:
            raise Refused("没有这位候选人")
        if await Onboarding.exists().where(Onboarding.candidate == candidate_id) or c["status"] == ONBOARDED:
            raise Refused("该候选人已办理入职，不能重复办理")
        if c["status"] != OFFERED:
            raise Refused(f"该候选人当前为「{c['status']}」，录用审批通过后才能办理入职")
        offer = await approved_offer(candidate_id)
        if offer is None:
            raise Refused("没有找到该候选人已通过的录用审批")
        st = await staffing(staffing_id)
        if st is None or st["status"] != APPROVED:
            raise Refused("该用人申请已关闭，不能再办理入职")
        valid = {r["id"] for r in await Project.select(Project.id).where(Project.id.is_in(project_ids))} if project_ids else set()
        if set(project_ids) - valid:
            raise Refused("项目的选项无效", "projects")
        employee_no = await _next_employee_no(offer["start_on"])
        # a random password nobody sees: HR issues the one-time initial password on the result page (issue_password)
        account = BaseUser(username=employee_no, password=BaseUser.hash_password(new_password(cfg["password_length"])), email=f"{employee_no.lower()}@staff.invalid",
                           active=True, admin=False, superuser=False, first_name=c["name"])
        await account.save()
        await audit.record(actor=user, action="hr_recruit.account", entity="user", entity_id=account.id,
                           summary=f"为新员工 {c['name']} 开通登录账号 {employee_no}", ip=_ip(user))
        emp = Employee(user=account.id, employee_no=employee_no, name=c["name"], company=st["company"], department=st["department"],
                       position=offer["position"], manager=st["manager"], mobile=c["mobile"], hired_on=offer["start_on"], active=True)
        await emp.save()
        await audit.record(actor=user, action="hr_recruit.employee", entity="employee", entity_id=emp.id,
                           summary=f"新员工 {c['name']}（{employee_no}）入职：{st['department_name']} · {offer['position_name']}，"
                                   f"入职日期 {offer['start_on']:%Y-%m-%d}", ip=_ip(user))
        if valid:
            await EmployeeProject.insert(*[EmployeeProject(employee=emp.id, project=p) for p in sorted(valid)])
            await audit.record(actor=user, action="hr_recruit.scope", entity="employee", entity_id=emp.id,
                               summary=f"{c['name']} 的项目范围：{len(valid)} 个项目", ip=_ip(user))
        start = offer["start_on"]
        end = rules.contract_end(start, offer["contract_years"])
        contract_id = await contracts.create(user, ContractInput(
            employee=emp.id, kind=FIXED, start=start, end=end, probation_end=rules.probation_end(start, offer["probation_months"]),
            pay=offer["salary"], probation_pay=offer["salary"] if offer["probation_months"] else None, post=offer["position_name"],
            nda=True, non_compete=False, signed_on=None, note=f"入职时由录用审批 {offer['request_number']} 生成的草稿，待签订"), today)
        from app.hr_move.services import record_hire
        from app.hr_people.services import create_file

        # the record's hub: the personnel file (ID number and salary, masked) and the first row of the position history
        await create_file(emp.id, id_no=c["id_number"], base_salary=offer["salary"], actor=user)
        await record_hire(emp.id, st["company"], st["department"], offer["position"], start)
        status = ON_PROBATION if offer["probation_months"] else REGULAR
        await EmployeeStatus.insert(EmployeeStatus(employee=emp.id, status=status, since=start, request=None, updated_at=now()))
        await audit.record(actor=user, action="hr_recruit.status", entity="hr_employee_status", entity_id=emp.id,
                           summary=f"{c['name']}：{status}（自 {start:%Y-%m-%d}）", ip=_ip(user))
        row = Onboarding(candidate=candidate_id, offer=offer["id"], employee=emp.id, user=account.id, gated=True,
                         done_by=getattr(user, "employee_id", None), done_at=now())
        await row.save()
        await K.update({K.status: ONBOARDED}).where(K.id == candidate_id)
        filled = await Onboarding.count().where(Onboarding.candidate.staffing == staffing_id)
        if filled >= st["headcount"]:
            await S.update({S.status: CLOSED}).where(S.id == staffing_id)
            await K.update({K.status: DROPPED}).where((K.staffing == staffing_id) & K.status.is_in([SCREENING, PASSED]))
        await audit.record(actor=user, action="hr_recruit.onboard", entity="hr_onboarding", entity_id=row.id,
                           summary=f"{c['name']} 办理入职（{employee_no}），首次登录须确认保密承诺书与新员工入职培训", ip=_ip(user))
    return Onboarded(employee_id=emp.id, employee_no=employee_no, username=employee_no, onboarding_id=row.id, contract_id=contract_id)


async def onboardings_of(candidate_ids: list[int]) -> dict[int, dict]:
    """The onboarding rows of several candidates in one statement (the candidates page)."""
    if not candidate_ids:
        return {}
    rows = await Onboarding.select(Onboarding.candidate, Onboarding.id, Onboarding.employee, Onboarding.done_at,
                                   Onboarding.employee.employee_no.as_alias("employee_no"),
                                   Onboarding.employee.name.as_alias("employee_name")).where(Onboarding.candidate.is_in(candidate_ids))
    return {r["candidate"]: r for r in rows}


async def onboarding_of(candidate_id: int) -> dict | None:
    return await Onboarding.select(Onboarding.id, Onboarding.employee, Onboarding.done_at, Onboarding.employee.employee_no.as_alias("employee_no"),
                                   Onboarding.employee.name.as_alias("employee_name")).where(Onboarding.candidate == candidate_id).first()


async def onboarding(onboarding_id: int) -> dict | None:
    return await Onboarding.select(*Onboarding.all_columns(), Onboarding.employee.employee_no.as_alias("employee_no"),
                                   Onboarding.employee.name.as_alias("employee_name"),
                                   Onboarding.employee.position.name.as_alias("position_name"),
                                   Onboarding.employee.department.name.as_alias("department_name"),
                                   Onboarding.employee.hired_on.as_alias("hired_on"),
                                   Onboarding.candidate.staffing.as_alias("staffing"),
                                   Onboarding.user.username.as_alias("username"),
                                   Onboarding.user.last_login.as_alias("last_login")).where(Onboarding.id == onboarding_id).first()


async def issue_password(user: Any, onboarding_id: int) -> str:
    """A new one-time initial password for a new employee who has not signed in yet, shown once to HR (only its hash is
    kept; the route's response is not kept by the duplicate-submission guard). Each issue replaces the previous one."""
    cfg = await recruit_settings.read()
    async with write_transaction():
        ob = await onboarding(onboarding_id)
        if ob is None or not ob["user"]:
            raise Refused("没有这条入职记录")
        if ob["last_login"] is not None:
            raise Refused("该员工已登录过系统，初始密码不再显示；如忘记密码请由系统管理员重置")
        password = new_password(cfg["password_length"])
        await BaseUser.update({BaseUser.password: BaseUser.hash_password(password)}).where(BaseUser.id == ob["user"])
        await audit.record(actor=user, action="hr_recruit.password", entity="user", entity_id=ob["user"],
                           summary=f"为新员工 {ob['employee_name']}（{ob['employee_no']}）生成初始密码", ip=_ip(user))
    return password


async def reveal_candidate(user: Any, staffing_id: int, candidate_id: int) -> dict:
    """The candidate's full mobile and ID number, audited (the values themselves are not logged)."""
    async with write_transaction():
        c = await candidate(candidate_id)
        if c is None or c["staffing"] != staffing_id:
            raise Refused("没有这位候选人")
        await audit.record(actor=user, action="hr_recruit.reveal", entity="hr_candidate", entity_id=candidate_id,
                           summary=f"查看候选人 {c['name']} 的完整手机号和身份证号", ip=_ip(user))
    return c
