"""招聘 → 入职 through the real routes (SPEC §E12): 用人申请 经 → 人 → 副 (+ 总 outside the approved headcount, computed);
candidates, interview rounds and background check with bad input refused on the field; 录用审批 人 → 副 on a candidate
whose interviews and background check are done; 办理入职 creates exactly one employee, sign-in and project scope in one
transaction (a failure half-way leaves nothing) and is refused a second time; the new sign-in is sent to the 保密承诺书
and the 新员工入职培训 after signing in and on the home page until both are acknowledged. Each test uses its own position,
so the headcount figures are its own."""
import re
import uuid
from datetime import timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import today_local
from app.core.validators import id_check_char
from app.estate.tables import Project
from app.hr_contract.tables import LabourContract
from app.hr_probation.tables import EmployeeStatus
from app.hr_recruit import services
from app.hr_recruit.tables import Candidate, Headcount, Interview, Onboarding, Staffing
from app.org.tables import Employee, EmployeeProject, Position
from app.rules.tables import RuleVersion
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration


def id_number(seq: int) -> str:
    first17 = f"32050619900101{seq % 1000:03d}"
    return first17 + id_check_char(first17)


async def new_position(approved: int, role: str = "contract") -> int:
    """A fresh post (role 合同专员 unless told) with `approved` headcount in 锦程地产 (the dept_head's company)."""
    tag = uuid.uuid4().hex[:8]
    pos = Position(code=f"rc_{tag}", name=f"招聘测试岗{tag[:4]}", role=role, is_department_post=True, sort=999)
    await pos.save()
    company = (await Employee.select(Employee.company).where(Employee.user.username == "dept_head").first())["company"]
    await Headcount.insert(Headcount(company=company, position=pos.id, approved=approved))
    return pos.id


def staffing_form(position: int, headcount: int = 1) -> dict:
    return {"position": str(position), "headcount": str(headcount), "requirements": "大专及以上，一年以上房地产客服经验",
            "start_on": (today_local() + timedelta(days=20)).isoformat(), "reason": "签约高峰，合同专员不足"}


async def approved_staffing(new_client, position: int, headcount: int = 1) -> int:
    c = await sign_in(await new_client(), "dept_head")
    rid, r = await submit(c, "staffing", staffing_form(position, headcount))
    assert rid, r.text[:2000]
    for who in await chain(rid):
        await approve_as(new_client, rid, {"hr": "hr", "vp": "vp", "gm": "gm"}[who])
    assert await status(rid) == "已通过"
    return (await Staffing.select(Staffing.id).where(Staffing.request == rid).first())["id"]


async def post(c, path: str, data: dict, page: str | None = None):
    token = await csrf_token(c, page or path)
    return await c.post(path, data={**data, "_csrf_token": token})


async def ready_candidate(hr, sid: int, seq: int) -> int:
    base = f"/hr/recruit/{sid}/candidates"
    r = await post(hr, base, {"name": f"候选人{seq}", "mobile": "13812345678", "id_number": id_number(seq)})
    assert r.status_code == 303, r.text[:2000]
    cid = (await Candidate.select(Candidate.id).where((Candidate.staffing == sid)).order_by(Candidate.id, ascending=False).first())["id"]
    interviewer = (await Employee.select(Employee.id).where(Employee.user.username == "supervisor").first())["id"]
    r = await post(hr, f"{base}/{cid}/interviews", {"score": "86", "interviewer": str(interviewer), "held_on": today_local().isoformat(),
                                                      "note": "沟通清楚"}, base)
    assert r.status_code == 303, r.text[:2000]
    r = await post(hr, f"{base}/{cid}/background", {"bg_result": "通过", "bg_note": "原单位核实无误", "bg_on": today_local().isoformat()}, base)
    assert r.status_code == 303, r.text[:2000]
    return cid


# 面试审批: filed by hr, so its 人事 step goes to the other HR officer (no self-approval); 经 = the staffing's 客服副经理
review_approvers = {"hr": "hr2", "dept_head": "dept_head", "vp": "vp"}


async def interview_approved(new_client, cid: int) -> None:
    """The candidate's 面试审批 filed by HR and approved through its chain (skipped when already past it)."""
    if (await Candidate.select(Candidate.status).where(Candidate.id == cid).first())["status"] != "面试中":
        return
    hr = await sign_in(await new_client(), "hr")
    rid, r = await submit(hr, "interview", {"candidate": str(cid)})
    assert rid, r.text[:2000]
    for who in await chain(rid):
        await approve_as(new_client, rid, review_approvers[who])
    assert await status(rid) == "已通过"


