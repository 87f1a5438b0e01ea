"""离职交接 provider (app/hr_exit/holdings.py): the open customer-care cases the leaver handles, reassigned to a
colleague (the case's handler changes, audited)."""
from __future__ import annotations

from typing import Any

from app.care.states import FINAL
from app.care.tables import CareCase
from app.core.permissions import Perm
from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError, log_handover, receiver


async def held_by(employee_id: int) -> list[Holding]:
    rows = await CareCase.select(CareCase.id, CareCase.number, CareCase.kind, CareCase.title, CareCase.status).where(
        (CareCase.handler == employee_id) & CareCase.status.not_in(list(FINAL))).order_by(CareCase.id).limit(500)
    return [Holding("客服工单", f"{r['number']} {r['kind']} {r['title']}（{r['status']}）", r["id"], f"/care/cases/{r['id']}", REASSIGN)
            for r in rows]


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        case = await CareCase.select(CareCase.id, CareCase.number, CareCase.handler, CareCase.handler.name).where(CareCase.id == record_id).first()
        if case is None:
            raise HoldingError("没有这张工单")
        to = await receiver(to_employee_id, "接手人", needs=Perm.CARE)
        done = await CareCase.update({CareCase.handler: to_employee_id}).where(  # still open and still theirs
            (CareCase.id == record_id) & (CareCase.handler == case["handler"]) & CareCase.status.not_in(list(FINAL))).returning(CareCase.id)
        if not done:
            raise HoldingError("这张工单已办结或已转给他人，请刷新页面")
        await log_handover(actor, action="hr_exit.case_reassign", entity="care_case", record_id=record_id, what=f"{case['number']} 处理人",
                           field="handler", old_id=case["handler"], old_name=case["handler.name"], to=to)
