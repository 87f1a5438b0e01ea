"""Migrations (issue 11 §5), on the engine of this test run (SQLite, or PostgreSQL when DATABASE_URL is set):

- forward from an empty database: every migration of every app applies, and `piccolo migrations check` finds none
  left to run;
- forward from the PREVIOUS RELEASE's database with its demo data in it (commit fa09be7: `migrations forwards all`
  + `seeds.demo`, kept gzipped in tests/data/prev_release/ — SQLite file and plain pg_dump, built by
  tests/data/prev_release/build.sh): restored into a database of its own, migrated with the current code, every
  migration applied, the main tables' row counts unchanged, and the portal serves signed-in pages on it (a real
  uvicorn, as tests/integration/test_multiprocess.py starts it).

Each database here is the test's own (a temporary SQLite file, or a new database on the same PostgreSQL server,
dropped after); the session's database is not touched."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import DB_URL, DEMO_PASSWORD, ROOT
from tests.integration.test_multiprocess import _free_port, _wait

pytestmark = pytest.mark.integration

FIXTURES = ROOT / "tests" / "data" / "prev_release"
COUNTS = (json.loads((FIXTURES / "counts.json").read_text()).get("postgres" if DB_URL else "sqlite", {})
          if (FIXTURES / "counts.json").exists() else {})
MAIN_TABLES = ("company", "project", "building", "unit", "pl_buyer", "pl_deal", "pl_instalment", "pl_receipt", "employee",
               "piccolo_user", "wf_request", "wf_task", "wf_action", "care_case", "care_repair", "rule_document",
               "audit_log", "attachment", "duty_shift", "permit_presale", "sv_questionnaire")
PSQL = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), None) if Path("/usr/lib/postgresql").exists() else None

_CHECK = """
import asyncio, json
from piccolo.apps.migrations.commands.check import CheckMigrationManager
statuses = asyncio.run(CheckMigrationManager("all").get_migration_statuses())
print(json.dumps([[s.app_name, s.migration_id, s.has_ran] for s in statuses]))
"""


class Database:
    """A database of the test's own on the run's engine: env for subprocesses, raw SQL, drop."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        if DB_URL:
            parts = urlsplit(DB_URL)
            self.name = f"mig_{uuid.uuid4().hex[:10]}"
            self.admin_url = DB_URL
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.path = tmp / "migrate.sqlite"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
        env.update(PORTAL_ENV="test", PORTAL_LOCAL_DIR=str(self.tmp / "local"))
        if DB_URL:
            env["DATABASE_URL"] = self.url
        else:
            env["SQLITE_PATH"] = str(self.path)
        return env

    def _admin(self, sql: str) -> None:
        import asyncio

        import asyncpg

        async def run():
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(run())

    def counts(self, tables) -> dict[str, int]:
        sql = " UNION ALL ".join(f"SELECT '{t}' AS t, COUNT(*) AS n FROM \"{t}\"" for t in tables)
        if DB_URL:
            import asyncio

            import asyncpg

            async def run():
                conn = await asyncpg.connect(self.url)
                try:
                    return {r["t"]: r["n"] for r in await conn.fetch(sql)}
                finally:
                    await conn.close()

            return asyncio.run(run())
        import sqlite3

        with sqlite3.connect(self.path) as conn:
            return dict(conn.execute(sql).fetchall())

    def restore_previous_release(self) -> None:
        if DB_URL:
            assert PSQL, "psql not found under /usr/lib/postgresql/*/bin"
            dump = gzip.decompress((FIXTURES / "prev_release.pg.sql.gz").read_bytes())
            subprocess.run([str(PSQL), "-q", "-v", "ON_ERROR_STOP=1", "-X", "-d", self.url], input=dump, check=True,
                           stdout=subprocess.DEVNULL)
        else:
            with gzip.open(FIXTURES / "prev_release.sqlite.gz", "rb") as src, open(self.path, "wb") as dst:
                shutil.copyfileobj(src, dst)

    def drop(self) -> None:
        if DB_URL:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database():
    tmp = Path(tempfile.mkdtemp(prefix="portal-migrate-"))
    db = Database(tmp)
    try:
        yield db
    finally:
        db.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def _piccolo(db: Database, *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "piccolo.main", *args], cwd=ROOT, env=db.env(), capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, (args, r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout


def _statuses(db: Database) -> list[tuple[str, str, bool]]:
    r = subprocess.run([sys.executable, "-c", _CHECK], cwd=ROOT, env=db.env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return [tuple(s) for s in json.loads(r.stdout.strip().splitlines()[-1])]


def _assert_all_applied(db: Database) -> None:
    statuses = _statuses(db)
    assert len(statuses) >= 50, len(statuses)  # every app's migrations were found
    assert not [s for s in statuses if not s[2]], [s for s in statuses if not s[2]]
    assert "No migrations need to be run" in _piccolo(db, "migrations", "forwards", "all")  # and a second run is a no-op


def test_forward_from_an_empty_database(database):
    _piccolo(database, "migrations", "forwards", "all")
    _assert_all_applied(database)
    assert database.counts(["unit", "pl_deal", "wf_request"]) == {"unit": 0, "pl_deal": 0, "wf_request": 0}


def test_forward_from_the_previous_release_with_its_data(database):
    assert COUNTS, f"missing {FIXTURES / 'counts.json'}"
    database.restore_previous_release()
    before = database.counts(MAIN_TABLES)
    assert before == {t: COUNTS[t] for t in MAIN_TABLES}, "the fixture is not the one counts.json describes"
    assert before["pl_deal"] > 0 and before["wf_request"] > 0 and before["care_case"] > 0
    # on the release branch this also runs the migrations added since fa09be7 (none on this branch yet: forwards is a no-op)
    every_table = sorted(t for t in COUNTS if t != "migration")
    all_before = database.counts(every_table)
    _piccolo(database, "migrations", "forwards", "all")
    _assert_all_applied(database)
    assert database.counts(MAIN_TABLES) == before  # the main tables exactly
    after = database.counts(every_table)  # and no table of the previous release lost rows (a migration may seed new ones)
    assert not {t: (all_before[t], after[t]) for t in every_table if after[t] < all_before[t]}
    _serves_signed_in_pages(database)


def _serves_signed_in_pages(db: Database) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=db.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(port, proc)
        import re

        unit = db.counts(["unit"])  # any unit id of JC01 with a deal: read through the page list instead of SQL
        assert unit["unit"] > 0
        for username, pages in (("dept_head", ["/", "/workflow", "/care", "/ledgers/contracts"]),
                                ("contract", ["/", "/pipeline", "/ledgers/contracts"]),
                                ("sysadmin", ["/", "/audit"])):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
                token = re.search(r'name="_csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
                r = c.post("/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": token})
                assert r.status_code == 303, (username, r.status_code, r.text[:300])
                for path in pages:
                    r = c.get(path)
                    assert r.status_code == 200, (username, path, r.status_code, r.text[:300])
    finally:
        proc.terminate()
        proc.wait(timeout=20)
