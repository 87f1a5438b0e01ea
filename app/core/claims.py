"""Serialise a check-then-act across processes and hosts (several app processes and reminder workers on one database).

`await serialise(key)` inside a write transaction (app.core.db.write_transaction) makes every other transaction that
serialises the same key wait until this one ends, so "is it already there? if not, write it" runs one at a time:
- PostgreSQL: a transaction-scoped advisory lock, pg_advisory_xact_lock(hashtextextended(key, 0)), released at commit
  or rollback; under READ COMMITTED the waiter's next statement sees what the holder committed;
- SQLite: the write transaction (BEGIN IMMEDIATE) already holds the database's write lock, which serialises every writer.
Prefer a unique key with INSERT … ON CONFLICT DO NOTHING or a conditional UPDATE … RETURNING where a table has one;
this is for checks against rows that have no natural unique key (e.g. "this notification was sent today")."""
from __future__ import annotations

from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine


async def serialise(key: str) -> None:
    """Outside a transaction there is nothing to hold the lock for (e.g. the single-process demo seed): a no-op."""
    engine = engine_finder()
    if isinstance(engine, PostgresEngine) and engine.current_transaction.get() is not None:
        from app.core.tables import Counter

        await Counter.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", key)
