"""证件及手续 as the 房管局专员 clicks it: issuing the JC02 3号楼 presale permit makes its 48 units 可售; the 证件到期提醒
list is ordered by due date and filters in place; the pages fit a desktop and a 10-inch tablet (screenshots)."""
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from e2e.nav import nav

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def count(page, testid: str) -> int:
    return int(page.get_by_test_id(testid).inner_text().strip())


def test_bureau_issues_the_jc02_building_3_permit_and_its_units_become_saleable(page, login_page, server_url):
    login_page.sign_in("bureau")
    nav(page, "nav-permits")
    expect(page.get_by_test_id("page-title")).to_have_text("证件到期提醒")
    assert count(page, "units-unsaleable-JC02") == 48
    saleable_before = count(page, "units-saleable-JC02")

    nav(page, "nav-permits-presale")
    page.get_by_test_id("filter-status").select_option("已申报")
    link = page.get_by_test_id("record-link").filter(has_text="未取证")
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_test_id("record-status")).to_have_text("已申报")
    expect(page.get_by_test_id("value-buildings")).to_have_text("3号楼")
    expect(page.get_by_test_id("unit-count-不可售")).to_have_attribute("data-count", "48")

    # without number and date: field messages, nothing changes
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("action-issue").click()
    expect(page.get_by_test_id("error-permit_no")).to_have_text("请填写预售许可证号")
    expect(page.get_by_test_id("error-issued_on")).to_contain_text("请填写发证日期")
    expect(page.get_by_test_id("record-status")).to_have_text("已申报")

    page.get_by_test_id("action-issue-permit_no").fill("锡房预滨湖字（2026）第0077号")
    page.get_by_test_id("action-issue-issued_on").fill(date.today().isoformat())
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("action-issue").click()
    expect(page.get_by_test_id("record-status")).to_have_text("已取证", timeout=15000)  # after the HX-Redirect
    expect(page.get_by_test_id("flash")).to_contain_text("48 套房源已变为可售")
    expect(page.get_by_test_id("unit-count-可售")).to_have_attribute("data-count", "48")
    expect(page.get_by_test_id("unit-count-不可售")).to_have_count(0)
    expect(page.get_by_test_id("history")).to_contain_text("48 套房源由“不可售”变为“可售”")

    nav(page, "nav-permits")
    assert count(page, "units-unsaleable-JC02") == 0
    assert count(page, "units-saleable-JC02") == saleable_before + 48
    login_page.sign_out()


def test_reminder_list_is_ordered_by_due_date_and_filters_in_place(page, login_page, server_url):
    login_page.sign_in("bureau")
    page.goto(f"{server_url}/permits")
    rows = page.get_by_test_id("list").get_by_test_id("row")
    expect(rows.first).to_be_visible()
    dues = [re.search(r"\d{4}-\d{2}-\d{2}", t).group(0) for t in rows.all_inner_texts()]
    assert dues == sorted(dues) and len(dues) >= 5
    qualification = rows.filter(has_text="资质证书")
    expect(qualification.first).to_contain_text("剩余 45 天")
    expect(rows.filter(has_text="公积金项目备案").first).to_contain_text("剩余 50 天")
    # the overdue/30-day window filter swaps the table in place (HTMX) and keeps the URL
    page.get_by_test_id("filter-window").select_option("30")
    expect(page).to_have_url(re.compile(r"window=30"))
    expect(rows.filter(has_text="资质证书")).to_have_count(0)
    expect(rows.filter(has_text="维修基金").first).to_contain_text("剩余 5 天")
    expect(rows.filter(has_text="维修基金").first.locator("[data-level]")).to_have_attribute("data-level", "amber")
    page.get_by_test_id("filter-window").select_option("")
    page.get_by_test_id("filter-kind").select_option("qualification")
    expect(rows.first).to_contain_text("资质证书")
    rows.first.get_by_test_id("deadline-link").click()
    expect(page.get_by_test_id("record-deadlines")).to_contain_text("提前 90、60、30 天提醒")
    login_page.sign_out()


PAGES = ["/permits", "/permits/overseas", "/permits/presale/new"]  # the other lists share the list template


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_permit_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    OUT.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("bureau")
    paths = list(PAGES)
    for kind in ("presale", "fund"):
        page.goto(f"{server_url}/permits/{kind}")
        paths.append(page.get_by_test_id("record-link").first.get_attribute("href"))
    for path in paths:
        response = page.goto(server_url + path)
        assert response.status == 200, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        slug = path.strip("/").replace("/", "-")
        page.screenshot(path=str(OUT / f"{name}-{slug}.png"), full_page=True)
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"