def offer_form(cid: int, months: str = "3") -> dict:
    return {"candidate": str(cid), "salary": "8500.00", "start_on": (today_local() + timedelta(days=10)).isoformat(), "probation_months": months}


async def approved_offer(new_client, cid: int) -> int:
    await interview_approved(new_client, cid)
    c = await sign_in(await new_client(), "dept_head")
    rid, r = await submit(c, "offer", offer_form(cid))
    assert rid, r.text[:2000]
    assert await chain(rid) == ["hr", "vp"]
    await approve_as(new_client, rid, "hr")
    await approve_as(new_client, rid, "vp")
    assert await status(rid) == "已通过"
    return rid


async def test_staffing_chain_inside_and_outside_the_headcount(new_client):
    pos = await new_position(approved=1)
    c = await sign_in(await new_client(), "dept_head")
    inside, r = await submit(c, "staffing", staffing_form(pos))
    assert inside, r.text[:2000]
    assert await chain(inside) == ["hr", "vp"]
    assert not (await Staffing.select(Staffing.outside).where(Staffing.request == inside).first())["outside"]
    # the first one is still asked for: one more is outside the approved headcount of 1 → 总经理 too
    outside, r = await submit(c, "staffing", staffing_form(pos))
    assert outside, r.text[:2000]
    assert await chain(outside) == ["hr", "vp", "gm"]
    row = await Staffing.select().where(Staffing.request == outside).first()
    assert row["outside"] and (row["approved"], row["employed"], row["pending"]) == (1, 0, 1)
    page = await c.get(f"/workflow/requests/{outside}")
    assert "超出编制" in page.text
    # a staff member may not file it
    other = await sign_in(await new_client(), "sales")
    assert (await other.get("/workflow/new/staffing")).status_code == 403


async def test_staffing_bad_input_is_refused_on_the_field(new_client):
    c = await sign_in(await new_client(), "dept_head")
    before = await Staffing.count()
    for bad in ({"position": "abc"}, {"position": "999999"}, {"headcount": "0"}, {"headcount": "x"}, {"start_on": "2026-13-40"},
                {"requirements": ""}):
        data = {**staffing_form(await new_position(1)), **bad}
        rid, r = await submit(c, "staffing", data)
        assert rid == 0 and r.status_code in (200, 400), r.status_code
        assert "is-invalid" in r.text
    assert await Staffing.count() == before


async def test_candidates_interviews_background_bad_input(new_client):
    sid = await approved_staffing(new_client, await new_position(2))
    hr = await sign_in(await new_client(), "hr")
    base = f"/hr/recruit/{sid}/candidates"
    for bad, field in (({"mobile": "123"}, "mobile"), ({"id_number": "320506199001010010"}, "id_number"),
                       ({"id_number": "３２０５０６"}, "id_number"), ({"name": ""}, "name")):
        r = await post(hr, base, {"name": "张三", "mobile": "13812345678", "id_number": id_number(7), **bad})
        assert r.status_code == 400 and f'data-testid="error-{field}"' in r.text, (bad, r.status_code)
    assert await Candidate.count().where(Candidate.staffing == sid) == 0
    cid = await ready_candidate(hr, sid, 8)
    page = await hr.get(base)
    assert "138****5678" in page.text and id_number(8) not in page.text  # masked by default
    revealed = await post(hr, f"{base}/{cid}/unmask", {}, base)
    assert revealed.status_code == 200 and id_number(8) in revealed.text
    for score in ("101", "-1", "abc", "", "８０"):
        r = await post(hr, f"{base}/{cid}/interviews", {"score": score, "interviewer": "1", "held_on": today_local().isoformat()}, base)
        assert r.status_code == 400 and 'data-testid="error-score"' in r.text, score
    r = await post(hr, f"{base}/{cid}/interviews", {"score": "70", "interviewer": "x", "held_on": "yesterday"}, base)
    assert r.status_code == 400
    r = await post(hr, f"{base}/{cid}/background", {"bg_result": "maybe", "bg_note": "", "bg_on": ""}, base)
    assert r.status_code == 400 and 'data-testid="error-bg_result"' in r.text
    assert await Interview.count().where(Interview.candidate == cid) == 1
    # others may not see the page
    sales = await sign_in(await new_client(), "sales")
    assert (await sales.get(base)).status_code == 403
    assert (await hr.get("/hr/recruit")).status_code == 200


