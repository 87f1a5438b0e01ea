"""内部培训 as people click it (SPEC §E6): the 置业顾问 files a training session for today through the engine's form
(部门负责人 → 人事, no 分管副总 under 5,000 元); both approve; an attendee opens the course page, signs in themself
and rates it; HR enters the attendee's score, which the attendee sees in their training record."""
from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.conftest import LoginPage


def test_session_approved_attendee_signs_in_and_is_scored(page, server_url):
    login = LoginPage(page, server_url)
    login.sign_in("sales")
    page.goto(server_url + "/workflow/new/training_session")
    expect(page.get_by_test_id("session-form-rules")).to_contain_text("劳动法 第六十八条")
    page.get_by_test_id("field-topic").fill("交房接待礼仪（浏览器测试）")
    page.get_by_test_id("field-trainer").fill("王老师")
    page.get_by_test_id("field-audience").fill("客服部全体员工")
    page.get_by_test_id("field-held_on").fill(today_local().isoformat())
    page.get_by_test_id("field-start_time").fill("14:00")
    page.get_by_test_id("field-hours").fill("2")
    page.get_by_test_id("field-budget").fill("1200")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("部门负责人审批")
    expect(timeline).not_to_contain_text("分管副总审批")
    url = page.url
    login.sign_out()
    for who in ("dept_head", "hr"):
        login.sign_in(who)
        page.goto(url)
        page.get_by_test_id("act-approve").click()
        expect(page.get_by_test_id("act-approve")).to_have_count(0)
        if who == "hr":
            expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
            course = server_url + page.get_by_test_id("session-link").get_attribute("href")
        login.sign_out()

    login.sign_in("contract")  # an attendee: the company's approved trainings are listed on /hr/courses
    page.goto(server_url + "/hr/courses")
    expect(page.get_by_test_id("course-sessions")).to_contain_text("交房接待礼仪（浏览器测试）")
    page.goto(course)
    page.get_by_test_id("sign-in-button").click()
    expect(page.get_by_test_id("signed-in")).to_be_visible()
    page.get_by_test_id("field-rating").select_option("5")
    page.get_by_test_id("field-comment").fill("很实用")
    page.get_by_test_id("evaluate-save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("感谢您的评价")
    login.sign_out()

    login.sign_in("hr")
    page.goto(course)
    score = page.get_by_test_id("course-attendees").locator("input[name^=score_]").first
    score.fill("88")
    page.get_by_test_id("scores-save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已保存成绩")
    expect(page.get_by_test_id("course-summary")).to_contain_text("平均 88.0")
    login.sign_out()

    login.sign_in("contract")
    page.goto(server_url + "/hr/courses/mine")
    expect(page.get_by_test_id("course-record")).to_contain_text("交房接待礼仪（浏览器测试）")
    expect(page.get_by_test_id("course-record")).to_contain_text("88")
