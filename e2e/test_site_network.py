"""The sales office on weak Wi-Fi (issue 13 §10), on the guard's tablet (800×1280, touch): a visitor's entry sent while
the tablet is offline stays on the page with a message; sent again and the answer lost on the way back (the server
recorded it, the tablet saw a network error), it is still on the page; sent a third time it is shown as logged —
and the day's list has the visitor once (the form's idempotency key)."""
import uuid

from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.nav import nav


def test_a_visitor_sent_on_a_failing_network_is_kept_and_recorded_once(browser, server_url):
    ctx = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True)
    try:
        page = ctx.new_page()
        LoginPage(page, server_url).sign_in("guard")
        nav(page, "nav-site-visitors")
        name = "弱网" + uuid.uuid4().hex[:4]
        form = page.get_by_test_id("visitor-form")
        expect(form).to_have_attribute("data-site-form", "1")  # sent by htmx on the tablet pages
        form.get_by_test_id("field-name").fill(name)
        form.get_by_test_id("field-mobile").fill("13812345678")
        form.get_by_test_id("field-purpose").select_option("看房")

        # 1. offline: nothing sent, everything kept
        ctx.set_offline(True)
        page.get_by_test_id("visitor-submit").tap()
        expect(page.get_by_test_id("network-toast").last).to_contain_text("填写的内容和照片都还在")
        expect(form.get_by_test_id("field-name")).to_have_value(name)
        ctx.set_offline(False)

        # 2. the server records it, the answer is lost
        lost = []

        def drop_answer(route):
            if route.request.method == "POST" and not lost:
                route.fetch()  # reaches the server, which records the visitor
                lost.append(True)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/site/visitors", drop_answer)
        page.get_by_test_id("visitor-submit").tap()
        expect(page.get_by_test_id("network-toast")).to_have_count(2)
        expect(form.get_by_test_id("field-name")).to_have_value(name)
        assert lost
        page.unroute("**/site/visitors")

        # 3. sent again: shown as logged, and listed once
        page.get_by_test_id("visitor-submit").tap()
        expect(page.get_by_test_id("flash")).to_contain_text(f"已登记访客 {name}")
        expect(page.locator('[data-testid^="visitor-row-"]', has_text=name)).to_have_count(1)
        page.reload()
        expect(page.locator('[data-testid^="visitor-row-"]', has_text=name)).to_have_count(1)
    finally:
        ctx.close()