async def test_offer_picker_probation_and_chain(new_client):
    sid = await approved_staffing(new_client, await new_position(2))
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, f"/hr/recruit/{sid}/candidates", {"name": "未面试", "mobile": "13912345678", "id_number": id_number(21)})
    assert r.status_code == 303
    fresh = (await Candidate.select(Candidate.id).where(Candidate.staffing == sid).first())["id"]
    c = await sign_in(await new_client(), "dept_head")
    rid, r = await submit(c, "offer", offer_form(fresh))
    assert rid == 0 and "没有找到面试审批已通过" in r.text  # not interviewed: not offerable
    cid = await ready_candidate(hr, sid, 22)
    await interview_approved(new_client, cid)
    rid, r = await submit(c, "offer", offer_form(cid, months="7"))
    assert rid == 0 and 'data-testid="error-probation_months"' in r.text
    await approved_offer(new_client, cid)
    assert (await Candidate.select(Candidate.status).where(Candidate.id == cid).first())["status"] == "已录用"


async def _onboard(hr, sid: int, cid: int, projects: list[int]):
    path = f"/hr/recruit/{sid}/candidates/{cid}/onboard"
    token = await csrf_token(hr, path)
    return await hr.post(path, data={"projects": [str(p) for p in projects], "_csrf_token": token})


async def test_onboarding_creates_one_employee_user_scope_and_gates_first_sign_in(new_client):
    pos = await new_position(1)
    sid = await approved_staffing(new_client, pos)
    hr = await sign_in(await new_client(), "hr")
    cid = await ready_candidate(hr, sid, 31)
    await approved_offer(new_client, cid)
    projects = [r["id"] for r in await Project.select(Project.id).order_by(Project.id).limit(1)]
    employees, users = await Employee.count(), await BaseUser.count()
    bad = await _onboard(hr, sid, cid, [0])
    assert bad.status_code == 400 and await Employee.count() == employees
    r = await _onboard(hr, sid, cid, projects)
    assert r.status_code == 303, r.text[:2000]
    assert await Employee.count() == employees + 1 and await BaseUser.count() == users + 1
    ob = await Onboarding.select().where(Onboarding.candidate == cid).first()
    emp = await Employee.select().where(Employee.id == ob["employee"]).first()
    assert emp["position"] == pos and emp["user"] == ob["user"] and emp["active"]
    assert emp["manager"] == (await Employee.select(Employee.id).where(Employee.user.username == "dept_head").first())["id"]
    assert [p["project"] for p in await EmployeeProject.select(EmployeeProject.project).where(EmployeeProject.employee == emp["id"])] == projects
    contract = await LabourContract.select().where(LabourContract.employee == emp["id"]).first()
    assert contract["status"] == "待签" and contract["start"] == emp["hired_on"] and contract["probation_end"] is not None
    assert (await EmployeeStatus.select(EmployeeStatus.status).where(EmployeeStatus.employee == emp["id"]).first())["status"] == "试用期"
    from app.hr_move.tables import PositionHistory
    from app.hr_people.tables import EmployeeFile

    cand = await Candidate.select(Candidate.id_number).where(Candidate.id == cid).first()
    file = await EmployeeFile.select().where(EmployeeFile.employee == emp["id"]).first()  # the record's personnel file
    assert file and file["id_no"] == cand["id_number"] and file["base_salary"] == contract["pay"]
    hist = await PositionHistory.select().where(PositionHistory.employee == emp["id"])
    assert [(h["reason"], h["position"], h["since"]) for h in hist] == [("入职", pos, emp["hired_on"])]
    assert (await Staffing.select(Staffing.status).where(Staffing.id == sid).first())["status"] == "已关闭"  # headcount 1 filled
    # a second time: refused, nothing more written
    again = await _onboard(hr, sid, cid, projects)
    assert again.status_code in (400, 404)
    assert await Employee.count() == employees + 1 and await BaseUser.count() == users + 1
    # the one-time password, then the first sign-in goes to the pledge
    page = await hr.get(r.headers["location"])
    assert page.status_code == 200 and emp["employee_no"] in page.text
    shown = await post(hr, f"/hr/recruit/onboardings/{ob['id']}/password/unmask", {}, f"/hr/recruit/onboardings/{ob['id']}")
    password = re.search(r'data-testid="initial-password">([^<]+)<', shown.text).group(1)
    new = await new_client()
    token = await csrf_token(new)
    r = await new.post("/login", data={"username": emp["employee_no"], "password": password, "_csrf_token": token, "next": "/"})
    assert r.status_code == 303 and r.headers["location"] == "/rules/hr-pledge"
    assert (await new.get("/")).headers["location"] == "/rules/hr-pledge"
    for code, then in (("hr-pledge", "/rules/hr-induction"), ("hr-induction", None)):
        v = await RuleVersion.select(RuleVersion.id).where((RuleVersion.document.code == code) & (RuleVersion.is_current == True)).first()  # noqa: E712
        ack = await post(new, f"/rules/versions/{v['id']}/ack", {}, f"/rules/{code}")
        assert ack.status_code == 303 and ack.headers["location"] == (then or f"/rules/{code}")  # on to the next one
        home = await new.get("/")
        if then:
            assert home.status_code == 303 and home.headers["location"] == then
        else:
            assert home.status_code == 200
    assert not (await Onboarding.select(Onboarding.gated).where(Onboarding.id == ob["id"]).first())["gated"]
    # once signed in, the password is no longer shown
    refused = await post(hr, f"/hr/recruit/onboardings/{ob['id']}/password/unmask", {}, f"/hr/recruit/onboardings/{ob['id']}")
    assert refused.status_code == 400


