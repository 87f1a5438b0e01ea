"""转正申请 through the real routes (SPEC §E11): the employee files about their own contract in probation; 直属上级评分
→ 人事 (→ 分管副总 for 主管 and above); the score and the outcome recorded on /hr/probation/{id} by that step's
approver; approval applies the outcome to hr_employee_status; 不予录用 refused without evidence or after the end; the
reminder sent once per contract; others get 403. Each test files as its own new employee."""
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.tables import Notification
from app.core.timeutil import now, today_local
from app.hr_contract.rules import FIXED, SIGNED, add_months
from app.hr_contract.tables import LabourContract
from app.hr_probation import remind
from app.hr_probation.tables import EmployeeStatus, ProbationReview
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, pending_task, act, status, submit

pytestmark = pytest.mark.integration

PASSWORD = "Probation2026x"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def make_staff(like: str, probation_days: int):
    """A new employee shaped like the demo user `like` (same post and manager) with a signed three-year contract whose
    probation ends `probation_days` from today."""
    tag = uuid.uuid4().hex[:8]
    base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager,
                                 Employee.manager.user.username).where(Employee.user.username == like).first()
    user = await BaseUser.create_user(username=f"prob_{tag}", password=PASSWORD, email=f"prob_{tag}@test.invalid", active=True)
    today = today_local()
    start = today - timedelta(days=60)
    emp = Employee(user=user.id, employee_no=f"PB{tag}", name=f"转正测试{tag[:4]}", company=base["company"], department=base["department"],
                   position=base["position"], manager=base["manager"], hired_on=start, active=True)
    await emp.save()
    c = LabourContract(employee=emp.id, seq=1, kind=FIXED, start=start, end=add_months(start, 36) - timedelta(days=1),
                       probation_end=today + timedelta(days=probation_days), probation_pay=Decimal("8000"), pay=Decimal("10000"),
                       post="客服专员", signed_on=start, status=SIGNED, created_at=now())
    await c.save()
    return {"id": emp.id, "username": user.username, "contract": c.id, "manager": base["manager.user.username"],
            "probation_end": c.probation_end}


@pytest.fixture
async def staff():
    made = []

    async def make(like: str = "sales", probation_days: int = 20):
        s = await make_staff(like, probation_days)
        made.append(s)
        return s

    yield make
    for s in made:
        await Notification.delete().where(Notification.ref == remind.reference(s["contract"]))
        await EmployeeStatus.delete().where(EmployeeStatus.employee == s["id"])
        await Employee.update({Employee.active: False}).where(Employee.id == s["id"])
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.username == s["username"])


async def client_of(new_client, s):
    return await sign_in(await new_client(), s["username"], PASSWORD)


async def file(new_client, s) -> int:
    c = await client_of(new_client, s)
    rid, r = await submit(c, "probation", {"contract": str(s["contract"]), "self_appraisal": "试用期内完成客户接待与回访工作"})
    assert rid, r.text[:3000]
    return rid


async def post_as(new_client, username: str, path: str, data: dict, files=None):
    c = await sign_in(await new_client(), username)
    token = await csrf_token(c, "/hr/probation")
    return await c.post(path, data={**data, "_csrf_token": token}, files=files)


async def score(new_client, s, rid, value="85"):
    return await post_as(new_client, s["manager"], f"/hr/probation/{rid}/score", {"score": value, "score_comment": "表现良好"})


async def test_file_score_decide_and_confirm(new_client, staff):
    s = await staff()
    rid = await file(new_client, s)
    assert await chain(rid) == ["manager", "hr"]
    # HR may not decide before the manager's step is theirs; the manager scores on the review page
    r = await score(new_client, s, rid, "abc")
    assert r.status_code == 400 and "评分" in r.text
    r = await score(new_client, s, rid)
    assert r.status_code == 303, r.text[:2000]
    assert (await approve_as(new_client, rid, s["manager"])).status_code in (200, 303)
    # HR approves without an outcome: refused, the request stays open
    r = await approve_as(new_client, rid, "hr")
    assert r.status_code == 400 and "结论" in r.text
    assert await status(rid) == "审批中"
    r = await post_as(new_client, "hr", f"/hr/probation/{rid}/outcome", {"outcome": "延长试用期", "reason": ""})
    assert r.status_code == 400 and ("选项无效" in r.text or "不得延长" in r.text)
    r = await post_as(new_client, "hr", f"/hr/probation/{rid}/outcome", {"outcome": "转正", "reason": ""})
    assert r.status_code == 303, r.text[:2000]
    await approve_as(new_client, rid, "hr")
    assert await status(rid) == "已通过"
    st = await EmployeeStatus.select().where(EmployeeStatus.employee == s["id"]).first()
    assert st["status"] == "正式" and st["since"] == s["probation_end"] + timedelta(days=1)
    hr = await sign_in(await new_client(), "hr")
    assert (await hr.get("/hr/probation")).status_code == 200 and (await hr.get("/hr/probation?f=all&page=2")).status_code == 200
    mine = await (await client_of(new_client, s)).get("/hr/probation")
    assert mine.status_code == 200 and "正式" in mine.text.split(f'data-testid="probation-status-{s["contract"]}"')[1][:300]
    # the same contract cannot be filed again once approved
    c = await client_of(new_client, s)
    again, r = await submit(c, "probation", {"contract": str(s["contract"]), "self_appraisal": "再次"})
    assert not again


