"""离职交接 provider (app/hr_exit/holdings.py): the seals in the leaver's keeping, handed to a new keeper (audited)."""
from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError
from app.org.tables import Employee
from app.seals.tables import Seal


async def held_by(employee_id: int) -> list[Holding]:
    rows = await Seal.select(Seal.id, Seal.name).where((Seal.keeper == employee_id) & (Seal.active == True)).order_by(Seal.id).limit(100)  # noqa: E712
    return [Holding("印章保管", r["name"], r["id"], "/seals", REASSIGN) for r in rows]


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        seal = await Seal.select(Seal.id, Seal.name, Seal.keeper, Seal.keeper.name).where(Seal.id == record_id).first()
        if seal is None:
            raise HoldingError("没有这枚印章")
        to = await Employee.select(Employee.name).where((Employee.id == to_employee_id) & (Employee.active == True)).first()  # noqa: E712
        if to is None:
            raise HoldingError("新保管人须为在职员工")
        await Seal.update({Seal.keeper: to_employee_id}).where(Seal.id == record_id)
        await audit.record(actor=actor, action="hr_exit.seal_reassign", entity="seal", entity_id=record_id,
                           summary=f"{seal['name']} 保管人由 {seal['keeper.name']} 改为 {to['name']}（离职交接）",
                           before={"keeper": seal["keeper"]}, after={"keeper": to_employee_id}, ip=getattr(actor, "ip", ""))
