"""转正 as people click it (SPEC §E11): the demo 置业顾问, on probation, files 转正申请 with a self-appraisal about
their contract; their direct manager (销售经理 in the demo org; 客服主管 for 客服 staff) scores it on the review page and
approves; HR records 转正 and approves; HR's 转正 list shows the employee 正式."""
from playwright.sync_api import expect

from e2e.conftest import LoginPage


def test_probation_file_score_confirm(page, server_url):
    login = LoginPage(page, server_url)
    login.sign_in("sales")
    page.goto(f"{server_url}/workflow/new/probation")
    value = page.get_by_test_id("options-contract").locator("option").first.get_attribute("value")
    page.get_by_test_id("field-contract").fill(value)
    page.get_by_test_id("field-self_appraisal").fill("试用期内独立完成客户接待、签约陪同与回访")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    url = page.url
    login.sign_out()

    login.sign_in("sales_manager")
    page.goto(url)
    page.get_by_test_id("probation-review-link").click()
    page.get_by_test_id("field-score").fill("88")
    page.get_by_test_id("score-save").click()
    expect(page.get_by_test_id("review-score")).to_contain_text("88 分")
    page.goto(url)
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    login.sign_out()

    login.sign_in("hr")
    page.goto(url)
    page.get_by_test_id("probation-review-link").click()
    expect(page.get_by_test_id("outcome-form")).to_contain_text("第十九条")
    page.get_by_test_id("field-outcome").select_option("转正")
    page.get_by_test_id("outcome-save").click()
    expect(page.get_by_test_id("review-outcome")).to_contain_text("转正")
    page.goto(url)
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    page.goto(f"{server_url}/hr/probation")
    expect(page.get_by_test_id("probation-list")).to_contain_text("正式")
