"""Page helpers for approvals in the browser: submit a request, then each approver signs in and approves it."""
from __future__ import annotations

import re
from urllib.parse import quote_plus

from playwright.sync_api import expect
from e2e.nav import nav


def open_new_request(page, base: str, code: str) -> None:
    page.goto(base + "/")
    nav(page, "nav-workflow-new")
    page.get_by_test_id(f"new-{code}").click()


def submit_request(page) -> str:
    """Click 提交 and return the new request's number from the page."""
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    text = page.get_by_test_id("flash").inner_text()
    return re.search(r"[A-Z]{2}-\d{8}-\d{4}", text).group(0)


def filter_list(page, text: str) -> None:
    """Type into a list's search box, submit, and wait until the filtered list has replaced the old one (the URL is
    pushed after the swap). Clicking a row before that can hit the old list's row as it is swapped out: the click is
    lost and the test waits in vain (seen under load in test_payment_through_the_chain)."""
    page.get_by_test_id("filter-q").fill(text)
    page.get_by_test_id("filter-submit").click()
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(quote_plus(text)) + r"(&|$)"))


def approve_chain(page, login_page, number: str, approvers: list[str]) -> None:
    """Each approver signs in, opens 审批中心, opens the request from 我的待办 and clicks 同意."""
    for username in approvers:
        login_page.sign_in(username)
        nav(page, "nav-workflow")
        filter_list(page, number)
        page.get_by_test_id("request-link").filter(has_text=number).first.click()
        page.get_by_test_id("act-approve").click()
        expect(page.get_by_test_id("task-actions")).to_have_count(0)
        login_page.sign_out()
