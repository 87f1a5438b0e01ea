"""Transactions for actions: one transaction per user action, write-locked from the start on SQLite so that
concurrent actions serialise instead of failing half-way (PostgreSQL serialises on the row locks taken)."""
from __future__ import annotations

from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def write_transaction(*, claim: bool = True):
    """The request's idempotency key (app/core/idempotency.py) is inserted inside the transaction it opens.
    `claim=False` for a write that is not the request's action itself — the pending uploads of a form that may still be
    refused (app/core/attachments.py): they must not use up the key, or the refused post would have "changed" a row
    and the action's own transaction would no longer be the one that holds its key."""
    from app.core.idempotency import IdempotentTransaction

    engine = engine_finder()
    if isinstance(engine, SQLiteEngine):
        return IdempotentTransaction(engine.transaction(transaction_type=TransactionType.immediate), claim=claim)
    return IdempotentTransaction(engine.transaction(), claim=claim)


async def count_many(table, wheres: list) -> list[int]:
    """COUNT(*) of `table` under each where clause, in ONE statement: `SELECT (SELECT COUNT(*) … WHERE w0) AS c0, …`.
    Each scalar subquery keeps its own index plan (unlike one pass with a SUM(CASE …) per clause, which evaluates every
    clause on every row), and the page pays one round trip instead of one per count. A clause may be None (no
    condition)."""
    from piccolo.querystring import QueryString

    if not wheres:
        return []
    subs = []
    for w in wheres:
        q = table.count()
        subs.append((q.where(w) if w is not None else q).querystrings[0])
    sql = "SELECT " + ", ".join(f"({{}}) AS c{i}" for i in range(len(subs)))
    rows = await table.raw(sql, *subs)
    row = rows[0] if rows else {}
    return [int(row.get(f"c{i}") or 0) for i in range(len(subs))]
