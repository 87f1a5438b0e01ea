"""The employee record: who may read whose record, the header, the list of employees, the personnel file (its ID number
and salary masked unless HR reveals one record's values, each reveal an audit row), and the rewards and penalties
(§G 奖惩). The only module of the package that writes; one transaction with an audit row per action. Neither the ID
number nor the salary ever goes into the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.listing import like_text
from app.core.months import month_last, parse_month
from app.core.permissions import Perm
from app.core.timeutil import now
from app.core.validators import mask_id_number, normalize_id_number
from app.hr_people.tables import EmployeeFile, Reward
from app.hr_probation.tables import EmployeeStatus
from app.org.tables import Company, Department, Employee
from app.rules.tables import RuleClause

E = Employee
KINDS = ("奖励", "处罚")
SALARY_MASK = "****"
LEGAL_PRIVACY = "[L] 个人信息保护法 第二十八条：身份证号、收入等属敏感个人信息，默认隐藏，逐条查看并记录"


class PeopleError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


# ---------------------------------------------------------------- who sees whose record

HEADER = (E.id, E.name, E.employee_no, E.company, E.company.name.as_alias("company_name"), E.department,
          E.department.name.as_alias("department_name"), E.position, E.position.name.as_alias("position_name"),
          E.manager, E.manager.name.as_alias("manager_name"), E.is_group_lead, E.hired_on, E.active, E.user)


async def employee(employee_id: int) -> dict | None:
    emp = await E.select(*HEADER).where(E.id == employee_id).first()
    if emp is None:
        return None
    st = await EmployeeStatus.select(EmployeeStatus.status, EmployeeStatus.since).where(
        EmployeeStatus.employee == employee_id).first()
    emp["status"] = shown_status(emp["active"], st["status"] if st else None)
    emp["status_since"] = st["since"] if st else None
    return emp


def shown_status(active: bool, status: str | None) -> str:
    """在职 employees show their 转正 status (试用期 / 正式) once it is recorded; those who left show 已离职."""
    if not active:
        return "已离职"
    return status or "在职"


def may_view(viewer: Any, emp: dict) -> bool:
    """HR every record; the person their own; their direct manager (Employee.manager) their reports'."""
    if viewer.can(Perm.HR_MANAGE):
        return True
    me = getattr(viewer, "employee_id", None)
    return bool(me) and (emp["id"] == me or emp["manager"] == me)


def years_of_service(hired_on: date | None, on: date) -> int | None:
    if hired_on is None or hired_on > on:
        return None
    years = on.year - hired_on.year
    if (on.month, on.day) < (hired_on.month, hired_on.day):
        years -= 1
    return years


# ---------------------------------------------------------------- the list

def list_queries(q: str, company: int | None, department: int | None, active: str):
    where = None

    def add(cond):
        nonlocal where
        where = cond if where is None else where & cond

    if q:
        pat = like_text(q)
        add(E.name.ilike(pat) | E.employee_no.ilike(pat))
    if company:
        add(E.company == company)
    if department:
        add(E.department == department)
    if active == "1":
        add(E.active == True)  # noqa: E712
    elif active == "0":
        add(E.active == False)  # noqa: E712
    sel = E.select(*HEADER).order_by(E.employee_no).order_by(E.id)
    cnt = E.count()
    if where is not None:
        sel, cnt = sel.where(where), cnt.where(where)
    return sel, cnt


async def decorate(rows: list[dict]) -> list[dict]:
    """The 转正 status of one page of employees in one statement."""
    ids = [r["id"] for r in rows]
    st = {s["employee"]: s["status"] for s in await EmployeeStatus.select(EmployeeStatus.employee, EmployeeStatus.status).where(
        EmployeeStatus.employee.is_in(ids))} if ids else {}
    for r in rows:
        r["status"] = shown_status(r["active"], st.get(r["id"]))
    return rows


async def company_choices() -> list[tuple[str, str]]:
    return [(str(r["id"]), r["name"]) for r in await Company.select(Company.id, Company.name).order_by(Company.sort).order_by(Company.id)]


