"""离职交接 provider (app/hr_exit/holdings.py): the customer-care callbacks still to be made (回访, D4: called_at empty,
the case 待回访) whose caller is the leaver, handed to a colleague who did not handle the case (the callback is made by
someone other than its handlers: app.care.rules.callback_caller_error). A callback done is not a holding. Kept here and
not in app/care/holdings.py (the cases' provider) so that a callback's id and a case's id never share one key."""
from __future__ import annotations

from typing import Any

from app.care import rules, states
from app.care.tables import Callback
from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError, log_handover, receiver


async def held_by(employee_id: int) -> list[Holding]:
    rows = await Callback.select(Callback.id, Callback.case, Callback.case.number, Callback.case.title, Callback.due_at,
                                 Callback.attempts).where(
        (Callback.caller == employee_id) & Callback.called_at.is_null() & (Callback.case.status == states.CALLBACK)
    ).order_by(Callback.id).limit(500)
    return [Holding("客户回访", f"{r['case.number']} {r['case.title']}（已拨打 {r['attempts']} 次，未完成）", r["id"],
                    f"/care/callbacks/{r['case']}", REASSIGN) for r in rows]


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    from app.callbacks.services import handler_ids
    from app.care.tables import CareCase

    async with write_transaction():
        cb = await Callback.select(Callback.id, Callback.case, Callback.caller, Callback.caller.name, Callback.called_at).where(
            Callback.id == record_id).first()
        if cb is None or cb["called_at"] is not None:
            raise HoldingError("这条回访已经完成或不存在，请刷新页面")
        to = await receiver(to_employee_id, "接手的回访人")
        case = await CareCase.select(CareCase.id, CareCase.number, CareCase.handler, CareCase.received_by).where(
            CareCase.id == cb["case"]).first()
        err = rules.callback_caller_error(to_employee_id, await handler_ids(case))
        if err:
            raise HoldingError(err)
        await Callback.update({Callback.caller: to_employee_id}).where((Callback.id == record_id) & Callback.called_at.is_null())
        await log_handover(actor, action="hr_exit.callback_reassign", entity="care_callback", record_id=record_id,
                           what=f"{case['number']} 回访人", field="caller", old_id=cb["caller"], old_name=cb["caller.name"], to=to)
