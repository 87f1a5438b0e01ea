"""招聘 → 入职 as people click it (SPEC §E12, the issue's acceptance): the 客服副经理 files a 用人申请 for a 合同专员 (inside
the demo's headcount: 人事 → 分管副总); HR registers a candidate with an interview and the background check and files the
面试审批 (人事 → 用人部门负责人); the 客服副经理 files the 录用审批 (人事 → 分管副总); HR clicks 办理入职 and issues the one-time password; the new sign-in works
and shows the 保密承诺书 first, then the 新员工入职培训, then the home page."""
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.conftest import LoginPage


def approve(login: LoginPage, page, url: str, *who: str) -> None:
    for username in who:
        login.sign_in(username)
        page.goto(url)
        page.get_by_test_id("act-approve").click()
        expect(page.get_by_test_id("request-status")).to_be_visible()
        login.sign_out()


def test_recruitment_to_first_sign_in(page, server_url):
    login = LoginPage(page, server_url)
    today = today_local()
    login.sign_in("dept_head")
    page.goto(f"{server_url}/workflow/new/staffing")
    page.get_by_test_id("field-position").select_option(label="合同专员")
    page.get_by_test_id("field-headcount").fill("1")
    page.get_by_test_id("field-start_on").fill((today + timedelta(days=15)).isoformat())
    page.get_by_test_id("field-requirements").fill("大专及以上，熟悉网签备案")
    page.get_by_test_id("field-reason").fill("签约高峰")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("staffing-headcount")).to_contain_text("编制内")
    staffing_url = page.url
    login.sign_out()
    approve(login, page, staffing_url, "hr", "vp")

    login.sign_in("hr")
    page.goto(staffing_url)
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    page.get_by_test_id("staffing-candidates-link").click()
    form = page.get_by_test_id("candidate-form")
    form.get_by_test_id("field-name").fill("林新")
    form.get_by_test_id("field-mobile").fill("13912340001")
    form.get_by_test_id("field-id_number").fill("11010519491231002X")
    form.get_by_test_id("candidate-submit").click()
    card = page.locator('div.card[id^="cand-"]', has_text="林新")
    expect(card.get_by_test_id("candidate-mobile")).to_contain_text("139****0001")
    card.locator('[data-testid^="interview-form-"] [data-testid="field-score"]').fill("88")
    card.locator('[data-testid^="interview-form-"] [data-testid="field-held_on"]').fill(today.isoformat())
    card.locator('[data-testid^="interview-form-"] [data-testid="field-interviewer"]').select_option(index=1)
    card.get_by_test_id("interview-submit").click()
    card = page.locator('div.card[id^="cand-"]', has_text="林新")
    card.locator('[data-testid^="background-form-"] [data-testid="field-bg_result"]').select_option("通过")
    card.locator('[data-testid^="background-form-"] [data-testid="field-bg_on"]').fill(today.isoformat())
    card.locator('[data-testid^="background-form-"] [data-testid="field-bg_note"]').fill("原单位核实无误")
    card.get_by_test_id("background-submit").click()
    expect(page.locator('div.card[id^="cand-"]', has_text="林新").get_by_test_id("candidate-ready")).to_be_visible()
    candidates_url = page.url.split("#")[0]
    # 面试审批: HR files it (人事 → 用人部门负责人; a 合同专员 is not 主管 and above, so no 分管副总)
    page.goto(f"{server_url}/workflow/new/interview")
    value = page.get_by_test_id("options-candidate").locator("option", has_text="林新").first.get_attribute("value")
    page.get_by_test_id("field-candidate").fill(value)
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("interview-rounds")).to_contain_text("88")
    interview_url = page.url
    login.sign_out()
    approve(login, page, interview_url, "hr2", "dept_head")

    login.sign_in("dept_head")
    page.goto(f"{server_url}/workflow/new/offer")
    value = page.get_by_test_id("options-candidate").locator("option", has_text="林新").first.get_attribute("value")
    page.get_by_test_id("field-candidate").fill(value)
    page.get_by_test_id("field-salary").fill("8500")
    page.get_by_test_id("field-start_on").fill((today + timedelta(days=7)).isoformat())
    page.get_by_test_id("field-probation_months").fill("3")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("offer-flow-detail")).to_contain_text("林新")
    offer_url = page.url
    login.sign_out()
    approve(login, page, offer_url, "hr", "vp")

    login.sign_in("hr")
    page.goto(candidates_url)
    page.locator('div.card[id^="cand-"]', has_text="林新").get_by_test_id("candidate-onboard").click()
    page.get_by_test_id("onboard-form").locator('input[name="projects"]').first.check()
    page.get_by_test_id("onboard-submit").click()
    username = page.get_by_test_id("onboarded-username").inner_text().strip()
    page.get_by_test_id("password-issue").click()
    password = page.get_by_test_id("initial-password").inner_text().strip()
    assert username and len(password) >= 10
    login.sign_out()

    login.sign_in(username, password)
    expect(page).to_have_url(f"{server_url}/rules/hr-pledge")
    expect(page.get_by_test_id("page-title")).to_contain_text("保密承诺书")
    page.get_by_test_id("ack-submit").click()
    expect(page.get_by_test_id("ack-state")).to_be_visible()
    page.get_by_test_id("gate-next").click()  # the panel leads on to the next document, as the home page would
    expect(page).to_have_url(f"{server_url}/rules/hr-induction")
    page.goto(f"{server_url}/")  # the home page sends them back until it is acknowledged too
    expect(page).to_have_url(f"{server_url}/rules/hr-induction")
    page.get_by_test_id("ack-submit").click()
    expect(page.get_by_test_id("ack-state")).to_be_visible()
    page.goto(f"{server_url}/")
    expect(page).to_have_url(f"{server_url}/")
    expect(page.get_by_test_id("logout")).to_be_visible()
