"""离职交接 provider (app/hr_exit/holdings.py): the leaver's duty-roster days from today on, handed to a colleague (one
person once per day and shift: a colleague already on that shift is refused), and the swap requests still 待批准 where
the leaver is the requester or the substitute — cleared only when the duty manager decides or the requester withdraws
them on the duty page (a shift with a pending swap is not handed on until then). A past day is not a holding."""
from __future__ import annotations

from typing import Any

from app.core.db import write_transaction
from app.core.timeutil import today_local
from app.duty.tables import DutyShift, DutySwap
from app.hr_exit.holdings import CLEAR, REASSIGN, Holding, HoldingError, log_handover, receiver

PENDING = "待批准"


async def held_by(employee_id: int) -> list[Holding]:
    today = today_local()
    shifts = await DutyShift.select(DutyShift.id, DutyShift.day, DutyShift.shift).where(
        (DutyShift.employee == employee_id) & (DutyShift.day >= today)).order_by(DutyShift.day).order_by(DutyShift.id).limit(500)
    swaps = await DutySwap.select(DutySwap.id, DutySwap.shift.day, DutySwap.shift.shift, DutySwap.requester, DutySwap.requester.name,
                                  DutySwap.substitute.name).where(
        ((DutySwap.requester == employee_id) | (DutySwap.substitute == employee_id)) & (DutySwap.status == PENDING)
    ).order_by(DutySwap.id).limit(200)
    out = [Holding("值班排班", f"{r['day']:%Y-%m-%d} {r['shift']}", r["id"], "/duty", REASSIGN) for r in shifts]
    out += [Holding("换班申请", f"{r['shift.day']:%Y-%m-%d} {r['shift.shift']} {r['requester.name']} → {r['substitute.name']}（待批准）",
                    r["id"], "/duty", CLEAR,
                    hint="待值班负责人批准或驳回（或申请人撤回）后清除" if r["requester"] == employee_id else "待值班负责人批准或驳回后清除")
            for r in swaps]
    return out


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        row = await DutyShift.select(DutyShift.id, DutyShift.day, DutyShift.shift, DutyShift.employee, DutyShift.employee.name).where(
            DutyShift.id == record_id).first()
        if row is None:
            raise HoldingError("没有这个班次")
        if row["day"] < today_local():
            raise HoldingError("已过日期的班次不再交接")
        to = await receiver(to_employee_id, "接班人")
        if await DutySwap.exists().where((DutySwap.shift == record_id) & (DutySwap.status == PENDING)):
            raise HoldingError("这个班次有待批准的换班申请，请先在值班页批准或驳回")
        if await DutyShift.exists().where((DutyShift.day == row["day"]) & (DutyShift.shift == row["shift"])
                                          & (DutyShift.employee == to_employee_id)):
            raise HoldingError(f"{to['name']} 当天已排{row['shift']}，请另选同事")
        try:
            await DutyShift.update({DutyShift.employee: to_employee_id}).where(
                (DutyShift.id == record_id) & (DutyShift.employee == row["employee"]))
        except Exception as e:  # the (day, shift, employee) unique index: put on that shift meanwhile
            if "unique" not in f"{type(e).__name__} {e}".lower():
                raise
            raise HoldingError(f"{to['name']} 当天已排{row['shift']}，请另选同事") from e
        await log_handover(actor, action="hr_exit.duty_reassign", entity="duty_shift", record_id=record_id,
                           what=f"{row['day']:%Y-%m-%d} {row['shift']} ", field="employee", old_id=row["employee"],
                           old_name=row["employee.name"], to=to)


async def clear(record_id: int, actor: Any) -> None:
    raise HoldingError("换班申请须由值班负责人批准或驳回（或申请人撤回）后才算清除")
