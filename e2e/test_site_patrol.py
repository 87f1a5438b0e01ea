"""Patrols on the sales office's tablet (SPEC §F3), 800×1280 with touch: the guard opens a checkpoint's URL (what its
QR code encodes) and taps 正常; at another checkpoint reports 异常 with a camera photo and a note; the report shows the
异常 with its photo and the checkpoints missed in the previous patrol day's rounds. Screenshots portrait and landscape."""
from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.screens import shoot

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENS = time(8, 30)  # the seeded 售楼处设置 patrol_open_hhmm


def patrol_day():
    t = datetime.now(SHANGHAI)
    return t.date() if t.time() >= OPENS else t.date() - timedelta(days=1)


def photo_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def cp_url(page, name: str) -> str:
    link = page.get_by_test_id("home-cp").filter(has_text=name).first
    return link.get_attribute("href")


def test_scan_normal_abnormal_and_the_missed_report(browser, server_url):
    ctx = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    try:
        LoginPage(page, server_url).sign_in("guard")
        page.goto(f"{server_url}/site/patrol")
        expect(page.get_by_test_id("home-window")).to_be_visible()
        entrance, power = cp_url(page, "入口"), cp_url(page, "配电房")
        shoot(page, "site-patrol-home-800")
        page.set_viewport_size({"width": 1280, "height": 800})
        shoot(page, "site-patrol-home-1280")
        page.set_viewport_size({"width": 800, "height": 1280})
        page.goto(f"{server_url}/site/patrol/sheet")
        expect(page.get_by_test_id("qr-card")).to_have_count(7)
        shoot(page, "site-patrol-sheet-800", full_page=True)

        # the QR code of 入口 opens its page: one tap on 正常
        page.goto(server_url + entrance)
        expect(page.get_by_test_id("remaining")).to_contain_text("入口")
        shoot(page, "site-patrol-checkpoint-800")
        page.set_viewport_size({"width": 1280, "height": 800})
        shoot(page, "site-patrol-checkpoint-1280")
        page.set_viewport_size({"width": 800, "height": 1280})
        page.get_by_test_id("scan-normal").tap()
        expect(page.get_by_test_id("flash")).to_contain_text("已记录：入口 正常")
        expect(page.get_by_test_id("scan-recorded")).to_contain_text("已记录")
        expect(page.get_by_test_id("remaining")).not_to_contain_text("入口")
        expect(page.get_by_test_id("remaining")).to_contain_text("配电房")

        # 配电房: 异常 with a camera photo and a note
        page.goto(server_url + power)
        page.get_by_test_id("abnormal-open").tap()
        form = page.get_by_test_id("abnormal-form")
        form.get_by_test_id("field-note").fill("配电房门未上锁，已通知物业锁好")
        form.get_by_test_id("photo-input").set_input_files({"name": "现场.png", "mimeType": "image/png", "buffer": photo_png()})
        shoot(page, "site-patrol-abnormal-800")
        form.get_by_test_id("scan-abnormal").tap()
        expect(page.get_by_test_id("flash")).to_contain_text("已记录：配电房 异常")

        # the report: today's 异常 with its photo; yesterday's rounds with the missed checkpoints
        day = patrol_day()
        page.goto(f"{server_url}/site/patrol/report?day={day.isoformat()}")
        item = page.get_by_test_id("abnormal-item").filter(has_text="配电房门未上锁")
        expect(item).to_be_visible()
        expect(item.get_by_test_id("abnormal-photo")).to_be_visible()
        page.goto(f"{server_url}/site/patrol/report?day={(day - timedelta(days=1)).isoformat()}")
        expect(page.get_by_test_id("round-missed").first).to_contain_text("广告牌")
        assert int(page.get_by_test_id("total-missed").inner_text()) > 0
        shoot(page, "site-patrol-report-800")
        page.set_viewport_size({"width": 1280, "height": 800})
        shoot(page, "site-patrol-report-1280")
    finally:
        ctx.close()
