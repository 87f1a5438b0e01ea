"""The customer file and calls as a 客户关系主管 uses them: import a small CSV of calls from the phone system (and import it
again: nothing doubles), see the calls matched to a customer, open that customer's file (phone masked; the reveal shows
it and the audit log lists the reveal), and score one of the calls in QA. Screenshots at 1366×900 and 800×1280."""
import re

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot, visit
from e2e.waits import settle

# seeds/pipeline.py gives the demo buyer i the mobile 139{10000000 + i * 7777:08d}: buyer 1 → 13910007777
KNOWN = "13910007777"
CSV = ("通话ID,开始时间,呼叫方向,客户号码,坐席工号,是否接通,振铃时长,通话时长,满意度评价,录音文件\n"
       f"E2E-0001,2025-06-15 09:12:30,呼入,{KNOWN},JC1001,是,4,186,5,rec/e2e-1.mp3\n"
       "E2E-0002,2025-06-15 10:02:11,呼入,13800009999,,否,3,0,,\n")


def _upload(page):
    page.get_by_test_id("field-file").set_input_files(files=[{"name": "calls.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + CSV).encode("utf-8")}])
    page.get_by_test_id("import-submit").click()
    settle(page)


def test_supervisor_imports_calls_opens_the_file_and_scores_a_call(page, login_page, server_url):
    login_page.sign_in("cr_supervisor")
    nav(page, "nav-calls-import")
    expect(page.get_by_test_id("page-title")).to_have_text("导入通话记录")
    _upload(page)
    expect(page.get_by_test_id("import-summary")).to_contain_text("新增 2 条，已存在 0 条，错误 0 行")
    shoot(page, "care-calls-import")
    expect(page.get_by_test_id("mapping-saved")).to_be_visible()
    _upload(page)  # the same export again: nothing doubles
    expect(page.get_by_test_id("import-summary")).to_contain_text("新增 0 条，已存在 2 条，错误 0 行")

    # the calls, matched to the customer, numbers masked
    page.get_by_test_id("import-view-calls").click()
    # a day before the demo history (12 months of calls): only this test's two calls fall on it
    page.get_by_test_id("filter-from").fill("2025-06-15")
    page.get_by_test_id("filter-to").fill("2025-06-15")
    page.get_by_test_id("filter-submit").click()
    rows = page.get_by_test_id("list").get_by_test_id("row")
    expect(rows).to_have_count(2)
    matched = rows.filter(has_text="139****7777")
    expect(matched).to_have_count(1)
    expect(page.get_by_test_id("list")).not_to_contain_text(KNOWN)
    expect(rows.filter(has_text="138****9999")).to_have_count(1)
    shoot(page, "care-calls-list")
    matched.get_by_test_id("call-link").click()
    expect(page.get_by_test_id("call-number")).to_have_text("139****7777")
    expect(page.get_by_test_id("call-intake")).to_have_attribute("href", re.compile(r"^/care/new\?call=\d+$"))
    call_url = page.url
    customer = page.get_by_test_id("call-customer-link").inner_text().strip()

    # the customer's file: masked, the reveal shows the number and is in the audit log
    page.get_by_test_id("call-customer-link").click()
    expect(page.get_by_test_id("customer-name")).to_contain_text(customer)
    expect(page.get_by_test_id("customer-mobile-masked")).to_have_text("139****7777")
    expect(page.get_by_test_id("section-calls").get_by_test_id("section-row")).to_have_count(5)  # the latest 5, then 更多
    expect(page.get_by_test_id("section-calls-more")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(KNOWN)
    shoot(page, "care-customer-file", full_page=True)
    page.get_by_test_id("customer-unmask").click()
    expect(page.get_by_test_id("customer-full")).to_contain_text(KNOWN)
    page.goto(f"{server_url}/audit?q={customer}")
    expect(page.get_by_test_id("list")).to_contain_text(f"查看 {customer} 的完整证件号和手机号（客户档案）")
    expect(page.get_by_test_id("list")).to_contain_text(f"查看客户档案：{customer}")

    # QA: score the answered call (再见 missed → 90, with the reason)
    page.goto(call_url)
    page.get_by_test_id("call-qa").click()
    expect(page.get_by_test_id("qa-rule-card")).to_contain_text("请字当头，您字不离口，再见结尾")
    shoot(page, "care-calls-qa-form")
    page.get_by_test_id("qa-item-bye").uncheck()
    page.get_by_test_id("qa-submit").click()
    expect(page.get_by_test_id("error-note")).to_contain_text("请在备注中写明")
    expect(page.get_by_test_id("qa-item-bye")).not_to_be_checked()
    expect(page.get_by_test_id("qa-item-please")).to_be_checked()
    page.get_by_test_id("field-note").fill("结束时未说“再见”")
    page.get_by_test_id("qa-submit").click()
    page.wait_for_url(re.compile(r"/calls/qa\?agent=\d+"))
    expect(page.locator("body")).to_contain_text("已保存质检评分：90 分")
    expect(page.get_by_test_id("qa-agent-row").filter(has_text="结束时未说“再见”")).to_have_count(1)
    expect(page.get_by_test_id("qa-board")).to_be_visible()
    shoot(page, "care-calls-qa")

    # the same pages on a tablet held upright
    file_url = page.url
    page.set_viewport_size({"width": 800, "height": 1280})
    visit(page, f"{server_url}/calls/import", "care-calls-import-800")
    visit(page, f"{server_url}/calls?from=2025-06-15&to=2025-06-15", "care-calls-list-800")
    visit(page, file_url, "care-calls-qa-800")
    page.goto(call_url)
    page.get_by_test_id("call-customer-link").click()
    shoot(page, "care-customer-file-800", full_page=True)
    visit(page, f"{server_url}/care/customers", "care-customers-800")
    visit(page, f"{server_url}/care/record-audits", "care-record-audits-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    visit(page, f"{server_url}/care/customers", "care-customers")
    visit(page, f"{server_url}/care/record-audits", "care-record-audits")
