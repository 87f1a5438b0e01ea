"""请假申请 through the real routes (SPEC §G 考勤): the one step by length (1 day 客服主管, 2 days 客服副经理, 4 days
分管副总), 年休假 beyond the year's balance refused on the field with the balance shown, an overlapping leave refused,
the balance after approval on 我的假期, HR's pages (everyone's balances, the 参加工作日期 edit) refused to others.
Each test files as its own new employee (a 置业顾问 of the demo company), so no other test's leaves count."""
import re
import uuid
from datetime import date, timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import today_local
from app.core.workdays import add_working_days, period_end
from app.hr_leave.tables import LeaveProfile, LeaveRequest
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration

PASSWORD = "Leave2026x"


@pytest.fixture
async def staff():
    """A new employee with a sign-in, like the demo 置业顾问; 参加工作日期 set by `work_start(years)`."""
    tag = uuid.uuid4().hex[:8]
    base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
        Employee.user.username == "sales").first()
    user = await BaseUser.create_user(username=f"leave_{tag}", password=PASSWORD, email=f"leave_{tag}@test.invalid", active=True)
    emp = Employee(user=user.id, employee_no=f"LV{tag}", name=f"请假测试{tag[:4]}", company=base["company"], department=base["department"],
                   position=base["position"], manager=base["manager"], hired_on=date(2020, 1, 1), active=True)
    await emp.save()

    async def work_start(years: int | None):
        await LeaveProfile.delete().where(LeaveProfile.employee == emp.id)
        if years is not None:
            t = today_local()
            await LeaveProfile.insert(LeaveProfile(employee=emp.id, work_start=date(t.year - years, 1, 1)))

    yield {"id": emp.id, "username": user.username, "work_start": work_start}
    await Employee.update({Employee.active: False}).where(Employee.id == emp.id)
    await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user.id)


async def client_of(new_client, staff):
    return await sign_in(await new_client(), staff["username"], PASSWORD)


def form(kind: str, start: date, end: date, start_half: str = "上午", end_half: str = "下午", reason: str = "家中有事") -> dict:
    return {"kind": kind, "start_on": start.isoformat(), "start_half": start_half, "end_on": end.isoformat(), "end_half": end_half,
            "reason": reason}


async def workday(d: date) -> date:
    return await period_end(d)


async def next_year_day() -> date:
    """A working day early next year: inside the form's window whatever today is, and far from the year's end."""
    return await workday(date(today_local().year + 1, 3, 1))


async def test_one_step_by_length(new_client, staff):
    c = await client_of(new_client, staff)
    d = await workday(today_local() + timedelta(days=10))
    one, r = await submit(c, "leave", form("事假", d, d))
    assert one, r.text[:2000]
    assert await chain(one) == ["supervisor"]
    d2 = await add_working_days(d, 2)
    two, r = await submit(c, "leave", form("事假", d2, await add_working_days(d2, 1)))
    assert two, r.text[:2000]
    assert await chain(two) == ["dept_head"]
    d4 = await add_working_days(d2, 3)
    four, r = await submit(c, "leave", form("事假", d4, await add_working_days(d4, 3)))
    assert four, r.text[:2000]
    assert await chain(four) == ["vp"]
    page = await c.get(f"/workflow/requests/{four}")
    assert "分管副总审批" in page.text and "4 天（按工作日计）" in page.text
    assert (await LeaveRequest.select(LeaveRequest.days).where(LeaveRequest.request == four).first())["days"] == 4
    half, r = await submit(c, "leave", form("病假", d, d, start_half="下午", end_half="下午"))
    assert not half and r.status_code == 400  # overlaps the 1-day leave


async def test_annual_leave_beyond_the_balance_is_refused_with_the_balance(new_client, staff):
    c = await client_of(new_client, staff)
    d = await next_year_day()
    rid, r = await submit(c, "leave", form("年休假", d, d))
    assert not rid and "尚未登记您的参加工作日期" in r.text
    await staff["work_start"](3)  # 3 full years by next March: 5 days
    rid, r = await submit(c, "leave", form("年休假", d, await add_working_days(d, 5)))
    assert not rid and r.status_code == 400
    err = re.search(r'data-testid="error-kind">([^<]*)<', r.text)
    assert err and "本次 6 天" in err.group(1) and "应休 5 天" in err.group(1) and "剩余 5 天" in err.group(1), r.text[:3000]
    assert "职工带薪年休假条例" in err.group(1)
    rid, r = await submit(c, "leave", form("年休假", d, await add_working_days(d, 2)))
    assert rid, r.text[:2000]
    later = await add_working_days(d, 10)
    again, r = await submit(c, "leave", form("年休假", later, await add_working_days(later, 2)))
    assert not again and "审批中 3 天" in r.text and "剩余 2 天" in r.text
    ok, r = await submit(c, "leave", form("年休假", later, await add_working_days(later, 1)))
    assert ok, r.text[:2000]


