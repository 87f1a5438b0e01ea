"""The monthly roster as the captain and the 客服主管 click it, on the captain's tablet (800×1280, touch): the captain
opens next month's draft from the sales office's start page, taps a cell and gives that person the day off (the
checks name the gap at once), submits the roster on the engine with an explanation; the 客服主管 approves it at the
desk and the roster shows 已批准. Screenshots portrait and landscape (no sideways overflow of the page)."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.conftest import LoginPage
from e2e.screens import shoot


@pytest.fixture
def tablet(browser, server_url):
    ctx = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True, is_mobile=False, locale="zh-CN",
                              timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    yield page
    ctx.close()


def test_roster_edit_submit_and_approve(tablet, page, server_url):
    nxt = (today_local().replace(day=1) + timedelta(days=32)).replace(day=1)
    LoginPage(tablet, server_url).sign_in("security_captain")
    tablet.goto(f"{server_url}/site")
    tablet.get_by_test_id("tile-nav-site-rosters").tap()
    expect(tablet.get_by_test_id("roster-list")).to_contain_text(f"{nxt:%Y-%m}")
    tablet.get_by_test_id("roster-list").get_by_role("link", name=f"{nxt:%Y-%m}").first.tap()
    expect(tablet.get_by_test_id("roster-grid")).to_be_visible()
    shoot(tablet, "site-roster-800")
    row = tablet.get_by_test_id("roster-row").first
    worked = row.locator(f'td[data-day="{nxt.isoformat()}"]')
    # the first day of the first person: make it a rest day (the seeded draft has everyone needed on every day)
    day = nxt
    for i in range(7):
        cell = row.locator(f'td[data-day="{(nxt + timedelta(days=i)).isoformat()}"]')
        if "休" not in cell.inner_text():
            worked, day = cell, nxt + timedelta(days=i)
            break
    worked.get_by_test_id("roster-cell").tap()
    form = tablet.get_by_test_id("cell-form")
    expect(form.get_by_test_id("cell-title")).to_contain_text(f"{day.month}月{day.day}日")
    form.get_by_test_id("field-choice").select_option("")
    form.get_by_test_id("cell-save").tap()
    expect(tablet.get_by_test_id("flash")).to_contain_text("已保存：休息")
    expect(tablet.get_by_test_id("roster-problems")).to_contain_text(f"{day.month}月{day.day}日")
    tablet.get_by_test_id("roster-submit").tap()
    tablet.get_by_test_id("field-note").fill("当日由物业公司临时增派一人")
    tablet.get_by_test_id("submit-request").tap()
    expect(tablet.get_by_test_id("request-status")).to_contain_text("审批中")
    url = tablet.url
    tablet.set_viewport_size({"width": 1280, "height": 800})
    tablet.goto(f"{server_url}/site/rosters")
    shoot(tablet, "site-roster-list-1280")

    LoginPage(page, server_url).sign_in("supervisor")
    page.goto(url)
    expect(page.get_by_test_id("roster-flow-detail")).to_contain_text("当日由物业公司临时增派一人")
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    page.get_by_test_id("roster-link").click()
    expect(page.get_by_test_id("roster-grid")).to_be_visible()
    expect(page.get_by_test_id("roster-status")).to_contain_text("已批准")
