"""内部培训 through the real routes (SPEC §E6): the plan 部门负责人 → 人事; the session 部门负责人 → 人事, plus 分管副总
from a budget of 5,000.00; after approval the trainer/HR tick attendees, an attendee signs in themself on the day,
scores 0–100 (garbage refused on the field), the attendee's evaluation; the training record with hours per year; the
new hire without the new-hire training shown to HR until they attend; profile.section()/events(); never a 500."""
import uuid
from datetime import date, timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import today_local
from app.hr_course import profile, services
from app.hr_course.tables import APPROVED, CourseAttendance, CoursePlan, CoursePlanLine, CourseSession
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration

PASSWORD = "Course2026x"


@pytest.fixture
async def make_staff():
    made = []

    async def make(hired_on: date) -> dict:
        tag = uuid.uuid4().hex[:8]
        base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
            Employee.user.username == "sales").first()
        user = await BaseUser.create_user(username=f"course_{tag}", password=PASSWORD, email=f"course_{tag}@test.invalid", active=True)
        emp = Employee(user=user.id, employee_no=f"KC{tag}", name=f"培训员工{tag[:4]}", company=base["company"], department=base["department"],
                       position=base["position"], manager=base["manager"], hired_on=hired_on, active=True)
        await emp.save()
        made.append((emp.id, user.id))
        return {"id": emp.id, "username": user.username}

    yield make
    for emp_id, user_id in made:
        await Employee.update({Employee.active: False}).where(Employee.id == emp_id)
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user_id)


def session_form(budget: str = "1200.00", on: date | None = None, new_hire: bool = False, **extra) -> dict:
    data = {"topic": f"客户投诉处理技巧 {uuid.uuid4().hex[:6]}", "trainer": "王老师", "audience": "客服部全体员工",
            "held_on": (on or today_local()).isoformat(), "start_time": "14:00", "hours": "2", "budget": budget}
    if new_hire:
        data["new_hire"] = "1"
    data.update(extra)
    return data


async def approved_session(new_client, budget="1200.00", **kw) -> tuple[int, dict]:
    c = await sign_in(await new_client(), "sales")
    rid, r = await submit(c, "training_session", session_form(budget, **kw))
    assert rid, r.text[:3000]
    for who in await chain(rid):
        await approve_as(new_client, rid, {"dept_head": "dept_head", "hr": "hr", "vp": "vp"}[who])
    assert await status(rid) == "已通过"
    s = await CourseSession.select().where(CourseSession.request == rid).first()
    assert s["status"] == APPROVED
    return s["id"], s


async def post(client, path: str, data: dict):
    token = await csrf_token(client, path.rsplit("/", 1)[0])
    return await client.post(path, data={**data, "_csrf_token": token})


async def test_plan_chain_and_lines(new_client):
    c = await sign_in(await new_client(), "supervisor")
    year = today_local().year
    bad = {"kind": "月度", "year": str(year), "month": "3", "line_topic": ["新房交付流程"], "line_trainer": ["李"], "line_audience": ["全员"],
           "line_month": ["4"], "line_hours": ["abc"], "line_budget": ["-1"]}
    rid, r = await submit(c, "training_plan", bad)
    assert not rid and r.status_code == 400
    assert "月度计划的培训月份应为 3 月" in r.text
    good = {**bad, "line_topic": ["新房交付流程", "", "礼仪"], "line_trainer": ["李", "", ""], "line_audience": ["全员", "", "前台"],
            "line_month": ["3", "", "3"], "line_hours": ["2", "", "1.5"], "line_budget": ["800", "", "0"]}
    rid, r = await submit(c, "training_plan", good)
    assert rid, r.text[:3000]
    assert await chain(rid) == ["dept_head", "hr"]
    plan = await CoursePlan.select().where(CoursePlan.request == rid).first()
    assert [ln["topic"] for ln in await CoursePlanLine.select().where(CoursePlanLine.plan == plan["id"]).order_by(CoursePlanLine.line_no)] == ["新房交付流程", "礼仪"]
    await approve_as(new_client, rid, "dept_head")
    await approve_as(new_client, rid, "hr")
    assert (await CoursePlan.select(CoursePlan.status).where(CoursePlan.id == plan["id"]).first())["status"] == APPROVED
    line_ids = {ln for ln, _ in await services.plan_line_choices()}
    line = await CoursePlanLine.select(CoursePlanLine.id).where(CoursePlanLine.plan == plan["id"]).first()
    assert str(line["id"]) in line_ids
    s = await sign_in(await new_client(), "sales")
    rid2, r = await submit(s, "training_session", session_form(plan_line=str(line["id"])))
    assert rid2, r.text[:3000]
    rid3, r = await submit(s, "training_session", session_form(plan_line="99999999"))
    assert not rid3 and "所选培训计划项目不存在或计划未批准" in r.text


