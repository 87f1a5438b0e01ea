"""Reference data kept by the process (app/core/memo.py `kept`): the care limits, the pipeline's settings, the holiday
calendar, the projects … are read once and served while the data version read with the request's session is the one
they were read at — a direct write to the table (as the admin panel makes) is seen at the next request, on every
process, and the figure cache's age setting bounds how long a value is served at all."""
from __future__ import annotations

import re

import pytest
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from app.care.tables import CareSetting
from app.core import figcache, memo
from app.core.db import write_transaction
from app.core.tables import FigureCacheSetting
from app.pipeline.tables import PipelineSetting
from tests.conftest import sign_in
from tests.integration.ledgers.data import record_queries

pytestmark = pytest.mark.integration


def on_time_target(html: str) -> str:
    card = html[html.index('data-testid="kpi-card-on_time_rate"'):]
    return re.search(r"目标 ≥ ([\d.]+)%", card).group(1)


async def _target_row():
    return await CareSetting.select(CareSetting.value).where(CareSetting.key == "target_on_time_rate").first()


async def test_a_kept_setting_is_read_once_and_a_direct_edit_is_seen_at_the_next_request(new_client, monkeypatch):
    head = await sign_in(await new_client(), "dept_head")
    row = await _target_row()
    first = await head.get("/care/kpi")
    assert first.status_code == 200
    seen = record_queries(monkeypatch)
    again = await head.get("/care/kpi")
    monkeypatch.undo()
    assert on_time_target(again.text) == on_time_target(first.text)
    assert not [q for q in seen if "care_setting" in q["sql"] or 'FROM "project"' in q["sql"]], "kept reference data was read again"
    assert not [q for q in seen if "data_version" in q["sql"] and "sessions" not in q["sql"]], "the version has a statement of its own"
    try:
        await CareSetting.update({CareSetting.value: "77"}).where(CareSetting.key == "target_on_time_rate")  # as the admin panel does
        assert on_time_target((await head.get("/care/kpi")).text) == "77"
    finally:
        await CareSetting.update({CareSetting.value: row["value"]}).where(CareSetting.key == "target_on_time_rate")
    assert on_time_target((await head.get("/care/kpi")).text) == on_time_target(first.text)


async def _request() -> dict:
    """What the session middleware does for a request, then the data version read from the database."""
    memo.begin_request()
    figcache.begin_request()
    return await figcache._state()


async def test_kept_values_follow_the_data_version_the_age_and_the_request_s_writes():
    calls = []

    async def factory():
        calls.append(1)
        return (await PipelineSetting.select(PipelineSetting.value).where(PipelineSetting.key == "filing_days").first() or {}).get("value")

    key = "test.kept.filing_days"
    memo.forget()
    try:
        await _request()
        first = await memo.kept(key, factory)
        await _request()
        assert await memo.kept(key, factory) == first and len(calls) == 1  # the next request: kept
        # a write anywhere on a watched table moves the version: read again
        row = await PipelineSetting.select(PipelineSetting.id, PipelineSetting.value).first()
        await PipelineSetting.update({PipelineSetting.value: row["value"]}).where(PipelineSetting.id == row["id"])
        await _request()
        await memo.kept(key, factory)
        assert len(calls) == 2
        # past the age it is read again, version or not
        state = await _request()
        version, _at, value = memo._KEPT[key]
        memo._KEPT[key] = (version, _at - state["max_seconds"] - 1, value)
        await memo.kept(key, factory)
        assert len(calls) == 3
        # after a write transaction in the request, the request reads afresh (its version was read before the write)
        await _request()
        async with write_transaction(claim=False):
            pass
        await memo.kept(key, factory)
        assert len(calls) == 4
        # outside a request (a worker): never kept
        memo._MEMO.set(None)
        figcache._REQUEST.set(None)
        await memo.kept(key, factory)
        await memo.kept(key, factory)
        assert len(calls) == 6
    finally:
        memo.forget()
        memo._MEMO.set(None)
        figcache._REQUEST.set(None)


async def test_an_age_of_zero_keeps_nothing():
    calls = []

    async def factory():
        calls.append(1)
        return 1

    row = await FigureCacheSetting.select(FigureCacheSetting.value).where(FigureCacheSetting.key == "max_seconds").first()
    await FigureCacheSetting.update({FigureCacheSetting.value: 0}).where(FigureCacheSetting.key == "max_seconds")
    try:
        for _ in range(2):
            await _request()
            await memo.kept("test.kept.zero", factory)
        assert len(calls) == 2
    finally:
        await FigureCacheSetting.update({FigureCacheSetting.value: row["value"] if row else 60}).where(FigureCacheSetting.key == "max_seconds")
        memo.forget()
        memo._MEMO.set(None)
        figcache._REQUEST.set(None)


async def test_the_session_statement_carries_the_data_version(new_client):
    """A signed-in request's session statement seeds the request's (version, max_seconds): the same values the
    figure cache's own statement reads, with no statement of its own; an unknown token seeds nothing."""
    from app.core import auth

    client = await sign_in(await new_client(), "dept_head")
    try:
        memo.begin_request()
        figcache.begin_request()
        await auth.session_user("kept-reference-no-such-session")
        assert figcache.request_state() is None
        user, _why = await auth.session_user(client.cookies["id"])
        assert user is not None and user.username == "dept_head"
        seeded = dict(figcache.request_state() or {})
        figcache.begin_request()
        from_db = await figcache._state()
        assert seeded == {"version": from_db["version"], "max_seconds": from_db["max_seconds"]} and seeded["version"] is not None
    finally:
        figcache._REQUEST.set(None)
        memo._MEMO.set(None)


async def test_the_postgresql_version_counts_from_zero_before_the_first_write():
    """A new sequence's last_value is 1 before its first nextval: the version must differ after the first write."""
    engine = engine_finder()
    if not isinstance(engine, PostgresEngine):
        sql = figcache.version_sql(engine)
        assert "data_version" in sql
        return
    await CareSetting.raw("CREATE SEQUENCE IF NOT EXISTS test_kept_seq")
    try:
        sql = figcache.version_sql(engine).replace("data_version_seq", "test_kept_seq")
        assert (await CareSetting.raw(f"SELECT ({sql}) AS v"))[0]["v"] == 0
        await CareSetting.raw("SELECT nextval('test_kept_seq')")
        assert (await CareSetting.raw(f"SELECT ({sql}) AS v"))[0]["v"] == 1
    finally:
        await CareSetting.raw("DROP SEQUENCE test_kept_seq")