async def department_choices() -> list[tuple[str, str]]:
    rows = await Department.select(Department.id, Department.name, Department.company.short_name).order_by(
        Department.company).order_by(Department.sort).order_by(Department.id)
    return [(str(r["id"]), f'{r["company.short_name"]} · {r["name"]}' if r["company.short_name"] else r["name"]) for r in rows]


# ---------------------------------------------------------------- the personnel file

@dataclass(frozen=True)
class FileInput:
    id_no: str
    base_salary: Decimal | None
    education: str
    emergency_name: str
    emergency_phone: str
    note: str


async def file_of(employee_id: int) -> dict | None:
    return await EmployeeFile.select().where(EmployeeFile.employee == employee_id).first()


def masked(f: dict | None) -> dict:
    """The file as every page shows it: the ID number 110101********1234, the salary ****."""
    if not f:
        return {"exists": False, "id_no": "", "base_salary": "", "education": "", "emergency_name": "", "emergency_phone": "", "note": ""}
    return {**f, "exists": True, "id_no": mask_id_number(f["id_no"]) if f["id_no"] else "",
            "base_salary": SALARY_MASK if f["base_salary"] is not None else ""}


async def _write_file(actor: Any, employee_id: int, data: FileInput, summary: str) -> None:
    emp = await E.select(E.id, E.name).where(E.id == employee_id).first()
    if emp is None:
        raise PeopleError("没有这名员工")
    values = {EmployeeFile.id_no: data.id_no, EmployeeFile.base_salary: data.base_salary, EmployeeFile.education: data.education,
              EmployeeFile.emergency_name: data.emergency_name, EmployeeFile.emergency_phone: data.emergency_phone,
              EmployeeFile.note: data.note, EmployeeFile.updated_at: now()}
    existing = await EmployeeFile.select(EmployeeFile.id).where(EmployeeFile.employee == employee_id).first()
    if existing:
        await EmployeeFile.update(values).where(EmployeeFile.id == existing["id"])
    else:
        await EmployeeFile.insert(EmployeeFile(employee=employee_id, **{c._meta.name: v for c, v in values.items()}))
    await audit.record(actor=actor, action="hr_people.file_save", entity="hr_employee_file", entity_id=employee_id,
                       summary=summary.format(name=emp["name"]), ip=getattr(actor, "ip", ""))


async def save_file(actor: Any, employee_id: int, data: FileInput) -> None:
    """HR's edit of the file: one transaction with its audit row (the ID number and salary are not logged)."""
    async with write_transaction():
        await _write_file(actor, employee_id, data, "修改 {name} 的员工档案（身份证号与工资不记入日志）")


async def create_file(employee_id: int, *, id_no: str = "", base_salary: Decimal | None = None, actor: Any) -> None:
    """For onboarding: the new employee's file with the ID number and salary agreed (validated by the caller's form:
    app/core/validators.validate_resident_id). Writes inside the caller's transaction (the one that creates the
    employee) with its own audit row; it opens none of its own."""
    await _write_file(actor, employee_id, FileInput(normalize_id_number(id_no), base_salary, "", "", "", ""),
                      "入职建立 {name} 的员工档案（身份证号与工资不记入日志）")


async def reveal(actor: Any, emp: dict) -> dict:
    """One record's full ID number and salary for HR, and an audit row every time (the values are not logged)."""
    f = await file_of(emp["id"])
    await audit.record(actor=actor, action="hr_people.reveal", entity="hr_employee_file", entity_id=emp["id"],
                       summary=f"查看 {emp['name']} 的完整身份证号和基本工资（员工档案）", ip=getattr(actor, "ip", ""))
    return f or {}