async def test_overlap_refused_and_released_by_withdrawal(new_client, staff):
    c = await client_of(new_client, staff)
    d = await workday(today_local() + timedelta(days=20))
    first, r = await submit(c, "leave", form("事假", d, d, end_half="上午"))
    assert first
    second, r = await submit(c, "leave", form("病假", d, d, start_half="上午", end_half="上午"))
    assert not second and "时间重叠" in r.text
    number = (await LeaveRequest.select(LeaveRequest.request.number).where(LeaveRequest.request == first).first())["request.number"]
    assert number in r.text
    afternoon, r = await submit(c, "leave", form("病假", d, d, start_half="下午", end_half="下午"))
    assert afternoon, r.text[:2000]
    token = await csrf_token(c, f"/workflow/requests/{first}")
    w = await c.post(f"/workflow/requests/{first}/withdraw", data={"_csrf_token": token, "comment": "不请了"})
    assert w.status_code in (200, 303), w.text[:500]
    assert await status(first) == "已撤回"
    again, r = await submit(c, "leave", form("事假", d, d, end_half="上午"))
    assert again, r.text[:2000]


async def test_balance_after_approval(new_client, staff):
    await staff["work_start"](12)  # 12 years: 10 days
    c = await client_of(new_client, staff)
    t = today_local()
    d = await workday(max(t - timedelta(days=25), date(t.year, 1, 1)))
    assert d.year == t.year
    page = await c.get("/hr/leave")
    assert page.status_code == 200 and 'data-testid="bal-entitlement">10 天' in page.text and 'data-testid="bal-remaining">10 天' in page.text
    assert "职工带薪年休假条例 第三条" in page.text and "已满 10 年不满 20 年" in page.text
    rid, r = await submit(c, "leave", form("年休假", d, d))
    assert rid, r.text[:2000]
    page = await c.get("/hr/leave")
    assert 'data-testid="bal-pending">1 天' in page.text and 'data-testid="bal-remaining">9 天' in page.text
    detail = await c.get(f"/workflow/requests/{rid}")
    assert 'data-testid="leave-annual"' in detail.text and "应休 10 天，已休 0 天，审批中 1 天" in detail.text
    ok = await approve_as(new_client, rid, "supervisor")
    assert ok.status_code in (200, 303)
    assert await status(rid) == "已通过"
    page = await c.get("/hr/leave")
    assert 'data-testid="bal-taken">1 天' in page.text and 'data-testid="bal-pending">0 天' in page.text
    assert 'data-testid="bal-remaining">9 天' in page.text
    frag = await c.get("/hr/leave?page=1", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and "leave-row" in frag.text


async def test_hr_pages_refused_to_others_and_the_work_start_edit(new_client, staff):
    c = await client_of(new_client, staff)
    for path in ("/hr/leave/balances", f"/hr/leave/profiles/{staff['id']}"):
        assert (await c.get(path)).status_code == 403
    token = await csrf_token(c, "/hr/leave")
    r = await c.post(f"/hr/leave/profiles/{staff['id']}", data={"_csrf_token": token, "work_start": "2000-01-01"})
    assert r.status_code == 403
    assert 'href="/hr/leave/balances"' not in (await c.get("/hr/leave")).text
    hr = await sign_in(await new_client(), "hr")
    dept = (await Employee.select(Employee.department).where(Employee.id == staff["id"]).first())["department"]
    listing = await hr.get(f"/hr/leave/balances?department={dept}&page=1")
    assert listing.status_code == 200 and "职工带薪年休假条例" in listing.text
    assert (await hr.get("/hr/leave/balances?department=abc&page=-3")).status_code == 200
    assert (await hr.get("/hr/leave/profiles/999999999")).status_code == 404
    token = await csrf_token(hr, f"/hr/leave/profiles/{staff['id']}")
    bad = await hr.post(f"/hr/leave/profiles/{staff['id']}", data={"_csrf_token": token, "work_start": "明天"})
    assert bad.status_code == 422 and 'data-testid="error-work_start"' in bad.text
    future = await hr.post(f"/hr/leave/profiles/{staff['id']}", data={"_csrf_token": token,
                                                                       "work_start": (today_local() + timedelta(days=3)).isoformat()})
    assert future.status_code == 422
    start = date(today_local().year - 21, 1, 1)
    ok = await hr.post(f"/hr/leave/profiles/{staff['id']}", data={"_csrf_token": token, "work_start": start.isoformat(), "note": "社保记录"},
                       follow_redirects=False)
    assert ok.status_code == 303
    assert (await LeaveProfile.select(LeaveProfile.work_start).where(LeaveProfile.employee == staff["id"]).first())["work_start"] == start
    mine = await c.get("/hr/leave")
    assert 'data-testid="bal-entitlement">15 天' in mine.text
    d = await workday(today_local() + timedelta(days=5))
    rid, r = await submit(c, "leave", form("丧假", d, d))
    assert rid, r.text[:2000]
    prof = await hr.get(f"/hr/leave/profiles/{staff['id']}")
    assert prof.status_code == 200 and 'data-testid="profile-leaves"' in prof.text and "丧假" in prof.text and "应休 15 天" in prof.text


async def test_garbage_input_is_a_field_error(new_client, staff):
    c = await client_of(new_client, staff)
    for data in ({}, {"kind": "旷工", "start_on": "x", "end_on": "2026-13-40", "start_half": "中午", "end_half": ""},
                 {"kind": "事假", "start_on": "2026-10-02", "end_on": "2026-10-01", "start_half": "上午", "end_half": "下午", "reason": "x"},
                 {"kind": "事假", "start_on": "9" * 40, "end_on": "0001-01-01", "start_half": "上午", "end_half": "下午", "reason": "x" * 600}):
        rid, r = await submit(c, "leave", data)
        assert not rid and r.status_code == 400, r.status_code
