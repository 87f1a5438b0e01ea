"""The working-day calendar beyond its data (issue 7 §5) and calendar-day periods ending on a holiday (§4, 民法典
第二百零三条): chinese-calendar 1.11 has no 2027 data, so until the administrator enters 2027 the pages say so."""
from datetime import date

import pytest

from app.core.tables import AuditLog, HolidayOverride, HolidayYear
from app.core.workdays import add_calendar_days, add_working_days
from app.pipeline.tables import Deal
from tests.conftest import csrf_token, sign_in
from tests.integration.queue_rows import queue_row

pytestmark = pytest.mark.integration

SCHEDULE_2027 = {  # shaped like the State Council notice (the real one is not published yet)
    "year": "2027",
    "holidays": "2027-01-01 至 2027-01-03 元旦\n2027-02-06 至 2027-02-13 春节\n2027-04-05 清明节，2027-05-01 至 2027-05-05 劳动节\n"
                "2027-06-09 端午节、2027-09-15 中秋节\n2027-10-01 至 2027-10-07 国庆节",
    "workdays": "2027-02-20 春节调休\n2027-04-25, 2027-09-26, 2027-10-09",
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
}


@pytest.fixture
async def calendar_2027():
    """Leave 2027 as the test found it (other tests rely on it being uncovered)."""
    first, last = date(2027, 1, 1), date(2027, 12, 31)
    in_year = (HolidayOverride.day >= first) & (HolidayOverride.day <= last)
    saved = await HolidayOverride.select(HolidayOverride.day, HolidayOverride.is_workday, HolidayOverride.name, HolidayOverride.note).where(in_year)
    saved_year = await HolidayYear.select().where(HolidayYear.year == 2027)
    await HolidayOverride.delete().where(in_year)
    await HolidayYear.delete().where(HolidayYear.year == 2027)
    yield
    await HolidayOverride.delete().where(in_year)
    await HolidayYear.delete().where(HolidayYear.year == 2027)
    if saved:
        await HolidayOverride.insert(*[HolidayOverride(**r) for r in saved])
    for r in saved_year:
        r.pop("id")
        await HolidayYear.insert(HolidayYear(**r))


@pytest.fixture
async def deal_signed_2026_12_02():
    """A JC01 deal waiting for its filing, signed on 2026-12-02 (30 days later is 2027-01-01, 元旦)."""
    deal = await Deal.select(Deal.id, Deal.unit, Deal.signed_on).where(
        (Deal.project.code == "JC01") & (Deal.filing_status == "待备案") & (Deal.stage != "已作废") & Deal.signed_on.is_not_null()
    ).first()
    assert deal, "demo data has a signed JC01 deal waiting for filing"
    await Deal.update({Deal.signed_on: date(2026, 12, 2)}).where(Deal.id == deal["id"])
    yield deal
    await Deal.update({Deal.signed_on: deal["signed_on"]}).where(Deal.id == deal["id"])


FILING_TASK = "备案：合同备案：准备备案资料"


async def filing_row(client, unit_id: int) -> tuple[str, str]:
    """The unit's filing row in the work queue (any page). Returns (row, the first page)."""
    return await queue_row(client, unit_id, task=FILING_TASK, contains="合同备案", pages=10)


async def post_schedule(client, data: dict):
    token = await csrf_token(client, "/holidays?year=2027")
    return await client.post("/holidays", data={**data, "_csrf_token": token})


async def test_uncovered_2027_shows_the_notice_and_the_admin_banner(calendar_2027, deal_signed_2026_12_02, new_client):
    contract = await sign_in(await new_client(), "contract")
    page = await contract.get(f"/pipeline/units/{deal_signed_2026_12_02['unit']}")
    assert page.status_code == 200
    assert 'data-testid="calendar-notice"' in page.text and "2027 年" in page.text
    assert "期限 2027-01-01" in page.text  # weekends only: 元旦 unknown
    assert 'data-testid="calendar-admin-banner"' not in page.text  # not an administrator
    bureau = await sign_in(await new_client(), "bureau")
    row, queue = await filing_row(bureau, deal_signed_2026_12_02["unit"])
    assert 'data-testid="calendar-notice"' in queue
    assert "2027-01-01" in row.split("</td>")[0]
    admin = await sign_in(await new_client(), "sysadmin")
    home = await admin.get("/org")
    assert 'data-testid="calendar-admin-banner"' in home.text and "2027 年法定节假日安排尚未录入" in home.text
    assert 'href="/holidays?year=2027"' in home.text and 'data-testid="nav-holidays"' in home.text
    # a page with no deadline into 2027 has no notice
    assert 'data-testid="calendar-notice"' not in (await contract.get("/org")).text


