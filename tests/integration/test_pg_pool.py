"""The PostgreSQL pool hands a connection back without asyncpg's reset query (app/core/engine.py `_keep_session`):
one round trip less for every statement run outside a transaction. Shown by its effect: a session setting made on a
pooled connection is still there when the pool hands that connection out again (asyncpg's default reset — `RESET
ALL` among others — would have undone it). Runs in the PostgreSQL stage (marked `postgres`): on any other engine it
fails."""
import pytest
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from app.core import engine as portal_engine

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


async def test_a_connection_given_back_is_not_reset(running_app):
    eng = engine_finder()
    assert isinstance(eng, portal_engine.PortalPostgresEngine), type(eng)
    assert isinstance(eng, PostgresEngine) and eng.pool is not None
    marker = "portal-keep-session-test"
    async with eng.pool.acquire() as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await conn.execute(f"SET application_name = '{marker}'")
    try:
        async with eng.pool.acquire() as conn:  # asyncpg's pool hands out the connection given back last
            assert await conn.fetchval("SELECT pg_backend_pid()") == pid
            assert await conn.fetchval("SHOW application_name") == marker
    finally:
        async with eng.pool.acquire() as conn:
            await conn.execute("RESET application_name")
