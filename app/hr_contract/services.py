"""Labour contracts (SPEC §E4): the queries of the pages, creating a contract (its number per employee), marking it
signed, and the flags a contract's page shows with their legal basis. The only module that writes; one transaction
with an audit row per action. The pay never goes into the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.timeutil import now
from app.core.workdays import calendar_for
from app.hr_contract import rules
from app.hr_contract import settings as contract_settings
from app.hr_contract.forms import ContractInput
from app.hr_contract.rules import ENDED, EXPIRED, FIXED, OPEN, PENDING, SIGNED
from app.hr_contract.tables import LabourContract
from app.org.tables import Employee

C = LabourContract
COLUMNS = (C.id, C.employee, C.seq, C.kind, C.start, C.end, C.probation_end, C.probation_pay, C.pay, C.post, C.nda, C.non_compete,
           C.signed_on, C.status, C.ended_on, C.end_reason, C.note, C.created_at, C.employee.name.as_alias("employee_name"),
           C.employee.employee_no.as_alias("employee_no"), C.employee.hired_on.as_alias("hired_on"),
           C.employee.department.name.as_alias("department"))
FILTERS = {"": "全部", "expiring": "即将到期", "unsigned": "未签订", "entitled": "可订立无固定期限"}


class ContractError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def shown_status(row: dict, today: date) -> str:
    """A signed fixed-term contract past its end shows as 已到期 even before anyone records it."""
    if row["status"] == SIGNED and row["end"] is not None and row["end"] < today:
        return EXPIRED
    return row["status"]


async def employee_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.employee_no, Employee.department.name).where(
        Employee.active == True).order_by(Employee.employee_no).limit(2000)  # noqa: E712
    return [(str(r["id"]), f'{r["name"]}（{r["employee_no"]} · {r["department.name"]}）') for r in rows]


async def entitled_contract_ids(today: date, years_needed: int) -> list[int]:
    """Each employee's latest contract where the employee may ask for an open-ended one at its renewal [L art. 14]."""
    rows = await C.select(C.id, C.employee, C.kind, C.start, C.end, C.status, C.employee.hired_on).order_by(C.employee).order_by(
        C.seq).limit(20000)
    by_emp: dict[int, list[dict]] = {}
    for r in rows:
        by_emp.setdefault(r["employee"], []).append(r)
    ids = []
    for items in by_emp.values():
        last = items[-1]
        if last["kind"] == OPEN or last["status"] == ENDED:
            continue
        as_of = max(today, last["end"] or today)
        past = [rules.PastContract(r["kind"], r["start"], r["end"], r["status"]) for r in items]
        if rules.open_ended_entitlement(last["employee.hired_on"], past, as_of, years_needed):
            ids.append(last["id"])
    return ids


async def list_where(flt: str, today: date, cfg: dict[str, int]):
    if flt == "expiring":
        return (C.end.is_not_null() & (C.end >= today) & (C.end <= today + timedelta(days=cfg["remind_first_days"]))
                & C.status.is_in([PENDING, SIGNED]))
    if flt == "unsigned":
        return C.status == PENDING
    if flt == "entitled":
        ids = await entitled_contract_ids(today, cfg["open_ended_years"])
        return C.id.is_in(ids) if ids else C.id < 0
    return None


def list_queries(where, flt: str = ""):
    """The expiring by their end, the unsigned by their start (the longest waiting first), the rest newest first."""
    q = C.select(*COLUMNS)
    if flt == "expiring":
        q = q.order_by(C.end).order_by(C.id)
    elif flt == "unsigned":
        q = q.order_by(C.start).order_by(C.id)
    else:
        q = q.order_by(C.id, ascending=False)
    count = C.count()
    if where is not None:
        q, count = q.where(where), count.where(where)
    return q, count


async def get(contract_id: int) -> dict | None:
    return await C.select(*COLUMNS).where(C.id == contract_id).first()


async def history(employee_id: int) -> list[dict]:
    return await C.select(*COLUMNS).where(C.employee == employee_id).order_by(C.seq).limit(200)


async def _refuse_overlap(data: ContractInput) -> None:
    """An employee has one running contract at a time: a renewal starts after the running one ends (one that was
    ended early is 已终止 first)."""
    running = await C.select(C.seq, C.start, C.end).where(
        (C.employee == data.employee) & C.status.is_in([PENDING, SIGNED])).order_by(C.seq)
    for r in running:
        if r["start"] <= (data.end or date.max) and (r["end"] or date.max) >= data.start:
            period = f"{r['start']:%Y-%m-%d} 至 {r['end']:%Y-%m-%d}" if r["end"] else f"{r['start']:%Y-%m-%d} 起，无固定期限"
            raise ContractError(f"与该员工第 {r['seq']} 份合同（{period}）的期限重叠，续签合同应从原合同结束的次日开始", "start")


async def create(user: Any, data: ContractInput, today: date) -> int:
    async with write_transaction():
        emp = await Employee.select(Employee.id, Employee.name, Employee.active).where(Employee.id == data.employee).first()
        if emp is None or not emp["active"]:
            raise ContractError("请选择在职员工", "employee")
        await _refuse_overlap(data)
        last = await C.select(C.seq).where(C.employee == data.employee).order_by(C.seq, ascending=False).first()
        seq = (last["seq"] + 1) if last else 1
        row = C(employee=data.employee, seq=seq, kind=data.kind, start=data.start, end=data.end, probation_end=data.probation_end,
                probation_pay=data.probation_pay, pay=data.pay, post=data.post, nda=data.nda, non_compete=data.non_compete,
                signed_on=data.signed_on, status=SIGNED if data.signed_on else PENDING, note=data.note,
                created_by=getattr(user, "employee_id", None), created_at=now())
        await row.save()
        end = f"至 {data.end:%Y-%m-%d}" if data.end else "（无结束日期）"
        await audit.record(actor=user, action="hr_contract.create", entity="hr_contract", entity_id=row.id,
                           summary=f"{emp['name']} 第 {seq} 份劳动合同：{data.kind}，{data.start:%Y-%m-%d} {end}，岗位 {data.post}",
                           ip=getattr(user, "ip", ""))
    return row.id


