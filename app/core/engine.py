"""The database engines: Piccolo's, with long-lived SQLite connections and a per-request statement count.

Piccolo's SQLiteEngine opens a new connection, in a new thread, for every statement outside a transaction (and one
for every transaction), then runs `PRAGMA foreign_keys` before every statement: on a signed-in page that costs far
more than the statements themselves. `PortalSQLiteEngine` keeps a few connections per process instead, each opened
once in WAL mode with its pragmas, and lends one to a statement or to a whole transaction:

- a read (SELECT) outside a transaction runs at once on the event loop's own thread, on one read-only connection per
  process (`reader()`): in WAL mode a read never waits for the writer, and the portal's reads take 0.05–0.3 ms, while
  handing one to aiosqlite's thread and back cost more than that and, under load, waited for the GIL behind other
  requests' Python (the signed-in floor page: 553 → 1,158 req/s at 8 connections). If the database answers busy
  (a rare WAL recovery, an exclusive lock) the read goes to a pooled thread and waits there, never on the loop;
- any other statement outside a transaction borrows an idle connection and gives it back (autocommit);
- a transaction keeps its connection from BEGIN to COMMIT/ROLLBACK, so no other statement runs on it meanwhile;
- when every connection is lent, one more is opened rather than waiting (nothing can deadlock on the pool), and at
  most `IDLE_MAX` idle ones are kept;
- a connection that reports an error inside a statement is closed, not reused (its state is unknown).

WAL lets the readers run beside the one writer; writes still serialise in SQLite's own lock (`busy_timeout`).
Nothing survives between requests but open connections: no data is cached here.

Both engines count the statements of the current request (`begin_count()` / `statement_count()`): the benchmark reads
them from the `X-SQL-Count` header when PORTAL_SQL_COUNT=1, and tests use them to bound a page's statements.
"""
from __future__ import annotations

import asyncio
import sqlite3
import weakref
from contextvars import ContextVar
from typing import Any, Optional

import aiosqlite
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from app.core import fkpatch  # noqa: F401  (Piccolo's foreign-key attribute read without its dir(): app/core/fkpatch.py)

IDLE_MAX = 4  # idle connections kept per process

_COUNT: ContextVar[list[int] | None] = ContextVar("portal_sql_count", default=None)


def begin_count() -> None:
    """Start counting the statements of the current request (the session middleware calls it)."""
    _COUNT.set([0])


def statement_count() -> int | None:
    holder = _COUNT.get()
    return holder[0] if holder is not None else None


def _counted() -> None:
    holder = _COUNT.get()
    if holder is not None:
        holder[0] += 1


class _WriteGate:
    """One writer at a time in this process, queued in asyncio (FIFO, woken the moment the writer before it ends).

    SQLite admits one writer; the others wait in its busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between
    tries: eight requests writing at once on one process then waited up to a second for a lock that was free after a
    few milliseconds (the approval POST's p95 on SQLite ~1.2 s). A writer of this process now waits here instead;
    SQLite's busy handler is left to the writers of other processes. The gate belongs to the running event loop; a
    task that holds it passes through (a write outside the transaction it holds would otherwise wait for itself), and
    one that waited longer than the busy timeout goes on to SQLite's own lock rather than wait forever."""

    __slots__ = ("_locks", "_owners", "timeout")

    def __init__(self, timeout: float) -> None:
        self._locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._owners: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.timeout = timeout

    async def enter(self) -> asyncio.Lock | None:
        """Wait for the gate: the lock to give back to `leave`, or None (already held by this task, or timed out)."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is not None and self._owners.get(loop) is task:
            return None
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        try:
            await asyncio.wait_for(lock.acquire(), self.timeout)
        except asyncio.TimeoutError:
            return None
        if task is not None:
            self._owners[loop] = task
        return lock

    def leave(self, lock: asyncio.Lock | None) -> None:
        if lock is not None:
            self._owners.pop(asyncio.get_running_loop(), None)
            lock.release()


class _PooledTransaction(SQLiteTransaction):
    """A transaction on a lent connection, given back (not closed) at the end. A writing one (IMMEDIATE or
    EXCLUSIVE: every write_transaction) first passes the process's write gate and holds it until it ends."""

    __slots__ = ("_gate",)

    async def get_connection(self):
        return await self.engine.borrow()

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        writes = self.transaction_type != TransactionType.deferred
        self._gate = await self.engine.write_gate.enter() if writes else None
        try:
            self.connection = await self.get_connection()
        except BaseException:
            self.engine.write_gate.leave(self._gate)
            raise
        try:
            await self.begin()
        except BaseException:  # e.g. BEGIN IMMEDIATE timed out on the lock: the connection goes back unused
            await self.engine.give_back(self.connection, healthy=not self.connection.in_transaction)
            self.engine.write_gate.leave(self._gate)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        healthy = True
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            healthy = False
            try:
                if self.connection.in_transaction:
                    await self.connection.execute("ROLLBACK")
            except Exception:
                pass
            raise
        finally:
            await self.engine.give_back(self.connection, healthy=healthy)
            self.engine.current_transaction.reset(self.context)
            self.engine.write_gate.leave(self._gate)
        return exception is None


def _is_read(query: str) -> bool:
    """A statement that only reads: SELECT (Piccolo's select, count, exists, objects, and the raw reads)."""
    return query.lstrip()[:6].upper() == "SELECT"


