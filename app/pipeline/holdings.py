"""离职交接 provider (app/hr_exit/holdings.py): the open deals (not 已作废, 已退订, 已办证, nor archived) whose 置业顾问
(salesperson) is the leaver, handed to a colleague. The change is written as an audit row on the deal (entity pl_deal),
which is what the unit timeline shows — the pipeline's own way of recording a change."""
from __future__ import annotations

from typing import Any

from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError, log_handover, receiver
from app.pipeline.tables import Deal

CLOSED_STAGES = ("已作废", "已退订", "已办证")


def _open():
    return Deal.stage.not_in(list(CLOSED_STAGES)) & Deal.archived_on.is_null()


async def held_by(employee_id: int) -> list[Holding]:
    rows = await Deal.select(Deal.id, Deal.number, Deal.stage, Deal.unit, Deal.unit.room_no, Deal.project.name, Deal.buyer.name).where(
        (Deal.salesperson == employee_id) & _open()).order_by(Deal.id).limit(500)
    return [Holding("交易跟进", f"{r['number']} {r['project.name']} {r['unit.room_no']} {r['buyer.name']}（{r['stage']}）", r["id"],
                    f"/pipeline/units/{r['unit']}", REASSIGN) for r in rows]


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        deal = await Deal.select(Deal.id, Deal.number, Deal.stage, Deal.archived_on, Deal.salesperson, Deal.salesperson.name).where(
            Deal.id == record_id).first()
        if deal is None:
            raise HoldingError("没有这笔交易")
        if deal["stage"] in CLOSED_STAGES or deal["archived_on"] is not None:
            raise HoldingError(f"这笔交易已是「{deal['stage']}」，无需交接")
        to = await receiver(to_employee_id, "接手的置业顾问")
        await Deal.update({Deal.salesperson: to_employee_id}).where((Deal.id == record_id) & _open())
        await log_handover(actor, action="hr_exit.deal_reassign", entity="pl_deal", record_id=record_id, what=f"{deal['number']} 置业顾问",
                           field="salesperson", old_id=deal["salesperson"], old_name=deal["salesperson.name"], to=to)
