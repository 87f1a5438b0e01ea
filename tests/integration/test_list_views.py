"""Lists as people use them every day (issue 8 §4): sort on any shown column, choose columns, save a filter as a named
view, print the current filter, export it — on the shared Listing, so every ledger and register has them."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.tables import AuditLog, ListPreference
from app.core.timeutil import today_local
from app.ledgers.ledgers import CONTRACTS, all_ledgers
from app.pipeline.tables import Buyer
from tests.conftest import HX_CSRF_RE, sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project, read_xlsx

pytestmark = pytest.mark.integration

STAGES = ["已签约", "已备案", "已交付"]
METHODS = ["一次性", "商贷", "公积金", "分期"]


async def _project(n: int = 12) -> dict:
    """A project whose deals differ in every sortable column (prices, dates, stages, methods, buyers, numbers)."""
    p = await make_project("TLV", units=n)
    today = today_local()
    for i, u in enumerate(p["units"]):
        buyer = await make_buyer(f"排序客户{(i * 7) % n:02d}", 300 + i)
        await make_deal(p, u, buyer, stage=STAGES[i % 3], payment_method=METHODS[i % 4], signed_on=today - timedelta(days=(i * 5) % n),
                        contract_no=f"{p['code']}-HT-{(i * 7) % n:02d}", online_no=f"WQ{(i * 3) % n:03d}",
                        total_price=Decimal("1000000.00") + (i * 37) % n * 1000, unit_price=Decimal("10000.00"),
                        handed_over_on=(today - timedelta(days=i)) if i % 3 == 2 else None,
                        filing_no=f"BA{i:03d}" if i % 3 else "", filed_on=(today - timedelta(days=i)) if i % 3 else None,
                        title_status="资料收集中" if i % 2 else "")
    return p


async def _user(username: str):
    from app.core.auth import load_user

    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    return await load_user(row["id"])


def _token(html: str) -> str:
    return HX_CSRF_RE.search(html).group(1)


def _contracts_in_order(html: str) -> list[str]:
    return re.findall(r'data-testid="deal-link">([^<]+)</a>', html)


def _sortable_value(v):
    return v if not isinstance(v, str) else v.encode("utf-8")  # both engines compare text bytewise (C collation / BINARY)


# ---------------------------------------------------------------- sort


async def test_every_shown_sortable_column_of_the_contract_ledger_sorts_in_sql(new_client):
    p = await _project()
    user = await _user("supervisor")
    listing = CONTRACTS.listing
    sortable = [c for c in listing.columns if c.sort is not None]
    keys = {c.key for c in sortable}
    # every shown column that is an SQL column sorts; the computed or masked ones are plain text
    assert {"contract", "project_name", "unit_label", "buyer_name", "online_no", "area_text", "total_price", "payment_method", "signed_on",
            "handed_over_on", "title_status", "stage"} <= keys
    assert not keys & {"id_number", "mobile", "filing"}
    for c in sortable:
        alias = c.sort._meta.get_default_alias()
        for direction in ("asc", "desc"):
            result = await listing.fetch({"project": str(p["id"]), "sort": c.key, "dir": direction, "per_page": "50"}, user)
            assert result.sort == c.key and result.desc == (direction == "desc") and not result.notice
            assert len(result.page.rows) == 12
            values = [r[alias] for r in result.page.rows if r[alias] is not None]  # NULLs go first or last by engine
            expected = sorted(values, key=_sortable_value, reverse=direction == "desc")
            assert [_sortable_value(v) for v in values] == [_sortable_value(v) for v in expected], (c.key, direction, values)
    # and over HTTP: each sortable header is a link, and the sorted header says so
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get(f"/ledgers/contracts?project={p['id']}")
    for c in sortable:
        assert f'data-testid="sort-{c.key}"' in page.text, c.key
    r = await sup.get(f"/ledgers/contracts?project={p['id']}&sort=total_price&dir=desc", headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'aria-sort="descending"' in r.text


async def test_unknown_sort_key_falls_back_visibly_and_the_sql_name_is_accepted(new_client):
    p = await _project()
    sup = await sign_in(await new_client(), "supervisor")
    default = _contracts_in_order((await sup.get(f"/ledgers/contracts?project={p['id']}")).text)
    r = await sup.get(f"/ledgers/contracts?project={p['id']}&sort=nonsense%00&dir=asc")
    assert r.status_code == 200 and 'data-testid="list-notice"' in r.text and "已按默认顺序显示" in r.text
    assert _contracts_in_order(r.text) == default  # the default order (signing date, newest first)
    # the contract ledger's contract column also answers to its SQL name (what the 50,000-row test used to pass)
    by_name = _contracts_in_order((await sup.get(f"/ledgers/contracts?project={p['id']}&sort=contract_no&dir=asc")).text)
    by_key = _contracts_in_order((await sup.get(f"/ledgers/contracts?project={p['id']}&sort=contract&dir=asc")).text)
    assert by_name == by_key == sorted(by_key) and by_key != default
    r = await sup.get(f"/ledgers/contracts?project={p['id']}&sort=contract_no&dir=asc")
    assert 'data-testid="list-notice"' not in r.text


# ---------------------------------------------------------------- columns


async def test_column_choice_persists_per_user_and_does_not_leak(new_client):
    p = await _project(3)
    sup = await sign_in(await new_client(), "supervisor")
    other = await sign_in(await new_client(), "data")
    url = f"/ledgers/contracts?project={p['id']}"
    page = await sup.get(url)
    token = _token(page.text)
    shown = {c.key for c in CONTRACTS.listing.columns} - {"online_no", "payment_method"}
    form = {"_csrf_token": token, "list": "/ledgers/contracts", "next": url, **{f"col:{k}": "1" for k in shown}}
    r = await sup.post("/lists/columns", data=form)
    assert r.status_code == 303 and r.headers["location"] == url
    page = await sup.get(url)
    assert 'data-testid="sort-online_no"' not in page.text and 'data-testid="sort-payment_method"' not in page.text
    assert 'data-testid="sort-total_price"' in page.text and "列设置（隐藏 2）" in page.text
    assert re.search(r'name="col:online_no" value="1"\s+data-testid', page.text)  # offered again, unticked
    assert 'data-testid="sort-online_no"' in (await other.get(url)).text  # another user still sees every column
    # the HTMX fragment (filter, sort, page) keeps the choice
    frag = await sup.get(url + "&sort=signed_on&dir=asc", headers={"HX-Request": "true"})
    assert "<html" not in frag.text and 'data-testid="sort-online_no"' not in frag.text
    # nothing ticked is refused; an unknown list is 404; no CSRF token is 403; the next URL cannot leave the list
    r = await sup.post("/lists/columns", data={"_csrf_token": token, "list": "/ledgers/contracts", "next": url})
    assert r.status_code == 303 and 'data-testid="sort-total_price"' in (await sup.get(url)).text
    assert (await sup.post("/lists/columns", data={"_csrf_token": token, "list": "/nowhere", "next": "/"})).status_code == 404
    assert (await sup.post("/lists/columns", data={"list": "/ledgers/contracts", "col:contract": "1"})).status_code == 403
    r = await sup.post("/lists/columns", data={**form, "next": "https://evil.example/"})
    assert r.headers["location"] == "/ledgers/contracts"
    # show all again
    r = await sup.post("/lists/columns", data={"_csrf_token": token, "list": "/ledgers/contracts", "next": url, "reset": "1"})
    assert r.status_code == 303 and 'data-testid="sort-online_no"' in (await sup.get(url)).text
    uid = (await BaseUser.select(BaseUser.id).where(BaseUser.username == "supervisor").first())["id"]
    assert await ListPreference.count().where((ListPreference.user == uid) & (ListPreference.kind == "columns")
                                              & (ListPreference.list_key == "/ledgers/contracts")) == 1


# ---------------------------------------------------------------- saved views


async def _save_view(client, page_url: str, name: str, hidden: str = ""):
    page = await client.get(page_url)
    token = _token(page.text)
    query = re.search(r'name="query" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    return await client.post("/lists/views", data={"_csrf_token": token, "list": "/ledgers/contracts", "next": page_url, "name": name,
                                                   "query": query, "hidden": hidden})


async def test_saved_view_round_trip(new_client):
    p = await _project()
    sup = await sign_in(await new_client(), "supervisor")
    url = f"/ledgers/contracts?project={p['id']}&stage=已签约&sort=total_price&dir=desc"
    original = await sup.get(url)
    rows = _contracts_in_order(original.text)
    assert len(rows) == 4
    r = await _save_view(sup, url, "  大额 在签  ", hidden="online_no,mobile,not_a_column")
    assert r.status_code == 303
    link = r.headers["location"]
    q = parse_qs(urlparse(link).query)
    assert q["project"] == [str(p["id"])] and q["stage"] == ["已签约"] and q["sort"] == ["total_price"] and q["dir"] == ["desc"]
    view_id = int(q["view"][0])
    row = await ListPreference.select().where(ListPreference.id == view_id).output(load_json=True).first()
    assert row["name"] == "大额 在签" and row["kind"] == "view" and sorted(row["hidden"]) == ["mobile", "online_no"]
    # the list shows the view as a link; following it gives the same rows in the same order, with its columns
    listing_page = await sup.get("/ledgers/contracts")
    assert 'data-testid="view-link"' in listing_page.text and "大额 在签" in listing_page.text
    href = re.search(r'<a href="([^"]+)" data-testid="view-link">大额 在签</a>', listing_page.text).group(1).replace("&amp;", "&")
    again = await sup.get(href)
    assert _contracts_in_order(again.text) == rows
    assert 'data-testid="sort-online_no"' not in again.text and 'data-testid="sort-total_price"' in again.text
    assert f'data-testid="view-{view_id}"' in again.text and "portal-view-chip active" in again.text
    # without the view the user's own column choice (none) applies
    assert 'data-testid="sort-online_no"' in (await sup.get(url)).text
    # names: required, at most 30 characters, unique per user and list — each refused with a message, nothing written
    before = await ListPreference.count()
    for bad, message in (("   ", "视图名称：请填写"), ("长" * 31, "不能超过 30 个字"), ("大额 在签", "已存在")):
        r = await _save_view(sup, url, bad)
        assert r.status_code == 303 and unquote(r.headers["location"]) == url
        flash = (await sup.get(url)).text
        assert message in flash, bad
    assert await ListPreference.count() == before
    # the same name is fine for another user; a foreign filter name in the query is dropped
    other = await sign_in(await new_client(), "contract")
    token = _token((await other.get("/ledgers/contracts")).text)
    r = await other.post("/lists/views", data={"_csrf_token": token, "list": "/ledgers/contracts", "next": "/ledgers/contracts",
                                               "name": "大额 在签", "query": "stage=已签约&evil=1&sort=bogus", "hidden": ""})
    assert r.status_code == 303 and "evil" not in r.headers["location"] and "stage=" in unquote(r.headers["location"])
    assert (await other.get("/ledgers/contracts")).text.count('data-testid="view-link"') == 1


async def test_delete_own_view_only(new_client):
    p = await _project(3)
    sup = await sign_in(await new_client(), "supervisor")
    other = await sign_in(await new_client(), "contract")
    r = await _save_view(sup, f"/ledgers/contracts?project={p['id']}", "我的视图")
    view_id = int(parse_qs(urlparse(r.headers["location"]).query)["view"][0])
    # another user's view: not shown to them, not usable, not deletable (404)
    other_page = await other.get("/ledgers/contracts")
    assert f'data-testid="view-{view_id}"' not in other_page.text
    assert f'data-testid="view-{view_id}"' not in (await other.get(f"/ledgers/contracts?view={view_id}")).text
    token = _token(other_page.text)
    assert (await other.post(f"/lists/views/{view_id}/delete", data={"_csrf_token": token})).status_code == 404
    assert (await other.post("/lists/views/99999999999/delete", data={"_csrf_token": token})).status_code in (404, 400)
    assert await ListPreference.exists().where(ListPreference.id == view_id)
    token = _token((await sup.get("/ledgers/contracts")).text)
    assert (await sup.post(f"/lists/views/{view_id}/delete", data={})).status_code == 403  # CSRF
    r = await sup.post(f"/lists/views/{view_id}/delete", data={"_csrf_token": token, "next": "/ledgers/contracts"})
    assert r.status_code == 303 and r.headers["location"] == "/ledgers/contracts"
    assert not await ListPreference.exists().where(ListPreference.id == view_id)
    assert (await sup.post(f"/lists/views/{view_id}/delete", data={"_csrf_token": token})).status_code == 404


# ---------------------------------------------------------------- print and export on every ledger, register and the report

LEDGER_PAGES = [(lg.listing.base_url, "supervisor") for lg in all_ledgers().values()]
REGISTER_PAGES = [
    ("/finance/advances", "finance_manager"), ("/finance/invoices", "finance_manager"), ("/finance/payments", "finance_manager"),
    ("/office/items", "admin_staff"), ("/office/durables", "admin_staff"), ("/office/vehicles", "admin_staff"),
    ("/office/bookings", "admin_staff"), ("/office/trips", "admin_staff"), ("/seals", "admin_staff"), ("/seals/log", "admin_staff"),
    ("/assets", "admin_staff"), *[(f"/permits/{k}", "supervisor") for k in ("presale", "scale", "qualification", "fund", "mortgage",
                                                                           "agreement", "overseas")],
]


@pytest.mark.parametrize("path,role", [*LEDGER_PAGES, *REGISTER_PAGES, ("/ledgers/report", "supervisor")])
async def test_print_and_export_buttons_on_every_ledger_register_and_the_report(new_client, path, role):
    c = await sign_in(await new_client(), role)
    r = await c.get(path)
    assert r.status_code == 200, (path, r.status_code)
    assert 'data-testid="list-actions"' in r.text and 'data-testid="print-link"' in r.text and 'data-testid="export-xlsx"' in r.text
    export = re.search(r'href="([^"]+)" data-testid="export-xlsx"', r.text).group(1).replace("&amp;", "&")
    f = await c.get(export)
    assert f.status_code == 200 and f.headers["content-type"].startswith("application/vnd.openxmlformats"), (path, f.status_code, f.text[:300])
    header, _rows = read_xlsx(f.content)
    assert header and all(isinstance(h, str) for h in header)
    if path != "/ledgers/report":
        printed = await c.get(re.search(r'href="([^"]+)" data-testid="print-link"', r.text).group(1).replace("&amp;", "&"))
        assert printed.status_code == 200 and 'data-testid="print-view"' in printed.text and 'data-print' in printed.text
        assert 'data-testid="pagination"' not in printed.text and 'data-testid="filter-form"' not in printed.text


async def test_print_view_holds_the_current_filter_up_to_the_limit_and_says_so(new_client, monkeypatch):
    from app.core import listing

    p = await _project(12)
    full_id = (await Buyer.select(Buyer.id_number).where(Buyer.name == "排序客户00").order_by(Buyer.id, ascending=False).first())["id_number"]
    sup = await sign_in(await new_client(), "supervisor")
    r = await sup.get(f"/ledgers/contracts?project={p['id']}&per_page=20&print=1&sort=contract&dir=asc")
    assert r.text.count('data-testid="row"') == 12 and "共 12 条，全部显示" in r.text
    assert _contracts_in_order(r.text) == sorted(_contracts_in_order(r.text))
    assert full_id not in r.text and full_id[:6] + "********" + full_id[-4:] in r.text  # masked in print too
    monkeypatch.setattr(listing, "PRINT_MAX_ROWS", 5)
    r = await sup.get(f"/ledgers/contracts?project={p['id']}&print=1")
    assert r.text.count('data-testid="row"') == 5 and 'data-testid="print-truncated"' in r.text and "共 12 条" in r.text


async def test_register_export_honours_the_filter_and_is_audited(new_client):
    fm = await sign_in(await new_client(), "finance_manager")
    page = await fm.get("/finance/advances?status=未结清")
    n = int(re.search(r"共 (\d+) 条", page.text).group(1))
    export = re.search(r'href="([^"]+)" data-testid="export-xlsx"', page.text).group(1).replace("&amp;", "&")
    assert "status=" in export and "export=xlsx" in export
    before = await AuditLog.count().where(AuditLog.action == "export")
    f = await fm.get(export)
    header, rows = read_xlsx(f.content)
    assert header[0] == "借款单号" and len(rows) == n and {r[header.index("状态")] for r in rows} <= {"未结清"}
    log = await AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id, ascending=False).output(load_json=True).first()
    assert await AuditLog.count().where(AuditLog.action == "export") == before + 1
    assert log["entity"] == "list" and log["after"]["rows"] == n and log["after"]["filter"]["status"] == "未结清"
    # a register a role may not read is not exported either
    data = await sign_in(await new_client(), "data")
    assert (await data.get("/finance/advances?export=xlsx")).status_code == 403


async def test_daily_report_export_follows_the_period_and_scope(new_client):
    c = await sign_in(await new_client(), "contract")  # JC01 only
    page = await c.get("/ledgers/report?period=month")
    export = re.search(r'href="([^"]+)" data-testid="export-xlsx"', page.text).group(1).replace("&amp;", "&")
    assert "period=month" in export
    f = await c.get(export)
    header, rows = read_xlsx(f.content)
    assert header[0] == "项目" and any("本月" in h for h in header) and any("累计" in h for h in header)
    assert [r[0] for r in rows if r[0] != "合计"] == re.findall(r'data-testid="report-row" data-project="[^"]+" data-group="认购">\s*<td class="fw-bold">([^<]+)<', page.text)
    log = await AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id, ascending=False).output(load_json=True).first()
    assert log["entity"] == "daily_report" and log["after"]["period"] == "month"


async def test_the_same_view_name_saved_twice_at_once_is_kept_once(new_client):
    import asyncio

    sup = await sign_in(await new_client(), "supervisor")
    token = _token((await sup.get("/ledgers/contracts")).text)
    form = {"_csrf_token": token, "list": "/ledgers/contracts", "next": "/ledgers/contracts", "name": "同时保存", "query": "stage=已签约"}
    results = await asyncio.gather(*(sup.post("/lists/views", data=form) for _ in range(4)))
    assert all(r.status_code == 303 for r in results)
    uid = (await BaseUser.select(BaseUser.id).where(BaseUser.username == "supervisor").first())["id"]
    assert await ListPreference.count().where((ListPreference.user == uid) & (ListPreference.name == "同时保存")) == 1
    cols = {"_csrf_token": token, "list": "/ledgers/collections", "next": "/ledgers/collections", "col:contract": "1"}
    results = await asyncio.gather(*(sup.post("/lists/columns", data=cols) for _ in range(4)))
    assert all(r.status_code == 303 for r in results)
    assert await ListPreference.count().where((ListPreference.user == uid) & (ListPreference.list_key == "/ledgers/collections")) == 1
