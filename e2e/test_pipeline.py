"""The transaction pipeline as the department clicks it: one unit from 可售 to 已办证, each step by the position that
owns it; and a signed contract voided through its approval chain."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from app.core.validators import id_check_char
from e2e.flows import approve_chain, open_new_request, submit_request, filter_list
from e2e.nav import nav

TODAY = today_local().isoformat()


def _id(seq: int) -> str:
    first17 = f"32050619880808{seq:03d}"
    return first17 + id_check_char(first17)


def open_unit(page, server_url, status="可售", building="1号楼") -> str:
    page.goto(server_url + "/")
    nav(page, "nav-units")
    page.get_by_test_id("filter-status").select_option(status)
    expect(page).to_have_url(re.compile("status="))
    expect(page.get_by_test_id("list").locator("[data-status]").first).to_have_text(status)
    link = page.get_by_test_id("unit-link").last
    href = link.get_attribute("href")
    link.click()
    return href


def subscribe(page, name: str, seq: int) -> None:
    page.get_by_test_id("subscribe-link").click()
    page.get_by_test_id("field-name").fill(name)
    page.get_by_test_id("field-id_number").fill(_id(seq))
    page.get_by_test_id("field-mobile").fill("13800138000")
    page.get_by_test_id("field-address").fill("苏州市工业园区")
    page.get_by_test_id("field-marital").select_option("未婚")
    page.get_by_test_id("field-deposit").fill("50000.00")
    page.get_by_test_id("subscribe-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("保留")  # A1: 待收定金 until finance receives the 定金


def receive_deposit(page, login_page, server_url, name: str, seq: int) -> None:
    """财务 (the accountant) finds the 待收定金 subscription on the receipts page and records the 定金: 已认购 (A1)."""
    login_page.sign_in("accountant")
    page.goto(server_url + "/pipeline/receipts?sub=待收定金&q=" + name)
    page.get_by_test_id("receipt-deal-link").first.click()
    page.get_by_test_id("field-amount").fill("50000.00")
    page.get_by_test_id("field-voucher_no").fill(f"E2E-DJ-{seq}")
    page.get_by_test_id("receipt-submit").click()
    expect(page.get_by_text("定金已结清").first).to_be_visible()
    login_page.sign_out()


def check_and_sign(page, number: str) -> None:
    page.get_by_test_id("field-result").select_option("审核通过")
    page.get_by_test_id("field-delivery_due").fill((today_local() + timedelta(days=120)).isoformat())
    page.get_by_test_id("check-submit").click()
    page.get_by_test_id("field-contract_no").fill(number)
    page.get_by_test_id("field-online_no").fill("WQ-" + number)
    page.get_by_test_id("field-signed_on").fill(TODAY)
    page.get_by_test_id("sign-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已签约")


def book_and_identify(page) -> None:
    """A6 after the notice (客服主管 on the unit page): the appointment, then the owner's identity checked (办理中)."""
    page.get_by_test_id("form-handover-book").get_by_test_id("field-appointment_on").fill(TODAY)
    page.get_by_test_id("form-handover-book").get_by_test_id("field-appointment_time").fill("09:30")
    page.get_by_test_id("handover-book").click()
    page.get_by_test_id("form-handover-identify").get_by_test_id("field-identity_by").select_option("本人")
    page.get_by_test_id("form-handover-identify").get_by_test_id("field-checked").check()
    page.get_by_test_id("handover-identify").click()
    expect(page.get_by_test_id("fund-status")).to_be_visible()


def pay_fund(page, login_page, server_url, unit_url: str, receipt: str = "WX-E2E-1") -> None:
    """The unit's maintenance fund recorded in the permits register by the 房管局专员 (signs the current user out first)."""
    fund_url = page.get_by_test_id("fund-status").get_by_role("link").get_attribute("href")
    login_page.sign_out()
    login_page.sign_in("bureau")
    page.goto(server_url + fund_url)
    page.get_by_test_id("action-pay-unit").select_option(unit_url.rsplit("/", 1)[1])
    page.get_by_test_id("action-pay-paid_on").fill(TODAY)
    page.get_by_test_id("action-pay-receipt_no").fill(receipt)
    page.get_by_test_id("action-pay").click()
    expect(page.get_by_test_id("action-pay-unit").locator(f'option[value="{unit_url.rsplit("/", 1)[1]}"]')).to_have_count(0)
    login_page.sign_out()


