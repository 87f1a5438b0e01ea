"""离职交接 provider (app/hr_exit/holdings.py): the documents the leaver borrowed and has not returned; cleared by
recording the return through the archive's own service (the 资料保管专员 records it)."""
from __future__ import annotations

from typing import Any

from app.archive.tables import DocumentLoan
from app.hr_exit.holdings import CLEAR, Holding, HoldingError


async def held_by(employee_id: int) -> list[Holding]:
    rows = await DocumentLoan.select(DocumentLoan.id, DocumentLoan.number, DocumentLoan.item, DocumentLoan.due_on).where(
        (DocumentLoan.borrower == employee_id) & (DocumentLoan.status == "借出")).order_by(DocumentLoan.id).limit(500)
    return [Holding("资料借阅", f"{r['number']}「{r['item']}」应还 {r['due_on']:%Y-%m-%d}", r["id"], "/archive/loans", CLEAR,
                    hint="资料保管专员登记归还") for r in rows]


async def clear(record_id: int, actor: Any) -> None:
    from app.archive import services

    try:
        await services.give_back(actor, record_id)
    except Exception as e:  # the archive's own refusals (not the keeper, out of scope, already returned)
        raise HoldingError(getattr(e, "message", None) or str(e) or "不能登记归还") from e
