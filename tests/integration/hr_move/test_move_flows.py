"""晋升申请 and 跨公司调动 through the real routes (SPEC §E9, §E10): the manager nominates a direct report; 人事 → 分管副总
(→ 总经理 for a 主管-and-above target); the position changes only after the 公示 (once, by the job or on opening the
page); the 任命通知 prints then; the picker refuses someone else's report; the transfer's chain reaches both companies,
its last approval waits for the handover checklist, and on the effective date the person moves with hired_on kept.
Each test files about its own new employee (deactivated at the end)."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import now, today_local
from app.core.workdays import add_working_days
from app.hr_move import remind, services
from app.hr_move.tables import Grade, PositionHistory, Promotion, Transfer
from app.org.tables import Company, Department, Employee, Position
from app.workflow.engine import applicant_of, users_with_role
from app.workflow.tables import Request, Task
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, pending_task, act, status, submit

pytestmark = pytest.mark.integration

PASSWORD = "MoveTest2026x"


async def make_staff(manager: str = "supervisor", position: str = "contract") -> dict:
    tag = uuid.uuid4().hex[:8]
    m = await Employee.select(Employee.id, Employee.company, Employee.department).where(Employee.user.username == manager).first()
    pos = await Position.select(Position.id).where(Position.code == position).first()
    user = await BaseUser.create_user(username=f"mv_{tag}", password=PASSWORD, email=f"mv_{tag}@test.invalid", active=True)
    hired = today_local() - timedelta(days=800)
    emp = Employee(user=user.id, employee_no=f"MV{tag}", name=f"调岗测试{tag[:4]}", company=m["company"], department=m["department"],
                   position=pos["id"], manager=m["id"], hired_on=hired, is_group_lead=True, active=True)
    await emp.save()
    p2 = await Grade.select(Grade.id).where(Grade.code == "P2").first()
    await PositionHistory.insert(PositionHistory(employee=emp.id, company=m["company"], department=m["department"], position=pos["id"],
                                                 grade=p2["id"] if p2 else None, since=hired, reason="入职", created_at=now()))
    return {"id": emp.id, "username": user.username, "user_id": user.id, "hired_on": hired, "company": m["company"]}


@pytest.fixture
async def staff():
    made = []

    async def make(**kw):
        s = await make_staff(**kw)
        made.append(s)
        return s

    yield make
    for s in made:  # close what is still open about them, so no other test's inbox holds it
        reqs = [r["request"] for r in await Promotion.select(Promotion.request).where(Promotion.employee == s["id"])]
        reqs += [r["request"] for r in await Transfer.select(Transfer.request).where(Transfer.employee == s["id"])]
        if reqs:
            await Task.update({Task.status: "已取消"}).where(Task.request.is_in(reqs) & Task.status.is_in(["待处理", "等待", "未开始"]))
            await Request.update({Request.status: "已撤回"}).where(Request.id.is_in(reqs) & Request.status.is_in(["审批中", "已退回"]))
        await Employee.update({Employee.active: False}).where(Employee.id == s["id"])
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == s["user_id"])


def leave_form(day) -> dict:
    return {"kind": "事假", "start_on": day.isoformat(), "start_half": "上午", "end_on": day.isoformat(), "end_half": "下午",
            "reason": "家中有事"}


async def assignees(request_id: int) -> set[int]:
    return {t["assignee"] for t in await Task.select(Task.assignee).where(Task.request == request_id)}


async def ids(code_pos: str, code_grade: str) -> tuple[int, int]:
    pos = await Position.select(Position.id).where(Position.code == code_pos).first()
    g = await Grade.select(Grade.id).where(Grade.code == code_grade).first()
    return pos["id"], g["id"]


def promo_form(emp_id: int, pos: int, grade: int, **extra) -> dict:
    return {"employee": str(emp_id), "to_position": str(pos), "to_grade": str(grade), "score": "92",
            "appraisal": "年度考核优秀，担任组长一年", "salary_change": "1500.00", **extra}


async def test_promotion_to_supervisor_has_gm_and_takes_effect_after_the_publication(new_client, staff):
    s = await staff()
    pos, grade = await ids("supervisor", "M1")
    mgr = await sign_in(await new_client(), "supervisor")
    rid, r = await submit(mgr, "promotion", promo_form(s["id"], pos, grade))
    assert rid, r.text[:3000]
    assert await chain(rid) == ["hr", "vp", "gm"]  # the TARGET post is 主管 and above
    detail = await mgr.get(f"/workflow/requests/{rid}")
    assert "2 年" in detail.text and "司龄" in detail.text
    for who in ("hr", "vp", "gm"):
        assert (await approve_as(new_client, rid, who)).status_code in (200, 303)
    assert await status(rid) == "已通过"
    p = await Promotion.select().where(Promotion.request == rid).first()
    until = p["publish_until"]
    assert until and until > today_local() and p["applied_at"] is None
    assert (await Employee.select(Employee.position).where(Employee.id == s["id"]).first())["position"] != pos
    page = await mgr.get(f"/hr/moves/{rid}")
    assert page.status_code == 200 and "公示中" in page.text
    assert (await mgr.get(f"/hr/moves/{rid}/notice")).status_code == 404
    # before the person's promotion, a 客服主管 duty is not theirs
    company = s["company"]
    assert s["user_id"] not in await users_with_role("supervisor", company)
    filer = await staff()  # files a 1-day leave (≤ 1 day: 客服主管) before and after the appointment
    fc = await sign_in(await new_client(), filer["username"], PASSWORD)
    day = await add_working_days(today_local(), 20)
    leave_before, r = await submit(fc, "leave", leave_form(day))
    assert leave_before, r.text[:2000]
    assert await remind.remind_once(until) == 0  # the last day of the publication: still 公示中
    assert (await Employee.select(Employee.position).where(Employee.id == s["id"]).first())["position"] != pos
    assert await remind.remind_once(until + timedelta(days=1)) >= 1
    assert await remind.remind_once(until + timedelta(days=1)) == 0  # once per request
    assert (await Employee.select(Employee.position).where(Employee.id == s["id"]).first())["position"] == pos
    hist = await PositionHistory.select(PositionHistory.reason, PositionHistory.grade).where(
        (PositionHistory.employee == s["id"]) & (PositionHistory.request == rid))
    assert hist == [{"reason": "晋升", "grade": grade}]
    # duties follow the new position from the next request on: role-resolved steps now reach them; they are senior
    assert s["user_id"] in await users_with_role("supervisor", company)
    leave_after, r = await submit(fc, "leave", leave_form(await add_working_days(day, 2)))
    assert leave_after, r.text[:2000]
    assert s["user_id"] not in await assignees(leave_before)  # resolved at request time: the earlier one is not theirs
    assert s["user_id"] in await assignees(leave_after)  # from their next request on, the 客服主管's duty is theirs
    await Task.update({Task.status: "已取消"}).where(Task.request.is_in([leave_before, leave_after]) & (Task.status == "待处理"))
    await Request.update({Request.status: "已撤回"}).where(Request.id.is_in([leave_before, leave_after]))
    me = await sign_in(await new_client(), s["username"], PASSWORD)
    who = type("U", (), {"employee_id": s["id"], "user_id": s["user_id"]})()
    assert (await applicant_of(who)).senior
    notice = await me.get(f"/hr/moves/{rid}/notice")
    assert notice.status_code == 200 and "任命通知" in notice.text and "客服主管" in notice.text
    # profile section and timeline
    from app.hr_move import profile

    hr = type("V", (), {"employee_id": None, "user_id": 0, "can": lambda self, p: True})()
    sec = await profile.section({"id": s["id"]}, hr)
    assert sec["title"] == "岗位与职级" and sec["ctx"]["history"][0]["reason"] == "晋升"
    ev = await profile.events(s["id"])
    assert [e["text"][:2] for e in ev] == ["入职", "晋升"] and ev[1]["url"] == f"/hr/moves/{rid}"
    other = type("V", (), {"employee_id": -1, "user_id": -1, "can": lambda self, p: False})()
    assert await profile.section({"id": s["id"]}, other) is None
    sup = await Employee.select(Employee.user).where(Employee.user.username == "supervisor").first()
    boss = type("V", (), {"employee_id": -2, "user_id": sup["user"], "can": lambda self, p: False})()
    assert (await profile.section({"id": s["id"]}, boss))["template"] == "hr_move/_profile.html"


async def test_opening_the_page_after_the_publication_completes_it(new_client, staff):
    s = await staff(position="contract")
    pos, grade = await ids("contract", "P4")  # same post, higher grade: not 主管 and above → no 总经理
    me = await sign_in(await new_client(), s["username"], PASSWORD)  # 申: the person themself
    rid, r = await submit(me, "promotion", promo_form(s["id"], pos, grade))
    assert rid, r.text[:3000]
    assert await chain(rid) == ["hr", "vp"]
    for who in ("hr", "vp"):
        await approve_as(new_client, rid, who)
    await Promotion.update({Promotion.publish_until: today_local() - timedelta(days=1)}).where(Promotion.request == rid)
    page = await me.get(f"/hr/moves/{rid}")
    assert page.status_code == 200 and "已任命" in page.text
    hist = await PositionHistory.select(PositionHistory.grade).where((PositionHistory.employee == s["id"]) & (PositionHistory.request == rid))
    assert hist == [{"grade": grade}]
    assert await remind.remind_once() == 0 or not await PositionHistory.count().where(PositionHistory.request == rid) > 1


async def test_picker_refuses_someone_elses_report_and_bad_input(new_client, staff):
    s = await staff(manager="contract")  # reports to 合同专员, not to the 客服主管
    pos, grade = await ids("supervisor", "M1")
    mgr = await sign_in(await new_client(), "supervisor")
    rid, r = await submit(mgr, "promotion", promo_form(s["id"], pos, grade))
    assert rid == 0 and r.status_code == 400 and "只能为本人或您的直接下属" in r.text
    opts = await mgr.get("/workflow/new/promotion/records", params={"q": ""}, headers={"HX-Request": "true"})
    assert f'value="{s["id"]}"' not in opts.text
    for bad in ({"to_position": "x"}, {"to_grade": "99999999"}, {"score": "101"}, {"salary_change": "1e9"}, {"employee": "-1"}):
        rid, r = await submit(mgr, "promotion", {**promo_form(s["id"], pos, grade), **bad})
        assert rid == 0 and r.status_code == 400, bad
    rid, r = await submit(mgr, "transfer", {"employee": str(s["id"]), "to_company": "abc", "effective_on": "2026-13-40"})
    assert rid == 0 and r.status_code == 400


async def test_transfer_reaches_both_companies_waits_for_the_handover_and_keeps_service(new_client, staff):
    s = await staff()
    b = await Company.select(Company.id).where(Company.name == "锦程置业（无锡）有限公司").first()
    dept = await Department.select(Department.id).where(Department.code == "B-KF").first()
    pos = await Position.select(Position.id).where(Position.code == "contract").first()
    mgr = await sign_in(await new_client(), "supervisor")
    today = today_local()
    rid, r = await submit(mgr, "transfer", {"employee": str(s["id"]), "to_company": str(b["id"]), "to_department": str(dept["id"]),
                                            "to_position": str(pos["id"]), "effective_on": today.isoformat(), "salary": "9000.00",
                                            "si_done": "1", "si_date": today.isoformat()})
    assert rid, r.text[:3000]
    assert await chain(rid) == ["release_head", "release_hr", "receive_head", "receive_hr", "gm_both"]
    for who in ("dept_head", "hr", "b_dept_head", "hr", "gm"):
        assert (await approve_as(new_client, rid, who)).status_code in (200, 303)
    # the receiving company's 总经理 is the last signer: refused while the handover is open
    c = await sign_in(await new_client(), "b_gm")
    r = await act(c, await pending_task(rid, "b_gm"))
    assert await status(rid) == "审批中"
    t = await services.transfer_of(rid)
    hrc = await sign_in(await new_client(), "hr")
    page = (await hrc.get(f"/hr/moves/{rid}")).text  # HR ticks against the holdings registry's list (E5 without the exit)
    assert "名下在办事项（" in page and 'data-testid="profile-holdings"' in page
    for item in t["items"]:
        token = await csrf_token(hrc, f"/hr/moves/{rid}")
        res = await hrc.post(f"/hr/moves/{rid}/items/{item['id']}", data={"done": "1", "_csrf_token": token})
        assert res.status_code in (200, 303)
    assert all(i["done"] for i in (await services.transfer_of(rid))["items"])
    await approve_as(new_client, rid, "b_gm")
    assert await status(rid) == "已通过"
    assert await remind.remind_once(today) >= 1
    assert await remind.remind_once(today) == 0
    e = await Employee.select(Employee.company, Employee.department, Employee.hired_on).where(Employee.id == s["id"]).first()
    assert e == {"company": b["id"], "department": dept["id"], "hired_on": s["hired_on"]}
    assert await PositionHistory.exists().where((PositionHistory.request == rid) & (PositionHistory.reason == "调动"))
    page = await hrc.get(f"/hr/moves/{rid}")
    assert page.status_code == 200 and "已生效" in page.text and "第十条" in page.text
    assert (await Transfer.select(Transfer.salary).where(Transfer.request == rid).first())["salary"] == Decimal("9000.00")
    # someone outside it may not look; the list is HR's
    other = await sign_in(await new_client(), "sales")
    assert (await other.get(f"/hr/moves/{rid}")).status_code == 403
    assert (await other.get("/hr/moves")).status_code == 403
    assert (await hrc.get("/hr/moves")).status_code == 200
    listed = await hrc.get("/hr/moves?kind=transfer")  # one tab at a time, paged; its pages are fragments
    assert listed.status_code == 200 and f"/hr/moves/{rid}" in listed.text and 'data-testid="pagination"' in listed.text
    frag = await hrc.get("/hr/moves?kind=transfer&page=2", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and 'id="move-list"' in frag.text


GARBAGE = ["", "x" * 5000, "\x00", "-1", "0", "99999999999999999999", "1e400", "NaN", "２０２６-０１-０１", "2026-02-30", "١٢", "<script>"]


async def test_garbage_never_500(new_client, staff):
    s = await staff()
    pos, grade = await ids("supervisor", "M1")
    mgr = await sign_in(await new_client(), "supervisor")
    good_p = promo_form(s["id"], pos, grade)
    good_t = {"employee": str(s["id"]), "to_company": "1", "to_department": "1", "to_position": str(pos), "effective_on": "2099-01-01",
              "salary": "1", "si_done": "1", "si_date": "2099-01-01", "note": "x"}
    for flow, good in (("promotion", good_p), ("transfer", good_t)):
        for name in good:
            for value in GARBAGE:
                rid, r = await submit(mgr, flow, {**good, name: value})
                assert rid or r.status_code < 500, (flow, name, value, r.text[-2000:])
    hrc = await sign_in(await new_client(), "hr")
    token = await csrf_token(hrc, "/hr/moves")
    for path in ("/hr/moves/2147483647/items/1", "/hr/moves/1/items/2147483647"):
        r = await hrc.post(path, data={"done": "\x00", "_csrf_token": token})
        assert r.status_code < 500
    for path in ("/hr/moves/2147483647", "/hr/moves/2147483647/notice"):
        assert (await hrc.get(path)).status_code == 404
