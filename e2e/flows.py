"""Page helpers for approvals in the browser: submit a request, then each approver signs in and approves it."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def open_new_request(page, base: str, code: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("nav-workflow-new").click()
    page.get_by_test_id(f"new-{code}").click()


def submit_request(page) -> str:
    """Click 提交 and return the new request's number from the page."""
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    text = page.get_by_test_id("flash").inner_text()
    return re.search(r"[A-Z]{2}-\d{8}-\d{4}", text).group(0)


def approve_chain(page, login_page, number: str, approvers: list[str]) -> None:
    """Each approver signs in, opens 审批中心, opens the request from 我的待办 and clicks 同意."""
    for username in approvers:
        login_page.sign_in(username)
        page.get_by_test_id("nav-workflow").click()
        page.get_by_test_id("filter-q").fill(number)
        page.get_by_test_id("filter-submit").click()
        page.get_by_test_id("request-link").filter(has_text=number).first.click()
        page.get_by_test_id("act-approve").click()
        expect(page.get_by_test_id("task-actions")).to_have_count(0)
        login_page.sign_out()
