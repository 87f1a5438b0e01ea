"""考勤 through the real routes (SPEC §G): HR imports the machine's export (.csv one punch per row, .xlsx one day per
row), a bad file and a bad row are refused with nothing written, a re-import adds nothing, the month view is paged by
employee and shows the lateness, everyone sees their own month, the weekend duty credits 调休 and a 调休 leave above the
balance is refused on the field; others get 403. Each test uses its own new employees and a fixed past month."""
import io
import uuid
from datetime import date, timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.workdays import calendar_for
from app.hr_attend.tables import ClockDay, WeekendDuty, WeekendDutyStaff
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import submit

pytestmark = pytest.mark.integration

PASSWORD = "Attend2026x"
MONTH = "2026-06"


@pytest.fixture
async def staff():
    made = []

    async def make():
        tag = uuid.uuid4().hex[:8]
        base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
            Employee.user.username == "sales").first()
        user = await BaseUser.create_user(username=f"att_{tag}", password=PASSWORD, email=f"att_{tag}@test.invalid", active=True)
        emp = Employee(user=user.id, employee_no=f"AT{tag}", name=f"考勤{tag[:4]}", company=base["company"], department=base["department"],
                       position=base["position"], manager=base["manager"], hired_on=date(2020, 1, 1), active=True)
        await emp.save()
        made.append((emp.id, user.id))
        return {"id": emp.id, "no": emp.employee_no, "name": emp.name, "username": user.username}

    yield make
    for eid, uid in made:
        await Employee.update({Employee.active: False}).where(Employee.id == eid)
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == uid)


async def workdays_of_june() -> list[date]:
    cal = await calendar_for(date(2026, 6, 1), date(2026, 6, 30))
    return [d for d in (date(2026, 6, 1) + timedelta(days=i) for i in range(30)) if cal.is_workday(d)]


async def post_file(c, name: str, content: bytes, ctype: str = "text/csv"):
    token = await csrf_token(c, "/hr/attendance/import")
    return await c.post("/hr/attendance/import", data={"_csrf_token": token}, files={"file": (name, content, ctype)})


async def rows_of(eid: int) -> list[dict]:
    return await ClockDay.select(ClockDay.day, ClockDay.first_in, ClockDay.last_out).where(ClockDay.employee == eid).order_by(ClockDay.day)


async def find_row(c, no: str) -> str:
    """The employee's row of the month view, on whichever page it is."""
    for page in range(1, 40):
        r = await c.get(f"/hr/attendance?month={MONTH}&page={page}")
        assert r.status_code == 200
        i = r.text.find(f'data-employee="{no}"')
        if i >= 0:
            return r.text[i:r.text.find("</tr>", i)]
        if 'data-employee="' not in r.text:
            break
    raise AssertionError(f"{no} not on any page")


async def test_csv_punches_import_reimport_and_month_view(new_client, staff):
    a, b = await staff(), await staff()
    d1, d2 = (await workdays_of_june())[:2]
    csv_text = ("工号,姓名,日期,时间\n"
                f"{a['no']},{a['name']},{d1},08:55\n{a['no']},{a['name']},{d1},12:01\n{a['no']},{a['name']},{d1},18:02\n"
                f"{a['no']},{a['name']},{d2},09:07\n{a['no']},{a['name']},{d2},17:40\n"
                f"{b['no']},,{d1},08:59\n")
    hr = await sign_in(await new_client(), "hr")
    r = await post_file(hr, "kq.csv", csv_text.encode("utf-8-sig"))
    assert r.status_code == 200, r.text[-2000:]
    assert "新增 3" in r.text
    assert [(x["day"], x["first_in"], x["last_out"]) for x in await rows_of(a["id"])] == [(d1, 535, 1082), (d2, 547, 1060)]
    assert [(x["first_in"], x["last_out"]) for x in await rows_of(b["id"])] == [(539, None)]  # one morning punch: 下班 missing
    r = await post_file(hr, "kq.csv", csv_text.encode("utf-8-sig"))  # the same file again
    assert r.status_code == 200 and "新增 0" in r.text and "已存在未变 3" in r.text
    assert len(await rows_of(a["id"])) == 2
    row = await find_row(hr, a["no"])
    n_work = len(await workdays_of_june())
    assert "1 天 / 7 分钟" in row and "1 天 / 20 分钟" in row  # late on d2 by 7, early by 20
    assert f">{n_work - 2} 天<" in row  # the other working days of June have no punch
    # the employee's own month
    me = await sign_in(await new_client(), a["username"], PASSWORD)
    r = await me.get(f"/hr/attendance/mine?month={MONTH}")
    assert r.status_code == 200 and "迟到 7 分钟" in r.text and "早退 20 分钟" in r.text


