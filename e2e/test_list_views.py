"""A list as the 合同专员 shapes it (issue 8 §4): hide a column, sort by another, save that as a named view, open it
again from its link and see the same columns and order. Plus screenshots of two ledgers with the column chooser
open and their print views, at 1366×900 and 800×1280."""
import re

import pytest
from playwright.sync_api import expect

from e2e.screens import OUT, shoot
from e2e.waits import settle



def _order(page) -> list[str]:
    return [t.strip() for t in page.get_by_test_id("deal-link").all_inner_texts()]


def test_hide_a_column_sort_save_the_view_and_open_it_again(page, login_page, server_url):
    login_page.sign_in("contract")
    page.goto(f"{server_url}/ledgers/contracts")
    expect(page.get_by_test_id("sort-online_no")).to_be_visible()
    # hide 网签号 with the column chooser (a <details> dropdown, a plain form)
    page.get_by_test_id("column-chooser-toggle").click()
    page.get_by_test_id("col-online_no").uncheck()
    page.get_by_test_id("column-save").click()
    settle(page)
    expect(page.get_by_test_id("sort-online_no")).to_have_count(0)
    expect(page.get_by_test_id("column-chooser-toggle")).to_contain_text("隐藏 1")
    # sort by 总价, highest first (two clicks on the header; HTMX swaps the table and pushes the URL)
    page.get_by_test_id("sort-total_price").click()
    expect(page).to_have_url(re.compile(r"sort=total_price&dir=asc"))
    page.get_by_test_id("sort-total_price").click()
    expect(page).to_have_url(re.compile(r"sort=total_price&dir=desc"))
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("总价")
    order = _order(page)
    assert len(order) >= 2
    # save the view
    page.get_by_test_id("save-view-toggle").click()
    page.get_by_test_id("view-name").fill("按总价")
    page.get_by_test_id("view-save").click()
    settle(page)
    expect(page.get_by_test_id("view-link").filter(has_text="按总价")).to_be_visible()
    # leave: the plain list is in the default order, and the column stays hidden (the user's own choice)
    page.goto(f"{server_url}/ledgers/contracts")
    expect(page.get_by_test_id("sort-online_no")).to_have_count(0)
    # show every column again, so that the view alone must bring the hidden column back to hidden
    page.get_by_test_id("column-chooser-toggle").click()
    page.get_by_test_id("column-reset").click()
    settle(page)
    expect(page.get_by_test_id("sort-online_no")).to_be_visible()
    # open the view from its link: the same columns, the same order
    page.get_by_test_id("view-link").filter(has_text="按总价").click()
    settle(page)
    expect(page).to_have_url(re.compile(r"view=\d+"))
    expect(page.get_by_test_id("sort-online_no")).to_have_count(0)
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("总价")
    assert _order(page) == order
    # and delete it
    page.locator("[data-testid^='view-delete-']").first.click()
    settle(page)
    expect(page.get_by_test_id("view-link")).to_have_count(0)


@pytest.mark.parametrize("width,height,name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_list_toolbar_and_print_view_fit_the_screen(page, login_page, server_url, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("supervisor")
    if name == "desktop":  # a saved view, so that the screenshots show its chip (the tablet run finds it too)
        page.goto(server_url + "/ledgers/contracts?stage=%E5%B7%B2%E7%AD%BE%E7%BA%A6")
        page.get_by_test_id("save-view-toggle").click()
        page.get_by_test_id("view-name").fill("在签合同")
        page.get_by_test_id("view-save").click()
        settle(page)
    for slug, path in (("contracts", "/ledgers/contracts"), ("collections", "/ledgers/collections"), ("assets", "/assets"),
                       ("report", "/ledgers/report")):
        page.goto(server_url + path)
        if slug != "report":
            page.get_by_test_id("column-chooser-toggle").click()
            expect(page.get_by_test_id("column-form")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} overflows by {overflow}px at {width}"
        shoot(page, f"{name}-{slug}-toolbar")
        if slug == "report":
            continue
        page.goto(server_url + path + "?print=1")
        expect(page.get_by_test_id("print-view")).to_be_visible()
        expect(page.get_by_test_id("pagination")).to_have_count(0)
        shoot(page, f"{name}-{slug}-print")
        page.emulate_media(media="print")
        page.screenshot(path=str(OUT / f"{name}-{slug}-print-media.png"), full_page=False)
        expect(page.get_by_test_id("print-now")).to_be_hidden()
        page.emulate_media(media="screen")