async def test_entering_2027_moves_the_deadlines(calendar_2027, deal_signed_2026_12_02, new_client):
    assert await add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)  # before: a Friday like any other
    admin = await sign_in(await new_client(), "sysadmin")
    form = await admin.get("/holidays?year=2027")
    assert form.status_code == 200 and 'data-testid="holidays-form"' in form.text and 'data-testid="holidays-not-entered"' in form.text
    r = await post_schedule(admin, SCHEDULE_2027)
    assert r.status_code == 303 and r.headers["location"] == "/calendar?month=2027-01", r.text[:2000]
    row = await HolidayYear.select().where(HolidayYear.year == 2027).first()
    assert row["holidays"] == 3 + 8 + 1 + 5 + 2 + 7 and row["workdays"] == 4 and row["entered_by_name"]
    assert await AuditLog.exists().where((AuditLog.action == "calendar.enter_year") & (AuditLog.entity_id == "2027"))
    # every clock now uses it
    assert await add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert await add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 15)  # 春节 02-06..13, 14th a Sunday
    assert await add_calendar_days(date(2026, 12, 2), 30) == date(2027, 1, 4)
    contract = await sign_in(await new_client(), "contract")
    page = await contract.get(f"/pipeline/units/{deal_signed_2026_12_02['unit']}")
    assert "期限 2027-01-04" in page.text and "期限 2027-01-01" not in page.text  # 民法典 第二百零三条
    bureau = await sign_in(await new_client(), "bureau")
    row, _ = await filing_row(bureau, deal_signed_2026_12_02["unit"])
    assert "2027-01-04" in row.split("</td>")[0]
    assert 'data-testid="calendar-notice"' not in page.text
    assert 'data-testid="calendar-admin-banner"' not in (await admin.get("/org")).text
    cal = await admin.get("/calendar?month=2027-01")
    assert 'data-day="2027-01-01" data-workday="0"' in cal.text
    # the form shows what was entered; re-entering replaces the year
    again = await admin.get("/holidays?year=2027")
    assert "2027-02-13 春节" in again.text and 'data-testid="holidays-entered"' in again.text
    r = await post_schedule(admin, {**SCHEDULE_2027, "holidays": "2027-01-01 元旦", "workdays": ""})
    assert r.status_code == 303
    assert await HolidayOverride.count().where((HolidayOverride.day >= date(2027, 1, 1)) & (HolidayOverride.day <= date(2027, 12, 31))) == 1
    assert await add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 8)


async def test_schedule_form_validation_keeps_the_values(calendar_2027, new_client):
    admin = await sign_in(await new_client(), "sysadmin")
    bad = {**SCHEDULE_2027, "holidays": "2026-12-31\n2027-01-01", "workdays": "2027-01-01"}
    r = await post_schedule(admin, bad)
    assert r.status_code == 400
    assert "2026-12-31 不在 2027 年内" in r.text and "2026-12-31\n2027-01-01</textarea>" in r.text and SCHEDULE_2027["source"] in r.text
    r = await post_schedule(admin, {**SCHEDULE_2027, "workdays": "2027-02-06"})
    assert r.status_code == 400 and "同时出现在放假和调休上班两个列表中" in r.text
    frag = await admin.post("/holidays", data={**SCHEDULE_2027, "year": "abc"},
                            headers={"HX-Request": "true", "x-csrftoken": await csrf_token(admin, "/holidays")})
    assert frag.status_code == 400 and "请填写 2000 到 2100 之间的年份" in frag.text and "<html" not in frag.text
    assert not await HolidayYear.exists().where(HolidayYear.year == 2027)


async def test_only_the_administrator_enters_holidays(calendar_2027, new_client):
    head = await sign_in(await new_client(), "dept_head")
    assert (await head.get("/holidays")).status_code == 403
    token = await csrf_token(head, "/")
    assert (await head.post("/holidays", data={**SCHEDULE_2027, "_csrf_token": token})).status_code == 403
    assert not await HolidayYear.exists().where(HolidayYear.year == 2027)
    assert 'data-testid="nav-holidays"' not in (await head.get("/")).text


async def test_entering_a_year_redates_running_approval_steps(calendar_2027, new_client):
    from datetime import datetime, timezone

    from app.workflow.tables import Step
    from tests.integration.workflow.helpers import expense_form, submit

    applicant = await sign_in(await new_client(), "contract")
    rid, r = await submit(applicant, "expense", expense_form("300.00"))
    assert rid, r.text[:2000]
    step = await Step.select(Step.id, Step.limit_days).where((Step.request == rid) & (Step.status == "进行中")).first()
    started = datetime(2026, 12, 31, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai, the last working day of 2026
    before = await add_working_days(date(2026, 12, 31), step["limit_days"])  # 2027-01-01 counted as a working day
    await Step.update({Step.started_at: started, Step.due_on: before}).where(Step.id == step["id"])
    detail = await applicant.get(f"/workflow/requests/{rid}")
    assert 'data-testid="calendar-notice"' in detail.text  # the request page says its due date is provisional
    admin = await sign_in(await new_client(), "sysadmin")
    assert (await post_schedule(admin, SCHEDULE_2027)).status_code == 303
    after = (await Step.select(Step.due_on).where(Step.id == step["id"]).first())["due_on"]
    assert after == await add_working_days(date(2026, 12, 31), step["limit_days"]) and after > before
    assert 'data-testid="calendar-notice"' not in (await applicant.get(f"/workflow/requests/{rid}")).text
