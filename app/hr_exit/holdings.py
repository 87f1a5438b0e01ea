"""What a leaver still holds (SPEC §E5 离职交接): the registry of holdings, collected from each domain's
app/<pkg>/holdings.py (`held_by(employee_id) -> list[Holding]`, and `reassign(record_id, to_employee_id, actor)` for
what passes to a colleague or `clear(record_id, actor)` for what is returned, revoked or settled — each in one write
transaction with an audit row). This module is also the provider of HR's own custody register (hr_custody)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.discovery import domain_modules
from app.core.timeutil import today_local

REASSIGN = "reassign"
CLEAR = "clear"


@dataclass(frozen=True)
class Holding:
    kind: str  # shown: 审批待办, 借款, 固定资产 …
    label: str
    record_id: int
    url: str | None
    how: str  # reassign | clear
    cleared: bool = False
    source: str = ""  # the provider's package (set by holdings_of)
    hint: str = ""  # how it is cleared when the sweep page has no button for it (e.g. 还款结清)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.record_id}:{self.how}"


class HoldingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


async def receiver(to_employee_id: int, role: str = "接手人", *, needs: Any = None) -> dict:
    """The named colleague a holding is handed to: an active employee (id, name, user), else a HoldingError naming the
    role (新保管人, 接手的置业顾问, …); with `needs` (a Perm), one whose post carries that permission (a care case to
    someone who works cases). Every provider's reassign asks this one."""
    from app.core.permissions import permissions_for
    from app.org.tables import Employee

    to = await Employee.select(Employee.id, Employee.name, Employee.user, Employee.position.role.as_alias("role")).where(
        (Employee.id == (to_employee_id or 0)) & (Employee.active == True)).first()  # noqa: E712
    if to is None:
        raise HoldingError(f"{role}须为在职员工")
    if needs is not None and needs not in permissions_for(to["role"]):
        raise HoldingError(f"{to['name']} 的岗位不能办理这类事项，请另选{role}")
    return to


async def log_handover(actor: Any, *, action: str, entity: str, record_id: int, what: str, field: str, old_id: Any,
                       old_name: str | None, to: dict) -> None:
    """The audit row of one holding handed over: "<what>由 <old> 改为 <new>（离职交接）", the column before and after."""
    from app.core import audit

    await audit.record(actor=actor, action=action, entity=entity, entity_id=record_id,
                       summary=f"{what}由 {old_name or '（无）'} 改为 {to['name']}（离职交接）",
                       before={field: old_id}, after={field: to["id"]}, ip=getattr(actor, "ip", ""))


def providers() -> dict[str, Any]:
    """Each domain's app/<pkg>/holdings.py; the approval engine's tasks and requests from app/hr_exit/task_holdings.py
    (the engine's package stays as it is: its own 转交 does the reassigning)."""
    from app.hr_exit import task_holdings

    found = {m.__name__.split(".")[1]: m for m in domain_modules("holdings") if hasattr(m, "held_by")}
    return {"workflow": task_holdings, **found}


async def holdings_of(employee_id: int) -> list[Holding]:
    out: list[Holding] = []
    for source, mod in providers().items():
        for h in await mod.held_by(employee_id):
            out.append(Holding(h.kind, h.label, h.record_id, h.url, h.how, h.cleared, source, h.hint))
    return out


def open_holdings(items: list[Holding]) -> list[Holding]:
    return [h for h in items if not h.cleared]


async def act(source: str, how: str, record_id: int, actor: Any, to_employee_id: int | None = None) -> None:
    mod = providers().get(source)
    if mod is None:
        raise HoldingError("没有这类交接事项")
    if how == REASSIGN and hasattr(mod, "reassign"):
        if not to_employee_id:
            raise HoldingError("请选择接手的在职员工")
        await mod.reassign(record_id, to_employee_id, actor)
    elif how == CLEAR and hasattr(mod, "clear"):
        await mod.clear(record_id, actor)
    else:
        raise HoldingError("这项不能在交接页办理")


# ---- the custody register's provider ---------------------------------------------------------------------------

CUSTODY_KINDS = ("钥匙", "网签账号", "CA证书U盾", "工牌", "工服")


async def held_by(employee_id: int) -> list[Holding]:
    from app.hr_exit.tables import Custody as C

    rows = await C.select(C.id, C.kind, C.label, C.issued_on, C.returned_on).where(C.employee == employee_id).order_by(C.id).limit(500)
    return [Holding(r["kind"], f"{r['label']}（{r['issued_on']:%Y-%m-%d} 发放"
                    + (f"，{r['returned_on']:%Y-%m-%d} 已归还/注销）" if r["returned_on"] else "）"),
                    r["id"], None, CLEAR, r["returned_on"] is not None, hint="登记归还/注销") for r in rows]


async def clear(record_id: int, actor: Any) -> None:
    from app.hr_exit.tables import Custody as C

    async with write_transaction():
        row = await C.select(C.id, C.kind, C.label, C.returned_on, C.employee.name).where(C.id == record_id).first()
        if row is None:
            raise HoldingError("没有这条登记")
        if row["returned_on"] is not None:
            raise HoldingError("这项已经登记归还/注销")
        day = today_local()
        await C.update({C.returned_on: day}).where((C.id == record_id) & C.returned_on.is_null())
        await audit.record(actor=actor, action="hr_exit.custody_return", entity="hr_custody", entity_id=record_id,
                           summary=f"{row['employee.name']} 的{row['kind']}「{row['label']}」于 {day:%Y-%m-%d} 归还/注销",
                           ip=getattr(actor, "ip", ""))