def test_one_unit_from_available_to_title(page, login_page, server_url):
    login_page.sign_in("sales")  # 置业顾问: 认购
    unit_url = open_unit(page, server_url)
    subscribe(page, "沈一鸣", 101)
    login_page.sign_out()
    receive_deposit(page, login_page, server_url, "沈一鸣", 101)

    login_page.sign_in("contract")  # 合同专员: 审核单 and 网签
    page.goto(server_url + unit_url)
    check_and_sign(page, "E2E-HT-0001")
    page.get_by_test_id("form-filing-prepare").get_by_test_id("field-on").fill(TODAY)  # the file for the bureau, with its checklist
    page.get_by_test_id("filing-prepare").click()
    for i in range(1, 7):
        page.get_by_test_id(f"filing-doc-{i}").click()
    login_page.sign_out()

    login_page.sign_in("bureau")  # 房管局专员: 备案, from the work queue
    nav(page, "nav-queue")
    page.goto(server_url + unit_url)
    page.get_by_test_id("form-filing-submit").get_by_test_id("field-acceptance_no").fill("BS-E2E-1")
    page.get_by_test_id("form-filing-submit").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-submit").click()
    page.get_by_test_id("field-filing_no").fill("BA-E2E-1")
    page.get_by_test_id("form-filing-filed").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-filed").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已备案")
    page.get_by_test_id("form-filing-prereg-submit").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-prereg-submit").click()
    page.get_by_test_id("field-prereg_no").fill("YG-E2E-1")
    page.get_by_test_id("form-filing-prereg").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-prereg").click()
    login_page.sign_out()

    login_page.sign_in("contract")  # 合同专员: receives the filed contracts
    page.goto(server_url + unit_url)
    page.get_by_test_id("form-filing-handed").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("filing-handed").click()
    expect(page.get_by_test_id("stage-备案")).to_contain_text("合同已交接")
    login_page.sign_out()

    login_page.sign_in("supervisor")  # 客服主管: 交房
    page.goto(server_url + unit_url)
    page.get_by_test_id("form-handover-notice").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("handover-notice").click()
    book_and_identify(page)
    pay_fund(page, login_page, server_url, unit_url)
    login_page.sign_in("supervisor")
    page.goto(server_url + unit_url)
    page.get_by_test_id("form-handover-submit").get_by_test_id("field-on").fill(TODAY)
    form_text = page.get_by_test_id("form-handover-submit").inner_text()
    for field, label in (("surveyed_area", "合同建筑面积"), ("surveyed_inner_area", "合同套内面积")):  # the unit's pricing basis decides
        m = re.search(label + r" ([\d.]+)㎡", form_text)
        if m:
            page.get_by_test_id(f"field-{field}").fill(m.group(1))
    page.get_by_test_id("field-keys_count").fill("3")
    page.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已交付")
    login_page.sign_out()

    login_page.sign_in("title")  # 产权专员: 办证
    page.goto(server_url + unit_url)
    for i in range(1, 8):
        page.get_by_test_id(f"title-doc-{i}").click()
    page.get_by_test_id("title-complete").click()
    page.get_by_test_id("title-fees").click()  # the home count recorded at signing, one certificate
    login_page.sign_out()

    login_page.sign_in("accountant")  # 会计: the balance is settled before the submission
    nav(page, "nav-receipts")
    filter_list(page, "E2E-HT-0001")
    page.get_by_test_id("receipt-deal-link").filter(has_text="E2E-HT-0001").click()
    due = page.get_by_test_id("due-首付款")
    page.get_by_test_id("field-amount").fill(due.get_by_test_id("due-left").inner_text().replace("¥", "").replace(",", ""))
    page.get_by_test_id("field-voucher_no").fill("E2E-SJ-0001")
    page.get_by_test_id("receipt-submit").click()
    expect(due.get_by_test_id("due-left")).to_have_text("¥0.00")
    login_page.sign_out()

    login_page.sign_in("title")
    page.goto(server_url + unit_url)
    page.get_by_test_id("field-acceptance_no").fill("SL-E2E-1")
    page.get_by_test_id("form-title-submit").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("title-submit").click()
    for step in ("review", "booked"):
        page.get_by_test_id(f"form-title-{step}").get_by_test_id("field-on").fill(TODAY)
        page.get_by_test_id(f"title-{step}").click()
    page.get_by_test_id("field-cert_no").fill("苏(2026)苏州市不动产权第E2E号")
    page.get_by_test_id("form-title-issued").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("title-issued").click()
    page.get_by_test_id("form-title-notify").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("title-notify").click()
    page.get_by_test_id("field-recipient").fill("沈一鸣")
    page.get_by_test_id("field-recipient_id_number").fill(_id(101))
    page.get_by_test_id("form-title-deliver").get_by_test_id("field-on").fill(TODAY)
    page.get_by_test_id("title-deliver").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已办证")
    for stage in ("认购", "签约", "备案", "交房", "产权证"):
        expect(page.get_by_test_id(f"stage-{stage}")).to_have_attribute("class", re.compile("done"))
    history = page.get_by_test_id("unit-history")
    for text in ("认购", "签约", "已备案", "交房", "已交付业主"):
        expect(history).to_contain_text(text)


