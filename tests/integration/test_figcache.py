"""The figure cache (app/core/figcache.py): the home pages', the work queue's and the KPI board's figures are computed
once and kept until the data changes — any INSERT, UPDATE or DELETE on a watched table, made by the portal, the
admin panel or directly in the database, moves the data version — or until they are older than the setting's age."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from app.core import figcache
from app.core.tables import FigureCache, FigureCacheSetting
from app.core.timeutil import now, today_local
from app.pipeline.tables import Deal
from tests.conftest import sign_in
from tests.integration.ledgers.data import drop_project, make_buyer, make_deal, make_project, record_queries

pytestmark = pytest.mark.integration


def signed_count(html: str) -> int:
    return int(re.search(r'data-testid="fig-signed-count">(\d+)<', html).group(1))


async def test_the_second_home_is_served_from_the_cache(new_client, monkeypatch):
    gm = await sign_in(await new_client(), "gm")
    first = await gm.get("/")
    assert first.status_code == 200
    seen = record_queries(monkeypatch)
    again = await gm.get("/")
    monkeypatch.undo()
    assert signed_count(again.text) == signed_count(first.text)
    assert not [q for q in seen if 'FROM "pl_deal"' in q["sql"] or "FROM pl_deal" in q["sql"]], "a kept figure was counted again"
    assert any('FROM "figure_cache"' in q["sql"] for q in seen)


async def test_a_direct_write_moves_the_figures(new_client):
    """A deal inserted straight into the table (no service, no audit record): the next home counts it."""
    gm = await sign_in(await new_client(), "gm")
    before = signed_count((await gm.get("/")).text)
    assert signed_count((await gm.get("/")).text) == before  # kept
    p = await make_project("FGC", units=2)
    buyer = await make_buyer("缓存测试", 63)
    try:
        await make_deal(p, p["units"][0], buyer, contract_no=f'{p["code"]}-HT-1', stage="已签约", signed_on=today_local())
        assert signed_count((await gm.get("/")).text) == before + 1
        await Deal.update({Deal.stage: "已作废"}).where(Deal.project == p["id"])
        assert signed_count((await gm.get("/")).text) == before
    finally:
        await drop_project(p)


async def test_a_kept_figure_is_served_only_while_young(new_client):
    """The kept value is what the page shows (its version still current); past the setting's age it is recomputed."""
    gm = await sign_in(await new_client(), "gm")
    real = signed_count((await gm.get("/")).text)
    rows = await FigureCache.select().where(FigureCache.key.like("home.executive:%"))
    assert rows
    for r in rows:
        value = figcache.decode(r["value"])
        value["signed_count"] = 424242
        await FigureCache.update({FigureCache.value: figcache.encode(value)}).where(FigureCache.id == r["id"])
    assert signed_count((await gm.get("/")).text) == 424242  # served from the cache (a write there moves no version)
    await FigureCache.update({FigureCache.computed_at: now() - timedelta(seconds=61)}).where(FigureCache.key.like("home.executive:%"))
    assert signed_count((await gm.get("/")).text) == real


async def test_the_setting_at_zero_computes_every_figure(new_client, figures_computed, monkeypatch):
    gm = await sign_in(await new_client(), "gm")
    await gm.get("/")
    seen = record_queries(monkeypatch)
    await gm.get("/")
    monkeypatch.undo()
    assert [q for q in seen if "pl_deal" in q["sql"]], "with the cache off the home counts in SQL"
    assert not [q for q in seen if 'FROM "figure_cache"' in q["sql"]]


async def test_the_queue_and_the_kpi_board_follow_the_data(new_client):
    """The work queue's kept page and the KPI board's kept aggregates are recomputed after a write."""
    supervisor = await sign_in(await new_client(), "supervisor")
    total = lambda html: int(re.search(r"共 (\d+) 条", html).group(1))  # noqa: E731
    before = total((await supervisor.get("/pipeline/queue")).text)
    p = await make_project("FGQ", units=2)
    buyer = await make_buyer("队列缓存", 64)
    try:
        await make_deal(p, p["units"][0], buyer, contract_no=f'{p["code"]}-HT-1', stage="已签约", signed_on=today_local() - timedelta(days=40),
                        filing_status="待备案")
        assert total((await supervisor.get("/pipeline/queue")).text) == before + 1
    finally:
        await drop_project(p)
    assert total((await supervisor.get("/pipeline/queue")).text) == before
    head = await sign_in(await new_client(), "dept_head")
    board = await head.get("/care/kpi")
    assert board.status_code == 200 and (await head.get("/care/kpi")).text.count("data-testid") == board.text.count("data-testid")


