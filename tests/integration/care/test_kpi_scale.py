"""Acceptance: the KPI board and the case list (案件工作台) over 100,000 cases stays aggregated in SQL and its drill-down paged — the number of
statements per request is small and the same as for an empty project, and no statement returns more than a page of
rows (proved by recording the statements and the rows they return, not by timing)."""
from __future__ import annotations

import re

import pytest

from app.care.tables import CareCase
from tests.conftest import sign_in
from tests.integration.care.kpi_data import at, emp_id, kpi_month
from tests.integration.ledgers.data import make_project, record_queries
from app.kpi.measures import month_text

pytestmark = pytest.mark.integration

N = 100_000
BATCH = 10_000
LATE_EVERY = 10  # one batch in ten closed after its due moment
PAGE = 20


async def _insert_cases(project: dict, handlers: tuple[int, int], month) -> None:
    """10 INSERT … SELECT statements of 10,000 rows each (a recursive counter); the first batch is late."""
    code = project["code"]
    due, early, late, received = at(month, 15), at(month, 10), at(month, 18), at(month, 1)
    for i, start in enumerate(range(1, N + 1, BATCH)):
        end = start + BATCH - 1
        closed = late if i == 0 else early
        await CareCase.raw(
            f"WITH RECURSIVE seq(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM seq WHERE n < {end}) "
            "INSERT INTO care_case (number, kind, channel, category, project, status, level, level_computed, handler, received_at, "
            "close_due, plan_due, closed_at) "
            f"SELECT '{code}-' || n, '投诉', '电话', '工程质量', {project['id']}, '已关闭', 'P3', 'P3', "
            f"CASE WHEN n % 2 = 0 THEN {handlers[0]} ELSE {handlers[1]} END, {{}}, {{}}, {{}}, {{}} FROM seq",
            received, due, due, closed)


@pytest.fixture
async def big():
    month = kpi_month(2)
    handlers = (await emp_id("complaint_officer"), await emp_id("cr_officer"))
    p = await make_project("KPIS", units=1)
    empty = await make_project("KPIE", units=1)
    await _insert_cases(p, handlers, month)
    # the planner's statistics of the bulk-loaded table, as autovacuum would give them a moment later: planned on the
    # statistics of the table before the load (a few hundred rows), PostgreSQL's case list once ran for 10 minutes
    # (a race with the autovacuum's ANALYZE that the test lost when the pages got faster)
    await CareCase.raw("ANALYZE care_case")
    yield {"project": p, "empty": empty, "month": month_text(month)}
    await CareCase.delete().where(CareCase.project == p["id"])  # linear: care_case.repeat_of (ON DELETE SET NULL) is indexed


def _statements(seen: list[dict]) -> list[dict]:
    return [q for q in seen if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


async def test_board_and_drilldown_over_100000_cases(new_client, big, monkeypatch, figures_computed):
    p, m = big["project"], big["month"]
    assert await CareCase.count().where(CareCase.project == p["id"]) == N
    gm = await sign_in(await new_client(), "gm")

    async def board(project_id: int) -> tuple[str, list[dict]]:
        seen = record_queries(monkeypatch)
        r = await gm.get(f"/care/kpi?month={m}&project={project_id}")
        monkeypatch.undo()
        assert r.status_code == 200
        return r.text, seen

    html, seen = await board(p["id"])
    assert re.search(r'data-testid="fig-on_time_rate">90.00%<', html)
    assert 'data-testid="num-on_time_rate">90000<' in html and 'data-testid="den-on_time_rate">100000<' in html
    _html, seen_empty = await board(big["empty"]["id"])
    assert len(seen) == len(seen_empty), "the board's statements depend on the data"
    assert len(seen) <= 40, [q["sql"][:100] for q in seen]
    for q in seen:
        if '"care_setting"' in q["sql"]:  # the admin's limits and targets: a fixed reference table (load_limits)
            continue
        assert q["rows"] <= PAGE, (q["rows"], q["sql"][:300])
    case_queries = [q for q in seen if '"care_case"' in q["sql"]]
    assert all("GROUP BY" in q["sql"] or "COUNT(" in q["sql"].upper() for q in case_queries), [q["sql"][:200] for q in case_queries]
    assert sum(q["rows"] for q in seen) < 300

    # the drill-down: one COUNT and one page of 20, on the last page too
    for page in (1, N // PAGE):
        seen = record_queries(monkeypatch)
        r = await gm.get(f"/care/kpi/on_time_rate?month={m}&project={p['id']}&part=denominator&page={page}",
                         headers={"HX-Request": "true"} if page > 1 else {})
        monkeypatch.undo()
        assert r.status_code == 200 and r.text.count('data-testid="row"') == PAGE
        assert f"共 {N} 条" in r.text
        for q in seen:
            if '"care_setting"' not in q["sql"]:
                assert q["rows"] <= PAGE, (q["rows"], q["sql"][:300])
        selects = [q for q in seen if '"care_case"' in q["sql"] and "COUNT(" not in q["sql"].upper() and "GROUP BY" not in q["sql"]]
        _one_page(selects, deep=page > 1)
        assert len(seen) <= 20
    r = await gm.get(f"/care/kpi/on_time_rate?month={m}&project={p['id']}&part=numerator")
    assert f"共 {N - BATCH} 条" in r.text


def _one_page(selects, deep: bool) -> None:
    """A page is one SELECT … LIMIT 20 of at most 20 rows, whatever the table size; a deep one (app/core/pagination.py,
    from offset 200) is a deferred join in that one statement: its 20 ids by LIMIT 20 OFFSET n on the ids alone (a
    subquery), then only those rows read with their joins."""
    assert len(selects) == 1, [q["sql"][:200] for q in selects]
    assert all(re.search(r"LIMIT 20\b", q["sql"]) and q["rows"] <= PAGE for q in selects), [q["sql"][-200:] for q in selects]
    (rows,) = selects
    if deep:
        outer, inner = rows["sql"].split(' AND "care_case"."id" IN (SELECT ALL "care_case"."id" AS "id" FROM', 1)
        assert "OFFSET" in inner and "OFFSET" not in outer
    else:
        assert '"care_case"."id" IN (SELECT' not in rows["sql"]


async def test_the_case_list_over_100000_cases_is_one_count_and_one_page(new_client, big, monkeypatch):
    """案件工作台 (/care): filtered, sorted and paged in SQL — one COUNT and one SELECT … LIMIT 20, on the first and the last
    page and with the clock filter (已超时 compared with now in SQL), whatever the table size."""
    p = big["project"]
    sup = await sign_in(await new_client(), "supervisor")  # every project
    for params, total in ((f"who=all&project={p['id']}", N), (f"who=all&project={p['id']}&page={N // PAGE}", N),
                          (f"who=all&project={p['id']}&sort=received_at&dir=asc&kind=投诉", N)):
        seen = record_queries(monkeypatch)
        r = await sup.get(f"/care?{params}", headers={"HX-Request": "true"})
        monkeypatch.undo()
        assert r.status_code == 200 and r.text.count('data-testid="row"') == PAGE, params
        assert f"共 {total} 条" in r.text
        case_queries = [q for q in seen if '"care_case"' in q["sql"]]
        counts = [q for q in case_queries if "COUNT(" in q["sql"].upper()]
        pages = [q for q in case_queries if q not in counts]
        assert len(counts) == 1, [q["sql"][:200] for q in case_queries]
        _one_page(pages, deep="page=" in params)
        assert all(q["rows"] <= PAGE for q in seen if '"care_setting"' not in q["sql"]), [(q["rows"], q["sql"][:120]) for q in seen]
        assert len(seen) <= 20, len(seen)
