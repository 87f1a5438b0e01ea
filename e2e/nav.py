"""Open a page through the sidebar as a user does (issue 8 §4): the sidebar shows the role's own chapters in
collapsible groups (the active page's group open), behind the toggle on a tablet; a permitted page outside the
role's menu is opened from 全部功能 (/search), which lists every page the user may open."""
from __future__ import annotations


def _reveal_sidebar(page) -> None:
    toggle = page.get_by_test_id("nav-toggle")
    if toggle.is_visible() and not page.locator("#sidebar-menu").is_visible():
        toggle.click()


def nav(page, testid: str) -> None:
    link = page.locator(f'[data-testid="nav"] [data-testid="{testid}"]')
    _reveal_sidebar(page)
    if link.count():
        if not link.is_visible():
            group = link.locator("xpath=ancestor::details[1]")
            if group.count() and group.get_attribute("open") is None:
                group.locator("summary").click()
        link.click()
        return
    page.get_by_test_id("nav-all").click()
    page.get_by_test_id(f"function-{testid}").click()
