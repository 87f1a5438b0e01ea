"""The employee record as HR and the person click it: HR opens 员工档案, finds the 置业顾问 by 工号 and opens the record (ID
number and salary masked), reveals them (HTMX swap, audited), records a 奖励 citing its basis; the 置业顾问 signs in,
opens 我的档案 and sees the 奖励 on his record and in the timeline, still without the full ID number."""
from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.screens import shoot


def test_hr_reveals_and_rewards_the_person_sees_it(page, server_url):
    login = LoginPage(page, server_url)
    login.sign_in("hr")
    page.goto(f"{server_url}/hr/people")
    page.get_by_test_id("filter-q").fill("JC1026")  # the demo 置业顾问 (sales)
    page.get_by_test_id("people-filters").get_by_role("button", name="筛选").click()
    page.get_by_test_id("people-list").get_by_role("link").first.click()
    expect(page.get_by_test_id("record-header")).to_be_visible()
    record_url = page.url
    masked = page.get_by_test_id("file-masked")
    expect(masked).to_contain_text("********")
    page.get_by_test_id("file-reveal").click()
    full = page.get_by_test_id("file-full")
    expect(full).to_contain_text("已记录查看")
    id_no = full.inner_text().split("身份证号 ")[1].split(" ")[0]
    assert "*" not in id_no and len(id_no) == 18
    page.get_by_test_id("reward-new").click()
    form = page.get_by_test_id("reward-form")
    form.get_by_test_id("field-title").fill("业主来信表扬")
    form.get_by_test_id("field-basis").fill("客服部奖惩办法：服务质量")
    form.get_by_test_id("reward-save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已记录奖励：业主来信表扬")
    expect(page.get_by_test_id("section-hr_people").first).to_contain_text("业主来信表扬")
    shoot(page, "hr-people-record", full_page=True)
    login.sign_out()

    login.sign_in("sales")
    page.goto(f"{server_url}/hr/people/me")
    assert page.url == record_url
    expect(page.get_by_test_id("profile-rewards")).to_contain_text("业主来信表扬")
    expect(page.get_by_test_id("timeline")).to_contain_text("奖励：业主来信表扬")
    assert id_no not in page.content()
    expect(page.get_by_test_id("file-reveal")).to_have_count(0)
