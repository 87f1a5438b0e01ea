"""SIGKILL in the middle of 1,000 writes (issue 11 §5): a real uvicorn on a fresh database of its own, a few concurrent
clients posting the 付款 form (/workflow/new/payment, with the CSRF token and an idempotency key each), the server
killed with SIGKILL at a random point, restarted, and every write without an acknowledged response retried with the
same key. Then: every acknowledged write is there exactly once, the retried ones once, nothing twice, and the
database is sound (SQLite integrity_check / foreign_key_check; PostgreSQL: no duplicate, every foreign key holds).

The fresh database is a SQLite file in a temporary directory, or — when DATABASE_URL is set — a new database on the
same PostgreSQL server, dropped afterwards. It is migrated and given the org chart only (the full demo takes 40 s)."""
from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from app.core.idempotency import new_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
WRITES = 1000
CLIENTS = 4
USERS = ("clerk", "reception", "contract", "data")  # one signed-in user per client
PASSWORD = "demo2026"
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
IDEM_RE = re.compile(r'name="_idem" value="([^"]+)"')

SEED = """
import asyncio
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

async def main():
    from seeds import core, demo
    await demo.seed_flow_settings()
    async with engine_finder().transaction():
        await demo.seed_org()
        await demo.seed_calendar()
    await core.seed()

asyncio.run(main())
"""


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


