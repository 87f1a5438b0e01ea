"""A2 签约 as the desk works it: the 置业顾问 submits the 购房审核单; the 合同专员 receives the documents, ticks the checks,
enters the 网签, prints, confirms the customer's signature and records the same-day entries; the outage log."""
import os
import re
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.nav import nav
from e2e.test_pipeline import open_unit, receive_deposit, subscribe
from e2e.waits import settle

SHOTS = os.environ.get("E2E_SHOTS", "/tmp/shots-signing")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}-1366.png", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    page.screenshot(path=f"{SHOTS}/{name}-800.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_sheet_to_signed_with_the_same_day_entries(page, login_page, server_url):
    login_page.sign_in("sales")  # 置业顾问: 认购, then the 审核单
    unit_url = open_unit(page, server_url)
    subscribe(page, "韩思远", 131)
    login_page.sign_out()
    receive_deposit(page, login_page, server_url, "韩思远", 131)  # A1: 财务 receives the 定金: 已认购
    login_page.sign_in("sales")
    page.goto(server_url + unit_url)
    form = page.get_by_test_id("form-sheet-submit")
    form.get_by_test_id("field-receipt_no").select_option(index=1)
    form.get_by_test_id("field-delivery_due").fill((today_local() + timedelta(days=150)).isoformat())
    form.get_by_test_id("field-title_deadline").fill((today_local() + timedelta(days=100)).isoformat())  # before the delivery: refused
    page.get_by_test_id("sheet-submit").click()
    expect(page.get_by_test_id("error-title_deadline")).to_contain_text("办证期限应晚于交付日期")
    page.get_by_test_id("field-title_deadline").fill((today_local() + timedelta(days=240)).isoformat())
    _shot(page, "sheet-form")
    page.get_by_test_id("sheet-submit").click()
    expect(page.get_by_test_id("sign-status")).to_have_count(0)  # nothing left for the 置业顾问 to do
    expect(page.get_by_test_id("stage-签约")).to_have_attribute("data-stage-status", "审核单待审")
    login_page.sign_out()

    login_page.sign_in("contract")  # 合同专员: the check, the 网签, the signing
    page.goto(server_url + unit_url)
    docs = page.get_by_test_id("sign-docs").locator("li")
    for i in range(docs.count()):
        page.get_by_test_id(f"sign-doc-{i + 1}").click()
        expect(page.get_by_test_id("sign-docs").locator("li").nth(i)).to_contain_text("已收")
    for i in range(1, 5):
        page.get_by_test_id(f"check-{i}").check()
    page.get_by_test_id("form-check-submit").get_by_test_id("field-result").select_option("审核通过")
    _shot(page, "sheet-check")
    page.get_by_test_id("check-submit").click()
    expect(page.get_by_test_id("stage-签约")).to_have_attribute("data-stage-status", "审核通过")
    page.get_by_test_id("field-contract_no").fill("E2E-QY-0131")
    page.get_by_test_id("field-online_no").fill("WQ-E2E-0131")
    page.get_by_test_id("draft-submit").click()
    expect(page.get_by_test_id("stage-签约")).to_have_attribute("data-stage-status", "网签草拟")
    page.get_by_test_id("printed-submit").click()
    expect(page.get_by_test_id("stage-签约")).to_have_attribute("data-stage-status", "待客户签字")
    expect(page.get_by_test_id("seal-link")).to_have_attribute("href", "/workflow/new/seal")
    page.get_by_test_id("field-signed_on").fill(today_local().isoformat())
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已签约")
    for _ in range(3):  # 合同台账, RIS, 预警预报系统 on the signing day
        page.get_by_test_id("entry-1").click()
        settle(page)
    expect(page.get_by_test_id("sign-entries-left")).to_have_count(0)
    card = page.get_by_test_id("sign-card")
    for system in ("合同台账", "RIS", "预警预报系统"):
        expect(card.get_by_test_id(f"entry-{system}")).to_contain_text("已录入")
    expect(card.get_by_test_id("sheet-record")).to_contain_text("已通过")
    _shot(page, "signed-card")

    nav(page, "nav-outages")  # the outage log, with its seeded entry
    expect(page.get_by_test_id("outage-link").first).to_be_visible()
    _shot(page, "outages")
    page.get_by_test_id("outage-new").click()
    page.get_by_test_id("field-cause").fill("网签系统升级")
    page.get_by_test_id("co-1").check()
    _shot(page, "outage-form")
    page.get_by_test_id("outage-submit").click()
    page.wait_for_url(re.compile(r"/pipeline/outages/\d+$"))
    expect(page.get_by_test_id("field-cause")).to_have_value("网签系统升级")
    page.goto(server_url + "/pipeline/outages")
    expect(page.get_by_test_id("list")).to_contain_text("网签系统升级")
