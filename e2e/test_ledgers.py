"""The ledgers as the 合同专员 clicks them: filter the 合同台账, export it (the file holds exactly the filtered rows,
all pages), then confirm the day's 合同登记进度日报表, which the 客服主管 approves. Also the archive's loan
register, and the pages at 1366 and 800 px with screenshots."""
import io
import re
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.flows import approve_chain
from e2e.nav import nav

SHOTS = Path(tempfile.gettempdir()) / "ledger-screens"


def _rows(download) -> list[tuple]:
    """The first sheet of a downloaded .xlsx (Playwright's temp file has no extension, so open it as bytes)."""
    return list(load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets[0].iter_rows(values_only=True))


def test_contract_officer_filters_and_exports_the_contract_ledger(page, login_page, server_url):
    login_page.sign_in("contract")
    nav(page, "nav-ledgers")
    page.get_by_test_id("ledger-card-contracts").click()
    expect(page.get_by_test_id("page-title")).to_have_text("合同台账")
    list_ = page.get_by_test_id("list")
    expect(list_).not_to_contain_text("JC02-")  # contract sees JC01 only
    page.get_by_test_id("filter-stage").select_option("已签约")
    expect(page).to_have_url(re.compile(r"stage=%E5%B7%B2%E7%AD%BE%E7%BA%A6"))
    expect(list_.locator("[data-status='已备案']")).to_have_count(0)
    total = int(re.search(r"共 (\d+) 条", page.get_by_test_id("pagination").inner_text()).group(1))
    assert total >= 1
    shown = [t.strip() for t in page.get_by_test_id("deal-link").all_inner_texts()]
    expect(page.get_by_test_id("export-xlsx")).to_have_attribute("href", re.compile(r"stage="))
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx") and "合同台账" in download.suggested_filename
    rows = _rows(download)
    header, data = rows[0], rows[1:]
    assert header[0] == "合同编号" and "身份证号" in header and "状态" in header
    assert len(data) == total
    assert {r[header.index("状态")] for r in data} == {"已签约"}
    assert {r[header.index("项目")] for r in data} == {"锦程·滨江府"}
    assert set(shown) <= {r[0] for r in data}
    assert all("*" in r[header.index("身份证号")] for r in data)  # masked by default, also for the 合同专员
    with page.expect_download() as info:  # the 合同专员 may unmask: only when asked for 含完整证件号 (audited)
        page.get_by_test_id("export-xlsx-full").click()
    full = _rows(info.value)
    assert len(full) - 1 == total and all("*" not in r[header.index("身份证号")] for r in full[1:])
    # a text search narrows the list and the next export follows it
    first = shown[0]
    page.get_by_test_id("filter-q").fill(first)
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("pagination")).to_contain_text("共 1 条")
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    rows = _rows(info.value)
    assert [r[0] for r in rows[1:]] == [first]


def test_daily_report_confirmed_by_contract_approved_by_supervisor(page, login_page, server_url):
    login_page.sign_in("contract")
    nav(page, "nav-daily-report")
    expect(page.get_by_test_id("report-table")).to_be_visible()
    expect(page.locator("[data-testid='report-row'][data-project='JC01']").first).to_be_visible()
    signed_today = page.locator("[data-testid='report-row'][data-project='JC01'][data-group='签约'] [data-key='sign_n_cum']").inner_text()
    page.get_by_test_id("submit-report").click()
    page.get_by_test_id("field-project").select_option(label="锦程·滨江府（JC01）")
    expect(page.get_by_test_id("report-preview")).to_contain_text("请核对后提交")
    page.get_by_test_id("submit-request").click()
    page.wait_for_url(re.compile(r"/workflow/requests/\d+$"))
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    number = re.search(r"RB-\d{8}-\d{4}", page.get_by_test_id("flash").inner_text()).group(0)
    expect(page.get_by_test_id("report-detail")).to_be_visible()
    expect(page.locator("[data-testid='report-detail'] [data-key='sign_n_cum']")).to_have_text(signed_today)
    login_page.sign_out()
    approve_chain(page, login_page, number, ["supervisor"])
    login_page.sign_in("contract")
    nav(page, "nav-daily-report")
    row = page.get_by_test_id("recent-report").filter(has_text=number)
    expect(row).to_contain_text("已通过")
    row.get_by_test_id("report-request-link").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("已通过")


def test_keeper_sees_overdue_loans_and_returns_one(page, login_page, server_url):
    login_page.sign_in("archive")
    nav(page, "nav-loans")
    overdue = page.get_by_test_id("overdue-loan")
    expect(overdue).to_have_count(2)
    number = overdue.first.locator("a").inner_text()
    overdue.first.get_by_role("button", name="登记归还").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"已归还：{number}")
    expect(page.get_by_test_id("overdue-loan")).to_have_count(1)


@pytest.mark.parametrize("width", [1366, 800])
def test_ledger_pages_fit_the_screen(page, login_page, server_url, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    login_page.sign_in("supervisor")
    for path, name in (("/ledgers", "index"), ("/ledgers/contracts", "contracts"), ("/ledgers/collections", "collections"),
                       ("/ledgers/mortgages", "mortgages"), ("/ledgers/filings", "filings"), ("/ledgers/voids", "voids"),
                       ("/ledgers/handovers", "handovers"), ("/ledgers/titles", "titles"), ("/ledgers/report", "report"),
                       ("/ledgers/report?period=month", "report-month"), ("/ledgers/contracts/import", "import"), ("/archive", "files"),
                       ("/archive/loans", "loans")):
        page.goto(server_url + path)
        expect(page.get_by_test_id("page-title")).to_be_visible()
        # wide tables scroll inside their card; the page itself does not scroll sideways
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (path, width, overflow)
        page.screenshot(path=str(SHOTS / f"{width}-{name}.png"), full_page=True)
