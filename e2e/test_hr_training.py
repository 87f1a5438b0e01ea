"""学历/资格证书培训 as people click it (SPEC §E7): the 合同专员 files a certificate training through the engine's form,
the chain shows 部门负责人 → 人事 → 分管副总 (no 总经理 under 10,000 元); each approves; HR opens the agreement, records
the certificate, and the page shows the service period, the penalty if the person left today and the reimbursement."""
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.conftest import LoginPage


def test_certificate_training_through_the_chain(page, server_url):
    t = today_local()
    login = LoginPage(page, server_url)
    login.sign_in("contract")
    page.goto(server_url + "/workflow/new/cert_training")
    expect(page.get_by_test_id("training-form-rules")).to_contain_text("劳动合同法 第二十二条")
    page.get_by_test_id("field-kind").select_option("资格证书")
    page.get_by_test_id("field-program").fill("注册物业管理师（浏览器测试）")
    page.get_by_test_id("field-related_post").fill("合同专员")
    page.get_by_test_id("field-cost").fill("6000.00")
    page.get_by_test_id("field-share_pct").fill("80")
    page.get_by_test_id("field-period_years").fill("2")
    page.get_by_test_id("field-start_on").fill((t - timedelta(days=60)).isoformat())
    page.get_by_test_id("field-end_on").fill((t - timedelta(days=5)).isoformat())
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    expect(page.get_by_test_id("training-share")).to_contain_text("4,800.00 元")
    timeline = page.get_by_test_id("timeline")
    for step in ("部门负责人审批", "人事审核", "分管副总审批"):
        expect(timeline).to_contain_text(step)
    expect(timeline).not_to_contain_text("总经理审批")
    url = page.url
    login.sign_out()

    for who in ("dept_head", "hr", "vp"):
        login.sign_in(who)
        page.goto(url)
        page.get_by_test_id("act-approve").click()
        expect(page.get_by_test_id("act-approve")).to_have_count(0)
        login.sign_out()

    login.sign_in("hr")
    page.goto(url)
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    page.get_by_test_id("training-agreement-link").click()
    expect(page.get_by_test_id("training-status")).to_contain_text("待取得证书")
    page.get_by_test_id("field-cert_on").fill(t.isoformat())
    page.get_by_test_id("field-cert_no").fill("ZS-E2E-001")
    page.get_by_test_id("certificate-save").click()
    expect(page.get_by_test_id("training-status")).to_contain_text("服务期中")
    expect(page.get_by_test_id("training-penalty-amount")).to_contain_text("4,800.00 元")
    expect(page.get_by_test_id("training-expense-link")).to_be_visible()
