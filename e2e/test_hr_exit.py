"""离职交接 as HR and finance click it (SPEC §E5): an approved 离职申请 whose last day has passed, the leaver still
holding an advance, an asset and an open approval task (prepared in the e2e server's database; the checklist's
sign-offs are done there too). HR's 办结 is refused naming all three; HR reassigns the asset and the task on the sweep,
the 会计 records the repayment; the completion then goes through, and the leaver's sign-in is refused."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.test_care_callbacks import run, server_env

SETUP = r"""
import asyncio, json
from tests.integration.hr_exit import prep

async def main():
    s = await prep.make_staff()
    other = await prep.make_staff()
    applicant = await prep.make_staff()  # the task's request is someone else's: the engine never hands a task to its applicant
    adv = await prep.make_advance(s, "300.00")
    await prep.make_asset(s)
    await prep.make_task(s, applicant)
    case = await prep.make_exit(s)
    await prep.tick_all_but(case)
    print(json.dumps({"case": case, "advance": adv, "username": s["username"], "password": prep.PASSWORD, "to": other["id"]}))

asyncio.run(main())
"""


def test_sweep_refused_then_completed_and_sign_in_refused(page, server_url):
    made = json.loads(run(server_env(server_url), "-c", SETUP).strip().splitlines()[-1])
    login = LoginPage(page, server_url)
    sweep = f"{server_url}/hr/exit/{made['case']}"
    login.sign_in("hr")
    page.goto(sweep)
    page.get_by_test_id("complete-go").click()
    error = page.get_by_test_id("sweep-error")
    expect(error).to_contain_text("借款")
    expect(error).to_contain_text("固定资产")
    expect(error).to_contain_text("审批待办")
    for kind in ("固定资产", "审批待办"):
        row = page.locator(f'[data-testid="holding"][data-kind="{kind}"]')
        row.get_by_test_id("holding-to").select_option(str(made["to"]))
        row.get_by_test_id("holding-reassign-go").click()
        expect(page.get_by_test_id("flash")).to_contain_text("已转交")
    expect(page.locator('[data-testid="holding"][data-kind="借款"]')).to_be_visible()
    login.sign_out()

    login.sign_in("accountant")
    page.goto(f"{server_url}/finance/advances/{made['advance']}")
    page.get_by_test_id("repay-form").get_by_test_id("field-amount").fill("300")
    page.get_by_test_id("repay-submit").click()
    expect(page.get_by_test_id("repay-form")).to_have_count(0)
    login.sign_out()

    login.sign_in("hr")
    page.goto(sweep)
    expect(page.get_by_test_id("holdings-none")).to_be_visible()
    page.get_by_test_id("complete-go").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已停用")
    page.get_by_test_id("sweep-certificate").click()
    expect(page.get_by_test_id("certificate-text")).to_contain_text("劳动关系自该日终止")
    page.get_by_test_id("print-back").click()
    login.sign_out()

    # the leaver's sign-in is refused at the form, with the reason, and reaches no page
    page.goto(f"{server_url}/login")
    page.get_by_test_id("field-username").fill(made["username"])
    page.get_by_test_id("field-password").fill(made["password"])
    page.get_by_test_id("login-submit").click()
    expect(page.locator("form")).to_contain_text("该账号已停用")
    r = page.request.get(f"{server_url}/workflow", max_redirects=0)
    assert r.status in (302, 303) and "/login" in r.headers["location"]
    expect(page.get_by_test_id("logout")).to_have_count(0)