async def test_session_vp_from_threshold(new_client):
    c = await sign_in(await new_client(), "sales")
    rid, _ = await submit(c, "training_session", session_form("4999.99"))
    assert await chain(rid) == ["dept_head", "hr"]
    rid, _ = await submit(c, "training_session", session_form("5000.00"))
    assert await chain(rid) == ["dept_head", "hr", "vp"]


async def test_session_garbage_is_refused_on_fields(new_client):
    c = await sign_in(await new_client(), "sales")
    for extra in ({"hours": "0"}, {"hours": "9999"}, {"start_time": "25:00"}, {"budget": "x"}, {"held_on": "2020-01-01"},
                  {"trainer_emp": "abc"}, {"trainer_emp": "2147483647"}, {"topic": "长" * 500}):
        rid, r = await submit(c, "training_session", session_form(**extra))
        assert not rid and r.status_code == 400, extra


async def test_sign_in_scores_evaluation_and_record(new_client):
    sid, s = await approved_session(new_client)
    contract = await Employee.select(Employee.id).where(Employee.user.username == "contract").first()
    sales = await Employee.select(Employee.id).where(Employee.user.username == "sales").first()
    # the attendee signs in themself (the session is today)
    att = await sign_in(await new_client(), "contract")
    page = await att.get(f"/hr/courses/{sid}")
    assert page.status_code == 200 and 'data-testid="sign-in-button"' in page.text
    assert 'data-testid="attendance-form"' not in page.text
    r = await post(att, f"/hr/courses/{sid}/sign-in", {})
    assert r.status_code in (200, 303) and "已签到" in (await att.get(f"/hr/courses/{sid}")).text
    r = await post(att, f"/hr/courses/{sid}/sign-in", {})  # idempotent
    assert await CourseAttendance.count().where(CourseAttendance.session == sid) == 1
    # an attendee may not enter scores or tick
    r = await post(att, f"/hr/courses/{sid}/scores", {})
    assert r.status_code == 403
    # HR ticks the organiser as well; garbage ids refused
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, f"/hr/courses/{sid}/attendance", {"attendee": ["999999999"]})
    assert r.status_code == 400
    r = await hr.post(f"/hr/courses/{sid}/attendance", data={"attendee": [str(contract["id"]), str(sales["id"]), "x"],
                                                              "_csrf_token": await csrf_token(hr, "/hr/courses")})
    assert r.status_code in (200, 303), r.text[:2000]
    rows = {a["employee"]: a for a in await CourseAttendance.select().where(CourseAttendance.session == sid)}
    assert set(rows) == {contract["id"], sales["id"]} and rows[contract["id"]]["self_signed"]
    # scores: garbage refused on the field, nothing saved; then saved
    a_contract, a_sales = rows[contract["id"]]["id"], rows[sales["id"]]["id"]
    for bad in ("101", "-1", "abc", "1e2"):
        r = await post(hr, f"/hr/courses/{sid}/scores", {f"score_{a_contract}": bad, f"score_{a_sales}": "70"})
        assert r.status_code == 400 and f'data-testid="error-score_{a_contract}"' in r.text, bad
    assert (await CourseAttendance.select(CourseAttendance.score).where(CourseAttendance.id == a_sales).first())["score"] is None
    r = await post(hr, f"/hr/courses/{sid}/scores", {f"score_{a_contract}": "85", f"score_{a_sales}": "100"})
    assert r.status_code in (200, 303)
    # evaluation by the attendee: 1–5
    r = await post(att, f"/hr/courses/{sid}/evaluate", {"rating": "6", "comment": ""})
    assert r.status_code == 400 and 'data-testid="error-rating"' in r.text
    r = await post(att, f"/hr/courses/{sid}/evaluate", {"rating": "5", "comment": "很实用"})
    assert r.status_code in (200, 303)
    got = await CourseAttendance.select().where(CourseAttendance.id == a_contract).first()
    assert (got["score"], got["rating"], got["comment"]) == (85, 5, "很实用")
    # a non-attendee cannot evaluate
    other = await sign_in(await new_client(), "supervisor")
    r = await post(other, f"/hr/courses/{sid}/evaluate", {"rating": "3"})
    assert r.status_code == 400 and "签到后才能评价" in r.text
    # my record: the session and its hours in the year's sum
    mine = await att.get("/hr/courses/mine")
    assert mine.status_code == 200 and s["topic"] in mine.text and f'data-testid="course-year-{s["held_on"].year}"' in mine.text
    rec = await services.record_of(contract["id"])
    assert any(r["session"] == sid for r in rec["rows"])
    # profile section and events, called directly
    sec = await profile.section({"id": contract["id"], "name": "x"}, None)
    assert sec["title"] == "内部培训记录" and sec["template"] == "hr_course/_profile.html"
    assert any(r["session"] == sid for r in sec["ctx"]["record"]["rows"]) and not sec["ctx"]["show_scores"]
    ev = await profile.events(contract["id"])
    assert {"on": s["held_on"], "url": f"/hr/courses/{sid}"}.items() <= next(e for e in ev if e["url"] == f"/hr/courses/{sid}").items()