async def reveal_log(employee_id: int, limit: int = 10) -> list[dict]:
    from app.core.tables import AuditLog

    return await AuditLog.select(AuditLog.at, AuditLog.actor_name, AuditLog.action).where(
        (AuditLog.entity == "hr_employee_file") & (AuditLog.entity_id == str(employee_id))
        & (AuditLog.action == "hr_people.reveal")).order_by(AuditLog.id, ascending=False).limit(limit)


# ---------------------------------------------------------------- 奖惩 (§G)

@dataclass(frozen=True)
class RewardInput:
    kind: str
    on: date
    title: str
    detail: str
    amount: Decimal | None
    clause: int | None
    basis: str


R = Reward
REWARD_COLUMNS = (R.id, R.employee, R.employee.name.as_alias("employee_name"), R.employee.employee_no.as_alias("employee_no"),
                  R.kind, R.happened_on.as_alias("on"), R.title, R.detail, R.amount, R.clause, R.clause.number.as_alias("clause_number"),
                  R.clause.anchor.as_alias("clause_anchor"), R.clause.version.document.code.as_alias("clause_doc"),
                  R.clause.version.document.title.as_alias("clause_title"), R.basis, R.recorded_by.name.as_alias("recorded_by_name"),
                  R.request, R.created_at)


async def clause_choices() -> list[tuple[str, str]]:
    """The clauses of the rules' current versions a reward may cite (headings excluded)."""
    rows = await RuleClause.select(RuleClause.id, RuleClause.number, RuleClause.text, RuleClause.version.document.title).where(
        (RuleClause.version.is_current == True) & (RuleClause.is_heading == False)).order_by(  # noqa: E712
        RuleClause.version).order_by(RuleClause.seq).limit(1500)
    return [(str(r["id"]), f'{r["version.document.title"]} {r["number"]} {r["text"][:30]}') for r in rows]


async def clause_exists(clause_id: int) -> bool:
    return await RuleClause.exists().where((RuleClause.id == clause_id) & (RuleClause.version.is_current == True))  # noqa: E712


async def create_reward(actor: Any, employee_id: int, data: RewardInput) -> int:
    async with write_transaction():
        emp = await E.select(E.id, E.name).where(E.id == employee_id).first()
        if emp is None:
            raise PeopleError("没有这名员工")
        if data.clause is not None and not await clause_exists(data.clause):
            raise PeopleError("请选择现行规章中的条款", "clause")
        row = R(employee=employee_id, kind=data.kind, happened_on=data.on, title=data.title, detail=data.detail, amount=data.amount,
                clause=data.clause, basis=data.basis, recorded_by=getattr(actor, "employee_id", None), created_at=now())
        await row.save()
        money = f"，金额 {data.amount:,.2f} 元" if data.amount is not None else ""
        await audit.record(actor=actor, action="hr_people.reward_create", entity="hr_reward", entity_id=row.id,
                           summary=f"{emp['name']} {data.kind}：{data.title}（{data.on:%Y-%m-%d}{money}）", ip=getattr(actor, "ip", ""))
    return row.id


async def rewards_of(employee_id: int, since: date | None = None) -> list[dict]:
    """The person's rewards and penalties, newest first (for the record and the appraisals: 转正, 晋升)."""
    q = R.select(*REWARD_COLUMNS).where(R.employee == employee_id)
    if since is not None:
        q = q.where(R.happened_on >= since)
    return await q.order_by(R.happened_on, ascending=False).order_by(R.id, ascending=False).limit(200)


def month_range(raw: str | None) -> tuple[date, date] | None:
    first = parse_month(raw)
    return (first, month_last(first)) if first else None


def reward_list_queries(kind: str, month: tuple[date, date] | None):
    sel = R.select(*REWARD_COLUMNS).order_by(R.happened_on, ascending=False).order_by(R.id, ascending=False)
    cnt = R.count()
    where = None
    if kind in KINDS:
        where = R.kind == kind
    if month:
        cond = (R.happened_on >= month[0]) & (R.happened_on <= month[1])
        where = cond if where is None else where & cond
    if where is not None:
        sel, cnt = sel.where(where), cnt.where(where)
    return sel, cnt
