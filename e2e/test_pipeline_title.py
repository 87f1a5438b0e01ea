"""A7 in the browser: a title submission blocked by an unpaid area difference, the 办证通知 printed for the owner, the
difference paid by the accountant, then the submission goes through."""
import re

from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.flows import filter_list
from e2e.nav import nav
from e2e.screens import shoot

TODAY = today_local().isoformat()


def test_title_submission_blocked_by_an_unpaid_area_difference(page, login_page, server_url):
    login_page.sign_in("title")  # 产权专员: the demo deal whose fees are assessed but whose 面积差 is still open
    nav(page, "nav-queue")
    rows = page.get_by_test_id("queue-row").filter(has_text="缴清税费后递交")
    hrefs = [rows.nth(i).get_by_test_id("queue-unit").get_attribute("href") for i in range(rows.count())]
    for href in hrefs:  # the demo deals at 待缴税费: one owes its 面积差, another owes nothing (the batch's)
        page.goto(server_url + href)
        if page.get_by_test_id("title-unpaid").count() and "面积差" in page.get_by_test_id("title-unpaid").inner_text():
            break
    unit_url = page.url
    expect(page.get_by_test_id("title-fees")).to_contain_text("登记费")
    expect(page.get_by_test_id("title-unpaid")).to_contain_text("面积差")
    form = page.get_by_test_id("form-title-submit")
    form.get_by_test_id("field-acceptance_no").fill("SL-E2E-AD")
    form.get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("title-submit").click()
    expect(page.get_by_test_id("action-error")).to_contain_text("尚有未结清款项：面积差")
    expect(page.get_by_test_id("form-title-submit").get_by_test_id("field-acceptance_no")).to_have_value("SL-E2E-AD")  # kept
    shoot(page, "pipeline-title-blocked", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "pipeline-title-blocked-800", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    # the 办证通知 for the owner: what to bring, by when, the fees with 大写, the open balance
    page.get_by_test_id("print-title-notice").click()
    expect(page.get_by_test_id("print-title")).to_have_text("办证通知")
    expect(page.get_by_test_id("print-fees")).to_contain_text("登记费")
    expect(page.get_by_test_id("print-fees")).to_contain_text("大写")
    expect(page.get_by_test_id("print-unpaid")).to_contain_text("面积差")
    expect(page.get_by_test_id("print-owner-id")).to_contain_text("********")
    contract_no = re.search(r"合同 (\S+)", page.get_by_test_id("print-sheet").inner_text()).group(1)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shoot(page, "pipeline-title-notice-a4", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_test_id("print-back").click()  # back to the unit page
    login_page.sign_out()

    login_page.sign_in("accountant")  # 会计: records the 面积差
    nav(page, "nav-receipts")
    filter_list(page, contract_no)
    page.get_by_test_id("receipt-deal-link").filter(has_text=contract_no).click()
    due = page.get_by_test_id("due-面积差")
    left = due.get_by_test_id("due-left").inner_text().replace("¥", "").replace(",", "")
    select = page.get_by_test_id("field-instalment")
    select.select_option(select.locator("option", has_text="面积差").get_attribute("value"))
    page.get_by_test_id("field-amount").fill(left)
    page.get_by_test_id("field-voucher_no").fill("E2E-SJ-AD")
    page.get_by_test_id("receipt-submit").click()
    expect(due.get_by_test_id("due-left")).to_have_text("¥0.00")
    login_page.sign_out()

    login_page.sign_in("title")
    page.goto(unit_url)
    expect(page.get_by_test_id("title-unpaid")).to_have_count(0)
    form = page.get_by_test_id("form-title-submit")
    form.get_by_test_id("field-acceptance_no").fill("SL-E2E-AD")
    form.get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("title-submit").click()
    expect(page.get_by_test_id("stage-产权证")).to_contain_text("已递交")
    expect(page.get_by_test_id("stage-产权证")).to_contain_text("受理号 SL-E2E-AD")
    expect(page.get_by_test_id("form-title-review")).to_be_visible()
    shoot(page, "pipeline-title-submitted", full_page=True)
