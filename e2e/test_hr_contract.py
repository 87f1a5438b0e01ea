"""A labour contract as HR clicks it (SPEC §E4): from the sidebar to the contracts about to end, one employee's history
and the new-contract form (the renewal); a one-year contract with three months' probation is refused with the message
naming 《劳动合同法》第十九条, the entered values kept; HR shortens the probation to two months, saves, sees the flags
with their legal basis and marks the contract signed."""
from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.nav import nav
from e2e.screens import shoot


def test_hr_creates_fixes_and_signs_a_contract(page, server_url):
    LoginPage(page, server_url).sign_in("hr")
    nav(page, "nav-hr-contracts")
    expect(page.get_by_test_id("contract-list")).to_be_visible()
    page.get_by_test_id("filter-expiring").click()  # renew a contract that is about to end (the demo seeds some)
    page.get_by_test_id("contract-list").locator("tbody a").first.click()
    page.get_by_test_id("employee-history").click()
    page.get_by_test_id("contract-new").click()
    form = page.get_by_test_id("contract-form")
    expect(form.get_by_test_id("field-employee")).not_to_have_value("")
    form.get_by_test_id("field-kind").select_option("固定期限")
    form.get_by_test_id("field-start").fill("2040-01-01")
    form.get_by_test_id("field-end").fill("2040-12-31")
    form.get_by_test_id("field-probation_end").fill("2040-03-31")
    form.get_by_test_id("field-pay").fill("9000")
    form.get_by_test_id("field-probation_pay").fill("7200")
    form.get_by_test_id("field-post").fill("客服专员")
    form.get_by_test_id("contract-save").click()
    expect(page.get_by_test_id("error-probation_end")).to_contain_text("第十九条")
    expect(page.get_by_test_id("error-probation_end")).to_contain_text("2040-02-29")
    expect(page.get_by_test_id("field-post")).to_have_value("客服专员")
    shoot(page, "hr-contract-error")
    page.get_by_test_id("field-probation_end").fill("2040-02-29")
    page.get_by_test_id("contract-save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("劳动合同已登记")
    expect(page.get_by_test_id("contract-flags")).to_contain_text("第十九条")
    expect(page.get_by_test_id("contract-status")).to_contain_text("待签")
    page.get_by_test_id("sign-form").get_by_test_id("field-signed_on").fill("2026-01-05")
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已登记签订")
    expect(page.get_by_test_id("contract-signed-on")).to_contain_text("2026")
    shoot(page, "hr-contract-detail")