async def sign(user: Any, contract_id: int, signed_on: date) -> None:
    async with write_transaction():
        row = await C.select(C.id, C.status, C.start, C.employee.name).where(C.id == contract_id).first()
        if row is None:
            raise ContractError("没有这份劳动合同")
        if row["status"] != PENDING:
            raise ContractError(f"这份合同的状态是「{row['status']}」，只有待签的合同可以登记签订")
        await C.update({C.status: SIGNED, C.signed_on: signed_on}).where((C.id == contract_id) & (C.status == PENDING))
        await audit.record(actor=user, action="hr_contract.sign", entity="hr_contract", entity_id=contract_id,
                           summary=f"{row['employee.name']} 的劳动合同于 {signed_on:%Y-%m-%d} 签订", ip=getattr(user, "ip", ""))


async def end(user: Any, contract_id: int, ended_on: date, reason: str) -> None:
    """A contract ends: 期满终止 → 已到期, a rescission (解除) → 已终止."""
    async with write_transaction():
        row = await C.select(C.id, C.status, C.employee.name).where(C.id == contract_id).first()
        if row is None:
            raise ContractError("没有这份劳动合同")
        if row["status"] not in (PENDING, SIGNED):
            raise ContractError(f"这份合同已经是「{row['status']}」")
        status = rules.END_REASONS[reason]
        await C.update({C.status: status, C.ended_on: ended_on, C.end_reason: reason}).where(
            (C.id == contract_id) & C.status.is_in([PENDING, SIGNED]))
        await audit.record(actor=user, action="hr_contract.end", entity="hr_contract", entity_id=contract_id,
                           summary=f"{row['employee.name']} 的劳动合同{reason}（{ended_on:%Y-%m-%d}）", ip=getattr(user, "ip", ""))


@dataclass(frozen=True)
class Flag:
    title: str
    text: str
    level: str  # ok | warning | danger | info


async def flags(contract: dict, today: date, cfg: dict[str, int] | None = None) -> list[Flag]:
    """What the contract's page shows, each with its legal basis in the text."""
    cfg = cfg or await contract_settings.read()
    out: list[Flag] = []
    kind, start, end = contract["kind"], contract["start"], contract["end"]
    months = rules.probation_max_months(kind, start, end)
    band = rules.probation_term_text(kind, start, end)
    legal = f"{band}，试用期最长 {months} 个月" if months else f"{band}，不得约定试用期"
    problem = rules.check_probation(kind, start, end, contract["probation_end"])
    if problem:
        out.append(Flag("试用期", problem, "danger"))
    else:
        agreed = f"试用期至 {contract['probation_end']:%Y-%m-%d}" if contract["probation_end"] else "未约定试用期"
        out.append(Flag("试用期", f"{agreed}；{legal}（{rules.ART_19}）", "ok"))
    if contract["probation_pay"] is not None:
        msg = rules.check_probation_pay(contract["pay"], contract["probation_pay"], cfg["probation_pay_pct"])
        out.append(Flag("试用期工资", msg or f"不低于合同工资的 {cfg['probation_pay_pct']}%（{rules.ART_20}）", "danger" if msg else "ok"))
    risk = rules.signing_risk(start, contract["signed_on"], today, cfg["sign_within_days"])
    if risk:
        out.append(Flag("书面合同", risk.text, "danger" if contract["signed_on"] is None else "warning"))
    elif contract["signed_on"] is None:
        due = start + timedelta(days=cfg["sign_within_days"] - 1)
        out.append(Flag("书面合同", f"尚未签订，请在 {due:%Y-%m-%d} 前签订（自用工之日起一个月内，{rules.ART_10}、{rules.ART_82}）", "warning"))
    if end is not None and contract["status"] in (PENDING, SIGNED):
        offsets = (cfg["remind_first_days"], cfg["remind_second_days"])
        cal = await calendar_for(end - timedelta(days=max(offsets) + 30), end)
        days = rules.reminder_days(end, offsets, cal.is_workday)
        text = "；".join(f"到期前 {n} 天：{d:%Y-%m-%d}" for n, d in days)
        out.append(Flag("续签提醒", f"{text}（遇休息日提前至前一个工作日）[C 惯例，可在管理后台「劳动合同设置」修改]", "info"))
        hist = await history(contract["employee"])
        past = [rules.PastContract(r["kind"], r["start"], r["end"], r["status"]) for r in hist if r["seq"] <= contract["seq"]]
        entitled = rules.open_ended_entitlement(contract["hired_on"], past, max(today, end), cfg["open_ended_years"])
        if entitled:
            out.append(Flag("无固定期限", entitled, "warning"))
        if kind == FIXED:
            since = contract["hired_on"] or min(r["start"] for r in hist)
            sev = rules.severance(since, end, contract["pay"], cfg["local_average_wage"], cfg["severance_cap_times"],
                                  cfg["severance_cap_years"])
            _due, why = rules.expiry_compensation_due(False, False)
            _no, why_not = rules.expiry_compensation_due(True, True)
            out.append(Flag("期满不续签", f"{why}：预计 {sev.text}。{why_not}。", "info"))
    return out