class PortalSQLiteEngine(SQLiteEngine):
    __slots__ = ("_idle", "_pragmas", "_reader", "write_gate")

    def __init__(self, path: str, timeout: float = 30, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=timeout, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._reader: sqlite3.Connection | None = None
        self.write_gate = _WriteGate(timeout)
        self._pragmas = (
            "PRAGMA foreign_keys = 1",
            f"PRAGMA busy_timeout = {int(timeout * 1000)}",
            "PRAGMA synchronous = NORMAL",  # with WAL: durable at each checkpoint, never corrupt
            "PRAGMA cache_size = -32000",  # 32 MB page cache per connection
            "PRAGMA temp_store = MEMORY",
        )

    # -- the pool -------------------------------------------------------------------------------------------------
    async def _open(self) -> aiosqlite.Connection:
        kwargs = dict(self.connection_kwargs)
        database = kwargs.pop("database")
        conn = aiosqlite.Connection(lambda: sqlite3.connect(database, check_same_thread=False, **kwargs), iter_chunk_size=64)
        conn._thread.daemon = True  # an idle pooled connection never holds a process open at exit
        await conn
        conn.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in self._pragmas:
            await conn.execute(pragma)
        return conn

    def reader(self) -> sqlite3.Connection:
        """The process's reading connection, used on the event loop's own thread (see `_read_here`)."""
        conn = self._reader
        if conn is None:
            kwargs = dict(self.connection_kwargs)
            database = kwargs.pop("database")
            kwargs["timeout"] = 0  # never wait on the loop's thread: a busy database sends the read to a worker thread
            conn = sqlite3.connect(database, check_same_thread=False, **kwargs)
            conn.row_factory = dict_factory
            for pragma in self._pragmas:
                if "busy_timeout" not in pragma:
                    conn.execute(pragma)
            conn.execute("PRAGMA query_only = 1")  # this connection can never write
            self._reader = conn
        return conn

    def _read_here(self, query: str, args) -> list[dict] | None:
        """Run a read on the event loop's thread: None when the database answered busy (then it goes to a thread).

        A read in WAL mode never waits for the writer; most of the portal's take 0.05–0.3 ms, far less than handing
        the statement to aiosqlite's thread and back (two thread switches, and a wait for the GIL while the loop runs
        other requests' Python: under load that hand-over, not SQLite, set the pace of every page)."""
        try:
            return self.reader().execute(query, args or []).fetchall()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return None
            raise

    async def borrow(self) -> aiosqlite.Connection:
        while self._idle:
            conn = self._idle.pop()
            if conn._running and conn._connection is not None:
                return conn
        return await self._open()

    async def give_back(self, conn: aiosqlite.Connection, healthy: bool = True) -> None:
        if healthy and conn._connection is not None and not conn.in_transaction and len(self._idle) < IDLE_MAX:
            self._idle.append(conn)
        else:
            try:
                await conn.close()
            except Exception:
                pass

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
        for conn in idle:
            try:
                await conn.close()
            except Exception:
                pass

    async def get_connection(self) -> aiosqlite.Connection:  # Piccolo's batch() and callers that close it themselves
        conn = await self._open()
        return conn

    # -- statements -----------------------------------------------------------------------------------------------
    async def _execute(self, connection, query: str, args, query_type: str, table) -> list[dict]:
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING: the new key from the cursor
            async with connection.execute(query, args or []) as cursor:
                await cursor.fetchall()
                assert table is not None
                pk = await self._get_inserted_pk(cursor, table)
                return [{table._meta.primary_key._meta.db_column_name: pk}]
        # one hand-over to the connection's thread (execute and fetch there), not three (execute, fetchall, close)
        return await connection.execute_fetchall(query, args or [])

    async def run_querystring(self, querystring, in_pool: bool = False):
        _counted()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        _counted()
        return await super().run_ddl(ddl, in_pool=in_pool)

    async def _run_in_new_connection(self, query: str, args: Optional[list[Any]] = None, query_type: str = "generic",
                                     table=None):
        if query_type != "insert" and _is_read(query):
            rows = self._read_here(query, args)
            if rows is not None:
                return rows
            gate = None  # a read that found the database busy: it waits on its thread, it does not write
        else:
            gate = await self.write_gate.enter()
        try:
            conn = await self.borrow()
            healthy = True
            try:
                return await self._execute(conn, query, args, query_type, table)
            except sqlite3.OperationalError:
                healthy = False  # e.g. "database is locked" mid-way: do not lend this connection again
                raise
            finally:
                await self.give_back(conn, healthy=healthy and not conn.in_transaction)
        finally:
            self.write_gate.leave(gate)

    async def _run_in_existing_connection(self, connection, query: str, args: Optional[list[Any]] = None,
                                          query_type: str = "generic", table=None):
        return await self._execute(connection, query, args, query_type, table)

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _PooledTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


async def _keep_session(connection) -> None:
    """The pool's reset of a connection given back: nothing beyond asyncpg's own (a transaction left open is rolled
    back, listeners dropped). asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` — one more round trip and statement for every statement run outside a transaction, i.e. for nearly
    every read of a page. The portal changes no session state those undo: no session-level advisory locks (claims
    and the trigger set-up take transaction-scoped ones, released at COMMIT), no cursor outside a transaction, no
    LISTEN, no SET."""


class PortalPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine (a pool opened in the lifespan), counting statements; a connection given back to
    the pool is not sent asyncpg's reset query (`_keep_session`)."""

    async def start_connection_pool(self, **kwargs) -> None:
        kwargs.setdefault("reset", _keep_session)
        await super().start_connection_pool(**kwargs)

    async def run_querystring(self, querystring, in_pool: bool = True):
        _counted()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        _counted()
        return await super().run_ddl(ddl, in_pool=in_pool)


async def close_engine(engine) -> None:
    if isinstance(engine, PortalSQLiteEngine):
        await engine.close_pool()
