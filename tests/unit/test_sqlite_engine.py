"""PortalSQLiteEngine (app/core/engine.py): reads outside a transaction run on the event loop's thread on one
read-only connection; writes and transactions go to aiosqlite's pooled threads; a read that finds the database
locked goes to a thread and waits there, never on the loop."""
import asyncio
import sqlite3
import threading
import time

from app.core.engine import PortalSQLiteEngine, _is_read


def _engine(tmp_path) -> PortalSQLiteEngine:
    path = tmp_path / "e.sqlite"
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    c.close()
    return PortalSQLiteEngine(path=str(path), timeout=5)


def test_only_select_statements_count_as_reads():
    assert _is_read("SELECT 1") and _is_read("  select count(*) FROM t") and _is_read("SELECT EXISTS(SELECT 1)")
    assert not _is_read("INSERT INTO t VALUES (1, 'a')") and not _is_read("UPDATE t SET v = 'b'")
    assert not _is_read("WITH x AS (SELECT 1) DELETE FROM t") and not _is_read("PRAGMA foreign_keys")


async def test_a_read_runs_on_the_loops_thread_and_a_write_on_a_pooled_thread(tmp_path):
    engine = _engine(tmp_path)
    try:
        await engine._run_in_new_connection("INSERT INTO t (v) VALUES (?)", ["a"], "insert")
        assert engine._reader is None and len(engine._idle) == 1  # the write: a pooled aiosqlite connection
        seen: list[int] = []
        engine.reader().create_function("tid", 0, lambda: seen.append(threading.get_ident()) or 1)
        rows = await engine._run_in_new_connection("SELECT v, tid() AS x FROM t", [], "select")
        assert rows == [{"v": "a", "x": 1}]
        assert seen == [threading.get_ident()]  # on this (the loop's) thread: no hand-over
        assert len(engine._idle) == 1  # and no other connection was borrowed
        # the write just committed on another connection is what the next read sees
        await engine._run_in_new_connection("UPDATE t SET v = ?", ["b"], "update")
        assert await engine._run_in_new_connection("SELECT v FROM t", [], "select") == [{"v": "b"}]
    finally:
        await engine.close_pool()


async def test_the_reading_connection_cannot_write(tmp_path):
    engine = _engine(tmp_path)
    try:
        try:
            engine.reader().execute("INSERT INTO t (v) VALUES ('x')")
            raise AssertionError("the reader wrote")
        except sqlite3.OperationalError as exc:
            assert "readonly" in str(exc)
    finally:
        await engine.close_pool()


async def test_a_read_that_finds_the_database_locked_waits_on_a_thread_not_on_the_loop(tmp_path):
    engine = _engine(tmp_path)
    try:
        await engine._run_in_new_connection("INSERT INTO t (v) VALUES (?)", ["a"], "insert")
        await engine.close_pool()  # an exclusive lock in WAL mode needs the file to itself
        holder = sqlite3.connect(tmp_path / "e.sqlite", check_same_thread=False, isolation_level=None)
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # in exclusive locking mode even WAL readers are shut out
        holder.execute("UPDATE t SET v = 'z'")

        def release():
            time.sleep(0.3)
            holder.execute("COMMIT")
            holder.close()

        threading.Thread(target=release, daemon=True).start()
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick = asyncio.create_task(ticker())
        started = time.monotonic()
        rows = await engine._run_in_new_connection("SELECT v FROM t", [], "select")
        waited = time.monotonic() - started
        tick.cancel()
        assert rows == [{"v": "z"}]
        assert waited >= 0.25  # it did wait for the lock …
        assert ticks >= 10  # … and the loop kept running meanwhile
    finally:
        await engine.close_pool()


async def test_writers_of_one_process_queue_at_the_gate_not_in_sqlites_busy_handler(tmp_path):
    """20 write transactions at once, each holding the lock ~5 ms: queued FIFO in asyncio they all end within
    about 20 × 5 ms; waiting in SQLite's busy handler (sleeps growing to 100 ms between tries) the last ones took
    several times that."""
    from piccolo.engine.sqlite import TransactionType

    engine = _engine(tmp_path)
    try:
        async def write(i: int) -> float:
            started = time.monotonic()
            async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
                await tx.connection.execute("INSERT INTO t (v) VALUES (?)", [str(i)])
                time.sleep(0.005)  # the transaction's work, holding SQLite's write lock (blocking, as a CPU-bound step)
                await asyncio.sleep(0)
            return time.monotonic() - started

        started = time.monotonic()
        waits = await asyncio.gather(*(write(i) for i in range(20)))
        total = time.monotonic() - started
        assert await engine._run_in_new_connection("SELECT COUNT(*) AS n FROM t", [], "select") == [{"n": 20}]
        assert total < 0.4 and max(waits) < 0.4, (total, max(waits))
        # a write outside a transaction, by the task holding the gate, passes through (it does not wait for itself)
        async with engine.transaction(transaction_type=TransactionType.immediate):
            lock = await engine.write_gate.enter()
            assert lock is None
    finally:
        await engine.close_pool()
