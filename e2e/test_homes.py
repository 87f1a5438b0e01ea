"""The 总经理's home in Chromium (issue 8 §4): its figures match the records behind them — read from the ledger and
approval pages the figures link to, never hard-coded — the signing trend is drawn (ECharts) and also readable as a
table, and the sidebar shows one active item with every group collapsed except the active one's."""
from __future__ import annotations

import calendar
import re
from datetime import date

from playwright.sync_api import expect

from e2e.waits import settle


def _total(page, base: str, path: str) -> int:
    """The row count a list page reports (第 a–b 条，共 N 条), 0 for its empty state."""
    page.goto(base + path)
    settle(page)
    m = re.search(r"共 (\d+) 条", page.content())
    if m:
        return int(m.group(1))
    expect(page.get_by_test_id("empty-state").first).to_be_visible()
    return 0


def _sidebar_state(page) -> tuple[list[str], list[str]]:
    nav = page.get_by_test_id("nav")
    active = nav.locator("li.nav-item.active > a.nav-link").evaluate_all("els => els.map(e => e.dataset.testid)")
    opened = nav.locator("details[open]").evaluate_all("els => els.map(e => e.dataset.group)")
    return active, opened


def test_general_manager_home_figures_match_the_records(page, login_page, server_url):
    login_page.sign_in("gm")
    expect(page.get_by_test_id("exec-figures")).to_be_visible()
    shown = {k: page.get_by_test_id(k).inner_text().strip() for k in ("fig-overdue-receivables", "fig-approvals", "fig-overdue-approvals")}
    trend = {}
    for row in page.get_by_test_id("trend-row").all():
        month = row.get_attribute("data-month")
        trend[month] = int(row.locator("td").nth(1).inner_text())
    assert len(trend) == 12 and sum(trend.values()) > 0, trend
    # the chart is drawn by portal.js from the data attribute (no inline script: the CSP fixture checks the console)
    expect(page.get_by_test_id("chart-trend").locator("svg")).to_be_visible()

    # the sidebar on the home: 首页 active, every group collapsed
    assert _sidebar_state(page) == (["nav-home"], [])

    # each figure against the page behind it
    assert int(shown["fig-overdue-receivables"]) == _total(page, server_url, "/ledgers/collections?state=逾期")
    assert int(shown["fig-approvals"]) == _total(page, server_url, "/workflow?tab=todo")
    assert int(shown["fig-overdue-approvals"]) == _total(page, server_url, "/workflow/overdue")
    for month, n in trend.items():
        if not n:
            continue
        y, m = map(int, month.split("-"))
        first, last = date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        q = f"/ledgers/contracts?signed_from={first}&signed_to={last}"
        assert n == _total(page, server_url, q) - _total(page, server_url, q + "&stage=已作废"), month

    # on a ledger page: one active item (台账), and only its group open
    page.goto(server_url + "/ledgers/contracts")
    assert _sidebar_state(page) == (["nav-ledgers"], ["数据台账"])
    # opening another group by its summary works without JavaScript (<details>) and leaves one active item
    page.locator('[data-testid="nav"] details[data-group="审批"] > summary').click()
    expect(page.get_by_test_id("nav-workflow")).to_be_visible()
    assert _sidebar_state(page)[0] == ["nav-ledgers"]


def test_sidebar_hides_behind_the_toggle_on_a_tablet(page, login_page, server_url):
    page.set_viewport_size({"width": 800, "height": 1280})
    login_page.sign_in("gm")
    expect(page.get_by_test_id("nav-home")).to_be_hidden()
    page.get_by_test_id("nav-toggle").click()
    expect(page.get_by_test_id("nav-home")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    # the top bar's search: the dropdown as one types, the full page on Enter
    box = page.get_by_test_id("search-input")
    box.fill("审批")
    expect(page.get_by_test_id("search-dropdown")).to_be_visible()
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    expect(page.get_by_test_id("search-group").first).to_be_visible()
