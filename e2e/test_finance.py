"""Finance approvals as the department clicks them: expense claim, advance, payment — the whole chain, then the register."""
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from seeds.finance import credit_code
from e2e.flows import approve_chain, open_new_request, submit_request, filter_list
from e2e.nav import nav


def test_expense_claim_through_the_chain(page, login_page, server_url):
    login_page.sign_in("data")
    open_new_request(page, server_url, "expense")
    page.get_by_test_id("field-reason").fill("接待客户用餐")
    page.get_by_test_id("inv-number-0").fill("26320000000000000123")
    page.get_by_test_id("inv-date-0").fill((today_local() - timedelta(days=2)).isoformat())
    page.get_by_test_id("inv-seller-0").fill("苏州滨江酒家有限公司")
    page.get_by_test_id("inv-buyer-0").fill("锦程房地产开发有限公司")
    page.get_by_test_id("inv-buyer_tax_id-0").fill(credit_code("锦程房地产开发有限公司"))
    page.get_by_test_id("inv-amount-0").fill("456.785")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-inv_amount_0")).to_contain_text("最多保留两位小数")
    expect(page.get_by_test_id("inv-seller-0")).to_have_value("苏州滨江酒家有限公司")  # the form is kept
    page.get_by_test_id("inv-amount-0").fill("456.78")
    number = submit_request(page)
    login_page.sign_out()
    approve_chain(page, login_page, number, ["dept_head", "accountant", "finance_manager", "cashier"])
    login_page.sign_in("data")
    nav(page, "nav-workflow")
    page.get_by_test_id("tab-mine").click()
    page.get_by_test_id("request-link").filter(has_text=number).click()
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    expect(page.get_by_test_id("history")).to_contain_text("出纳付款")
    login_page.sign_out()
    login_page.sign_in("accountant")
    nav(page, "nav-invoices")
    page.get_by_test_id("filter-q").fill("26320000000000000123")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("list")).to_contain_text(number)


def test_advance_and_repayment(page, login_page, server_url):
    login_page.sign_in("archive")
    open_new_request(page, server_url, "advance")
    page.get_by_test_id("field-kind").select_option("业务借款")
    page.get_by_test_id("field-amount").fill("1500.00")
    page.get_by_test_id("field-purpose").fill("代缴办证规费")
    number = submit_request(page)
    login_page.sign_out()
    approve_chain(page, login_page, number, ["dept_head", "accountant", "finance_manager", "cashier"])
    login_page.sign_in("archive")
    nav(page, "nav-my-advances")
    row = page.get_by_test_id("my-advances").locator("tr", has_text=number)
    expect(row).to_contain_text("未结清")
    expect(row).to_contain_text("¥1,500.00")
    login_page.sign_out()
    login_page.sign_in("cashier")
    nav(page, "nav-advances")
    filter_list(page, number)
    page.get_by_test_id("advance-link").filter(has_text=number).click()
    page.get_by_test_id("field-amount").fill("1500.00")
    page.get_by_test_id("repay-submit").click()
    expect(page.get_by_test_id("advance-balance")).to_have_text("¥0.00")
    expect(page.get_by_test_id("advance-detail")).to_contain_text("已结清")


def test_payment_through_the_chain(page, login_page, server_url):
    login_page.sign_in("contract")
    open_new_request(page, server_url, "payment")
    for field, value in {"payee": "苏州某广告有限公司", "bank": "中国银行苏州分行", "account": "6217000010009876543",
                         "contract_no": "HT-E2E-001", "contract_total": "80000.00", "amount": "20000.00", "purpose": "开盘物料"}.items():
        page.get_by_test_id(f"field-{field}").fill(value)
    page.get_by_test_id("field-method").select_option("银行转账")
    number = submit_request(page)
    expect(page.get_by_test_id("payment-percent")).to_have_text("25.00%")
    login_page.sign_out()
    approve_chain(page, login_page, number, ["dept_head", "accountant", "finance_manager", "vp", "cashier"])
    login_page.sign_in("finance_manager")
    nav(page, "nav-payments")
    row = page.get_by_test_id("list").locator("tr", has_text=number)
    expect(row).to_contain_text("已通过")
    expect(row).to_contain_text("是")
