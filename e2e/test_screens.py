"""Every page of the foundation at desktop (1366) and 10-inch tablet (800) width: no horizontal overflow, and a
screenshot in screenshots/ to look at."""
from pathlib import Path

import pytest

OUT = Path(__file__).resolve().parent.parent / "screenshots"
PAGES = ["/", "/org", "/org/positions", "/org/employees", "/rules", "/rules/kf-71p", "/rules/status", "/calendar?month=2026-10", "/audit", "/account/password"]


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    OUT.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server_url}/login")
    page.screenshot(path=str(OUT / f"{name}-login.png"))
    login_page.sign_in("dept_head")
    for path in PAGES:
        response = page.goto(server_url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "") or "home"
        page.screenshot(path=str(OUT / f"{name}-{slug}.png"), full_page=False)
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"


WORKFLOW_PAGES = ["/workflow", "/workflow/new", "/workflow/new/expense", "/workflow/new/payment", "/workflow/delegations", "/finance/advances",
                  "/finance/invoices", "/workflow/overdue"]


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_workflow_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    OUT.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("dept_head")
    paths = list(WORKFLOW_PAGES)
    # a request page: the head's own latest request, or any request visible to the head
    page.goto(server_url + "/workflow/all")
    link = page.get_by_test_id("request-link").first
    if link.count():
        paths.append(link.get_attribute("href"))
    for path in paths:
        response = page.goto(server_url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        slug = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(OUT / f"{name}-{slug}.png"), full_page=False)
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_pipeline_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    OUT.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("supervisor")
    page.goto(server_url + "/pipeline?status=已交付")
    unit = page.get_by_test_id("unit-link").first.get_attribute("href")
    page.goto(server_url + "/pipeline?status=可售")
    free = page.get_by_test_id("unit-link").first.get_attribute("href")
    page.goto(server_url + "/pipeline/receipts")
    money = page.get_by_test_id("receipt-deal-link").first.get_attribute("href")  # 收款登记 of one deal
    for path in ["/pipeline", "/pipeline/queue", unit, "/pipeline/title-batch", "/workflow/new/contract_void", "/workflow/new/mortgage_release",
                 "/pipeline/receipts", money]:
        response = page.goto(server_url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        slug = path.strip("/").replace("/", "-").replace("?", "-") or "home"
        page.screenshot(path=str(OUT / f"{name}-{slug}.png"), full_page=False)
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"
    login_page.sign_out()
    login_page.sign_in("sales")
    page.goto(server_url + free + "/subscribe")
    page.screenshot(path=str(OUT / f"{name}-subscribe.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
