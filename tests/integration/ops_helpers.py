"""Shared by the operations tests (backup/restore, several hosts): throwaway databases of their own on the test's
engine, uvicorn subprocesses, sign-in over HTTP. Never the shared test database: it is only read, to clone it."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from tests.conftest import DEMO_PASSWORD, ROOT

PY = sys.executable


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    from app.ops.archive import pg_tool

    return pg_tool(name)


def with_db(url: str, name: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def _pg(url: str, sql: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def pg_fetch(url: str, sql: str) -> list[dict]:
    import asyncpg

    async def go() -> list[dict]:
        conn = await asyncpg.connect(url)
        try:
            return [dict(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(go())


@dataclass
class Database:
    """A database of the test's own: a SQLite file, or a PostgreSQL database on the server of `server_url`."""

    engine: str  # sqlite | postgresql
    path: Path | None = None
    url: str | None = None
    server_url: str | None = None
    name: str = ""

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env.pop("DATABASE_URL", None)
        if self.engine == "sqlite":
            env["SQLITE_PATH"] = str(self.path)
        else:
            env["DATABASE_URL"] = self.url
        return env

    def rows(self, sql: str) -> list[dict]:
        if self.engine == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as c:
                c.row_factory = sqlite3.Row
                return [dict(r) for r in c.execute(sql)]
        return pg_fetch(self.url, sql)

    def counts(self) -> dict[str, int]:
        if self.engine == "sqlite":
            tables = [r["name"] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        else:
            tables = [r["tablename"] for r in self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: self.rows(f'SELECT COUNT(*) AS n FROM "{t}"')[0]["n"] for t in tables}

    def attachment_bytes(self) -> dict[int, bytes]:
        return {r["id"]: bytes(r["data"]) for r in self.rows(
            "SELECT a.id AS id, b.data AS data FROM attachment a JOIN attachment_blob b ON CAST(b.id AS TEXT) = a.storage_key "
            "WHERE a.storage = 'db'")}

    def drop(self) -> None:
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            _pg(self.server_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def new_database(tmp: Path, label: str, server_url: str | None) -> Database:
    """An empty database: a new SQLite path under `tmp`, or CREATE DATABASE on the server of `server_url`."""
    if not server_url:
        return Database("sqlite", path=tmp / f"{label}.sqlite")
    name = f"ops_{label}_{uuid.uuid4().hex[:8]}"
    _pg(server_url, f'CREATE DATABASE "{name}"')
    return Database("postgresql", url=with_db(server_url, name), server_url=server_url, name=name)


def clone_test_database(tmp: Path, label: str, source_url: str | None, source_path: Path | None) -> Database:
    """A database of its own holding a copy of the migrated, seeded test database (which is only read)."""
    db = new_database(tmp, label, source_url)
    if db.engine == "sqlite":
        src, dst = sqlite3.connect(source_path, timeout=30), sqlite3.connect(db.path)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return db
    dump = tmp / f"{label}.clone.pgdump"
    subprocess.run([pg_bin("pg_dump"), "-Fc", "--no-owner", f"--file={dump}", f"--dbname={source_url}"], check=True)
    subprocess.run([pg_bin("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={db.url}", str(dump)], check=True)
    dump.unlink()
    return db


@dataclass
class Server:
    proc: subprocess.Popen
    base: str
    log: Path
    prefix: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(env: dict[str, str], log: Path, host: str = "127.0.0.1", port: int | None = None, prefix: list[str] | None = None) -> Server:
    port = port or free_port()
    out = open(log, "wb")
    proc = subprocess.Popen([*(prefix or []), PY, "-m", "uvicorn", "app.main:app", "--host", host, "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://{host}:{port}", log, prefix or [])
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}): " + log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.stop()
    raise AssertionError(f"server {server.base} did not start: " + log.read_text(errors="replace")[-3000:])


CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
HX_CSRF_RE = re.compile(r'"x-csrftoken": "([^"]+)"')


def sign_in(client: httpx.Client, username: str) -> str:
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": token, "next": "/"})
    assert r.status_code == 303, (r.status_code, r.text[:500])
    return client.cookies["id"]


def hx_token(client: httpx.Client) -> str:
    return HX_CSRF_RE.search(client.get("/").text).group(1)


def run(args: list[str], env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
