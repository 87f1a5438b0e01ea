"""Office supplies and vehicles as people click them: each request submitted through /workflow/new/<code>, every
approver signs in, opens 审批中心 → the request → 同意; then the register shows the change. Also the office pages
at desktop (1366) and tablet (800) width without horizontal overflow, with screenshots to look at."""
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from e2e.nav import nav
from e2e.waits import settle

SHOTS = Path(tempfile.gettempdir()) / "office-screens"


def submit_and_get_number(page) -> str:
    page.get_by_test_id("submit-request").click()
    page.wait_for_url(re.compile(r"/workflow/requests/\d+$"))
    expect(page.get_by_test_id("flash")).to_contain_text("已提交")
    return re.search(r"[A-Z]{2}-\d{8}-\d{4}", page.get_by_test_id("flash").inner_text()).group(0)


def approve(page, login_page, username: str, number: str, final_status: str) -> None:
    login_page.sign_in(username)
    nav(page, "nav-workflow")
    page.get_by_test_id("request-link").filter(has_text=number).click()
    expect(page.get_by_test_id("task-actions")).to_be_visible()
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("request-status")).to_contain_text(final_status)
    settle(page)  # let the 待办 badge refresh finish before signing out
    login_page.sign_out()


def item_quantity(page, server_url: str, item_id: str) -> int:
    page.goto(f"{server_url}/office/items/{item_id}")
    return int(page.get_by_test_id("item-quantity").inner_text())


def option_value(page, testid: str, label_starts: str) -> str:
    return page.get_by_test_id(testid).locator("option", has_text=label_starts).first.get_attribute("value")


def test_purchase_through_the_chain_stocks_in(page, login_page, server_url):
    login_page.sign_in("data")
    page.goto(f"{server_url}/workflow/new/supplies_purchase")
    item_id = option_value(page, "line-item-0", "签字笔")
    page.get_by_test_id("line-item-0").select_option(item_id)
    page.get_by_test_id("line-qty-0").fill("30")
    page.get_by_test_id("line-price-0").fill("2.50")
    expect(page.get_by_test_id("line-amount-0")).to_have_text("75.00")
    page.get_by_test_id("line-name-1").fill("长尾夹")
    page.get_by_test_id("line-spec-1").fill("32mm")
    page.get_by_test_id("line-unit-1").fill("盒")
    page.get_by_test_id("line-qty-1").fill("4")
    page.get_by_test_id("line-price-1").fill("6.80")
    expect(page.get_by_test_id("purchase-total")).to_have_text("¥102.20")
    page.get_by_test_id("field-budget_line").fill("办公费—客服部")
    page.get_by_test_id("field-purpose").fill("12 月客服部办公用品")
    number = submit_and_get_number(page)
    expect(page.get_by_test_id("request-amount")).to_have_text("¥102.20")
    before = item_quantity(page, server_url, item_id)
    login_page.sign_out()

    approve(page, login_page, "dept_head", number, "审批中")
    approve(page, login_page, "admin_staff", number, "已通过")

    login_page.sign_in("data")
    assert item_quantity(page, server_url, item_id) == before + 30
    expect(page.get_by_test_id("list")).to_contain_text(number)
    nav(page, "nav-office-items")
    page.get_by_test_id("filter-q").fill("长尾夹")
    page.get_by_test_id("filter-submit").click()
    row = page.get_by_test_id("row").filter(has_text="长尾夹")
    expect(row).to_contain_text("32mm")
    expect(row).to_contain_text("4")


def test_requisition_through_the_chain_stocks_out_and_durable_is_mine(page, login_page, server_url):
    login_page.sign_in("clerk")
    page.goto(f"{server_url}/workflow/new/supplies_issue")
    paper = option_value(page, "line-item-0", "A4 复印纸")
    calc = option_value(page, "line-item-0", "计算器")
    page.get_by_test_id("field-purpose").fill("前台接待日常使用")
    page.get_by_test_id("line-item-0").select_option(paper)
    page.get_by_test_id("line-qty-0").fill("9999")
    page.get_by_test_id("line-item-1").select_option(calc)
    page.get_by_test_id("line-qty-1").fill("1")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-line_qty_0")).to_contain_text("超出库存")
    expect(page.get_by_test_id("line-qty-0")).to_have_value("9999")  # the form keeps what was typed
    page.get_by_test_id("line-qty-0").fill("3")
    number = submit_and_get_number(page)
    before_paper, before_calc = item_quantity(page, server_url, paper), item_quantity(page, server_url, calc)
    login_page.sign_out()

    approve(page, login_page, "supervisor", number, "审批中")
    approve(page, login_page, "admin_staff", number, "已通过")

    login_page.sign_in("clerk")
    assert item_quantity(page, server_url, paper) == before_paper - 3
    assert item_quantity(page, server_url, calc) == before_calc - 1
    nav(page, "nav-office-my-durables")
    expect(page.get_by_test_id("row").filter(has_text="计算器")).to_contain_text(number)


