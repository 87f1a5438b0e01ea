"""The gate logs on the guard's tablet (SPEC §F4), 800×1280 with touch: the guard logs a visitor (mobile masked in the
list) and a new-energy vehicle, a wrong plate shows its message with what was typed kept, and both are marked as
leaving; the day's counts follow. Screenshots in portrait and landscape (no sideways overflow)."""
import re
import uuid

from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.nav import nav
from e2e.screens import shoot

TABLET = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}


def _count(page, key: str) -> int:
    return int(page.get_by_test_id(f"count-{key}").inner_text())


def test_guard_logs_a_visitor_and_a_new_energy_vehicle(browser, server_url):
    ctx = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True)
    csp: list[str] = []
    try:
        page = ctx.new_page()
        page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        LoginPage(page, server_url).sign_in("guard")
        nav(page, "nav-site-visitors")
        expect(page.get_by_test_id("page-title")).to_have_text("访客登记")
        inside = _count(page, "inside")

        # a visitor: 施工 needs the ID check; the first try without it says so and keeps what was typed
        name = "访客" + uuid.uuid4().hex[:4]
        form = page.get_by_test_id("visitor-form")
        form.get_by_test_id("field-name").fill(name)
        form.get_by_test_id("field-mobile").fill("13955556666")
        form.get_by_test_id("field-purpose").select_option("施工")
        form.get_by_test_id("field-host").fill("工程部 刘经理")
        page.get_by_test_id("visitor-submit").tap()
        expect(page.get_by_test_id("error-id_checked")).to_contain_text("须出示证件")
        expect(page.get_by_test_id("visitor-form").get_by_test_id("field-name")).to_have_value(name)
        page.get_by_test_id("visitor-form").get_by_test_id("field-id_checked").tap()
        page.get_by_test_id("visitor-submit").tap()
        expect(page.get_by_test_id("flash")).to_contain_text(f"已登记访客 {name}")
        row = page.locator('[data-testid^="visitor-row-"]', has_text=name)
        expect(row).to_contain_text("139****6666")
        expect(page.get_by_test_id("visitor-list")).not_to_contain_text("13955556666")
        assert _count(page, "inside") == inside + 1
        shoot(page, "site-visitors-800")
        page.set_viewport_size(LANDSCAPE)
        shoot(page, "site-visitors-1280")
        page.set_viewport_size(TABLET)
        row.locator('[data-testid^="leave-"]').tap()
        expect(page.get_by_test_id("flash")).to_contain_text(f"已登记 {name} 离开")
        left = page.locator('[data-testid^="visitor-row-"]', has_text=name).locator('[data-testid^="left-"]')
        expect(left).to_contain_text("离开")
        assert _count(page, "inside") == inside

        # a vehicle: a wrong plate first, then a small new-energy plate typed in lower case
        nav(page, "nav-site-vehicles")
        expect(page.get_by_test_id("page-title")).to_have_text("车辆登记")
        form = page.get_by_test_id("vehicle-form")
        form.get_by_test_id("field-plate").fill("川AO1234")
        form.get_by_test_id("field-kind").select_option("新能源")
        form.get_by_test_id("field-bay").fill("A-12")
        page.get_by_test_id("vehicle-submit").tap()
        expect(page.get_by_test_id("error-plate")).to_contain_text("I、O")
        expect(page.get_by_test_id("vehicle-form").get_by_test_id("field-plate")).to_have_value("川AO1234")
        expect(page.get_by_test_id("vehicle-form").get_by_test_id("field-bay")).to_have_value("A-12")
        shoot(page, "site-vehicles-error-800")
        digits = f"{uuid.uuid4().int % 100000:05d}"
        plate = f"川ad{digits}"
        page.get_by_test_id("vehicle-form").get_by_test_id("field-plate").fill(plate)
        page.get_by_test_id("vehicle-submit").tap()
        shown = f"川A·D{digits}"
        expect(page.get_by_test_id("flash")).to_contain_text(f"已登记车辆 川AD{digits} 进场")
        vrow = page.locator('[data-testid^="vehicle-row-"]', has=page.locator('[data-testid^="plate-"]', has_text=shown))
        expect(vrow).to_contain_text("新能源")
        expect(vrow).to_contain_text("A-12")
        shoot(page, "site-vehicles-800")
        page.set_viewport_size(LANDSCAPE)
        shoot(page, "site-vehicles-1280")
        page.set_viewport_size(TABLET)
        before_out = _count(page, "out")
        vrow.locator('[data-testid^="leave-"]').tap()
        expect(page.get_by_test_id("flash")).to_contain_text("离开")
        assert _count(page, "out") == before_out + 1
        assert re.search(r"\d\d:\d\d 离开", vrow.locator('[data-testid^="left-"]').inner_text())
        assert not csp, csp
    finally:
        ctx.close()
