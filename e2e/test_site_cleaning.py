"""Cleaning on the lead's tablet (800×1280, touch): the 保洁领班 scores the washroom 78 with a photo, which opens the
rectification (整改单); the after photo marks it fixed; the re-inspection scores 92 and closes it (已复检). Screenshots
of every cleaning page in portrait and landscape, with no sideways overflow."""
import io

import pytest
from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot

PORTRAIT, LANDSCAPE = {"width": 800, "height": 1280}, {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PORTRAIT, "has_touch": True}


def photo(name: str, colour: str) -> dict:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buf.getvalue()}


def both(page, name: str) -> None:
    page.set_viewport_size(PORTRAIT)
    shoot(page, f"{name}-800x1280")
    page.set_viewport_size(LANDSCAPE)
    shoot(page, f"{name}-1280x800")
    page.set_viewport_size(PORTRAIT)


def deduct(form, points: list[int]) -> None:
    for i, n in enumerate(points, start=1):
        if n:
            form.get_by_test_id(f"deduct-{i}").fill(str(n))


def test_washroom_78_rectified_and_reinspected_92(page, login_page, server_url):
    login_page.sign_in("cleaning_lead")
    nav(page, "nav-site-cleaning")
    expect(page.get_by_test_id("page-title")).to_have_text("保洁检查")
    washroom = page.locator('[data-area="卫生间"]')
    expect(washroom.get_by_test_id("area-last")).to_be_visible()  # last month's demo history may show its last score
    both(page, "site-cleaning-index")
    washroom.get_by_role("link", name="检查评分").tap()

    form = page.get_by_test_id("inspect-form")
    expect(page.get_by_test_id("checklist")).to_contain_text("地面干净无积水")
    both(page, "site-cleaning-inspect")
    deduct(form, [10, 10, 0, 2])  # 地面、台盆 10 each, 纸巾 2: 100 − 22 = 78
    form.get_by_test_id("attachment-camera").set_input_files(photo("卫生间整改前.png", "brown"))
    form.get_by_test_id("field-note").fill("地面积水，台盆有水渍")
    form.get_by_test_id("inspect-submit").tap()

    expect(page.get_by_test_id("flash")).to_contain_text("78 分（不合格），已开整改单")
    expect(page.get_by_test_id("ticket-status")).to_have_text("待整改")
    expect(page.get_by_test_id("before-photos").get_by_test_id("photo")).to_have_count(1)
    expect(page.get_by_test_id("ticket-deductions")).to_contain_text("−10")
    both(page, "site-cleaning-ticket-open")

    done = page.get_by_test_id("done-form")
    done.get_by_test_id("done-submit").tap()  # no after photo: refused, the form kept
    expect(page.get_by_test_id("error-attachments")).to_contain_text("请上传整改后照片")
    done = page.get_by_test_id("done-form")
    done.get_by_test_id("attachment-camera").set_input_files(photo("卫生间整改后.png", "white"))
    done.get_by_test_id("field-done_note").fill("已擦干地面和台盆")
    done.get_by_test_id("done-submit").tap()
    expect(page.get_by_test_id("flash")).to_contain_text("已整改")
    expect(page.get_by_test_id("ticket-status")).to_have_text("已整改")
    expect(page.get_by_test_id("after-photos").get_by_test_id("photo")).to_have_count(1)
    both(page, "site-cleaning-ticket-fixed")

    recheck = page.get_by_test_id("recheck-form")
    deduct(recheck, [0, 0, 5, 3])  # 100 − 8 = 92
    recheck.get_by_test_id("recheck-submit").tap()
    expect(page.get_by_test_id("flash")).to_contain_text("复检完成：92 分（优良）")
    expect(page.get_by_test_id("ticket-status")).to_have_text("已复检")
    expect(page.get_by_test_id("ticket-recheck")).to_contain_text("92 分")
    both(page, "site-cleaning-ticket-closed")

    page.goto(f"{server_url}/site/cleaning")
    expect(page.get_by_test_id("no-tickets")).to_be_visible()
    expect(washroom.get_by_test_id("area-last")).to_have_text("92 分")
    page.get_by_test_id("months-link").tap()
    row = page.locator('[data-testid="area-row"][data-area="卫生间"]')
    expect(row.get_by_test_id("area-avg")).to_have_text("85.0")  # (78 + 92) / 2
    both(page, "site-cleaning-months")