def test_vehicle_booking_through_the_chain_shows_on_the_calendar(page, login_page, server_url):
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=2)
    login_page.sign_in("mortgage")
    page.goto(f"{server_url}/workflow/new/vehicle")
    vehicle = option_value(page, "field-vehicle", "苏E·A3M51")
    page.get_by_test_id("field-vehicle").select_option(vehicle)
    page.get_by_test_id("field-driver").select_option("self")
    page.get_by_test_id("field-depart_at").fill(f"{day.isoformat()}T14:00")
    page.get_by_test_id("field-return_at").fill(f"{day.isoformat()}T10:00")
    page.get_by_test_id("field-destination").fill("苏州市住房公积金管理中心")
    page.get_by_test_id("field-passengers").fill("2")
    page.get_by_test_id("field-purpose").fill("办理公积金贷款资料递交")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-return_at")).to_have_text("返回时间必须晚于出发时间")
    page.get_by_test_id("field-return_at").fill(f"{day.isoformat()}T17:00")
    number = submit_and_get_number(page)
    login_page.sign_out()

    approve(page, login_page, "dept_head", number, "审批中")
    approve(page, login_page, "admin_staff", number, "已通过")

    login_page.sign_in("mortgage")
    monday = day - timedelta(days=day.weekday())
    page.goto(f"{server_url}/office/calendar?week={(monday - timedelta(days=7)).isoformat()}")
    expect(page.get_by_test_id("cal-booking").filter(has_text=number)).to_have_count(0)
    page.get_by_test_id("cal-next").click()  # HTMX: the week is swapped in place
    expect(page.get_by_test_id("cal-range")).to_contain_text(monday.isoformat())
    booking = page.get_by_test_id(f"cal-vehicle-{vehicle}").get_by_test_id("cal-booking").filter(has_text=number)
    expect(booking).to_contain_text("已通过")
    expect(booking).to_contain_text("14:00–17:00")
    expect(page).to_have_url(re.compile(rf"week={monday.isoformat()}"))
    booking.click()
    page.get_by_test_id("field-odometer_in").fill("23600")
    page.get_by_test_id("trip-submit").click()
    expect(page.get_by_test_id("error-odometer_in")).to_contain_text("回车里程不能小于出车里程")
    page.get_by_test_id("field-odometer_in").fill("23712")
    page.get_by_test_id("trip-submit").click()
    expect(page.get_by_test_id("trip-distance")).to_have_text("62 公里")


OFFICE_PAGES = ["/office/items", "/office/items/1", "/office/my-durables", "/office/durables", "/office/calendar", "/office/bookings",
                "/office/trips", "/office/vehicles", "/workflow/new/supplies_purchase", "/workflow/new/supplies_issue", "/workflow/new/vehicle"]


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_office_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("admin_staff")
    page.goto(server_url + "/office/bookings")
    booking = page.get_by_test_id("booking-link")
    extra = [booking.first.get_attribute("href")] if booking.count() else []  # a booking's page, once the flow tests made one
    if extra:
        page.goto(server_url + extra[0])
        extra.append(page.get_by_test_id("request-link").get_attribute("href"))  # the booking's approval page
    page.goto(server_url + "/office/items/2")
    ledger_requests = page.get_by_test_id("ledger-request").filter(has_text="SG-")
    if ledger_requests.count():
        extra.append(ledger_requests.first.get_attribute("href"))  # a purchase's approval page
    extra.append(f"/office/calendar?week={datetime.now(ZoneInfo('Asia/Shanghai')).date() + timedelta(days=2)}")  # the week of the e2e booking
    for path in OFFICE_PAGES + extra:
        response = page.goto(server_url + path)
        assert response.status == 200, path
        settle(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "")
        page.screenshot(path=str(SHOTS / f"{name}-{slug}.png"), full_page=True)
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"