async def test_xlsx_in_out_shape(new_client, staff):
    from openpyxl import Workbook

    a = await staff()
    d1 = (await workdays_of_june())[3]
    wb = Workbook()
    ws = wb.active
    ws.append(["考勤号", "姓名", "考勤日期", "上班时间", "下班时间"])
    ws.append([a["no"], a["name"], d1, "09:12", "18:00"])
    buf = io.BytesIO()
    wb.save(buf)
    hr = await sign_in(await new_client(), "hr")
    r = await post_file(hr, "kq.xlsx", buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert r.status_code == 200, r.text[-2000:]
    assert [(x["first_in"], x["last_out"]) for x in await rows_of(a["id"])] == [(552, 1080)]


async def test_bad_file_and_bad_row_write_nothing(new_client, staff):
    a = await staff()
    d1 = (await workdays_of_june())[0]
    hr = await sign_in(await new_client(), "hr")
    r = await post_file(hr, "kq.txt", b"hello")
    assert r.status_code == 400 and "文件类型不正确" in r.text
    r = await post_file(hr, "kq.xlsx", b"not a workbook at all")
    assert r.status_code == 400 and "不是有效的 Excel" in r.text
    r = await post_file(hr, "kq.csv", "姓名,备注\n张三,x\n".encode())
    assert r.status_code == 400 and "缺少“工号”列" in r.text
    bad = (f"工号,姓名,日期,上班,下班\n{a['no']},{a['name']},{d1},08:50,18:00\n"
           f"NOPE{uuid.uuid4().hex[:6]},某人,{d1},08:50,18:00\n{a['no']},{a['name']},2026-02-30,08:50,18:00\n"
           f"{a['no']},别人,{d1},25:61,18:00\n")
    r = await post_file(hr, "kq.csv", bad.encode())
    assert r.status_code == 400
    assert 'data-row="3"' in r.text and "没有对应的员工" in r.text
    assert 'data-row="4"' in r.text and "不是日期" in r.text
    assert 'data-row="5"' in r.text and "与姓名「别人」不符" in r.text and "不是有效的时间" in r.text
    assert "整个文件未导入" in r.text
    assert await rows_of(a["id"]) == []  # the good row 2 is not written either


async def test_month_view_paged_and_refused_to_others(new_client):
    hr = await sign_in(await new_client(), "hr")
    r1 = await hr.get(f"/hr/attendance?month={MONTH}&page=1")
    r2 = await hr.get(f"/hr/attendance?month={MONTH}&page=2", headers={"HX-Request": "true"})
    assert r1.status_code == 200 and r2.status_code == 200
    import re

    p1 = re.findall(r'data-employee="([^"]+)"', r1.text)
    p2 = re.findall(r'data-employee="([^"]+)"', r2.text)
    assert len(p1) == 20 and p2 and not set(p1) & set(p2)
    assert "<html" not in r2.text  # the fragment
    for garbage in ("month=abcd", "month=1999-99", "page=-5", "department=x%00", "month=2999-01"):
        assert (await hr.get(f"/hr/attendance?{garbage}")).status_code == 200, garbage
    for role in ("sales", "supervisor", "gm"):
        c = await sign_in(await new_client(), role)
        assert (await c.get("/hr/attendance")).status_code == 403, role
        assert (await c.get("/hr/attendance/import")).status_code == 403, role
        r = await c.post("/hr/attendance/import", data={"_csrf_token": await csrf_token(c, "/hr/attendance/mine")},
                         files={"file": ("a.csv", b"a,b\n1,2\n", "text/csv")})
        assert r.status_code == 403, role
        assert (await c.get("/hr/attendance/mine")).status_code == 200, role
    assert (await (await sign_in(await new_client(), "sales")).get("/hr/attendance/duty")).status_code == 403


async def test_weekend_duty_credits_time_off_and_leave_above_balance_refused(new_client, staff):
    a = await staff()
    boss = await sign_in(await new_client(), "dept_head")
    token = await csrf_token(boss, "/hr/attendance/duty")
    cal = await calendar_for(date(2026, 6, 1), date(2026, 6, 30))
    workday = next(date(2026, 6, d) for d in range(1, 30) if cal.is_workday(date(2026, 6, d)))
    from app.core.timeutil import today_local

    t = today_local()
    cal2 = await calendar_for(t - timedelta(days=20), t)
    rest = next(t - timedelta(days=i) for i in range(1, 20) if not cal2.is_workday(t - timedelta(days=i)))
    r = await boss.post("/hr/attendance/duty", data={"_csrf_token": token, "day": t.isoformat() if cal2.is_workday(t) else workday.isoformat(),
                                                       "occasion": "开盘", "credit_days": "1", "employees": [str(a["id"])]})
    assert r.status_code == 422 and "是工作日" in r.text
    for garbage in ({}, {"day": "x\x00", "credit_days": "-1", "employees": ["9" * 40, "abc"]}, {"credit_days": "0.3", "occasion": "春节"}):
        r = await boss.post("/hr/attendance/duty", data={"_csrf_token": token, **garbage})
        assert r.status_code == 422, garbage
    r = await boss.post("/hr/attendance/duty", data={"_csrf_token": token, "day": rest.isoformat(), "occasion": "交房", "credit_days": "1",
                                                       "employees": [str(a["id"])]})
    assert r.status_code in (302, 303), r.text[-1500:]
    duty = await WeekendDutyStaff.select(WeekendDutyStaff.duty).where(WeekendDutyStaff.employee == a["id"]).first()
    assert duty
    again = await boss.post("/hr/attendance/duty", data={"_csrf_token": token, "day": rest.isoformat(), "occasion": "开盘", "credit_days": "1",
                                                          "employees": [str(a["id"])]})
    assert again.status_code == 422 and "已安排加班并记入调休" in again.text  # one day credits once
    assert await WeekendDutyStaff.count().where(WeekendDutyStaff.employee == a["id"]) == 1
    b_staff = (await Employee.select(Employee.id).where(Employee.user.username == "b_contract").first())["id"]
    other_co = await boss.post("/hr/attendance/duty", data={"_csrf_token": token, "day": rest.isoformat(), "occasion": "开盘",
                                                             "credit_days": "1", "employees": [str(b_staff)]})
    assert other_co.status_code == 422 and "不是本公司员工" in other_co.text  # the 客服副经理: their own company only
    me = await sign_in(await new_client(), a["username"], PASSWORD)
    r = await me.get("/hr/attendance/mine")
    assert 'data-testid="time-off-balance">1 天' in r.text
    r = await me.get("/workflow/new/leave")
    assert 'data-testid="leave-form-time-off"' in r.text
    # two working days of 调休 from the next working Monday-ish day: above the balance of 1
    cal3 = await calendar_for(t, t + timedelta(days=40))
    days = [t + timedelta(days=i) for i in range(7, 40) if cal3.is_workday(t + timedelta(days=i))]
    start, nxt = days[0], days[1]
    rid, r = await submit(me, "leave", {"kind": "调休", "start_on": start.isoformat(), "start_half": "上午", "end_on": nxt.isoformat(),
                                        "end_half": "下午", "reason": "调休"})
    assert rid == 0 and "调休余额不足" in r.text
    rid, r = await submit(me, "leave", {"kind": "调休", "start_on": start.isoformat(), "start_half": "上午", "end_on": start.isoformat(),
                                        "end_half": "下午", "reason": "调休"})
    assert rid, r.text[-1500:]
    r = await me.get("/hr/attendance/mine")
    assert 'data-testid="time-off-balance">0 天' in r.text
    await WeekendDuty.delete().where(WeekendDuty.id == duty["duty"])


async def test_profile_section_and_events(staff):
    from app.hr_attend import profile

    a = await staff()
    sec = await profile.section({"id": a["id"], "name": a["name"], "employee_no": a["no"]}, None)
    assert sec["title"] == "考勤" and sec["template"] == "hr_attend/_profile.html" and sec["ctx"]["time_off"].balance == 0
    assert await profile.events(a["id"]) == []


async def test_no_absence_before_the_first_day_of_work(staff):
    from app.hr_attend import services

    a = await staff()
    await Employee.update({Employee.hired_on: date(2026, 6, 15)}).where(Employee.id == a["id"])
    s = (await services.month_of([a["id"]], date(2026, 6, 1), date(2026, 7, 31)))[a["id"]]
    assert s.absent_days == len([d for d in await workdays_of_june() if d >= date(2026, 6, 15)])
    assert all(d.day >= date(2026, 6, 15) for d in s.days)
