"""Every page of the foundation at desktop (1366) and 10-inch tablet (800) width: no horizontal overflow, and a
screenshot in screenshots/ to look at."""
import pytest

from e2e.screens import shoot, slug, visit
from e2e.waits import settle

PAGES = ["/", "/org", "/org/positions", "/org/employees", "/rules", "/rules/kf-71p", "/rules/status", "/calendar?month=2026-10", "/audit", "/account/password"]


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    visit(page, f"{server_url}/login", f"{name}-login")
    login_page.sign_in("dept_head")
    for path in PAGES:
        visit(page, server_url + path, f"{name}-{slug(path)}")


WORKFLOW_PAGES = ["/workflow", "/workflow/new", "/workflow/new/expense", "/workflow/new/payment", "/workflow/delegations", "/finance/advances",
                  "/finance/invoices", "/workflow/overdue"]


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_workflow_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("dept_head")
    paths = list(WORKFLOW_PAGES)
    # a request page: the head's own latest request, or any request visible to the head
    page.goto(server_url + "/workflow/all")
    link = page.get_by_test_id("request-link").first
    if link.count():
        paths.append(link.get_attribute("href"))
    for path in paths:
        visit(page, server_url + path, f"{name}-{slug(path)}")


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_pipeline_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("supervisor")
    page.goto(server_url + "/pipeline?status=已交付")
    unit = page.get_by_test_id("unit-link").first.get_attribute("href")
    page.goto(server_url + "/pipeline?status=可售")
    free = page.get_by_test_id("unit-link").first.get_attribute("href")
    page.goto(server_url + "/pipeline/receipts")
    money = page.get_by_test_id("receipt-deal-link").first.get_attribute("href")  # 收款登记 of one deal
    for path in ["/pipeline", "/pipeline/queue", unit, "/pipeline/title-batch", "/workflow/new/contract_void", "/workflow/new/mortgage_release",
                 "/pipeline/receipts", money]:
        visit(page, server_url + path, f"{name}-{slug(path)}")
    login_page.sign_out()
    login_page.sign_in("sales")
    page.goto(server_url + free + "/subscribe")
    shoot(page, f"{name}-subscribe", full_page=True)


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_rules_errors_and_shared_forms_fit_the_screen(page, login_page, server_url, width, height, name):
    """Issue 8 §7/§9: the rules library (list, a rule with its table of contents, a search), the 404 page in the
    shell, and a unit page with the 备案 and 交房 forms, where each label fills its own field; the favicon loads."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": height})
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "favicon" in r.url else None)
    login_page.sign_in("supervisor")

    def shot(path: str, slug: str, status: int = 200) -> None:
        visit(page, server_url + path, f"{name}-{slug}", status=status)

    shot("/rules", "polish-rules")
    shot("/rules/kf-71p", "polish-rule-toc")
    toc = page.get_by_test_id("toc-list" if width >= 992 else "toc-compact-list")
    if width < 992:
        page.get_by_test_id("toc-compact").locator("summary").click()
    toc.get_by_test_id("toc-link").nth(1).click()  # 第二章
    assert page.evaluate("location.hash") == "#c-ch2"
    expect(page.locator("#c-ch2")).to_be_in_viewport()  # the theme scrolls smoothly: wait until the chapter is in view
    shoot(page, f"{name}-polish-rule-toc-jump")
    shot("/rules?q=维修基金", "polish-rule-search")
    expect(page.get_by_test_id("rule-hit").first.locator("mark")).to_have_text("维修基金")
    page.get_by_test_id("rule-hit").first.click()
    page.wait_for_url("**/rules/kf-71p#c-ch2-5.6")
    shot("/no-such-page", "polish-404", status=404)
    expect(page.get_by_test_id("nav")).to_be_attached()
    expect(page.get_by_test_id("error-page")).to_be_visible()

    page.goto(server_url + "/pipeline?status=已签约")
    page.get_by_test_id("unit-link").first.click()
    settle(page)
    filing, handover = page.get_by_test_id("form-filing-prepare"), page.get_by_test_id("form-handover-notice")
    if filing.count() and handover.count():
        handover.get_by_text("发出日期").click()
        assert page.evaluate("document.activeElement.id") == "f-handover-notice-on"
        filing.get_by_text("日期", exact=True).click()
        assert page.evaluate("document.activeElement.id") == "f-filing-prepare-on"
        filing.scroll_into_view_if_needed()
    else:
        pytest.fail("the first signed unit should show the 备案 and 交房 forms to the 客服主管")
    shoot(page, f"{name}-polish-unit-two-forms")
    assert page.request.get(server_url + "/favicon.ico").status == 200
    assert not missing, missing


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_daily_use_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    """Issue 8: each role's home, the notifications, the search, the audit log and a ledger's print view."""
    page.set_viewport_size({"width": width, "height": height})

    def shot(path: str, slug: str, status: int = 200) -> None:
        visit(page, server_url + path, f"{name}-{slug}", status=status)

    for who in ("gm", "supervisor", "sales", "contract"):
        login_page.sign_in(who)
        shot("/", f"home-{who}")
        login_page.sign_out()
    login_page.sign_in("dept_head")
    shot("/notifications", "notifications")
    shot("/search?q=1201", "search")
    shot("/ledgers/contracts?print=1", "ledger-print")
    shot("/ledgers/report", "daily-report")
    login_page.sign_out()
    login_page.sign_in("sysadmin")
    shot("/audit", "audit")


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_customer_file_and_call_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    """Customer care — customer file, record audit, calls: a call's page, a file's section list, the sample and the
    record-audit form (the list pages are shot by e2e/test_care_custfile.py)."""
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("cr_supervisor")
    page.goto(server_url + "/calls?matched=1&answered=1")
    call = page.get_by_test_id("call-link").first.get_attribute("href")
    page.goto(server_url + "/care/customers")
    customer = page.get_by_test_id("customer-link").first.get_attribute("href")
    page.goto(server_url + "/care/record-audits")
    project = page.get_by_test_id("field-project").locator("option").nth(1).get_attribute("value")
    buyer = customer.rsplit("/", 1)[1]
    for path in [call, call + "/qa", customer + "/calls", f"/care/record-audits/sample?project={project}&n=5", f"/care/record-audits/new?buyer={buyer}"]:
        visit(page, server_url + path, f"{name}-{slug(path)}", full_page=True)


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_duty_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    """Duty (issue 9 part 7): the roster with the planner's forms, the handover list, form, record and print view."""
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("supervisor")
    visit(page, server_url + "/duty", f"{name}-duty", full_page=True)
    visit(page, server_url + "/duty/handovers", f"{name}-duty-handovers")
    href = page.get_by_test_id("handover-link").first.get_attribute("href")
    visit(page, server_url + href, f"{name}-duty-handover")
    visit(page, server_url + href + "/print", f"{name}-duty-handover-print")
    page.goto(server_url + "/duty/handovers")  # the print view has no top bar
    login_page.sign_out()
    login_page.sign_in("cr_officer")
    visit(page, server_url + "/duty/handovers/new", f"{name}-duty-handover-new")
    visit(page, server_url + "/duty", f"{name}-duty-staff")
    link = page.get_by_test_id("swap-link").first
    if link.count():
        visit(page, server_url + link.get_attribute("href"), f"{name}-duty-swap")


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_mortgage_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    """A3 按揭: the 按揭专员's queue and a unit in each seeded state (待面签, 银行审批中, 抵押登记中, 贷款被拒); A8: the release batch."""
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("mortgage")
    visit(page, server_url + "/pipeline/queue", f"{name}-mortgage-queue")
    rows = page.get_by_test_id("queue-row")
    seen: dict[str, str] = {}
    for i in range(rows.count()):
        task = rows.nth(i).locator("td").nth(2).inner_text().strip()
        for want in ("面签", "跟踪银行审批", "跟进抵押登记", "贷款被拒：选择处理方式", "收集按揭资料"):
            if task == want and want not in seen:
                seen[want] = rows.nth(i).get_by_test_id("queue-unit").get_attribute("href")
    assert {"面签", "跟进抵押登记", "贷款被拒：选择处理方式"} <= set(seen), seen
    for n, (task, href) in enumerate(sorted(seen.items())):
        visit(page, server_url + href, f"{name}-mortgage-unit-{n}", full_page=True)
    login_page.sign_out()
    login_page.sign_in("mortgage2")
    page.goto(server_url + "/workflow?tab=mine")  # the 按揭专员's own 解押 request
    link = page.locator('a[href^="/workflow/requests/"]').first
    assert link.count()
    visit(page, server_url + link.get_attribute("href"), f"{name}-mortgage-release", full_page=True)


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_handover_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    """A6 交房 (issue 10): the 房屋验收 plans, one plan, a 问题单, the building's 确权面积 table, the 交房公告 form."""
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("supervisor")
    visit(page, server_url + "/pipeline/inspections", f"{name}-inspections", full_page=True)
    plan = page.get_by_test_id("plan-link").first.get_attribute("href")
    visit(page, server_url + plan, f"{name}-inspection", full_page=True)
    issue = page.get_by_test_id("issue-link").first.get_attribute("href")
    areas = page.get_by_test_id("areas-link").get_attribute("href")
    visit(page, server_url + issue, f"{name}-inspection-issue", full_page=True)
    visit(page, server_url + areas, f"{name}-building-areas", full_page=True)
    visit(page, server_url + "/workflow/new/handover_bulletin", f"{name}-handover-bulletin-new", full_page=True)


