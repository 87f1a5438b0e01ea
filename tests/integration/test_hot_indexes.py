"""The indexes the hottest statements stand on exist after the migrations, on SQLite and PostgreSQL: the session's
token (every signed-in request) and the inbox's order of one's pending tasks. On SQLite the session's statement is
planned on its index (without it SQLite scanned the sessions and built a Bloom filter over every employee)."""
import pytest
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo_api.session_auth.tables import SessionsBase

from app.core import auth



async def _indexes(table: str) -> set[str]:
    if isinstance(engine_finder(), PostgresEngine):
        rows = await SessionsBase.raw("SELECT indexname AS name FROM pg_indexes WHERE tablename = {}", table)
    else:
        rows = await SessionsBase.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = {}", table)
    return {r["name"] for r in rows}


@pytest.mark.integration  # both engines
async def test_the_session_token_and_the_inbox_order_are_indexed():
    assert "sessions_token" in await _indexes("sessions")
    assert "wf_task_inbox" in await _indexes("wf_task")


async def test_sqlite_finds_the_session_by_its_token_index():
    """Not marked integration: it runs in the SQLite stage only (PostgreSQL plans a few-row test table with a scan;
    the index's existence is checked above)."""
    assert not isinstance(engine_finder(), PostgresEngine)
    sql = auth._sql(auth._SESSION_SQL)
    plan = " | ".join(r["detail"] for r in await SessionsBase.raw("EXPLAIN QUERY PLAN " + sql, True, "some-token"))
    assert "USING INDEX sessions_token" in plan and "BLOOM" not in plan, plan
