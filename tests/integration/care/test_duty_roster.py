"""The duty roster (/duty): page and HTMX fragment by role, who is on duty now, planning with its refusals (not a date,
unknown or outside employee, twice on one shift, a past day unless the manager corrects it), removing a shift, and the
rotation fill (in order, one transaction, refusing to overwrite unless asked)."""
from datetime import timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.duty import rules
from app.duty.services import load_config
from app.duty.tables import DutyShift
from tests.conftest import sign_in
from tests.integration.care.duty_helpers import HX, emp, free_day, post

pytestmark = pytest.mark.integration


async def _count() -> int:
    return await DutyShift.count()


@pytest.mark.parametrize("role", ["supervisor", "cr_officer", "clerk", "contract"])
async def test_roster_page_and_fragment_for_department_staff(new_client, role):
    c = await sign_in(await new_client(), role)
    page = await c.get("/duty")
    assert page.status_code == 200 and "<html" in page.text and "当前值班：" in page.text and 'id="duty-roster"' in page.text
    assert ('data-testid="plan-form"' in page.text) == (role == "supervisor")
    assert ('data-testid="fill-form"' in page.text) == (role == "supervisor")
    nxt = rules.month_key(rules.add_months(today_local().replace(day=1), 1))
    frag = await c.get(f"/duty?month={nxt}", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.lstrip().startswith('<div class="card" id="duty-roster"')
    assert f'data-month="{nxt}"' in frag.text and 'data-testid="duty-person"' in frag.text  # next month is seeded too
    assert (await c.get("/duty?month=nonsense")).status_code == 200


@pytest.mark.parametrize("role", ["guard", "cleaner", "sales", "accountant"])
async def test_roster_refused_outside_the_department(new_client, role):
    c = await sign_in(await new_client(), role)
    for path in ("/duty", "/duty/handovers", "/duty/handovers/new"):
        assert (await c.get(path)).status_code == 403
        assert (await c.get(path, headers=HX)).status_code == 403


async def test_current_duty_is_computed_from_the_shift_times(new_client):
    config = await load_config()
    day, shift = rules.shift_at(now(), config.times)
    names = [r["employee.name"] for r in await DutyShift.select(DutyShift.employee.name).where((DutyShift.day == day) & (DutyShift.shift == shift))]
    assert names, "the demo roster covers the running shift"
    c = await sign_in(await new_client(), "cr_officer")
    page = await c.get("/duty")
    assert f"{day:%Y-%m-%d} {shift}" in page.text and all(n in page.text.split('data-testid="duty-now-names">')[1][:200] for n in names)


async def test_staff_cannot_plan(new_client):
    c = await sign_in(await new_client(), "cr_officer")
    before = await _count()
    r = await post(c, "/duty/shifts", {"day": free_day().isoformat(), "shift": "白班", "employee": str(await emp("cr_officer"))})
    assert r.status_code == 403 and await _count() == before
    assert (await post(c, "/duty/fill", {"month": "2030-01"})).status_code == 403
    assert (await post(c, "/duty/shifts/1/remove", {})).status_code == 403


async def test_plan_and_remove_a_shift(new_client):
    c = await sign_in(await new_client(), "supervisor")
    day, who = free_day(), await emp("complaint_officer")
    r = await post(c, "/duty/shifts", {"day": day.isoformat(), "shift": "夜班", "employee": str(who), "note": "兼顾来访"})
    assert r.status_code == 303 and r.headers["location"] == f"/duty?month={rules.month_key(day)}"
    row = await DutyShift.select().where((DutyShift.day == day) & (DutyShift.shift == "夜班") & (DutyShift.employee == who)).first()
    assert row and row["note"] == "兼顾来访"
    assert await AuditLog.exists().where((AuditLog.action == "duty.assign") & (AuditLog.entity_id == str(row["id"])))
    page = await c.get(f"/duty?month={rules.month_key(day)}")
    assert f'action="/duty/shifts/{row["id"]}/remove"' in page.text
    # the same person twice on that shift: refused in Chinese, nothing written
    before = await _count()
    r = await post(c, "/duty/shifts", {"day": day.isoformat(), "shift": "夜班", "employee": str(who)})
    assert r.status_code == 400 and "已在" in r.text and "夜班的值班表中" in r.text and await _count() == before
    # … but the day shift of the same day is another slot
    assert (await post(c, "/duty/shifts", {"day": day.isoformat(), "shift": "白班", "employee": str(who)})).status_code == 303
    r = await post(c, f"/duty/shifts/{row['id']}/remove", {"month": rules.month_key(day)})
    assert r.status_code == 303 and not await DutyShift.exists().where(DutyShift.id == row["id"])
    assert await AuditLog.exists().where((AuditLog.action == "duty.remove") & (AuditLog.entity_id == str(row["id"])))


@pytest.mark.parametrize("data, message", [
    ({"day": "2026-13-45", "shift": "白班"}, "格式应为 YYYY-MM-DD"),
    ({"day": "明天", "shift": "白班"}, "格式应为 YYYY-MM-DD"),
    ({"shift": "早班"}, "班次的选项无效"),
    ({"employee": "999999"}, "不在本部门的值班人员中"),
    ({"employee": "abc"}, "值班人员的选项无效"),
    ({"employee": ""}, "请选择值班人员"),
])
async def test_bad_plan_input_is_refused_in_chinese_and_keeps_the_values(new_client, data, message):
    c = await sign_in(await new_client(), "supervisor")
    form = {"day": free_day().isoformat(), "shift": "白班", "employee": str(await emp("clerk")), "note": "保留的备注", **data}
    before = await _count()
    r = await post(c, "/duty/shifts", form)
    assert r.status_code == 400 and message in r.text and "保留的备注" in r.text and await _count() == before


async def test_people_outside_the_department_are_refused(new_client):
    c = await sign_in(await new_client(), "supervisor")
    before = await _count()
    for outsider in ("sales", "guard", "accountant", "b_contract"):  # another department, outsourced, finance, another company
        r = await post(c, "/duty/shifts", {"day": free_day().isoformat(), "shift": "白班", "employee": str(await emp(outsider))})
        assert r.status_code == 400 and "不在本部门的值班人员中" in r.text
    assert await _count() == before


async def test_a_past_day_only_as_the_managers_audited_correction(new_client):
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    who = str(await emp("archive"))
    sup = await sign_in(await new_client(), "supervisor")
    before = await _count()
    r = await post(sup, "/duty/shifts", {"day": yesterday, "shift": "白班", "employee": who, "correction": "1", "reason": "补登"})
    assert r.status_code == 400 and "部门经理" in r.text and await _count() == before
    head = await sign_in(await new_client(), "dept_head")
    r = await post(head, "/duty/shifts", {"day": yesterday, "shift": "白班", "employee": who})
    assert r.status_code == 400 and "勾选「更正已过日期」" in r.text and await _count() == before
    r = await post(head, "/duty/shifts", {"day": yesterday, "shift": "白班", "employee": who, "correction": "1"})
    assert r.status_code == 400 and "请填写更正原因" in r.text and await _count() == before
    r = await post(head, "/duty/shifts", {"day": yesterday, "shift": "白班", "employee": who, "correction": "1", "reason": "临时顶班补登"})
    assert r.status_code == 303 and await _count() == before + 1
    log = await AuditLog.select(AuditLog.summary).where(AuditLog.action == "duty.correct").order_by(AuditLog.id, ascending=False).first()
    assert log and "临时顶班补登" in log["summary"]


async def test_fill_the_month_by_rotation(new_client):
    c = await sign_in(await new_client(), "supervisor")
    first = rules.add_months(today_local().replace(day=1), 4)
    key, days = rules.month_key(first), rules.month_days(first)
    a, b, d = await emp("title"), await emp("mortgage"), await emp("bureau")
    r = await post(c, "/duty/fill", {"month": key, f"order_{b}": "1", f"order_{a}": "2", f"order_{d}": "3"})
    assert r.status_code == 303, r.text[:300]
    rows = await DutyShift.select(DutyShift.day, DutyShift.shift, DutyShift.employee).where(
        (DutyShift.day >= days[0]) & (DutyShift.day <= days[-1])).order_by(DutyShift.day)
    assert len(rows) == len(days) * 2
    plan = {(x["day"], x["shift"]): x["employee"] for x in rows}
    assert [plan[(days[0], "白班")], plan[(days[0], "夜班")], plan[(days[1], "白班")], plan[(days[1], "夜班")]] == [b, a, d, b]
    assert await AuditLog.exists().where((AuditLog.action == "duty.fill") & (AuditLog.entity_id == key))
    # again without overwrite: refused, nothing changed; with overwrite: replaced in one go
    r = await post(c, "/duty/fill", {"month": key, f"order_{a}": "1"})
    assert r.status_code == 400 and "覆盖已有排班" in r.text
    assert {(x["day"], x["shift"]): x["employee"] for x in await DutyShift.select(DutyShift.day, DutyShift.shift, DutyShift.employee).where(
        (DutyShift.day >= days[0]) & (DutyShift.day <= days[-1]))} == plan
    r = await post(c, "/duty/fill", {"month": key, f"order_{a}": "1", "overwrite": "1"})
    assert r.status_code == 303
    assert {x["employee"] for x in await DutyShift.select(DutyShift.employee).where((DutyShift.day >= days[0]) & (DutyShift.day <= days[-1]))} == {a}


@pytest.mark.parametrize("data, message", [
    ({"month": "2030-1x"}, "月份格式应为"),
    ({}, "请至少选择一位值班人员"),
    ({"order_A": "1", "order_B": "1"}, "轮值序号不能重复"),
    ({"order_A": "一"}, "应为整数"),
])
async def test_bad_fill_input(new_client, data, message):
    c = await sign_in(await new_client(), "supervisor")
    a, b = await emp("title"), await emp("mortgage")
    form = {"month": rules.month_key(rules.add_months(today_local().replace(day=1), 6))}
    form.update({k.replace("_A", f"_{a}").replace("_B", f"_{b}"): v for k, v in data.items()})
    before = await _count()
    r = await post(c, "/duty/fill", form)
    assert r.status_code == 400 and message in r.text and await _count() == before


async def test_the_database_refuses_one_person_twice_on_a_shift():
    """The unique (day, shift, employee) index holds across processes, whatever a service checked before."""
    day, who = free_day(), await emp("data")
    await DutyShift.insert(DutyShift(day=day, shift="白班", employee=who, note=""))
    with pytest.raises(Exception) as err:
        await DutyShift.insert(DutyShift(day=day, shift="白班", employee=who, note=""))
    assert "unique" in str(err.value).lower() or type(err.value).__name__ in ("IntegrityError", "UniqueViolationError")
    assert await DutyShift.count().where((DutyShift.day == day) & (DutyShift.employee == who)) == 1
