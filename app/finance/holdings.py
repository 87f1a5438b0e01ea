"""离职交接 provider (app/hr_exit/holdings.py): the leaver's advances still outstanding (未结清). They are cleared
only when repaid or settled through finance's own repayment (/finance/advances/{id}); the sweep has no button for them."""
from __future__ import annotations

from typing import Any

from app.finance.tables import Advance
from app.hr_exit.holdings import CLEAR, Holding, HoldingError


async def held_by(employee_id: int) -> list[Holding]:
    rows = await Advance.select(Advance.id, Advance.request.number, Advance.balance, Advance.purpose).where(
        (Advance.employee == employee_id) & Advance.status.is_in(["审批中", "未结清"])).order_by(Advance.id).limit(500)
    return [Holding("借款", f"{r['request.number']} {r['purpose'][:30]} · 未还余额 {r['balance']:.2f} 元", r["id"],
                    f"/finance/advances/{r['id']}", CLEAR, hint="还款或报销冲账结清后自动清除") for r in rows]


async def clear(record_id: int, actor: Any) -> None:
    raise HoldingError("借款须还款或冲账结清后才算清除（在借款页办理还款）")