@pytest.mark.parametrize("width, height, name", [(1366, 900, "desktop"), (800, 1280, "tablet")])
def test_filing_and_title_pages_fit_the_screen(page, login_page, server_url, width, height, name):
    """A4/A7 (issue 10): the bureau's returned filing, the title officer's 补件 and 审核中 units, the batch page and the
    printed 收件回执 and 补件通知."""
    page.set_viewport_size({"width": width, "height": height})
    login_page.sign_in("bureau")
    page.goto(server_url + "/pipeline/queue")
    page.get_by_test_id("queue-row").filter(has_text="退件补正后重新报送").first.get_by_test_id("queue-unit").click()
    shoot(page, f"{name}-filing-returned", full_page=True)
    login_page.sign_out()
    login_page.sign_in("title")
    for task, slug_ in (("催补办证资料", "title-missing"), ("跟踪登记审核", "title-review")):
        page.goto(server_url + "/pipeline/queue")
        page.get_by_test_id("queue-row").filter(has_text=task).first.get_by_test_id("queue-unit").click()
        shoot(page, f"{name}-{slug_}", full_page=True)
    page.get_by_test_id("print-title-receipt").click()
    shoot(page, f"{name}-title-receipt-print", full_page=True)
    page.goto(server_url + "/pipeline/queue")
    page.get_by_test_id("queue-row").filter(has_text="催补办证资料").first.get_by_test_id("queue-unit").click()
    page.get_by_test_id("print-title-missing").click()
    shoot(page, f"{name}-title-missing-print", full_page=True)
    visit(page, server_url + "/pipeline/title-batch", f"{name}-title-batch", full_page=True)
