"""Transactions for actions: one transaction per user action, write-locked from the start on SQLite so that
concurrent actions serialise instead of failing half-way (PostgreSQL serialises on the row locks taken)."""
from __future__ import annotations

from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def write_transaction():
    """The request's idempotency key (app/core/idempotency.py) is inserted inside the transaction it opens."""
    from app.core.idempotency import IdempotentTransaction

    engine = engine_finder()
    if isinstance(engine, SQLiteEngine):
        return IdempotentTransaction(engine.transaction(transaction_type=TransactionType.immediate))
    return IdempotentTransaction(engine.transaction())