async def test_self_sign_in_only_on_the_day_and_pending_session_closed(new_client):
    sid, _ = await approved_session(new_client, on=today_local() + timedelta(days=3))
    att = await sign_in(await new_client(), "contract")
    r = await post(att, f"/hr/courses/{sid}/sign-in", {})
    assert r.status_code == 400 and "只能在培训当天" in r.text
    c = await sign_in(await new_client(), "sales")
    rid, _ = await submit(c, "training_session", session_form())
    pending = await CourseSession.select(CourseSession.id).where(CourseSession.request == rid).first()
    assert (await att.get(f"/hr/courses/{pending['id']}")).status_code == 403
    assert (await att.get("/hr/courses/99999999")).status_code == 404
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, f"/hr/courses/{pending['id']}/scores", {})
    assert r.status_code == 400 and "批准后才能" in r.text


async def test_new_hire_without_training_shown_to_hr(new_client, make_staff):
    newbie = await make_staff(today_local() - timedelta(days=3))
    hr = await sign_in(await new_client(), "hr")
    page = await hr.get("/hr/courses")
    assert page.status_code == 200 and f'data-testid="missing-{newbie["id"]}"' in page.text
    sid, _ = await approved_session(new_client, new_hire=True)
    r = await hr.post(f"/hr/courses/{sid}/attendance", data={"attendee": [str(newbie["id"])], "_csrf_token": await csrf_token(hr, "/hr/courses")})
    assert r.status_code in (200, 303)
    page = await hr.get("/hr/courses")
    assert f'data-testid="missing-{newbie["id"]}"' not in page.text
    assert (await (await sign_in(await new_client(), newbie["username"], PASSWORD)).get("/hr/courses/mine")).status_code == 200