class Server:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + 120  # a loaded machine imports the app slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"uvicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("uvicorn did not answer /healthz in 120 s")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def fresh_database():
    """(environment for the server, engine name, how to inspect): a database nobody else uses."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-sigkill-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(PORTAL_ENV="test", PORTAL_LOCAL_DIR=str(tmp), PYTHONUNBUFFERED="1")
    base_url = os.environ.get("DATABASE_URL")
    name = ""
    if base_url:
        name = f"sigkill_{os.getpid()}_{random.randrange(10**6)}"
        _pg_admin(base_url, f'CREATE DATABASE "{name}"')
        parts = urlsplit(base_url)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        env["SQLITE_PATH"] = str(tmp / "sigkill.sqlite")
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    yield env, tmp
    if base_url:
        _pg_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _payment(run: str, i: int) -> dict[str, str]:
    return {"payee": "苏州某广告有限公司", "bank": "中国银行苏州分行", "account": "6217000010001234567",
            "contract_no": f"SK{run}-{i:04d}", "contract_total": "100000.00", "amount": "10.00", "method": "银行转账",
            "purpose": f"断电测试 {i}"}


async def _signed_in(base: str, username: str) -> tuple[httpx.AsyncClient, str]:
    c = httpx.AsyncClient(base_url=base, timeout=30)
    r = await c.get("/login")
    token = CSRF_RE.search(r.text).group(1)
    r = await c.post("/login", data={"username": username, "password": PASSWORD, "_csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text[:300]
    page = await c.get("/workflow/new/payment")
    assert page.status_code == 200 and IDEM_RE.search(page.text), "the form carries an idempotency key"
    return c, CSRF_RE.search(page.text).group(1)


def _query(env: dict[str, str], sql: str) -> list[tuple]:
    if "DATABASE_URL" in env:
        import asyncpg

        async def run() -> list[tuple]:
            conn = await asyncpg.connect(env["DATABASE_URL"])
            try:
                return [tuple(r) for r in await conn.fetch(sql)]
            finally:
                await conn.close()

        return asyncio.run(run())
    with closing(sqlite3.connect(env["SQLITE_PATH"])) as conn:
        return conn.execute(sql).fetchall()


def test_sigkill_mid_writes_then_retry_records_each_write_once(fresh_database):
    env, tmp = fresh_database
    rng = random.Random(int(os.environ.get("SIGKILL_SEED", "20261202")))
    run = f"{rng.randrange(10**6):06d}"
    port = _free_port()
    server = Server(env, port, tmp / "uvicorn.log")
    base = f"http://127.0.0.1:{port}"
    kill_after = rng.randrange(WRITES // 5, WRITES * 3 // 5)  # acknowledged writes before the kill
    keys = [new_key() for _ in range(WRITES)]
    acked: dict[int, str] = {}  # write → Location of its acknowledged response
    unacked: set[int] = set()
    started = time.monotonic()

    async def first_pass(clients) -> None:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(WRITES):
            queue.put_nowait(i)
        killed = asyncio.Event()

        async def worker(c: httpx.AsyncClient, csrf: str) -> None:
            while not queue.empty():
                i = queue.get_nowait()
                if killed.is_set():
                    unacked.add(i)  # never sent, or sent to a dead server: retried below
                    continue
                try:
                    r = await c.post("/workflow/new/payment", data={**_payment(run, i), "_csrf_token": csrf, "_idem": keys[i]})
                except httpx.HTTPError:
                    unacked.add(i)
                    continue
                if r.status_code == 303:
                    acked[i] = r.headers["location"]
                    if len(acked) >= kill_after and not killed.is_set():
                        killed.set()
                        server.kill()  # SIGKILL while the other clients' requests are in flight
                else:
                    raise AssertionError(f"write {i}: {r.status_code} {r.text[:300]}")

        await asyncio.gather(*(worker(c, t) for c, t in clients))
        assert killed.is_set()

    async def scenario() -> dict[int, str]:
        clients = [await _signed_in(base, u) for u in USERS[:CLIENTS]]
        retried: dict[int, str] = {}
        try:
            await first_pass(clients)
            server.start()  # the same database: the sessions and the CSRF secret survive the crash
            pending = sorted(unacked)

            async def retry(i: int) -> None:
                c, csrf = clients[i % CLIENTS]  # the same signed-in client, token and key as the lost attempt
                r = await c.post("/workflow/new/payment", data={**_payment(run, i), "_csrf_token": csrf, "_idem": keys[i]})
                if r.status_code == 303:
                    retried[i] = r.headers["location"]
                elif r.status_code == 409 and r.headers.get("idempotent-replayed") == "true":
                    retried[i] = ""  # committed just before the kill, its response never recorded: not run again
                else:
                    raise AssertionError(f"retry {i}: {r.status_code} {r.text[:300]}")

            for chunk in range(0, len(pending), 50):
                await asyncio.gather(*(retry(i) for i in pending[chunk:chunk + 50]))
        finally:
            for c, _t in clients:
                await c.aclose()
        return retried

    server.start()
    try:
        retried = asyncio.run(scenario())
    finally:
        server.stop()
    elapsed = time.monotonic() - started

    assert len(acked) >= kill_after and unacked, (len(acked), len(unacked))
    assert set(acked) | set(retried) == set(range(WRITES)) and not set(acked) & set(retried)
    rows = _query(env, f"""SELECT p.contract_no, COUNT(*), MIN(p.request) FROM fin_payment p
                           WHERE p.contract_no LIKE 'SK{run}-%' GROUP BY p.contract_no""")
    counts = {no: n for no, n, _r in rows}
    request_of = {int(no.rsplit("-", 1)[1]): r for no, _n, r in rows}
    assert len(counts) == WRITES, f"{WRITES - len(counts)} writes missing"
    assert max(counts.values()) == 1, [no for no, n in counts.items() if n > 1][:10]
    for i, location in {**acked, **{k: v for k, v in retried.items() if v}}.items():
        assert location.endswith(f"/workflow/requests/{request_of[i]}"), (i, location, request_of[i])
    # every write's key recorded once, for the request it created
    tokens = _query(env, "SELECT COUNT(*), COUNT(DISTINCT token) FROM idempotency_key WHERE path = '/workflow/new/payment'")[0]
    assert tokens == (WRITES, WRITES), tokens
    requests = _query(env, f"SELECT COUNT(*) FROM wf_request r JOIN fin_payment p ON p.request = r.id WHERE p.contract_no LIKE 'SK{run}-%'")
    assert requests[0][0] == WRITES
    if "DATABASE_URL" in env:
        # PostgreSQL enforces every foreign key; check the ones of this write all the same (an orphan would be a bug)
        orphans = _query(env, """SELECT COUNT(*) FROM fin_payment p LEFT JOIN wf_request r ON r.id = p.request WHERE r.id IS NULL""")
        assert orphans[0][0] == 0
        constraints = _query(env, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated")
        assert constraints[0][0] == 0
    else:
        assert _query(env, "PRAGMA integrity_check") == [("ok",)]
        assert _query(env, "PRAGMA foreign_key_check") == []
    print(f"\nsigkill ({'postgresql' if 'DATABASE_URL' in env else 'sqlite'}): {len(acked)} acknowledged before the kill, "
          f"{len(retried)} retried; {elapsed:.1f} s")
