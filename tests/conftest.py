"""Test set-up: a real database (SQLite file by default, PostgreSQL when DATABASE_URL is set), migrated with the
real migrations and loaded with the demo data, then the real app driven over ASGI.

The environment must be set before anything imports piccolo_conf (the engine is built at import)."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_TMP = Path(tempfile.mkdtemp(prefix="portal-test-"))
os.environ["PORTAL_ENV"] = "test"
os.environ["PORTAL_LOCAL_DIR"] = str(_TMP)
os.environ.setdefault("SQLITE_PATH", str(_TMP / "test.sqlite"))
os.environ["LOGIN_MAX_FAILURES"] = "5"
DB_URL = os.environ.get("DATABASE_URL")
DEMO_PASSWORD = "demo2026"


def _reset_postgres(url: str) -> None:
    import asyncpg

    async def reset() -> None:
        conn = await asyncpg.connect(url)
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()

    asyncio.run(reset())


def _prepare_database() -> None:
    if DB_URL:
        _reset_postgres(DB_URL)
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "seeds.demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def app():
    """The real app on a freshly migrated and seeded database (prepared once, on first use)."""
    _prepare_database()
    from app.main import app as portal_app

    return portal_app


@pytest.fixture(scope="session")
async def running_app(app):
    """Runs the app's lifespan (PostgreSQL pool, SQLite WAL) once for the whole session."""
    from app.main import lifespan

    async with lifespan(app):  # in the tests' own event loop, so the PostgreSQL pool belongs to it
        yield app


@pytest.fixture
async def client(running_app):
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=running_app, client=("127.0.0.1", 5000)),
                                 base_url="http://testserver", follow_redirects=False) as c:
        yield c


CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
HX_CSRF_RE = re.compile(r'"x-csrftoken": "([^"]+)"')


async def csrf_token(client, path: str = "/login") -> str:
    r = await client.get(path)
    m = CSRF_RE.search(r.text) or HX_CSRF_RE.search(r.text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


_SESSIONS: dict[str, str] = {}


async def sign_in(client, username: str, password: str = DEMO_PASSWORD):
    """Sign `client` in as `username` through the real form. Session tokens are reused across tests."""
    if username in _SESSIONS and password == DEMO_PASSWORD:
        client.cookies.set("id", _SESSIONS[username])
        r = await client.get("/")
        if r.status_code == 200:
            return client
    token = await csrf_token(client)
    r = await client.post("/login", data={"username": username, "password": password, "_csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text[:500]
    _SESSIONS[username] = client.cookies["id"]
    return client


@pytest.fixture
def login(client):
    async def _login(username: str, password: str = DEMO_PASSWORD):
        return await sign_in(client, username, password)

    return _login


@pytest.fixture
async def figures_computed(running_app):
    """The figure cache off for the test (its setting at 0): every page computes its figures, so a test that counts a
    page's statements counts the computation (app/core/figcache.py)."""
    from app.core.tables import FigureCacheSetting

    row = await FigureCacheSetting.select(FigureCacheSetting.value).where(FigureCacheSetting.key == "max_seconds").first()
    await FigureCacheSetting.update({FigureCacheSetting.value: 0}).where(FigureCacheSetting.key == "max_seconds")
    yield
    await FigureCacheSetting.update({FigureCacheSetting.value: row["value"] if row else 60}).where(FigureCacheSetting.key == "max_seconds")


@pytest.fixture
async def new_client(running_app):
    """A factory of independent clients (separate cookies), closed at the end of the test."""
    import httpx

    clients = []

    async def make():
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=running_app, client=("127.0.0.1", 5001)), base_url="http://testserver")
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()
