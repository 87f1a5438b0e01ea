"""A1 认购 as the department clicks it: a 置业顾问 registers a subscription with a 特殊优惠, the 销售经理, 营销副总 and
总经理 approve it on the engine, the accountant records the 定金, the unit is 已认购, and the printed 认购书 (A4) is
looked at."""
import re
from decimal import Decimal

from playwright.sync_api import expect

from e2e.flows import approve_chain
from e2e.screens import shoot
from e2e.test_pipeline import _id, open_unit, receive_deposit


def test_special_discount_approved_deposit_received_and_printed(page, login_page, server_url):
    login_page.sign_in("sales")
    unit_url = open_unit(page, server_url)
    page.get_by_test_id("subscribe-link").click()
    total = Decimal(page.get_by_test_id("field-total_price").input_value())
    special = (total * Decimal("0.95")).quantize(Decimal("0.01"))  # 5 %: beyond the 销售经理's 3 % authority
    page.get_by_test_id("field-name").fill("欧阳特惠")
    page.get_by_test_id("field-id_number").fill(_id(301))
    page.get_by_test_id("field-mobile").fill("13800138301")
    page.get_by_test_id("field-address").fill("苏州市工业园区")
    page.get_by_test_id("field-marital").select_option("未婚")
    page.get_by_test_id("field-total_price").fill(f"{special:.2f}")
    page.get_by_test_id("field-down_payment").fill(f"{special:.2f}")
    page.get_by_test_id("field-discount_note").fill("团购特殊优惠 5%")
    page.get_by_test_id("field-deposit").fill("50000.00")
    page.get_by_test_id("subscribe-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("保留")
    expect(page.get_by_test_id("subscription-status")).to_contain_text("优惠待批")
    number = page.get_by_test_id("discount-request").first.inner_text().strip()
    assert number.startswith("YH-")
    login_page.sign_out()

    approve_chain(page, login_page, number, ["sales_manager", "marketing_vp", "gm"])
    receive_deposit(page, login_page, server_url, "欧阳特惠", 301)

    login_page.sign_in("sales")
    page.goto(server_url + unit_url)
    expect(page.get_by_test_id("unit-status")).to_contain_text("已认购")
    expect(page.get_by_test_id("subscription-status")).to_contain_text("已认购")
    expect(page.get_by_test_id("stage-认购")).to_have_attribute("data-stage-status", "已认购")
    for width, height in ((1366, 900), (800, 1280)):
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, f"subscription-unit-{width}", full_page=True)
    page.get_by_test_id("subscription-print").click()
    expect(page.get_by_test_id("print-discount")).to_contain_text(number)
    expect(page.get_by_test_id("print-discount")).to_contain_text("特殊优惠")
    expect(page.get_by_test_id("print-total")).to_contain_text("元")
    expect(page.get_by_test_id("print-id")).not_to_contain_text(_id(301))  # masked
    expect(page.get_by_test_id("print-deadline")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shoot(page, "subscription-print-a4", full_page=True)
