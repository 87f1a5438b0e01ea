"""The 合同台账 over 50,000 deals stays paged in SQL: one COUNT and one SELECT … LIMIT 20, whatever the table size
(proved by recording the statements and the rows they return, not by timing)."""
import re
from datetime import timedelta

import pytest

from app.core.timeutil import today_local
from app.pipeline.tables import Deal
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_project, record_queries

pytestmark = pytest.mark.integration

N = 50_000
BATCH = 1_000


async def _insert_deals(project: dict, unit_id: int, buyer: int) -> None:
    """50 INSERT … SELECT statements of 1,000 rows each (a recursive counter), all pointing at one unit and buyer."""
    signed = today_local() - timedelta(days=3)
    code = project["code"]
    for start in range(1, N + 1, BATCH):
        end = start + BATCH - 1
        await Deal.raw(
            f"WITH RECURSIVE seq(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM seq WHERE n < {end}) "
            "INSERT INTO pl_deal (number, unit, project, buyer, stage, unit_price, total_price, payment_method, down_payment, deposit, "
            "contract_no, online_no, signed_on, subscribed_on, sign_deadline, check_status, filing_status, handover_status) "
            f"SELECT '{code}-' || n, {unit_id}, {project['id']}, {buyer}, '已签约', 20000, 2000000, '一次性', 2000000, 50000, "
            f"'{code}-HT-' || n, 'WQ' || n, {{}}, {{}}, {{}}, '审核通过', '待备案', '待通知' FROM seq", signed, signed, signed)


@pytest.fixture
async def big_project():
    p = await make_project("T5K", units=1)
    buyer = await make_buyer("五万行测试", 50)
    await _insert_deals(p, p["units"][0]["id"], buyer)
    yield p
    await Deal.delete().where(Deal.project == p["id"])


async def test_contract_ledger_with_50000_deals_is_paged_in_sql(new_client, big_project, monkeypatch):
    p = big_project
    assert await Deal.count().where(Deal.project == p["id"]) == N
    sup = await sign_in(await new_client(), "supervisor")
    seen = record_queries(monkeypatch)
    r = await sup.get(f"/ledgers/contracts?project={p['id']}")
    monkeypatch.undo()
    assert r.status_code == 200
    assert r.text.count('data-testid="row"') == 20
    assert "共 50000 条" in r.text and "第 1–20 条" in r.text
    deal_queries = [q for q in seen if '"pl_deal"' in q["sql"]]
    assert 1 <= len(deal_queries) <= 5, [q["sql"][:120] for q in deal_queries]
    for q in deal_queries:
        is_count = "COUNT(" in q["sql"].upper()
        assert is_count or re.search(r"LIMIT 20\b", q["sql"]), f"unbounded query: {q['sql'][:300]}"
        assert q["rows"] <= 20, q  # the COUNT returns one row; the page 20
    assert sum(q["rows"] for q in deal_queries) <= 21
    assert sum(q["rows"] for q in seen) < 200  # nothing else (session, nav, filter choices) reads thousands of rows

    # the last page is reached by OFFSET, still 20 rows
    seen = record_queries(monkeypatch)
    r = await sup.get(f"/ledgers/contracts?project={p['id']}&page=2500&sort=contract&dir=asc", headers={"HX-Request": "true"})
    monkeypatch.undo()
    assert r.text.count('data-testid="row"') == 20 and "第 49981–50000 条" in r.text
    page_selects = [q for q in seen if '"pl_deal"' in q["sql"] and "COUNT(" not in q["sql"].upper()]
    # a deep page is one statement, a deferred join: the 20 ids by OFFSET on the ids alone (a subquery), then only
    # those rows read with their joins
    assert len(page_selects) == 1, [q["sql"][:200] for q in page_selects]
    (rows,) = page_selects
    outer, inner = rows["sql"].split(' AND "pl_deal"."id" IN (SELECT ALL "pl_deal"."id" AS "id" FROM "pl_deal"', 1)
    assert "OFFSET 49980" in inner and "OFFSET" not in outer and rows["rows"] == 20
    for q in page_selects:
        assert 'ORDER BY "pl_deal"."contract_no" ASC' in q["sql"], q["sql"][-200:]  # the sort was applied
