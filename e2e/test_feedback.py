"""Issue 8 §2–3 in the browser: an approver approves and sees what happened (a toast, the history and the status
refreshed in place, no page load); the notification announcing the task closes and the bell's count drops; a form with
errors focuses the first field in error and lists the problems at the top; the 抄送 picker is searched, not Ctrl-clicked."""
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from e2e.flows import filter_list, open_new_request, submit_request
from e2e.screens import shoot
from seeds.finance import credit_code

SIZES = [(1366, 900, "desktop"), (800, 1280, "tablet")]


def _shots(page, name: str, show=None) -> None:
    for width, height, size in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        if show is not None:
            show.scroll_into_view_if_needed()
        shoot(page, f"{size}-{name}")
    page.set_viewport_size({"width": 1366, "height": 900})


def _fill_expense(page, number: str, amount: str) -> None:
    page.get_by_test_id("field-reason").fill("客户回访交通费")
    page.get_by_test_id("inv-number-0").fill(number)
    page.get_by_test_id("inv-date-0").fill((today_local() - timedelta(days=1)).isoformat())
    page.get_by_test_id("inv-seller-0").fill("苏州某出租汽车有限公司")
    page.get_by_test_id("inv-buyer-0").fill("锦程房地产开发有限公司")
    page.get_by_test_id("inv-buyer_tax_id-0").fill(credit_code("锦程房地产开发有限公司"))
    page.get_by_test_id("inv-amount-0").fill(amount)


def test_approve_shows_what_happened_and_the_notification_closes(page, login_page, server_url):
    login_page.sign_in("archive")
    open_new_request(page, server_url, "expense")
    _fill_expense(page, "26320000000000000801", "58.00")
    number = submit_request(page)
    login_page.sign_out()

    login_page.sign_in("dept_head")
    bell = page.get_by_test_id("bell-count")
    expect(bell).to_be_visible()
    before = int(bell.get_attribute("data-count"))
    assert before >= 1
    page.get_by_test_id("bell-link").click()
    row = page.get_by_test_id("note-row").filter(has_text=number)
    expect(row).to_have_attribute("data-state", "unread")
    _shots(page, "notifications")

    page.goto(server_url + "/workflow")
    filter_list(page, number)
    page.get_by_test_id("request-link").filter(has_text=number).first.click()
    page.get_by_test_id("more-actions").click()  # 转交 / 加签: searchable pickers, no Ctrl-click
    page.get_by_test_id("people-search-transfer-target").fill("主管")
    expect(page.get_by_test_id("transfer-target").locator(".portal-person").first).to_contain_text("主管")
    _shots(page, "request-pickers", page.get_by_test_id("addsign-submit"))
    page.get_by_test_id("more-actions").click()
    page.evaluate("window.__noReload = 'still here'")
    page.get_by_test_id("field-comment").fill("票据齐全")
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("toast")).to_contain_text("已同意")
    expect(page.get_by_test_id("history")).to_contain_text("票据齐全")
    expect(page.get_by_test_id("task-actions")).to_have_count(0)
    expect(page.get_by_test_id("next-step")).to_be_visible()
    assert page.evaluate("window.__noReload") == "still here"  # swapped in place, no navigation
    expect(bell).to_have_attribute("data-count", str(before - 1))  # the notification closed with its task
    _shots(page, "request-after-action")
    expect(page.get_by_test_id("toast")).to_have_count(0, timeout=10000)  # the toast hides itself

    page.get_by_test_id("bell-link").click()
    expect(page.get_by_test_id("note-row").filter(has_text=number)).to_have_attribute("data-state", "closed")
    login_page.sign_out()


def test_form_errors_focus_and_the_people_picker_on_a_tablet(page, login_page, server_url):
    page.set_viewport_size({"width": 800, "height": 1280})
    login_page.sign_in("clerk")
    page.goto(server_url + "/workflow/new/expense")
    _fill_expense(page, "26320000000000000802", "12.345")
    picker = page.get_by_test_id("field-cc_submit")
    picker.get_by_test_id("people-search-cc_submit").fill("主管")
    option = picker.locator("[data-person-of]").first
    expect(picker.locator(".portal-person").first).to_contain_text("主管")  # the matches replaced the full list
    option.check()
    chip = picker.locator(".portal-chip")
    expect(chip).to_have_count(1)
    chosen = chip.locator("input[type=hidden]").get_attribute("value")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.get_by_test_id("error-inv_amount_0")).to_have_text("最多保留两位小数")
    expect(page.get_by_test_id("error-summary")).to_contain_text("金额（不含税）（第 1 行）：最多保留两位小数")  # the summary names the field
    assert page.evaluate("document.activeElement && document.activeElement.classList.contains('is-invalid')")
    expect(page.get_by_test_id("field-cc_submit").locator(".portal-chip input[type=hidden]")).to_have_attribute("value", chosen)  # kept
    _shots(page, "form-with-errors")
    # a chip is removed with one tap; the corrected form goes through with the chosen person copied
    page.get_by_test_id("field-cc_submit").locator("[data-chip-remove]").click()
    expect(page.get_by_test_id("field-cc_submit").locator(".portal-chip")).to_have_count(0)
    page.get_by_test_id("inv-amount-0").fill("12.34")
    number = submit_request(page)
    assert number
    login_page.sign_out()
