"""Customer care, acceptance item 1 as the desk clicks it: a 投诉管理专员 registers a claim of 10,000.00 on the intake
form (the level preview says P1 while typing); the case is P1 with the 部门经理 as handler; the 部门经理 sees it in the
queue and the bell; the 总经理's notifications carry the 通报. Screenshots of intake, list and case page at 1366×900 and
800×1280."""
import re

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot


def test_p1_claim_goes_to_the_dept_head_and_the_gm_is_informed(page, login_page, server_url):
    login_page.sign_in("complaint_officer")
    nav(page, "nav-care-new")
    expect(page.get_by_test_id("intake-form")).to_be_visible()
    page.get_by_test_id("field-kind").select_option("索赔")
    page.get_by_test_id("field-channel").select_option("电话")
    page.get_by_test_id("field-category").select_option("合同/面积差")
    page.get_by_test_id("field-project").select_option(label="锦程·滨江府")
    units = page.get_by_test_id("field-unit")
    expect(units.locator("option").nth(1)).to_be_attached()
    with_buyer = units.locator("option", has_not_text="无在册客户").nth(1)
    units.select_option(with_buyer.get_attribute("value"))
    page.get_by_test_id("field-title").fill("实测面积差异索赔")
    page.get_by_test_id("field-content").fill("客户认为实测面积小于合同面积，要求赔偿")
    page.get_by_test_id("field-demand").fill("赔偿 10,000 元")
    page.get_by_test_id("field-claim_amount").fill("10000.00")
    expect(page.get_by_test_id("preview-level")).to_have_text("P1")
    expect(page.get_by_test_id("preview-handler")).to_contain_text("部门经理")
    expect(page.get_by_test_id("preview-gm")).to_contain_text("通报总经理")
    expect(page.get_by_test_id("preview-customer")).to_contain_text("客户")
    shoot(page, "care-intake-1366")
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "care-intake-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_test_id("intake-submit").click()
    expect(page).to_have_url(re.compile(r"/care/cases/\d+$"))
    number = page.get_by_test_id("case-number").inner_text()
    expect(page.get_by_test_id("level-badge").first).to_have_text("P1")
    expect(page.get_by_test_id("case-handler")).to_contain_text("（部门经理）")
    expect(page.get_by_test_id("case-gm")).to_be_visible()
    handler = page.get_by_test_id("case-handler").inner_text().split("（")[0]
    case_url = page.url
    shoot(page, "care-case-1366")
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "care-case-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    nav(page, "nav-care")
    expect(page.get_by_test_id("list")).to_contain_text(number)
    shoot(page, "care-list-1366")
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "care-list-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    login_page.sign_out()

    # the 部门经理 who holds it: the queue of the role, the bell and the notice
    for username in ("dept_head", "b_dept_head"):
        login_page.sign_in(username)
        if page.get_by_test_id("current-user").inner_text().split("\n")[0].strip() == handler:
            break
        login_page.sign_out()
    else:
        raise AssertionError(f"no 部门经理 account shows as {handler}")
    nav(page, "nav-care")
    page.get_by_test_id("filter-who").select_option("queue")
    expect(page).to_have_url(re.compile("who=queue"))
    expect(page.get_by_test_id("list")).to_contain_text(number)
    expect(page.get_by_test_id("bell-count")).not_to_have_attribute("data-count", "0")
    page.get_by_test_id("bell-link").click()
    expect(page.locator("body")).to_contain_text(f"新案件待处理 {number}")
    # the handler gives the first response on the case page (HTMX: the section and a toast)
    page.goto(case_url)
    expect(page.get_by_test_id("case-actions")).to_be_visible()
    shoot(page, "care-case-handler-1366", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "care-case-handler-800", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_test_id("act-start").get_by_test_id("do-start").click()
    expect(page.get_by_test_id("toast-text")).to_contain_text("首次响应")
    expect(page.get_by_test_id("case-status")).to_contain_text("处理中")
    expect(page.get_by_test_id("act-daily_update")).to_be_visible()
    login_page.sign_out()

    # the 总经理: the 通报
    login_page.sign_in("gm")
    page.get_by_test_id("bell-link").click()
    expect(page.locator("body")).to_contain_text(f"通报：{number}")
