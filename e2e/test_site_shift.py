"""The lead's tablet (800×1280, touch): the security captain does the shift's roll call from the 售楼处 tiles, marks one
guard absent and one uniform failed, takes the line-up photo with the camera input and saves; then a handover on the
门岗 post, signed by the outgoing guard when created and by the incoming guard on the same tablet — only then 已交接.
Screenshots of the roll call, the handover form and the signed record in portrait and landscape (no sideways overflow)."""
import io
import re

from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.screens import shoot

TABLET = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 60)).save(buf, "PNG")
    return buf.getvalue()


def _both(page, name: str) -> None:
    shoot(page, f"{name}-800", full_page=True)
    page.set_viewport_size(LANDSCAPE)
    shoot(page, f"{name}-1280", full_page=True)
    page.set_viewport_size(TABLET)


def test_roll_call_with_photo_and_two_signature_handover(browser, server_url):
    ctx = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = ctx.new_page()
        LoginPage(page, server_url).sign_in("security_captain", next_path="/site")
        page.goto(server_url + "/site")
        page.get_by_test_id("tile-nav-site-shifts").tap()
        page.get_by_test_id("shift-new").tap()
        expect(page.get_by_test_id("rollcall")).to_be_visible()
        rows = page.locator('[data-testid^="roll-BA"]')
        assert rows.count() >= 4
        rows.nth(1).locator("label", has_text="缺勤").tap()
        rows.nth(2).locator("label", has_text="着装不合格").tap()
        page.get_by_test_id("attachment-camera").set_input_files(files=[{"name": "lineup.png", "mimeType": "image/png", "buffer": _png()}])
        page.locator('input[name="c_item"]').first.fill("鞋套")
        page.locator('input[name="c_qty"]').first.fill("30")
        _both(page, "site-shift-form")
        page.get_by_test_id("shift-submit").tap()
        expect(page.get_by_test_id("flash")).to_contain_text("班前点名已保存")
        expect(page.get_by_test_id("shift-summary")).to_contain_text("缺勤 1 人，着装不合格 1 人")
        expect(page.get_by_test_id("attachment-item")).to_have_count(1)
        _both(page, "site-shift-detail")
        page.goto(server_url + "/site/shifts")
        expect(page.get_by_test_id("shift-row")).to_have_count(1)
        _both(page, "site-shift-list")

        # the handover on the 门岗 post: the outgoing guard signs on creating it, the incoming guard on receipt
        page.goto(server_url + "/site/handovers")
        page.get_by_test_id("handover-new").tap()
        expect(page.get_by_test_id("handover-pick-post")).to_be_visible()
        _both(page, "site-handover-pick")
        pick = page.get_by_test_id("pick-post")
        pick.select_option(pick.locator("option", has_text="门岗").first.get_attribute("value"))
        page.get_by_test_id("pick-submit").tap()
        form = page.get_by_test_id("handover-form")
        options = form.get_by_test_id("field-outgoing").locator("option")
        out_text, in_text = options.nth(2).inner_text(), options.nth(3).inner_text()
        out_badge = re.search(r"（(.+)）", out_text).group(1)
        in_badge = re.search(r"（(.+)）", in_text).group(1)
        form.get_by_test_id("field-outgoing").select_option(label=out_text)
        form.get_by_test_id("field-incoming").select_option(label=in_text)
        form.get_by_test_id("field-radios").fill("1,2,5")
        form.get_by_test_id("field-keys").fill("3")
        form.get_by_test_id("field-shoe_covers").fill("100")
        form.get_by_test_id("field-issues").fill("车场道闸偶尔不抬杆")
        form.get_by_test_id("field-out_badge").fill("WRONG1")
        form.get_by_test_id("handover-submit").tap()
        expect(page.get_by_test_id("error-out_badge")).to_contain_text("工号与交班人不符")
        page.get_by_test_id("field-out_badge").fill(out_badge)
        _both(page, "site-handover-form")
        page.get_by_test_id("handover-submit").tap()
        expect(page.get_by_test_id("flash")).to_contain_text("已签名交班")
        expect(page.get_by_test_id("handover-status")).to_have_text("待接班")
        page.get_by_test_id("field-in_badge").fill(out_badge)
        page.get_by_test_id("sign-submit").tap()
        expect(page.get_by_test_id("error-in_badge")).to_contain_text("工号与接班人不符")
        page.get_by_test_id("field-in_badge").fill(in_badge)
        page.get_by_test_id("sign-submit").tap()
        expect(page.get_by_test_id("flash")).to_contain_text("交接完成")
        expect(page.get_by_test_id("handover-status")).to_have_text("已交接")
        expect(page.get_by_test_id("in-signature")).to_contain_text("已签名")
        expect(page.get_by_test_id("handover-late")).to_have_count(0)
        _both(page, "site-handover-detail")
        page.goto(server_url + "/site/handovers")
        expect(page.get_by_test_id("handover-row").first).to_contain_text("已交接")
        _both(page, "site-handover-list")
    finally:
        ctx.close()
