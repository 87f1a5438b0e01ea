"""A trip's fuel and tolls claimed through the expense type from the trip log, as the department clicks it: the
applicant books a car, logs the trip with its receipts, claims it (amounts must match the log), and the same trip is
refused the second time."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from e2e.flows import approve_chain, filter_list, submit_request


def option_value(page, testid: str, text: str) -> str:
    return page.get_by_test_id(testid).locator("option", has_text=text).first.get_attribute("value")


def test_trip_claimed_once_through_the_expense(page, login_page, server_url):
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=6)
    login_page.sign_in("bureau")
    page.goto(f"{server_url}/workflow/new/vehicle")
    page.get_by_test_id("field-vehicle").select_option(option_value(page, "field-vehicle", "苏E·F0925"))
    page.get_by_test_id("field-driver").select_option("self")
    page.get_by_test_id("field-depart_at").fill(f"{day.isoformat()}T08:00")
    page.get_by_test_id("field-return_at").fill(f"{day.isoformat()}T09:30")
    page.get_by_test_id("field-destination").fill("苏州市不动产登记中心")
    page.get_by_test_id("field-passengers").fill("1")
    page.get_by_test_id("field-purpose").fill("递交备案资料")
    ref = submit_request(page)
    login_page.sign_out()
    approve_chain(page, login_page, ref, ["dept_head", "admin_staff"])

    # the trip log with its receipts
    login_page.sign_in("bureau")
    page.goto(f"{server_url}/office/bookings")
    filter_list(page, ref)
    page.get_by_test_id("booking-link").filter(has_text=ref).first.click()
    out = int(page.get_by_test_id("field-odometer_out").input_value())
    page.get_by_test_id("field-odometer_in").fill(str(out + 80))
    page.get_by_test_id("field-fuel_amount").fill("260.00")
    page.get_by_test_id("field-toll_amount").fill("35.00")
    page.get_by_test_id("trip-submit").click()
    expect(page.get_by_test_id("trip-fuel")).to_have_text("¥260.00")
    expect(page.get_by_test_id("trip-claim")).to_contain_text("未报销")

    # 报销本次出车费用: the picker field is filled; the amounts must match the log's receipts
    page.get_by_test_id("trip-claim-link").click()
    expect(page.get_by_test_id("field-trip_ref")).to_have_value(ref)
    page.get_by_test_id("field-reason").fill("备案递件油费、路桥费")
    page.get_by_test_id("field-trip_fuel").fill("260.00")
    page.get_by_test_id("field-trip_toll").fill("53.00")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-trip_toll")).to_have_text("路桥费应与行车记录的票据金额一致（行车记录 35.00 元）")
    expect(page.get_by_test_id("field-reason")).to_have_value("备案递件油费、路桥费")  # kept
    page.get_by_test_id("field-trip_toll").fill("35.00")
    claim = submit_request(page)
    expect(page.get_by_test_id("trip-claim-table")).to_contain_text("¥295.00")
    expect(page.get_by_test_id("request-amount")).to_have_text("¥295.00")

    # the same trip a second time: refused, naming the first claim
    page.goto(f"{server_url}/workflow/new/expense")
    page.get_by_test_id("field-reason").fill("再次报销")
    page.get_by_test_id("field-trip_ref").fill(ref)
    page.get_by_test_id("field-trip_fuel").fill("260.00")
    page.get_by_test_id("field-trip_toll").fill("35.00")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-trip_ref")).to_contain_text(re.compile(f"该次出车已在报销单 {claim}.*每次出车只能报销一次"))
    # the booking page shows the claim
    page.goto(f"{server_url}/office/bookings")
    filter_list(page, ref)
    page.get_by_test_id("booking-link").filter(has_text=ref).first.click()
    expect(page.get_by_test_id("trip-claim")).to_contain_text(claim)
