"""A6 交房 as the department clicks it: a handover blocked by an unpaid maintenance fund, then done once the 房管局专员
has recorded the payment (and the printed 交房通知书 on A4); a defect found at the 房屋验收, with its photo, rectified by
the 项目部 and closed by the 客服中心's 复验."""
import re

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot
from e2e.test_pipeline import TODAY, book_and_identify, check_and_sign, open_unit, pay_fund, receive_deposit, subscribe
from tests import samples


def test_handover_blocked_by_unpaid_fund_then_done(page, login_page, server_url):
    login_page.sign_in("sales")
    unit_url = open_unit(page, server_url)
    subscribe(page, "钱交房", 601)
    login_page.sign_out()
    receive_deposit(page, login_page, server_url, "钱交房", 601)  # A1: 财务 receives the 定金
    login_page.sign_in("contract")
    page.goto(server_url + unit_url)
    check_and_sign(page, "E2E-HV-0001")
    login_page.sign_out()

    login_page.sign_in("supervisor")
    page.goto(server_url + unit_url)
    expect(page.get_by_test_id("notice-rule")).to_contain_text("15 天")
    notice = page.get_by_test_id("form-handover-notice")
    notice.get_by_test_id("field-on").fill(TODAY)
    notice.get_by_test_id("field-tracking").fill("EMS1234567890")
    notice.get_by_test_id("field-sms").check()
    page.get_by_test_id("handover-notice").click()
    book_and_identify(page)
    expect(page.get_by_test_id("fund-status")).to_contain_text("维修资金未缴")
    form = page.get_by_test_id("form-handover-submit")
    form.get_by_test_id("field-on").fill(TODAY)
    text = form.inner_text()
    for field, label in (("surveyed_area", "合同建筑面积"), ("surveyed_inner_area", "合同套内面积")):
        m = re.search(label + r" ([\d.]+)㎡", text)
        if m:
            page.get_by_test_id(f"field-{field}").fill(m.group(1))
    form.get_by_test_id("field-keys_count").fill("3")
    page.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("action-error").first).to_contain_text("维修资金尚未缴存")
    expect(page.get_by_test_id("unit-status")).not_to_contain_text("已交付")
    shoot(page, "handover-fund-unpaid-1366")
    pay_fund(page, login_page, server_url, unit_url, "WX-E2E-HV")

    login_page.sign_in("supervisor")
    page.goto(server_url + unit_url)
    expect(page.get_by_test_id("fund-status")).to_contain_text("维修资金已缴")
    form = page.get_by_test_id("form-handover-submit")
    form.get_by_test_id("field-on").fill(TODAY)
    for field, label in (("surveyed_area", "合同建筑面积"), ("surveyed_inner_area", "合同套内面积")):
        m = re.search(label + r" ([\d.]+)㎡", text)
        if m:
            page.get_by_test_id(f"field-{field}").fill(m.group(1))
    form.get_by_test_id("field-keys_count").fill("3")
    page.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("unit-status")).to_contain_text("已交付")
    expect(page.get_by_test_id("stage-交房")).to_contain_text("已交付")
    shoot(page, "handover-done-1366", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "handover-done-800", full_page=True)
    # the printed 交房通知书, on an A4-wide window (210 mm at 96 dpi ≈ 794 px)
    page.get_by_test_id("print-notice").click()
    expect(page.get_by_test_id("print-title")).to_have_text("交房通知书")
    expect(page.get_by_test_id("print-sheet")).to_contain_text("EMS1234567890")
    page.set_viewport_size({"width": 794, "height": 1123})
    shoot(page, "handover-notice-print-a4", full_page=True)
    page.emulate_media(media="print")
    shoot(page, "handover-notice-print-a4-media", full_page=True)
    page.emulate_media(media="screen")
    page.go_back()
    page.get_by_test_id("print-confirmation").click()
    expect(page.get_by_test_id("print-title")).to_have_text("交付确认书")
    shoot(page, "handover-confirmation-print-a4", full_page=True)


def test_inspection_defect_closed_by_the_recheck(page, login_page, server_url, tmp_path):
    login_page.sign_in("supervisor")
    nav(page, "nav-inspections")
    form = page.get_by_test_id("plan-form")
    form.get_by_test_id("field-building").select_option(index=1)
    form.get_by_test_id("field-starts_on").fill(TODAY)
    form.get_by_test_id("field-ends_on").fill(TODAY)
    form.get_by_test_id("field-units_note").fill("E2E 全部房源")
    form.get_by_test_id("field-project_dept").fill("项目部 李工")
    form.get_by_test_id("field-supervisor_co").fill("E2E 监理公司")
    form.get_by_test_id("field-contractor").fill("E2E 施工单位")
    page.get_by_test_id("plan-submit").click()
    expect(page.get_by_test_id("plan-participants")).to_contain_text("E2E 施工单位")
    issue = page.get_by_test_id("issue-form")
    issue.get_by_test_id("field-unit").select_option(index=1)
    issue.get_by_test_id("field-location").fill("次卧窗台")
    issue.get_by_test_id("field-category").select_option("门窗")
    issue.get_by_test_id("field-description").fill("窗框打胶开裂 E2E")
    page.get_by_test_id("issue-submit").click()
    shoot(page, "inspection-plan-1366", full_page=True)
    page.get_by_test_id("issue-link").filter(has_text="次卧窗台").click()
    photo = tmp_path / "窗台照片.png"
    photo.write_bytes(samples.png((640, 480)))
    page.get_by_test_id("attachment-input").set_input_files(str(photo))
    page.get_by_test_id("attachment-upload").click()
    expect(page.get_by_test_id("attachments-card")).to_contain_text("窗台照片")
    expect(page.get_by_test_id("defect-status")).to_contain_text("待整改")
    issue_url = page.url
    shoot(page, "inspection-issue-1366", full_page=True)
    login_page.sign_out()

    login_page.sign_in("project_engineer")
    page.goto(issue_url)
    page.get_by_test_id("form-defect-start").get_by_test_id("field-note").fill("施工单位明日进场")
    page.get_by_test_id("defect-start").click()
    expect(page.get_by_test_id("defect-status")).to_contain_text("整改中")
    page.get_by_test_id("form-defect-rectified").get_by_test_id("field-note").fill("重新打胶，项目部与监理验收合格")
    page.get_by_test_id("defect-rectified").click()
    expect(page.get_by_test_id("defect-status")).to_contain_text("待复验")
    expect(page.get_by_test_id("nothing-to-do")).to_be_visible()  # the 复验 is not the 项目部's
    login_page.sign_out()

    login_page.sign_in("supervisor")
    page.goto(issue_url)
    page.get_by_test_id("form-defect-recheck").get_by_test_id("field-result").select_option("通过")
    page.get_by_test_id("defect-recheck").click()
    expect(page.get_by_test_id("defect-status")).to_contain_text("已通过")
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "inspection-issue-800", full_page=True)
