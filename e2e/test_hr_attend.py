"""考勤 as HR clicks it (SPEC §G): HR opens 考勤月报 from the sidebar, imports a small .csv exported by the attendance
machine (one employee, a working day of June 2026 clocked in at 09:13) and sees that day's lateness in the month view."""
from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.nav import nav

DAY = "2026-06-01"  # a Monday, a working day


def test_hr_imports_a_csv_and_sees_the_lateness(page, server_url):
    LoginPage(page, server_url).sign_in("hr")
    nav(page, "nav-hr-attendance")
    page.goto(f"{server_url}/hr/attendance?month=2026-06")
    row = page.get_by_test_id("attend-row").first
    no = row.get_attribute("data-employee")
    page.get_by_test_id("attend-import-link").click()
    csv = f"工号,日期,上班,下班\n{no},{DAY},09:13,18:01\n".encode("utf-8-sig")
    page.get_by_test_id("field-file").set_input_files({"name": "考勤.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("共 1 人天")
    page.goto(f"{server_url}/hr/attendance?month=2026-06")
    expect(page.locator(f'[data-testid="attend-row"][data-employee="{no}"] [data-testid="late"]')).to_contain_text("1 天 / 13 分钟")
