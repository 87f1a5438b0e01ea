"""用章, 资产购置 and 固定资产报废 as people click them: submitted through /workflow/new/<code>, every approver
signs in and clicks 同意, then the register shows the change (use-log rows and the witness; asset cards opened;
the card closed). Also these pages at desktop (1366) and tablet (800) width, with screenshots to look at."""
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.flows import approve_chain, open_new_request, submit_request, filter_list
from e2e.nav import nav
from e2e.waits import settle

SHOTS = Path(tempfile.gettempdir()) / "seals-assets-screens"


def my_name(page) -> str:
    return page.get_by_test_id("current-user").locator(".fw-bold").inner_text().strip()


def option_value(page, testid: str, text: str) -> str:
    return page.get_by_test_id(testid).locator("option", has_text=text).first.get_attribute("value")


def open_request(page, base: str, number: str) -> None:
    page.goto(f"{base}/workflow?tab=mine")
    page.get_by_test_id("request-link").filter(has_text=number).first.click()


def test_batch_seal_use_through_the_chain_fills_the_log(page, login_page, server_url):
    login_page.sign_in("contract")
    open_new_request(page, server_url, "seal")
    page.get_by_test_id("field-seal").select_option(option_value(page, "field-seal", "合同专用章（"))
    page.get_by_test_id("field-doc_kind").select_option("合同/协议")
    page.get_by_test_id("field-document").fill("商品房买卖合同（滨江府 3 号楼）")
    page.get_by_test_id("field-counterparty").fill("各认购业主")
    page.get_by_test_id("field-purpose").fill("批量签约用印")
    page.get_by_test_id("field-batch").check()
    expect(page.get_by_test_id("field-copies")).to_be_hidden()
    page.get_by_test_id("field-batch_lines").fill("JC01-3-0101,3\nJC01-3-0102,3\nJC01-3-0103 2")
    page.get_by_test_id("submit-request").click()  # not ticked: blank documents are never stamped
    expect(page.get_by_test_id("error-content_complete")).to_contain_text("空白文件不得用印")
    expect(page.get_by_test_id("field-batch_lines")).to_have_value(re.compile("JC01-3-0103 2"))
    page.get_by_test_id("field-content_complete").check()
    number = submit_request(page)
    expect(page.get_by_test_id("seal-copies")).to_contain_text("8 份")
    login_page.sign_out()

    approve_chain(page, login_page, number, ["dept_head", "legal", "admin_staff"])

    login_page.sign_in("admin_staff")
    nav(page, "nav-seal-log")
    page.get_by_test_id("filter-q").fill(number)
    page.get_by_test_id("filter-submit").click()
    rows = page.get_by_test_id("list").get_by_test_id("row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("list")).to_contain_text("JC01-3-0102")
    page.get_by_test_id("log-open").first.click()
    page.get_by_test_id("field-witness").select_option(option_value(page, "field-witness", "行政部"))
    page.get_by_test_id("witness-submit").click()
    expect(page.get_by_test_id("log-message")).to_contain_text("已登记监印人")
    expect(page.get_by_test_id("log-witness")).to_be_visible()
    login_page.sign_out()


def test_asset_purchase_through_the_chain_opens_cards(page, login_page, server_url):
    login_page.sign_in("data")
    name = my_name(page)
    open_new_request(page, server_url, "asset_purchase")
    page.get_by_test_id("a-name-0").fill("扫描仪")
    page.get_by_test_id("a-spec-0").fill("富士通 fi-7160")
    page.get_by_test_id("a-category-0").select_option(option_value(page, "a-category-0", "电子设备"))
    expect(page.get_by_test_id("field-depreciation_years")).to_have_value("3")  # the category's usual life
    page.get_by_test_id("a-qty-0").fill("2")
    page.get_by_test_id("a-price-0").fill("3500.00")
    expect(page.get_by_test_id("purchase-total")).to_have_text("¥7,000.00")
    page.get_by_test_id("field-custodian").select_option(option_value(page, "field-custodian", name + "（"))
    page.get_by_test_id("field-location").fill("客服部内勤组")
    page.get_by_test_id("field-reason").fill("合同扫描归档")
    number = submit_request(page)
    expect(page.get_by_test_id("request-amount")).to_have_text("¥7,000.00")
    login_page.sign_out()

    approve_chain(page, login_page, number, ["dept_head", "admin_staff", "finance_manager", "vp"])

    login_page.sign_in("data")
    open_request(page, server_url, number)
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    expect(page.get_by_test_id("purchase-card")).to_have_count(2)
    card_number = page.get_by_test_id("purchase-card").first.inner_text()
    nav(page, "nav-assets")
    filter_list(page, card_number)
    page.get_by_test_id("card-link").filter(has_text=card_number).click()
    expect(page.get_by_test_id("card-number")).to_have_text(card_number)
    expect(page.get_by_test_id("card-status")).to_contain_text("在用")
    expect(page.get_by_test_id("card-history")).to_contain_text(number)
    login_page.sign_out()


def test_asset_disposal_through_the_chain_closes_the_card(page, login_page, server_url):
    login_page.sign_in("contract")
    name = my_name(page)
    open_new_request(page, server_url, "asset_disposal")
    page.get_by_test_id("field-asset").select_option(option_value(page, "field-asset", f"笔记本电脑（{name}）"))
    expect(page.get_by_test_id("net-value")).to_contain_text("¥0.00")  # bought over 4 years ago, 3-year life
    page.get_by_test_id("field-reason").fill("电池鼓包，主板老化")
    page.get_by_test_id("field-assessment").fill("维修费用高于残值，建议报废")
    page.get_by_test_id("field-salvage").fill("150.00")
    number = submit_request(page)
    expect(page.get_by_test_id("disposal-net")).to_have_text("¥0.00")
    login_page.sign_out()

    approve_chain(page, login_page, number, ["dept_head", "admin_staff", "finance_manager", "vp"])

    login_page.sign_in("contract")
    open_request(page, server_url, number)
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    page.get_by_test_id("disposal-card-link").click()
    expect(page.get_by_test_id("card-status")).to_contain_text("已报废")
    expect(page.get_by_test_id("card-disposal")).to_contain_text(number)
    login_page.sign_out()


PAGES = ["/seals", "/seals/log", "/workflow/new/seal", "/workflow/new/asset_purchase", "/workflow/new/asset_disposal", "/assets",
         "/assets/by-custodian", "/assets/cards/1"]


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("admin_staff")
    paths = list(PAGES)
    page.goto(server_url + "/seals/log")
    if page.get_by_test_id("log-open").count():
        paths.append(page.get_by_test_id("log-open").first.get_attribute("href"))
    for path in paths:
        response = page.goto(server_url + path)
        assert response.status == 200, path
        settle(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        slug = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(SHOTS / f"{name}-{slug}.png"), full_page=True)
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"
