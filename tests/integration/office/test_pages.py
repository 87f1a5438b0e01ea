"""Every office page: full page and HTMX fragment for an allowed role; refused for a role without the permission
(an account with no post), the 行政-only pages refused for officers; lists filtered and paged in SQL."""
import pytest
from piccolo.apps.user.tables import BaseUser

from app.office.tables import StockItem, Vehicle
from tests.conftest import csrf_token, sign_in
from tests.integration.office.helpers import make_item

pytestmark = pytest.mark.integration

HX = {"HX-Request": "true"}
LISTS = [  # path, fragment target id, a text the page shows
    ("/office/items", "item-list", "办公用品库存"),
    ("/office/my-durables", "my-durable-list", "我领用的耐用品"),
    ("/office/vehicles", "vehicle-list", "车辆台账"),
    ("/office/bookings", "booking-list", "用车登记"),
    ("/office/trips", "trip-list", "行车记录"),
]


async def _no_post_user(new_client):
    if not await BaseUser.exists().where(BaseUser.username == "office_nopost"):
        await BaseUser.create_user(username="office_nopost", password="demo2026", email="office_nopost@example.com", active=True)
    return await sign_in(await new_client(), "office_nopost")


@pytest.mark.parametrize("path, target, text", LISTS)
async def test_register_pages_and_fragments(new_client, path, target, text):
    c = await sign_in(await new_client(), "cleaner")  # site staff may use the office pages too
    page = await c.get(path)
    assert page.status_code == 200 and "<html" in page.text and text in page.text and f'id="{target}"' in page.text
    frag = await c.get(path + "?page=1", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.lstrip().startswith(f'<div id="{target}"')
    assert (await c.get(path + "?page=abc&sort=nonsense&dir=x&q=%25_")).status_code == 200


@pytest.mark.parametrize("path", [p for p, _, _ in LISTS] + ["/office/calendar", "/office/durables", "/office/items/1", "/office/bookings/1",
                                                             "/office/durables/1"])
async def test_pages_refused_without_a_post_and_redirected_when_signed_out(new_client, path):
    c = await _no_post_user(new_client)
    assert (await c.get(path)).status_code == 403
    anon = await new_client()
    r = await anon.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_item_register_filters_and_ledger_page(new_client):
    item = await make_item(7, durable=True, name="测试装订机")
    c = await sign_in(await new_client(), "contract")
    r = await c.get("/office/items?q=测试装订机&durable=1")
    assert r.status_code == 200 and item["name"] in r.text and "A4 复印纸" not in r.text
    r = await c.get("/office/items?durable=0&q=测试装订机")
    assert item["name"] not in r.text
    r = await c.get(f"/office/items/{item['id']}")
    assert r.status_code == 200 and 'data-testid="item-quantity">7<' in r.text and "期初" in r.text and 'data-testid="held-out"' in r.text
    frag = await c.get(f"/office/items/{item['id']}?kind=期初", headers=HX)
    assert frag.status_code == 200 and frag.text.lstrip().startswith('<div id="ledger-list"') and "期初" in frag.text
    assert (await c.get(f"/office/items/{item['id']}?from=notadate&to=2026-99-99")).status_code == 200
    assert (await c.get("/office/items/999999")).status_code == 404
    assert (await c.get("/office/items/abc")).status_code in (400, 404)


async def test_durables_register_is_for_admin_staff_and_managers(new_client):
    for who in ("admin_staff", "dept_head", "sysadmin"):
        c = await sign_in(await new_client(), who)
        assert (await c.get("/office/durables")).status_code == 200
        frag = await c.get("/office/durables?returned=0", headers=HX)
        assert frag.status_code == 200 and frag.text.lstrip().startswith('<div id="durable-list"')
    officer = await sign_in(await new_client(), "contract")
    r = await officer.get("/office/durables")
    assert r.status_code == 403 and "无权访问" in r.text
    items = await officer.get("/office/items")
    assert 'data-testid="durables-link"' not in items.text
    staff_items = await (await sign_in(await new_client(), "admin_staff")).get("/office/items")
    assert 'data-testid="durables-link"' in staff_items.text


async def test_durable_return_refused_for_officers(new_client):
    from tests.integration.office.helpers import issue_form
    from tests.integration.workflow.helpers import approve_as, submit
    from app.office.tables import DurableHolding

    item = await make_item(2, durable=True, name="测试U盘")
    holder = await sign_in(await new_client(), "bureau")
    rid, _ = await submit(holder, "supplies_issue", issue_form([(item["id"], 1)]))
    await approve_as(new_client, rid, "supervisor")
    await approve_as(new_client, rid, "admin_staff")
    h = (await DurableHolding.select(DurableHolding.id).where(DurableHolding.request == rid).first())["id"]
    page = await holder.get(f"/office/durables/{h}")
    assert page.status_code == 200 and 'data-testid="return-form"' not in page.text  # the holder sees it, cannot sign it back
    token = await csrf_token(holder, f"/office/durables/{h}")
    assert (await holder.post(f"/office/durables/{h}/return", data={"_csrf_token": token})).status_code == 403
    stranger = await sign_in(await new_client(), "clerk")
    assert (await stranger.get(f"/office/durables/{h}")).status_code == 403
    assert (await stranger.get("/office/durables/999999")).status_code == 404


async def test_calendar_week_page_and_htmx_navigation(new_client):
    c = await sign_in(await new_client(), "reception")
    page = await c.get("/office/calendar")
    assert page.status_code == 200 and 'data-testid="vehicle-calendar"' in page.text and 'data-testid="cal-next"' in page.text
    plates = [r["plate"] for r in await Vehicle.select(Vehicle.plate).where(Vehicle.active == True).limit(3)]  # noqa: E712
    assert all(p in page.text for p in plates)
    frag = await c.get("/office/calendar?week=2026-12-02", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.lstrip().startswith('<div class="card" id="vehicle-week"')
    assert 'data-week="2026-11-30"' in frag.text and "2026-11-30 至 2026-12-06" in frag.text and "week=2026-12-07" in frag.text
    assert (await c.get("/office/calendar?week=garbage")).status_code == 200


async def test_new_request_forms_render_with_choices(new_client):
    c = await sign_in(await new_client(), "data")
    for code, marker in (("supplies_purchase", 'data-testid="purchase-lines"'), ("supplies_issue", 'data-testid="issue-lines"'),
                         ("vehicle", 'data-testid="field-depart_at"')):
        r = await c.get(f"/workflow/new/{code}")
        assert r.status_code == 200 and marker in r.text and 'name="_csrf_token"' in r.text
    r = await c.get("/workflow/new/supplies_issue")
    assert "A4 复印纸" in r.text
    assert "¥2,000.00" in (await c.get("/workflow/new/supplies_purchase")).text
    zero = await StockItem.select(StockItem.name).where(StockItem.quantity == 0).first()
    if zero:
        assert f">{zero['name']}（" not in r.text  # nothing to requisition from an empty shelf


async def test_booking_page_unknown_and_bad_ids(new_client):
    c = await sign_in(await new_client(), "data")
    assert (await c.get("/office/bookings/999999")).status_code == 404
    token = await csrf_token(c, "/office/items")
    assert (await c.post("/office/bookings/999999/trip", data={"_csrf_token": token})).status_code == 404


async def test_booking_and_trip_filters_in_sql(new_client):
    from tests.integration.office.helpers import make_vehicle, slot, vehicle_form
    from tests.integration.workflow.helpers import submit

    v = await make_vehicle()
    c = await sign_in(await new_client(), "title")
    rid, _ = await submit(c, "vehicle", vehicle_form(v, "self", *slot(20, 9, 10), destination="测试目的地甲"))
    assert rid
    r = await c.get(f"/office/bookings?vehicle={v}&status=审批中", headers=HX)
    assert r.status_code == 200 and "测试目的地甲" in r.text
    r = await c.get(f"/office/bookings?vehicle={v}&status=已通过", headers=HX)
    assert "测试目的地甲" not in r.text
    for query in ("vehicle=abc", "status=nonsense", "from=2026-99-01", "sort=depart_at&dir=desc", "q=测试目的地甲"):
        r = await c.get(f"/office/bookings?{query}")
        assert r.status_code == 200, query
    assert (await c.get("/office/trips?vehicle=abc&from=x&to=y")).status_code == 200
