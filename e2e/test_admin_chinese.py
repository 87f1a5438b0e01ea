"""The admin panel reads in Chinese (issue 8 §5): the administrator opens it from the portal and sees Chinese table
names grouped by the portal's chapters, Chinese column names on a table's page, Chinese buttons and their own name;
plus screenshots of the admin and of the audit log at desktop and tablet width."""

import pytest
from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot



def test_admin_panel_shows_chinese_names(page, login_page, server_url):
    login_page.sign_in("sysadmin")
    page.evaluate("localStorage.setItem('piccoloAdminDefaultLanguage', 'en')")  # an earlier visitor's choice does not win
    nav(page, "nav-admin")
    # the Vue app renders the menu from the API: wait for it
    menu = page.locator(".sidebar_wrapper")
    expect(menu.get_by_text("组织与岗位", exact=True)).to_be_visible(timeout=20000)
    expect(menu.get_by_role("link", name="节假日调整")).to_be_visible()
    expect(page.get_by_text("周艳 · 系统管理员")).to_be_visible()  # the person, not the login name
    menu.get_by_role("link", name="节假日调整").click()
    expect(page.locator("h1", has_text="节假日调整")).to_be_visible(timeout=20000)
    header = page.locator("table th")
    expect(header.filter(has_text="调休上班")).to_be_visible()
    expect(header.filter(has_text="节日名称")).to_be_visible()
    expect(page.get_by_text("新增", exact=True).first).to_be_visible()  # the library's own buttons, translated
    assert "Is Workday" not in page.content()


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_admin_and_audit_screens(page, login_page, server_url, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("sysadmin")
    page.goto(server_url + "/admin/")
    expect(page.get_by_text("组织与岗位", exact=True).first).to_be_attached(timeout=20000)
    shoot(page, f"{name}-admin-home.png")
    if width <= 800:  # the menu behind the burger (at exactly 800 px the library hides both: static/css/admin.css)
        page.locator("#burger_menu a").click()
        expect(page.locator("#sidebar_overlay").get_by_role("link", name="节假日调整")).to_be_visible()
        shoot(page, f"{name}-admin-menu.png")
    page.goto(server_url + "/admin/#/" + "员工")
    expect(page.locator("table th").filter(has_text="工号")).to_be_attached(timeout=20000)
    shoot(page, f"{name}-admin-employee.png")
    # a change through the admin's own API (as its front end makes it), to show as a diff
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    r = page.request.patch(server_url + "/admin/api/tables/employee/10/", data={"mobile": f"1390000{width:04d}"},
                           headers={"X-CSRFToken": csrf, "Content-Type": "application/json"})
    assert r.status in (200, 204), r.text()
    page.goto(server_url + "/audit")
    expect(page.get_by_test_id("row").first).to_contain_text("管理后台修改")
    expect(page.get_by_test_id("row").first).to_contain_text(f"139****{width:04d}")
    shoot(page, f"{name}-audit.png")
    page.get_by_test_id("audit-link").first.click()
    expect(page.get_by_test_id("audit-diff")).to_contain_text("手机号")
    shoot(page, f"{name}-audit-detail.png")