async def test_senior_goes_to_the_vp(new_client, staff):
    s = await staff("supervisor")
    rid = await file(new_client, s)
    assert await chain(rid) == ["manager", "hr", "vp"]
    await score(new_client, s, rid, "90")
    await approve_as(new_client, rid, s["manager"])
    await post_as(new_client, "hr", f"/hr/probation/{rid}/outcome", {"outcome": "转正"})
    await approve_as(new_client, rid, "hr")
    assert await status(rid) == "审批中"
    await approve_as(new_client, rid, "vp")
    assert await status(rid) == "已通过"
    assert (await EmployeeStatus.select(EmployeeStatus.status).where(EmployeeStatus.employee == s["id"]).first())["status"] == "正式"


async def test_not_hired_needs_evidence_and_reason(new_client, staff):
    s = await staff()
    rid = await file(new_client, s)
    await score(new_client, s, rid, "40")
    await approve_as(new_client, rid, s["manager"])
    path = f"/hr/probation/{rid}/outcome"
    r = await post_as(new_client, "hr", path, {"outcome": "不予录用", "reason": "未达到录用条件"})
    assert r.status_code == 400 and "材料" in r.text and "第三十九条" in r.text
    r = await post_as(new_client, "hr", path, {"outcome": "不予录用", "reason": ""}, files=[("files", ("考核记录.pdf", PDF, "application/pdf"))])
    assert r.status_code == 400 and "具体情形" in r.text
    r = await post_as(new_client, "hr", path, {"outcome": "不予录用", "reason": "连续两月考核不合格"},
                      files=[("files", ("考核记录.pdf", PDF, "application/pdf"))])
    assert r.status_code == 303, r.text[:2000]
    await approve_as(new_client, rid, "hr")
    assert await status(rid) == "已通过"
    st = await EmployeeStatus.select().where(EmployeeStatus.employee == s["id"]).first()
    assert st["status"] == "不予录用"


async def test_not_hired_refused_after_the_end(new_client, staff):
    s = await staff(probation_days=-1)  # the probation ended yesterday
    rid = await file(new_client, s)
    await score(new_client, s, rid)
    await approve_as(new_client, rid, s["manager"])
    r = await post_as(new_client, "hr", f"/hr/probation/{rid}/outcome", {"outcome": "不予录用", "reason": "考核不合格"},
                      files=[("files", ("考核记录.pdf", PDF, "application/pdf"))])
    assert r.status_code == 400 and "已于" in r.text and "第二十一条" in r.text
    assert (await ProbationReview.select(ProbationReview.outcome).where(ProbationReview.request == rid).first())["outcome"] == ""


async def test_others_get_403_and_the_picker_offers_only_ones_own(new_client, staff):
    s = await staff()
    other = await staff()
    rid = await file(new_client, s)
    o = await client_of(new_client, other)
    assert (await o.get(f"/hr/probation/{rid}")).status_code == 403
    # another employee cannot file about this contract
    bad, r = await submit(o, "probation", {"contract": str(s["contract"]), "self_appraisal": "冒名"})
    assert not bad and r.status_code in (400, 403, 422)
    # HR cannot score, the manager cannot decide, a bystander cannot do either
    assert (await post_as(new_client, "hr", f"/hr/probation/{rid}/score", {"score": "80"})).status_code == 403
    assert (await post_as(new_client, s["manager"], f"/hr/probation/{rid}/outcome", {"outcome": "转正"})).status_code == 403
    assert (await post_as(new_client, "contract", f"/hr/probation/{rid}/score", {"score": "80"})).status_code == 403
    # the employee's list shows only their own
    mine = await (await client_of(new_client, s)).get("/hr/probation")
    assert mine.status_code == 200 and f'probation-{s["contract"]}"' in mine.text and f'probation-{other["contract"]}"' not in mine.text
    assert (await o.get("/hr/probation/999999999")).status_code == 404
    assert (await o.get("/hr/probation/abc")).status_code in (400, 404)


async def test_garbage_is_refused_without_500(new_client, staff):
    s = await staff()
    rid = await file(new_client, s)
    for v in ("", "-1", "101", "9" * 40, "\x00", "八十"):
        r = await score(new_client, s, rid, v)
        assert r.status_code == 400, (v, r.status_code)
    c = await client_of(new_client, s)
    for v in ("", "x", "-5", "9" * 30):
        bad, r = await submit(c, "probation", {"contract": v, "self_appraisal": "总结"})
        assert not bad and r.status_code < 500


async def test_reminder_once_to_employee_manager_and_hr(new_client, staff):
    s = await staff(probation_days=5)  # the reminder day (15 days before) has passed: sent now, once
    later = await staff(probation_days=60)
    first = await remind.remind_once(today_local())
    ref = remind.reference(s["contract"])
    rows = await Notification.select(Notification.user.username).where(Notification.ref == ref)
    names = {r["user.username"] for r in rows}
    assert {s["username"], s["manager"], "hr"} <= names
    assert first >= len(names)
    await remind.remind_once(today_local())
    assert await Notification.count().where(Notification.ref == ref) == len(rows)
    assert not await Notification.exists().where(Notification.ref == remind.reference(later["contract"]))
