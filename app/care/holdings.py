"""离职交接 provider (app/hr_exit/holdings.py): the open customer-care cases the leaver handles, reassigned to a
colleague (the case's handler changes, audited)."""
from __future__ import annotations

from typing import Any

from app.care.states import FINAL
from app.care.tables import CareCase
from app.core import audit
from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError
from app.org.tables import Employee


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
        to = await Employee.select(Employee.name).where((Employee.id == to_employee_id) & (Employee.active == True)).first()  # noqa: E712
        if to is None:
            raise HoldingError("接手人须为在职员工")
        await CareCase.update({CareCase.handler: to_employee_id}).where(CareCase.id == record_id)
        await audit.record(actor=actor, action="hr_exit.case_reassign", entity="care_case", entity_id=record_id,
                           summary=f"{case['number']} 处理人由 {case['handler.name']} 改为 {to['name']}（离职交接）",
                           before={"handler": case["handler"]}, after={"handler": to_employee_id}, ip=getattr(actor, "ip", ""))
