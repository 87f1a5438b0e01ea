"""Stored XSS in Chromium (issue 11 §5): payloads typed into the real forms' free-text fields are stored, then every
page that shows them back — the detail page, lists and their HTMX-filtered fragments, the print view, notifications,
search — renders them as text: `window.__xss` stays undefined, no dialog opens, no element carries an injected
handler or a `javascript:` link, the Content-Security-Policy blocks nothing (the autouse fixture), and the text
appears literally (a template engine would show `{{7*7}}` as 49)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.flows import filter_list, open_new_request, submit_request
from e2e.nav import nav
from e2e.waits import settle

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror=window.__xss=1>'
ALERT = "'><svg onload=alert(1)>"
JS_URL = "javascript:window.__xss=1"
TEMPLATE = "{{7*7}}"


def _watch_dialogs(page) -> list[str]:
    fired: list[str] = []

    def on_dialog(d):
        fired.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return fired


def _assert_inert(page, fired: list[str], *literal: str) -> None:
    settle(page)
    assert page.evaluate("typeof window.__xss") == "undefined", page.url
    assert not fired, (page.url, fired)
    injected = page.evaluate("""() => [
        ...document.querySelectorAll('[onerror],[onload]:not(body),img[src="x"],svg[onload]'),
        ...[...document.querySelectorAll('a[href],form[action],iframe[src]')].filter(e =>
            /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('action') || e.getAttribute('src') || ''))
    ].map(e => e.outerHTML.slice(0, 120))""")
    assert not injected, (page.url, injected)
    body = page.locator("body").inner_text()
    for text in literal:
        assert text in body, (page.url, text)


def test_payloads_in_a_request_and_its_comment_stay_text(page, login_page, server_url):
    fired = _watch_dialogs(page)
    purpose = f"代缴规费 {SCRIPT} {IMG} {JS_URL} {TEMPLATE}"
    comment = f"评论 {ALERT} {TEMPLATE} {SCRIPT}"
    login_page.sign_in("archive")
    open_new_request(page, server_url, "advance")
    page.get_by_test_id("field-kind").select_option("业务借款")
    page.get_by_test_id("field-amount").fill("321.00")
    page.get_by_test_id("field-purpose").fill(purpose)
    number = submit_request(page)
    _assert_inert(page, fired, purpose)
    page.get_by_test_id("comment-input").fill(comment)
    page.get_by_test_id("comment-submit").click()  # HTMX: the panel fragment comes back with the comment
    expect(page.get_by_test_id("history")).to_contain_text("评论")
    _assert_inert(page, fired, purpose, comment)
    page.reload()
    _assert_inert(page, fired, purpose, comment)
    login_page.sign_out()

    login_page.sign_in("dept_head")  # the approver: inbox, the HTMX-filtered list, detail, print, notifications, search
    nav(page, "nav-workflow")
    _assert_inert(page, fired)
    filter_list(page, number)
    _assert_inert(page, fired, number)
    page.get_by_test_id("request-link").filter(has_text=number).first.click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    _assert_inert(page, fired, purpose, comment)
    request_url = page.url
    page.goto(request_url + "/print")
    _assert_inert(page, fired, purpose)
    page.goto(server_url + "/notifications")
    _assert_inert(page, fired)
    page.goto(server_url + "/search?q=" + number)
    _assert_inert(page, fired, number)
    page.goto(server_url + "/workflow/all?q=" + number)
    _assert_inert(page, fired, number)
    # a `javascript:` destination after sign-in is not followed
    login_page.sign_out()
    login_page.sign_in("dept_head", next_path="javascript:window.__xss=1")
    assert page.url.startswith(server_url), page.url
    _assert_inert(page, fired)


def test_payloads_in_a_complaint_stay_text(page, login_page, server_url):
    fired = _watch_dialogs(page)
    caller = f'张{IMG}'[:50]
    title = f"投诉 {SCRIPT} {TEMPLATE}"[:100]
    content = f"内容 {IMG} {ALERT} {JS_URL} {TEMPLATE} {SCRIPT}"
    login_page.sign_in("complaint_officer")
    nav(page, "nav-care-new")
    page.get_by_test_id("field-kind").select_option("投诉")
    page.get_by_test_id("field-channel").select_option("电话")
    page.get_by_test_id("field-category").select_option(index=1)
    page.get_by_test_id("field-project").select_option(label="锦程·滨江府")
    units = page.get_by_test_id("field-unit")
    expect(units.locator("option").nth(1)).to_be_attached()
    units.select_option(units.locator("option").nth(1).get_attribute("value"))
    page.get_by_test_id("field-caller_name").fill(caller)
    page.get_by_test_id("field-caller_phone").fill("13912345678")
    page.get_by_test_id("field-title").fill(title)
    page.get_by_test_id("field-content").fill(content)
    _assert_inert(page, fired)  # the live preview (HTMX) echoes nothing executable either
    page.get_by_test_id("intake-submit").click()
    expect(page).to_have_url(re.compile(r"/care/cases/\d+$"))
    number = page.get_by_test_id("case-number").inner_text()
    case_url = page.url
    _assert_inert(page, fired, title, content, caller)
    nav(page, "nav-care")
    _assert_inert(page, fired)
    filter_list(page, number)  # the list's HTMX fragment
    _assert_inert(page, fired, number, title)
    page.goto(server_url + "/search?q=" + number)
    _assert_inert(page, fired)
    login_page.sign_out()
    login_page.sign_in("supervisor")  # a manager reading the case and the notifications
    page.goto(case_url)
    _assert_inert(page, fired, title, content)
    page.goto(server_url + "/notifications")
    _assert_inert(page, fired)