async def test_onboarding_is_one_transaction(new_client, monkeypatch):
    sid = await approved_staffing(new_client, await new_position(1))
    hr = await sign_in(await new_client(), "hr")
    cid = await ready_candidate(hr, sid, 41)
    await approved_offer(new_client, cid)
    from app.hr_contract import services as contracts

    async def broken(*args, **kwargs):
        raise RuntimeError("contract service down")

    monkeypatch.setattr(contracts, "create", broken)
    employees, users, scope = await Employee.count(), await BaseUser.count(), await EmployeeProject.count()
    with pytest.raises(RuntimeError):
        await services.onboard(None, sid, cid, [], today_local())
    assert (await Employee.count(), await BaseUser.count(), await EmployeeProject.count()) == (employees, users, scope)
    assert not await Onboarding.exists().where(Onboarding.candidate == cid)


async def test_demo_accounts_are_not_gated(new_client):
    c = await new_client()
    token = await csrf_token(c)
    r = await c.post("/login", data={"username": "contract", "password": "demo2026", "_csrf_token": token, "next": "/"})
    assert r.status_code == 303 and r.headers["location"] == "/"


GARBAGE = ("", "x" * 5000, "\u0000", "-1", "99999999999999999999", "２０２６-01-01", "2026-02-30", "1e9", "<script>", "０")


async def test_garbage_never_500(new_client):
    sid = await approved_staffing(new_client, await new_position(3))
    hr = await sign_in(await new_client(), "hr")
    cid = await ready_candidate(hr, sid, 51)
    base = f"/hr/recruit/{sid}/candidates"
    token = await csrf_token(hr, base)
    names = ("name", "mobile", "id_number", "score", "interviewer", "held_on", "note", "bg_result", "bg_note", "bg_on", "projects")
    paths = [base, f"{base}/{cid}/interviews", f"{base}/{cid}/background", f"{base}/{cid}/onboard", f"{base}/999999/onboard",
             f"/hr/recruit/999999/candidates", "/hr/recruit/onboardings/999999/password/unmask", f"{base}/{cid}/unmask"]
    for i, value in enumerate(GARBAGE):
        for path in paths:
            r = await hr.post(path, data={**{n: value for n in names}, "_csrf_token": token})
            assert r.status_code < 500, (path, value, r.status_code)
    c = await sign_in(await new_client(), "dept_head")
    for value in GARBAGE:
        for flow, fields in (("staffing", ("position", "headcount", "requirements", "start_on", "reason")),
                             ("offer", ("candidate", "salary", "start_on", "probation_months"))):
            rid, r = await submit(c, flow, {f: value for f in fields})
            assert rid == 0 and r.status_code < 500, (flow, value, r.status_code)
    for q in ("", "周", "\u0000", "x" * 300):
        assert (await c.get("/workflow/new/offer/records", params={"q": q}, headers={"HX-Request": "true"})).status_code < 500
