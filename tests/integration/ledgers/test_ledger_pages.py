"""Each ledger page and its HTMX fragment; who may see them; project scope; masking of ID numbers and phones."""
from datetime import timedelta

import pytest

from app.core.timeutil import today_local
from app.pipeline.tables import Deal
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project

pytestmark = pytest.mark.integration

LEDGER_PATHS = ["/ledgers/contracts", "/ledgers/collections", "/ledgers/mortgages", "/ledgers/filings", "/ledgers/voids",
                "/ledgers/handovers", "/ledgers/titles", "/archive/loans", "/archive"]


@pytest.mark.parametrize("path", LEDGER_PATHS)
async def test_each_ledger_page_and_fragment(new_client, path):
    c = await sign_in(await new_client(), "supervisor")
    r = await c.get(path)
    assert r.status_code == 200, r.text[:500]
    assert 'data-testid="filter-form"' in r.text and 'data-testid="export-xlsx"' in r.text
    assert r.text.count('data-testid="row"') >= 1, f"{path} shows no seeded rows"
    frag = await c.get(path + "?sort=nonsense&page=abc&project=x", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and 'id="ledger-list"' in frag.text
    # the shared toolbar (print, export) is inside the fragment, so it follows the filter; the unknown sort is said
    assert 'data-testid="export-xlsx"' in frag.text and 'data-testid="print-link"' in frag.text
    assert 'data-testid="list-notice"' in frag.text and "不能按“nonsense”排序" in frag.text


async def test_index_report_and_import_pages(new_client):
    c = await sign_in(await new_client(), "contract")
    for path in ("/ledgers", "/ledgers/report", "/ledgers/report?period=week", "/ledgers/report?period=month&date=2026-02-30",
                 "/ledgers/contracts/import"):
        r = await c.get(path)
        assert r.status_code == 200, path
    r = await c.get("/ledgers/nothing")
    assert r.status_code == 404 and "没有这个台账" in r.text


@pytest.mark.parametrize("path", [*LEDGER_PATHS, "/ledgers", "/ledgers/report", "/ledgers/contracts/export", "/ledgers/contracts/import",
                                  "/ledgers/contracts/import/template", "/ledgers/report/preview?project=1"])
async def test_guard_has_no_access(new_client, path):
    c = await sign_in(await new_client(), "guard")
    r = await c.get(path)
    assert r.status_code == 403 and "没有访问此页面的权限" in r.text


async def test_signed_out_is_sent_to_login(new_client):
    c = await new_client()
    r = await c.get("/ledgers/contracts")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_contract_sees_only_jc01(new_client):
    jc02 = [r["contract_no"] for r in await Deal.select(Deal.contract_no).where(
        (Deal.project.code == "JC02") & Deal.signed_on.is_not_null()).limit(50)]
    jc01 = [r["contract_no"] for r in await Deal.select(Deal.contract_no).where(
        (Deal.project.code == "JC01") & Deal.signed_on.is_not_null()).limit(50)]
    assert jc02 and jc01
    contract = await sign_in(await new_client(), "contract")
    r = await contract.get("/ledgers/contracts?per_page=100")
    assert r.status_code == 200
    assert all(no not in r.text for no in jc02)
    assert any(no in r.text for no in jc01)
    # asking for JC02 by filter gives nothing either (the scope is a WHERE clause, not the choice list)
    jc02_id = (await Deal.select(Deal.project).where(Deal.project.code == "JC02").first())["project"]
    r = await contract.get(f"/ledgers/contracts?project={jc02_id}")
    assert 'data-testid="empty-state"' in r.text
    for path in ("/ledgers/collections?per_page=100", "/ledgers/filings?per_page=100", "/ledgers/mortgages?per_page=100"):
        text = (await contract.get(path)).text
        assert all(no not in text for no in jc02), path
    # contract2 sees JC02 and not JC01
    contract2 = await sign_in(await new_client(), "contract2")
    r = await contract2.get("/ledgers/contracts?per_page=100")
    assert any(no in r.text for no in jc02) and all(no not in r.text for no in jc01)


async def test_ledger_pages_are_masked_for_every_role(new_client):
    p = await make_project("TMK")
    buyer = await make_buyer("遮蔽测试", 7, mobile="13912345678")
    await make_deal(p, p["units"][0], buyer, stage="已签约", signed_on=today_local() - timedelta(days=2), contract_no=f"{p['code']}-HT-1")
    from app.pipeline.tables import Buyer

    full_id = (await Buyer.select(Buyer.id_number).where(Buyer.id == buyer).first())["id_number"]
    masked_id = full_id[:6] + "********" + full_id[-4:]
    data = await sign_in(await new_client(), "data")  # 数据专员: no CUSTOMER_UNMASK
    r = await data.get(f"/ledgers/contracts?project={p['id']}")
    assert masked_id in r.text and full_id not in r.text
    assert "139****5678" in r.text and "13912345678" not in r.text
    assert 'data-testid="masked-note"' in r.text
    sup = await sign_in(await new_client(), "supervisor")  # may unmask, but a ledger page is masked for everyone (one rule)
    r = await sup.get(f"/ledgers/contracts?project={p['id']}")
    assert masked_id in r.text and full_id not in r.text and "13912345678" not in r.text
    r = await sup.get(f"/ledgers/contracts?project={p['id']}", headers={"HX-Request": "true"})  # the HTMX fragment too
    assert masked_id in r.text and full_id not in r.text
    assert 'data-testid="export-xlsx-full"' in (await sup.get(f"/ledgers/contracts?project={p['id']}")).text
    assert 'data-testid="export-xlsx-full"' not in (await data.get(f"/ledgers/contracts?project={p['id']}")).text


async def test_filters_sort_and_paging(new_client):
    p = await make_project("TFS", units=4)
    buyer = await make_buyer("筛选测试", 8)
    today = today_local()
    for i, u in enumerate(p["units"]):
        await make_deal(p, u, buyer, stage="已签约" if i % 2 == 0 else "已备案", signed_on=today - timedelta(days=10 * i),
                        contract_no=f"{p['code']}-HT-{i}", payment_method="商贷" if i < 2 else "一次性")
    c = await sign_in(await new_client(), "supervisor")
    base = f"/ledgers/contracts?project={p['id']}"
    r = await c.get(base)
    assert r.text.count('data-testid="row"') == 4 and "共 4 条" in r.text
    r = await c.get(base + "&stage=已备案")
    assert r.text.count('data-testid="row"') == 2 and f"{p['code']}-HT-1" in r.text and f"{p['code']}-HT-0" not in r.text
    r = await c.get(base + f"&signed_from={(today - timedelta(days=15)).isoformat()}")
    assert r.text.count('data-testid="row"') == 2
    r = await c.get(base + "&method=商贷&q=HT-1")
    assert r.text.count('data-testid="row"') == 1
    r = await c.get(base + "&sort=signed_on&dir=asc")
    order = [r.text.index(f"{p['code']}-HT-{i}") for i in range(4)]
    assert order == sorted(order, reverse=True)  # oldest (HT-3) first
    r = await c.get(base + "&sort=signed_on&dir=desc")
    order = [r.text.index(f"{p['code']}-HT-{i}") for i in range(4)]
    assert order == sorted(order)
    r = await c.get(base + "&signed_from=not-a-date&page=99")
    assert r.status_code == 200 and r.text.count('data-testid="row"') == 4  # unusable values are ignored, the page clamps


async def test_absurd_input_never_gives_a_server_error(new_client):
    c = await sign_in(await new_client(), "supervisor")
    huge = "9" * 25
    for path in (f"/ledgers/contracts?project={huge}&q=%00&signed_from=0000-00-00&per_page=100000&page=-3",
                 f"/ledgers/collections?project={huge}&state=%E9%80%BE%E6%9C%9F%00", f"/archive/loans?project=-1&kind=2",
                 f"/ledgers/contracts/export?project={huge}&q=%00", f"/ledgers/report?project={huge}&date=99999-01-01",
                 f"/ledgers/report/preview?project={huge}&report_date=x"):
        r = await c.get(path)
        assert r.status_code == 200, (path, r.text[-500:])
    assert (await c.get(f"/archive/deals/{huge}")).status_code == 404
    from tests.conftest import csrf_token

    keeper = await sign_in(await new_client(), "archive")
    token = await csrf_token(keeper, "/archive")
    r = await keeper.post(f"/archive/loans/{huge}/return", data={"_csrf_token": token})
    assert r.status_code == 404
    deal = (await Deal.select(Deal.id).where(Deal.project.code == "JC01").first())["id"]
    r = await keeper.post(f"/archive/deals/{deal}/lend", data={"_csrf_token": token, "item": "认购书", "kind": "原件", "borrower": huge,
                                                                "approver": huge, "reason": "a\x00b", "due_on": "2026-12-01"})
    assert r.status_code == 400 and "请选择在职员工" in r.text


async def test_filing_limit_ending_on_a_holiday_moves_in_the_ledger_and_its_overdue_filter(new_client):
    """民法典 第二百零三条: a 30-day filing limit whose last day is a holiday ends on the next working day — the ledger's
    days left, its 逾期 filter and the unit page agree (issue 7 §4). Yesterday is made a holiday for the test."""
    from app.core.tables import HolidayOverride

    today = today_local()
    yesterday = today - timedelta(days=1)
    signed = yesterday - timedelta(days=30)  # nominal last day: yesterday
    p = await make_project("TFH")
    buyer = await make_buyer("期限顺延", 9)
    await make_deal(p, p["units"][0], buyer, stage="已签约", signed_on=signed, contract_no=f"{p['code']}-HT-1", filing_status="待备案")
    c = await sign_in(await new_client(), "supervisor")
    existing = await HolidayOverride.select().where(HolidayOverride.day == yesterday).first()
    await HolidayOverride.delete().where(HolidayOverride.day == yesterday)
    try:
        await HolidayOverride.insert(HolidayOverride(day=yesterday, is_workday=True, name="测试上班"))
        r = await c.get(f"/ledgers/filings?project={p['id']}&status=逾期")
        assert f"{p['code']}-HT-1" in r.text  # yesterday a working day: overdue by one day
        await HolidayOverride.update({HolidayOverride.is_workday: False, HolidayOverride.name: "测试假日"}).where(HolidayOverride.day == yesterday)
        r = await c.get(f"/ledgers/filings?project={p['id']}")
        row = r.text.split(f"{p['code']}-HT-1")[1].split("</tr>")[0]
        assert "逾期" not in row and "剩 " in row
        r = await c.get(f"/ledgers/filings?project={p['id']}&status=逾期")
        assert f"{p['code']}-HT-1" not in r.text
    finally:
        await HolidayOverride.delete().where(HolidayOverride.day == yesterday)
        if existing:
            await HolidayOverride.insert(HolidayOverride(**{k: v for k, v in existing.items() if k != "id"}))
