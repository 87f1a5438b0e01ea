"""请假 as people click it (SPEC §G 考勤): the 置业顾问 opens 我的假期, files a 4-day 事假 through the engine's form, the
request's chain shows the one step 分管副总审批; the 分管副总 approves it and 我的假期 lists it as 已通过."""
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from app.core.workdays import WorkCalendar
from e2e.conftest import LoginPage
from e2e.nav import nav


def test_four_day_leave_goes_to_the_vp(page, server_url):
    cal = WorkCalendar()  # the built-in holiday calendar, as the server counts (the demo's one override is a working day)
    start = cal.next_workday(today_local() + timedelta(days=21))
    end = cal.add_working_days(start, 3)  # 4 working days
    login = LoginPage(page, server_url)
    login.sign_in("sales")
    nav(page, "nav-hr-leave")
    expect(page.get_by_test_id("my-balance")).to_contain_text("职工带薪年休假条例")
    page.get_by_test_id("new-leave").click()
    page.get_by_test_id("field-kind").select_option("事假")
    page.get_by_test_id("field-start_on").fill(start.isoformat())
    page.get_by_test_id("field-start_half").select_option("上午")
    page.get_by_test_id("field-end_on").fill(end.isoformat())
    page.get_by_test_id("field-end_half").select_option("下午")
    page.get_by_test_id("field-reason").fill("回老家办理房产手续")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    expect(page.get_by_test_id("leave-days")).to_contain_text("4 天（按工作日计）")
    expect(page.get_by_test_id("timeline")).to_contain_text("分管副总审批")
    expect(page.get_by_test_id("timeline")).not_to_contain_text("客服主管审批")
    url = page.url
    login.sign_out()

    login.sign_in("vp")
    page.goto(url)
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    login.sign_out()

    login.sign_in("sales")
    page.goto(server_url + "/hr/leave")
    expect(page.get_by_test_id("leave-row").first).to_contain_text("已通过")
