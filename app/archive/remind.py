"""Overdue document loans: the borrower gets an in-portal notification, once a day per loan. The day of the last
notice is stored on the loan and set by a conditional update, so any number of runs (or workers) send it once.
Each notice names its loan (`ref` "arc-loan:<id>"); returning the loan closes them (services.give_back, `loan_returned`).

    python -m app.archive.remind              # one pass (cron, daily)
    python -m app.archive.remind --every 3600 # a pass every hour
"""
from __future__ import annotations

import argparse
import asyncio
from datetime import date

from app.archive.services import OUT
from app.archive.tables import DocumentLoan
from app.core.notify import close, notify
from app.core.timeutil import today_local


def loan_ref(loan_id: int) -> str:
    return f"arc-loan:{loan_id}"


async def loan_returned(loan_id: int) -> int:
    """Close the overdue notices of a returned loan. Call inside the return's transaction."""
    return await close([loan_ref(loan_id)])


async def remind_once(today: date | None = None) -> int:
    today = today or today_local()
    rows = await DocumentLoan.update({DocumentLoan.reminded_on: today}).where(
        (DocumentLoan.status == OUT) & (DocumentLoan.due_on < today)
        & (DocumentLoan.reminded_on.is_null() | (DocumentLoan.reminded_on < today))
    ).returning(DocumentLoan.id)
    sent = 0
    for r in rows:
        loan = await DocumentLoan.select(DocumentLoan.number, DocumentLoan.deal, DocumentLoan.item, DocumentLoan.original, DocumentLoan.due_on,
                                         DocumentLoan.borrower.user, DocumentLoan.deal.unit.building.name, DocumentLoan.deal.unit.room_no).where(
            DocumentLoan.id == r["id"]).first()
        if not loan or not loan["borrower.user"]:
            continue
        late = (today - loan["due_on"]).days
        kind = "原件" if loan["original"] else "复印件"
        await notify(loan["borrower.user"],
                     f"借阅逾期提醒：您借阅的 {loan['deal.unit.building.name']}{loan['deal.unit.room_no']}「{loan['item']}」{kind}"
                     f"（{loan['number']}）应于 {loan['due_on']} 归还，已逾期 {late} 天，请尽快归还资料保管专员。",
                     f"/archive/deals/{loan['deal']}", "overdue", ref=loan_ref(r["id"]))
        sent += 1
    return sent


async def main(every: int | None) -> None:
    while True:
        n = await remind_once()
        print(f"archive loan reminders sent: {n}", flush=True)
        if not every:
            return
        await asyncio.sleep(every)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=None, help="seconds between passes; omit for a single pass")
    asyncio.run(main(ap.parse_args().every))
