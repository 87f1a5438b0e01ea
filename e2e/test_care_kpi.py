"""The KPI board in the browser (SPEC §D5): the month picker (HTMX) redraws the board, every KPI's trend chart is drawn
by portal.js inside its container (no inline script, no console or CSP errors), and a figure's drill-down lists
exactly the cases it counts. Screenshots at 1366×900 and 800×1280."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot

KPIS = ("answer_rate", "satisfaction_rate", "on_time_rate", "complaint_satisfaction_rate", "record_accuracy", "follow_up_rate")


def test_kpi_board_charts_and_drilldown(page, login_page, server_url):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login_page.sign_in("supervisor")
    nav(page, "nav-kpi")
    expect(page.get_by_test_id("kpi-board")).to_be_visible()
    # last month (the demo history is full there), chosen with the picker: HTMX swaps the board and pushes the URL
    options = page.get_by_test_id("kpi-month").locator("option").evaluate_all("els => els.map(e => e.value)")
    last = options[1]
    page.get_by_test_id("kpi-month").select_option(last)
    expect(page).to_have_url(re.compile(rf"month={last}"))
    expect(page.get_by_test_id("kpi-month-label")).to_contain_text(f"{int(last[5:])} 月")
    for key in KPIS:
        expect(page.get_by_test_id(f"chart-{key}").locator("svg")).to_be_visible()
        assert page.get_by_test_id(f"chart-{key}").locator("svg path").count() > 0, key
    shoot(page, "care-kpi-board", full_page=True)

    # a figure → its drill-down lists exactly that many cases
    card = page.get_by_test_id("kpi-card-on_time_rate")
    due = int(card.get_by_test_id("den-on_time_rate").inner_text())
    on_time = int(card.get_by_test_id("num-on_time_rate").inner_text())
    assert due > 0 and on_time <= due
    card.get_by_test_id("num-on_time_rate").click()
    expect(page.get_by_test_id("drill-summary")).to_be_visible()
    assert page.get_by_test_id("drill-num").inner_text() == str(on_time)
    expect(page.get_by_test_id("list")).to_contain_text(f"共 {on_time} 条")
    rows = page.get_by_test_id("row").count()
    assert rows == min(on_time, 20)
    page.goto(page.url + "&per_page=100")
    assert page.get_by_test_id("row").count() == on_time
    shoot(page, "care-kpi-drill")

    page.set_viewport_size({"width": 800, "height": 1280})
    page.goto(f"{server_url}/care/kpi?month={last}")
    for key in KPIS:
        expect(page.get_by_test_id(f"chart-{key}").locator("svg")).to_be_visible()
        box, chart = page.get_by_test_id(f"kpi-card-{key}").bounding_box(), page.get_by_test_id(f"chart-{key}").locator("svg").bounding_box()
        assert chart["x"] >= box["x"] - 1 and chart["x"] + chart["width"] <= box["x"] + box["width"] + 1, key  # inside its card
    shoot(page, "care-kpi-board-tablet", full_page=True)
    assert not errors, errors
