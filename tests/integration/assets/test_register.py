"""Asset register pages: the listing and its HTMX fragment with filters, who sees what, 按保管人 aggregated in
SQL, the card page with its history, the net-value preview."""
import pytest

from app.assets.tables import AssetCard
from tests.conftest import sign_in
from tests.integration.assets.helpers import category_id, employee, make_card

pytestmark = pytest.mark.integration


async def test_register_page_and_fragment_with_filters(new_client):
    card = await make_card("title", "3500.00", days_ago=100, name="登记簿测试扫描仪")
    admin = await sign_in(await new_client(), "admin_staff")
    r = await admin.get("/assets")
    assert r.status_code == 200 and "资产台账" in r.text and 'data-testid="filter-custodian"' in r.text
    title = await employee("title")
    r = await admin.get(f"/assets?custodian={title['id']}&status=在用&category={await category_id()}&department={title['department']}",
                        headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and card["number"] in r.text
    r = await admin.get("/assets?status=已报废&q=登记簿测试", headers={"HX-Request": "true"})
    assert card["number"] not in r.text
    assert (await admin.get("/assets?custodian=abc&status=&page=0&sort=hack&dir=sideways")).status_code == 200


async def test_staff_see_only_what_they_hold(new_client):
    mine = await make_card("clerk", "2100.00", name="资料员专用电脑")
    other = await make_card("dept_head", "7000.00", name="经理专用电脑")
    clerk = await sign_in(await new_client(), "clerk")
    page = (await clerk.get("/assets?per_page=100")).text
    assert mine["number"] in page and other["number"] not in page
    assert (await clerk.get(f"/assets/cards/{mine['id']}")).status_code == 200
    assert (await clerk.get(f"/assets/cards/{other['id']}")).status_code == 403
    assert (await clerk.get("/assets/cards/99999999")).status_code == 404
    finance = await sign_in(await new_client(), "finance_manager")
    assert (await finance.get(f"/assets/cards/{other['id']}")).status_code == 200


async def test_by_custodian_counts_and_values_in_sql(new_client):
    e = await employee("hr2")
    await make_card("hr2", "2500.00")
    await make_card("hr2", "3500.50")
    admin = await sign_in(await new_client(), "admin_staff")
    r = await admin.get("/assets/by-custodian")
    assert r.status_code == 200
    n = await AssetCard.count().where((AssetCard.custodian == e["id"]) & (AssetCard.status == "在用"))
    assert n == 2
    row = r.text.split(f"/assets?custodian={e['id']}&")[0].rsplit('data-testid="custodian-row"', 1)[1]
    assert ">2<" in row and "¥6,000.50" in row
    hr2 = await sign_in(await new_client(), "hr2")
    own = (await hr2.get("/assets/by-custodian")).text
    assert own.count('data-testid="custodian-row"') == 1 and "¥6,000.50" in own


async def test_card_page_shows_history_and_net_value(new_client):
    card = await make_card("supervisor", "3600.00", days_ago=400, years=3)
    sup = await sign_in(await new_client(), "supervisor")
    r = await sup.get(f"/assets/cards/{card['id']}")
    assert r.status_code == 200 and 'data-testid="card-history"' in r.text and 'data-testid="card-net"' in r.text and "3,600.00" in r.text


async def test_net_value_preview_fragment(new_client):
    card = await make_card("data", "3600.00", days_ago=0)
    c = await sign_in(await new_client(), "data")
    r = await c.get(f"/assets/net-value?asset={card['id']}", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and 'data-testid="net-value"' in r.text and "¥3,600.00" in r.text
    for bad in ("", "abc", "99999999", "1" * 30):
        r = await c.get(f"/assets/net-value?asset={bad}", headers={"HX-Request": "true"})
        assert r.status_code == 200 and "选择资产后显示" in r.text
    assert (await c.get(f"/assets/net-value?asset={card['id']}")).status_code == 200  # plain page too


async def test_disposal_form_lists_cards_in_use(new_client):
    card = await make_card("data", "2222.00", name="表单测试设备")
    c = await sign_in(await new_client(), "data")
    r = await c.get("/workflow/new/asset_disposal")
    assert r.status_code == 200 and card["number"] in r.text and 'data-testid="net-preview"' in r.text


async def test_huge_or_odd_ids_give_404_or_are_ignored_not_500(new_client):
    from tests.conftest import csrf_token

    admin = await sign_in(await new_client(), "admin_staff")
    huge = "9" * 22
    assert (await admin.get(f"/assets?custodian={huge}&department={huge}&category=-1")).status_code == 200
    assert (await admin.get(f"/assets/cards/{huge}")).status_code == 404
    assert (await admin.get(f"/assets/disposals/{huge}/wipe")).status_code == 404
    token = await csrf_token(admin, "/assets")
    assert (await admin.post(f"/assets/disposals/{huge}/wipe", data={"_csrf_token": token})).status_code == 404


async def test_reference_tables_are_in_the_admin_and_pages_need_sign_in(new_client):
    anonymous = await new_client()
    for path in ("/assets", "/assets/by-custodian", "/seals", "/seals/log"):
        r = await anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    admin = await sign_in(await new_client(), "sysadmin")
    tables = (await admin.get("/admin/api/tables/")).json()
    assert "seal" in tables and "asset_category" in tables
