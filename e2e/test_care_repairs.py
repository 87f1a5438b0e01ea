"""报修 in the browser (SPEC D3 acceptance): an out-of-warranty repair is routed to the 物业 with the reason — the
客户关系专员 opens it from 报修单, sees 保修期已过 with the legal basis, sends it to the 物业 with the reason prefilled
from the warranty rule; the case shows 转物业 and the reason. Then on the tablet (800×1280) the customer signs an
in-warranty repair on the canvas and it goes to 待回访. Demo records: seeds/repairs.py."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot
from seeds.repairs import IN_WARRANTY, OUT_OF_WARRANTY

LEGAL = "《建设工程质量管理条例》第四十条"


def _open(page, number: str) -> None:
    page.get_by_test_id("filter-q").fill(number)
    page.get_by_test_id("filter-q").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(number)))
    page.get_by_test_id("repair-link").filter(has_text=number).click()
    expect(page.get_by_test_id("repair-panel")).to_be_visible()


def test_out_of_warranty_to_property_and_signature_on_the_tablet(page, login_page):
    login_page.sign_in("cr_officer")
    nav(page, "nav-repairs")
    expect(page.get_by_test_id("page-title")).to_have_text("报修单")
    expect(page.get_by_test_id("repair-link").filter(has_text=OUT_OF_WARRANTY)).to_be_visible()
    shoot(page, "care-repairs-list-1366")

    # the out-of-warranty repair: the officer sees why and sends it to the 物业 with the reason
    _open(page, OUT_OF_WARRANTY)
    panel = page.get_by_test_id("repair-panel")
    expect(panel.get_by_test_id("warranty-state")).to_have_text("保修期已过")
    expect(panel.get_by_test_id("warranty-basis")).to_contain_text("装修工程保修期 2 年")
    expect(panel.get_by_test_id("warranty-basis")).to_contain_text(LEGAL)
    expect(panel.get_by_test_id("warranty-until")).to_contain_text("2024-06-30")
    shoot(page, "care-repairs-panel-out-1366", full_page=True)
    form = panel.get_by_test_id("step-to_property")
    reason = form.get_by_test_id("field-reason")
    expect(reason).to_have_value(re.compile("已过保修期，转物业有偿维修"))
    reason.fill(reason.input_value() + "；已告知业主由物业公司有偿维修，业主同意")
    form.get_by_test_id("submit-to_property").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已转物业（有偿服务）")
    expect(page.get_by_test_id("case-status")).to_have_text("转物业")
    expect(page.get_by_test_id("transfer-reason")).to_contain_text("业主同意")
    expect(page.get_by_test_id("transfer-reason")).to_contain_text(LEGAL)
    expect(page.get_by_test_id("property-handling")).to_contain_text("物业公司")
    expect(page.get_by_test_id("repair-steps")).to_have_count(0)
    shoot(page, "care-repairs-panel-transferred-1366", full_page=True)

    # on the tablet: the customer signs the in-warranty repair on the canvas
    page.set_viewport_size({"width": 800, "height": 1280})
    page.get_by_test_id("crumb-repairs").click()
    shoot(page, "care-repairs-list-800")
    _open(page, IN_WARRANTY)
    expect(page.get_by_test_id("warranty-state")).to_have_text("保修期内")
    form = page.get_by_test_id("step-signed")
    canvas = form.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    expect(form.get_by_test_id("signature-pad")).to_be_visible()
    shoot(page, "care-repairs-panel-sign-800", full_page=True)
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x + w * (0.1 + 0.04 * i), y + h * (0.6 - 0.3 * ((i % 4) / 3)), steps=2)
    page.mouse.up()
    expect(form.locator('input[name="signature"]')).to_have_value(re.compile(r"^data:image/png;base64,"))
    form.get_by_test_id("field-signed_name").fill("张伟")
    form.get_by_test_id("submit-signed").click()
    expect(page.get_by_test_id("flash")).to_contain_text("客户已签字确认")
    expect(page.get_by_test_id("case-status")).to_have_text("待回访")
    signature = page.get_by_test_id("signature")
    expect(signature).to_contain_text("张伟")
    expect(signature).to_contain_text("SHA-256")
    expect(signature.locator("img")).to_be_visible()
    shoot(page, "care-repairs-panel-signed-800", full_page=True)
