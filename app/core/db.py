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
