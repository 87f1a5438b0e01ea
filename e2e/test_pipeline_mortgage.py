"""A3 按揭 as the 按揭专员 clicks it: a unit whose buyer's loan is refused switches to 一次性付款 and goes on to
已签约 → 已备案 (the 房管局专员 files it)."""
from decimal import Decimal

from playwright.sync_api import expect

from e2e.test_pipeline import TODAY, _id, check_and_sign, open_unit, receive_deposit


def test_refused_loan_switches_to_lump_sum_and_is_filed(page, login_page, server_url):
    login_page.sign_in("sales")  # 置业顾问: 认购 with a 商贷
    unit_url = open_unit(page, server_url)
    page.get_by_test_id("subscribe-link").click()
    page.get_by_test_id("field-name").fill("贾文静")
    page.get_by_test_id("field-id_number").fill(_id(411))
    page.get_by_test_id("field-mobile").fill("13800138011")
    page.get_by_test_id("field-address").fill("苏州市工业园区")
    page.get_by_test_id("field-marital").select_option("未婚")
    page.get_by_test_id("field-deposit").fill("50000.00")
    total = Decimal(page.get_by_test_id("field-total_price").input_value())
    down = (total * Decimal("0.3")).quantize(Decimal("0.01"))
    page.get_by_test_id("field-payment_method").select_option("商贷")
    page.get_by_test_id("field-down_payment").fill(f"{down:.2f}")
    page.get_by_test_id("subscribe-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("保留")  # 待收定金
    login_page.sign_out()
    receive_deposit(page, login_page, server_url, "贾文静", 411)  # A1: 财务 receives the 定金: 已认购

    login_page.sign_in("contract")  # 合同专员: the 审核单 with the loan, then 网签 (the shared helper)
    page.goto(server_url + unit_url)
    page.get_by_test_id("field-loan_amount").fill(f"{total - down:.2f}")
    page.get_by_test_id("field-loan_bank").fill("中国建设银行")
    check_and_sign(page, "E2E-AJ-0001")
    login_page.sign_out()

    login_page.sign_in("mortgage")  # 按揭专员: documents, 面签, the bank — refused — then 一次性付款
    page.goto(server_url + unit_url)
    expect(page.get_by_test_id("mortgage-status")).to_have_text("资料收集中")
    docs = page.get_by_test_id("mortgage-docs").locator("li").count()
    for i in range(1, docs + 1):
        page.get_by_test_id(f"doc-{i}").click()
        expect(page.get_by_test_id("stage-actions")).to_be_visible()
    expect(page.get_by_test_id("mortgage-status")).to_have_text("资料齐全")
    form = page.get_by_test_id("form-mortgage-appoint")
    form.get_by_test_id("field-buyer_day").fill(TODAY)
    form.get_by_test_id("field-buyer_place").fill("建行园区支行个贷中心")
    page.get_by_test_id("mortgage-appoint").click()
    expect(page.get_by_test_id("mortgage-status")).to_have_text("待面签")
    page.get_by_test_id("form-mortgage-attend").locator("select").first.select_option("已到场")
    page.get_by_test_id("mortgage-attend").click()
    expect(page.get_by_test_id("mortgage-status")).to_have_text("已面签")
    form = page.get_by_test_id("form-mortgage-bank_submit")
    form.get_by_test_id("field-on").fill(TODAY)
    form.get_by_test_id("field-repayment_method").select_option("等额本息")
    page.get_by_test_id("mortgage-bank_submit").click()
    expect(page.get_by_test_id("mortgage-status")).to_have_text("银行审批中")
    page.get_by_text("银行拒贷").click()
    form = page.get_by_test_id("form-mortgage-refuse")
    form.get_by_test_id("field-on").fill(TODAY)
    form.get_by_test_id("field-reason").fill("借款人征信有逾期")
    page.get_by_test_id("mortgage-refuse").click()
    expect(page.get_by_test_id("loan-refused")).to_contain_text("借款人征信有逾期")
    page.get_by_test_id("form-mortgage-switch").get_by_test_id("field-confirm").check()
    page.get_by_test_id("mortgage-switch").click()
    expect(page.get_by_test_id("stage-按揭")).to_have_attribute("data-stage-status", "转付款方式")
    expect(page.get_by_test_id("form-mortgage-switch")).to_have_count(0)
    login_page.sign_out()

    login_page.sign_in("bureau")  # 房管局专员: files it as any other contract (A4: the file and its checklist, then 报送)
    page.goto(server_url + unit_url)
    page.get_by_test_id("form-filing-prepare").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-prepare").click()
    for i in range(1, 7):
        page.get_by_test_id(f"filing-doc-{i}").click()
    page.get_by_test_id("form-filing-submit").get_by_test_id("field-acceptance_no").fill("BS-E2E-AJ1")
    page.get_by_test_id("form-filing-submit").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-submit").click()
    page.get_by_test_id("field-filing_no").fill("BA-E2E-AJ1")
    page.get_by_test_id("form-filing-filed").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-filed").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已备案")
