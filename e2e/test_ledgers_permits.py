"""台账更正 in the browser (SPEC §B): the 数据专员 proposes a correction of a 网签号 from the 合同台账 row, the 客服主管
approves it, and the ledger shows the corrected value with its 已更正 marker linking to the correction. Screenshots of
the form, the request and the ledger at 1366 and 800 px (screenshots/ledger-correction-*.png), then the new permit pages
(资质升级, 前期物业招标: list and detail, screenshots/permits-*.png), looked at."""
import re
import secrets

from playwright.sync_api import expect

from e2e.flows import approve_chain, filter_list, submit_request
from e2e.nav import nav
from e2e.screens import shoot


def test_correction_proposed_approved_and_shown_on_the_ledger(page, login_page, server_url):
    new_value = f"WQ-E2E-{secrets.token_hex(3).upper()}"
    login_page.sign_in("data")
    nav(page, "nav-ledgers")
    page.get_by_test_id("ledger-card-contracts").click()
    expect(page.get_by_test_id("page-title")).to_have_text("合同台账")
    page.get_by_test_id("correction-link").filter(has_text="申请更正").first.click()
    expect(page).to_have_url(re.compile(r"/workflow/new/ledger_correction\?"))
    contract_no = page.get_by_test_id("field-deal_ref").input_value()
    assert contract_no
    expect(page.get_by_test_id("current-value")).not_to_be_empty()  # the value now, before anything is typed
    old_value = page.get_by_test_id("current-value").inner_text()
    page.get_by_test_id("field-new_value").fill(new_value)
    page.get_by_test_id("field-reason").fill("网签系统打印件上的网签号与台账不一致，按打印件更正")
    for width, height in ((1366, 900), (800, 1280)):
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, f"ledger-correction-form-{width}", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    number = submit_request(page)
    assert number.startswith("GZ-")
    expect(page.get_by_test_id("correction-old")).to_have_text(old_value)
    expect(page.get_by_test_id("correction-new")).to_have_text(new_value)
    login_page.sign_out()

    approve_chain(page, login_page, number, ["supervisor"])

    login_page.sign_in("data")
    page.goto(server_url + "/ledgers/contracts")
    filter_list(page, contract_no)
    row = page.get_by_test_id("row").first
    expect(row).to_contain_text(new_value)
    expect(row.get_by_test_id("correction-link")).to_have_text("已更正")
    for width, height in ((1366, 900), (800, 1280)):
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, f"ledger-correction-ledger-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
    row.get_by_test_id("correction-link").click()
    expect(page.get_by_test_id("correction-state")).to_contain_text("已于")
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")
    for width, height in ((1366, 900), (800, 1280)):
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, f"ledger-correction-request-{width}", full_page=True)

    login_page.sign_out()
    # the new permit pages, as their owners see them (demo data: seeds/permits.py seed_projects)
    for username, pages in (("bureau", ("upgrades",)), ("supervisor", ("tenders",))):
        login_page.sign_in(username)
        for name in pages:
            page.goto(server_url + f"/permits/{name}")
            expect(page.get_by_test_id("page-title")).to_be_visible()
            link = page.get_by_test_id("upgrade-link" if name == "upgrades" else "tender-link").first
            for width, height in ((1366, 900), (800, 1280)):
                page.set_viewport_size({"width": width, "height": height})
                shoot(page, f"permits-{name}-{width}")
            page.set_viewport_size({"width": 1366, "height": 900})
            link.click()
            expect(page.get_by_test_id("upgrade-status" if name == "upgrades" else "tender-steps")).to_be_visible()
            for width, height in ((1366, 900), (800, 1280)):
                page.set_viewport_size({"width": width, "height": height})
                shoot(page, f"permits-{name}-detail-{width}", full_page=True)
            page.set_viewport_size({"width": 1366, "height": 900})
        login_page.sign_out()