def test_void_a_signed_contract_through_its_chain(page, login_page, server_url):
    login_page.sign_in("sales")
    unit_url = open_unit(page, server_url)
    subscribe(page, "钱多多", 102)
    login_page.sign_out()
    receive_deposit(page, login_page, server_url, "钱多多", 102)
    login_page.sign_in("contract")
    page.goto(server_url + unit_url)
    check_and_sign(page, "E2E-HT-0002")
    page.get_by_test_id("void-link").click()
    page.get_by_test_id("field-deal_ref").fill("E2E-HT-0002")
    page.get_by_test_id("field-reason").select_option("退房")
    page.get_by_test_id("field-penalty_waived").fill("0")
    page.get_by_test_id("field-refund").fill("50000.00")
    page.get_by_test_id("field-note").fill("客户申请退房，合同原件已全部收回")
    number = submit_request(page)
    login_page.sign_out()
    approve_chain(page, login_page, number, ["supervisor", "dept_head", "sales_manager", "finance_manager", "gm"])
    login_page.sign_in("contract")
    page.goto(server_url + unit_url)
    expect(page.get_by_test_id("void-status")).to_contain_text("撤销中")  # the unit waits for the bureau's cancellation
    expect(page.get_by_test_id("unit-status")).to_contain_text("已签约")
    login_page.sign_out()
    login_page.sign_in("bureau")
    page.goto(server_url + unit_url)
    form = page.get_by_test_id("form-void-step-1")
    form.get_by_test_id("field-on").fill(TODAY)
    form.get_by_test_id("field-receipt_no").fill("WQZX-0002")
    page.get_by_test_id("void-step-1").click()
    expect(page.get_by_test_id("void-status")).to_contain_text("已撤销")
    expect(page.get_by_test_id("unit-status")).to_contain_text("可售")
    login_page.sign_out()
    login_page.sign_in("contract")
    page.goto(server_url + unit_url)
    expect(page.get_by_test_id("subscribe-link")).to_have_count(0)  # contract officers don't subscribe


def test_accountant_records_the_down_payment_and_the_arrears_disappear(page, login_page, server_url):
    login_page.sign_in("accountant")  # 会计: 收款登记; the demo deal JC01-2026-0005 has its 首付款 overdue
    nav(page, "nav-receipts")
    filter_list(page, "JC01-2026-0005")
    page.get_by_test_id("receipt-deal-link").filter(has_text="JC01-2026-0005").click()
    due = page.get_by_test_id("due-首付款")
    expect(due.get_by_test_id("due-state")).to_contain_text("逾期")
    left = due.get_by_test_id("due-left").inner_text().replace("¥", "").replace(",", "")
    page.get_by_test_id("field-amount").fill(left)
    page.get_by_test_id("field-voucher_no").fill("E2E-SJ-0005")
    page.get_by_test_id("receipt-submit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("首付款已结清")
    expect(due.get_by_test_id("due-state")).to_contain_text("已结清")
    expect(due.get_by_test_id("due-left")).to_have_text("¥0.00")
    expect(page.get_by_test_id("receipts")).to_contain_text("E2E-SJ-0005")