async def test_every_watched_table_has_its_trigger(running_app):
    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        tables = {r["name"] for r in await FigureCache.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")}
        triggers = {r["t"] for r in await FigureCache.raw(
            "SELECT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname LIKE 'portal_dv_%'")}
    else:
        tables = {r["name"] for r in await FigureCache.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        triggers = {r["t"] for r in await FigureCache.raw("SELECT tbl_name AS t FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'portal_dv_%'")}
    watched = tables - figcache.UNWATCHED
    assert {"pl_deal", "wf_task", "care_case", "holiday_override", "pl_setting"} <= watched
    assert watched - triggers == set()
    assert not (triggers & figcache.UNWATCHED)
    assert await figcache.ensure_triggers() == 0  # installed once
    assert await FigureCacheSetting.exists().where(FigureCacheSetting.key == "max_seconds")


async def _wait_for_waiters(key: str, n: int) -> None:
    import asyncio

    for _ in range(2000):  # up to ~20 s on a loaded machine
        flights = [f for (k, _v), f in figcache._IN_FLIGHT.items() if k == key]
        if flights and flights[0].waiters >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{n} requests never waited for {key}")


async def test_concurrent_readers_of_a_stale_figure_compute_it_once(running_app):
    """Eight requests need the same missing figure at once: one computes it, the seven others wait for its value (each
    gets a copy of its own), and it is kept once."""
    import asyncio
    import uuid

    parts = [uuid.uuid4().hex]
    key = figcache.make_key("test.flight", parts)
    started, gate, calls = asyncio.Event(), asyncio.Event(), []

    async def compute():
        calls.append(1)
        started.set()
        await gate.wait()
        return {"n": 7, "rows": [1, 2]}

    leader = asyncio.create_task(figcache.cached("test.flight", parts, compute))
    await started.wait()
    followers = [asyncio.create_task(figcache.cached("test.flight", parts, compute)) for _ in range(7)]
    await _wait_for_waiters(key, 7)
    gate.set()
    values = await asyncio.gather(leader, *followers)
    assert len(calls) == 1
    assert values == [{"n": 7, "rows": [1, 2]}] * 8
    assert len({id(v) for v in values}) == 8, "a shared value would let one page change another's"
    assert await FigureCache.count().where(FigureCache.key == key) == 1
    assert not [k for k, _v in figcache._IN_FLIGHT if k == key], "nothing stays behind"
    await FigureCache.delete().where(FigureCache.key == key)


async def test_when_the_computing_request_fails_the_waiting_ones_compute_for_themselves(running_app):
    import asyncio
    import uuid

    parts = [uuid.uuid4().hex]
    key = figcache.make_key("test.flight", parts)
    started, gate = asyncio.Event(), asyncio.Event()

    async def failing():
        started.set()
        await gate.wait()
        raise RuntimeError("the leader's own error")

    async def working():
        return 5

    leader = asyncio.create_task(figcache.cached("test.flight", parts, failing))
    await started.wait()
    follower = asyncio.create_task(figcache.cached("test.flight", parts, working))
    await _wait_for_waiters(key, 1)
    gate.set()
    with pytest.raises(RuntimeError):
        await leader
    assert await follower == 5
    assert (await FigureCache.select(FigureCache.value).where(FigureCache.key == key).first())["value"] == figcache.encode(5)
    assert not [k for k, _v in figcache._IN_FLIGHT if k == key]
    await FigureCache.delete().where(FigureCache.key == key)


async def test_eight_viewers_of_an_aged_kpi_board_do_not_each_compute_it(new_client, monkeypatch):
    """Through the app: the KPI board's figures aged out, 8 requests at once. Without the shared computation each of
    them ran every aggregate (8 × one request's statements over care_case); now one computes and the others wait for
    it. (At most a second computation: a request that read the cache just before the first one's values were kept and
    looks for the computation just after it ended computes again; never one per viewer.)"""
    import asyncio

    head = await sign_in(await new_client(), "dept_head")
    assert (await head.get("/care/kpi")).status_code == 200

    async def aged_burst(n: int) -> int:
        await FigureCache.update({FigureCache.computed_at: now() - timedelta(hours=1)}).where(FigureCache.id > 0)
        seen = record_queries(monkeypatch)
        pages = await asyncio.gather(*[head.get("/care/kpi") for _ in range(n)])
        monkeypatch.undo()
        assert [r.status_code for r in pages] == [200] * n
        return len([q for q in seen if 'FROM "care_case"' in q["sql"]])

    one = await aged_burst(1)
    assert one > 0
    assert await aged_burst(8) <= 2 * one
