"""The foundation as a user clicks it: sign-in per position, navigation, 403, sign-out, admin panel, rules."""
import re

from playwright.sync_api import expect
from e2e.nav import nav


def nav_labels(page) -> list[str]:
    return [t.strip() for t in page.get_by_test_id("nav").locator("a.nav-link").all_text_contents()]  # also the items of collapsed groups


def test_three_positions_see_different_navigation(page, login_page, server_url):
    seen = {}
    for username, position in [("contract", "合同专员"), ("dept_head", "客服副经理"), ("sysadmin", "系统管理员"), ("guard", "保安员")]:
        login_page.sign_in(username)
        expect(page.get_by_test_id("current-position")).to_contain_text(position)
        seen[username] = nav_labels(page)
        login_page.sign_out()
    assert "员工通讯录" in seen["contract"] and "阅读确认情况" not in seen["contract"] and "审计日志" not in seen["contract"]
    assert "阅读确认情况" in seen["dept_head"] and "审计日志" in seen["dept_head"] and "管理后台" not in seen["dept_head"]
    assert "管理后台" in seen["sysadmin"]
    assert "员工通讯录" not in seen["guard"] and "规章库" in seen["guard"]
    assert len({tuple(v) for v in seen.values()}) == 4


def test_forbidden_url_shows_chinese_403(page, login_page, server_url):
    login_page.sign_in("contract")
    response = page.goto(f"{server_url}/audit")
    assert response.status == 403
    expect(page.get_by_test_id("error-title")).to_have_text("无权访问")
    expect(page.get_by_test_id("error-message")).to_contain_text("没有访问此页面的权限")


def test_sign_out_ends_the_session(page, login_page, server_url):
    login_page.sign_in("data")
    login_page.sign_out()
    expect(page.get_by_test_id("flash")).to_contain_text("您已安全退出")
    page.goto(f"{server_url}/org")
    expect(page).to_have_url(re.compile(r"/login\?next=/org"))


def test_admin_panel_opens_for_admin_and_is_refused_for_contract_officer(page, login_page, server_url):
    login_page.sign_in("contract")
    response = page.goto(f"{server_url}/admin/")
    assert response.status == 403
    expect(page.get_by_test_id("error-title")).to_have_text("无权访问")
    page.get_by_test_id("error-home").click()
    login_page.sign_out()

    login_page.sign_in("sysadmin")
    nav(page, "nav-admin")
    expect(page).to_have_url(re.compile(r"/admin/"))
    # piccolo-admin's single-page app lists our reference tables (same sign-in, no second login), by their Chinese names
    expect(page.get_by_role("link", name="节假日调整")).to_be_visible(timeout=20000)
    expect(page.get_by_role("link", name="部门", exact=True)).to_be_visible()


def test_login_error_keeps_username(page, server_url):
    page.goto(f"{server_url}/login")
    page.get_by_test_id("field-username").fill("contract")
    page.get_by_test_id("field-password").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("error-password")).to_have_text("用户名或密码不正确")
    expect(page.get_by_test_id("field-username")).to_have_value("contract")


def test_acknowledge_a_rule_with_htmx_and_badge_updates(page, login_page, server_url):
    login_page.sign_in("mortgage")
    badge = page.get_by_test_id("rules-unread-count")  # unread rules are counted beside the bell, not in 待办
    expect(badge).to_be_visible()
    before = int(badge.get_attribute("data-count"))
    nav(page, "nav-rules")
    expect(page.get_by_test_id("rule-state-kf-71p")).to_contain_text("未读")
    page.get_by_test_id("rule-link-kf-71p").click()
    expect(page.get_by_test_id("rule-text")).to_contain_text("按揭专员")
    page.get_by_test_id("ack-submit").click()
    expect(page.get_by_test_id("ack-state")).to_contain_text("您已于")
    expect(page.get_by_test_id("rules-unread-count")).to_have_attribute("data-count", str(before - 1))
    nav(page, "nav-rules")
    expect(page.get_by_test_id("rule-state-kf-71p")).to_contain_text("已读")
    login_page.sign_out()
    # another user still sees it unread; the manager sees who has not read it
    login_page.sign_in("dept_head")
    nav(page, "nav-rules-status")
    page.get_by_test_id("status-row-kf-71p").get_by_test_id("read-count").click()
    expect(page.get_by_test_id("list")).to_contain_text("JC1011")  # the 按揭专员 "mortgage"
    page.get_by_test_id("tab-unread").click()
    expect(page.get_by_test_id("list")).to_contain_text("JC1012")  # the other 按揭专员 has not read it
    expect(page.get_by_test_id("list")).not_to_contain_text("JC1011")


def test_employee_directory_filters_with_htmx(page, login_page, server_url):
    login_page.sign_in("supervisor")
    nav(page, "nav-employees")
    page.get_by_test_id("filter-position").select_option(label="按揭专员")
    expect(page.get_by_test_id("pagination")).to_contain_text("共 2 条")
    expect(page).to_have_url(re.compile(r"position="))
    page.get_by_test_id("employee-link").first.click()
    expect(page.get_by_test_id("employee-detail")).to_contain_text("按揭专员")
