"""离职交接 provider (app/hr_exit/holdings.py): the seals in the leaver's keeping, handed to a new keeper (audited)."""
from __future__ import annotations

from typing import Any

from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError, log_handover, receiver
from app.seals.tables import Seal


async def held_by(employee_id: int) -> list[Holding]:
    rows = await Seal.select(Seal.id, Seal.name).where((Seal.keeper == employee_id) & (Seal.active == True)).order_by(Seal.id).limit(100)  # noqa: E712
    return [Holding("印章保管", r["name"], r["id"], "/seals", REASSIGN) for r in rows]


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        seal = await Seal.select(Seal.id, Seal.name, Seal.keeper, Seal.keeper.name).where(Seal.id == record_id).first()
        if seal is None:
            raise HoldingError("没有这枚印章")
        to = await receiver(to_employee_id, "新保管人")
        await Seal.update({Seal.keeper: to_employee_id}).where(Seal.id == record_id)
        await log_handover(actor, action="hr_exit.seal_reassign", entity="seal", record_id=record_id, what=f"{seal['name']} 保管人",
                           field="keeper", old_id=seal["keeper"], old_name=seal["keeper.name"], to=to)
