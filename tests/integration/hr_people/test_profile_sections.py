"""Each package's profile.py called directly (section() and events()), and the record page showing them: 劳动合同,
假期 (this year's balance and leaves), 转正, 学历/资格证书培训, 奖惩 and the approval items the person holds."""
import uuid
from datetime import date
from decimal import Decimal

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import now, today_local
from app.core.workdays import period_end
from app.hr_contract import profile as contract_profile
from app.hr_contract.tables import LabourContract
from app.hr_exit import profile as exit_profile
from app.hr_leave import profile as leave_profile
from app.hr_people import profile as people_profile
from app.hr_people import services
from app.hr_probation import profile as probation_profile
from app.hr_probation.tables import EmployeeStatus
from app.hr_training import profile as training_profile
from app.org.tables import Employee
from tests.conftest import sign_in
from tests.integration.workflow.helpers import approve_as, submit

pytestmark = pytest.mark.integration
PASSWORD = "Profile2026x"


@pytest.fixture
async def staff(running_app):
    tag = uuid.uuid4().hex[:8]
    base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
        Employee.user.username == "sales").first()
    user = await BaseUser.create_user(username=f"prof_{tag}", password=PASSWORD, email=f"prof_{tag}@test.invalid", active=True)
    emp = Employee(user=user.id, employee_no=f"PF{tag}", name=f"档案测试{tag[:4]}", company=base["company"], department=base["department"],
                   position=base["position"], manager=base["manager"], hired_on=date(2021, 4, 1), active=True)
    await emp.save()
    yield {"id": emp.id, "username": user.username, "user": user.id}
    await LabourContract.delete().where(LabourContract.employee == emp.id)
    await EmployeeStatus.delete().where(EmployeeStatus.employee == emp.id)
    await Employee.update({Employee.active: False}).where(Employee.id == emp.id)
    await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user.id)


def _hr():
    from types import SimpleNamespace

    from app.core.permissions import Perm
    return SimpleNamespace(employee_id=None, can=lambda p: p == Perm.HR_MANAGE)


async def test_sections_without_data(staff):
    emp = await services.employee(staff["id"])
    assert await probation_profile.section(emp, _hr()) is None and await training_profile.section(emp, _hr()) is None
    assert await probation_profile.events(staff["id"]) == [] and await training_profile.events(staff["id"]) == []
    c = await contract_profile.section(emp, _hr())
    assert c["title"] == "劳动合同" and c["ctx"]["rows"] == [] and "第十条" in c["ctx"]["basis"]
    lv = await leave_profile.section(emp, _hr())
    assert lv["template"] == "hr_leave/_profile.html" and lv["ctx"]["leaves"] == [] and "年休假" in lv["ctx"]["legal"]
    own = await people_profile.section(emp, _hr())
    assert own["title"] == "奖惩记录（0）"
    held = await exit_profile.section(emp, _hr())
    assert [s["title"] for s in held] == ["名下在办事项（0）"] and held[0]["ctx"]["items"] == []
    assert await people_profile.events(staff["id"]) == [{"on": date(2021, 4, 1), "text": "入职", "url": None}]


async def test_sections_and_events_with_data(new_client, staff):
    emp = await services.employee(staff["id"])
    await LabourContract.insert(LabourContract(employee=staff["id"], seq=1, kind="固定期限", start=date(2021, 4, 1), end=date(2024, 3, 31),
                                               pay=Decimal("9000"), post="置业顾问", signed_on=date(2021, 4, 1), status="已到期",
                                               ended_on=date(2024, 3, 31), end_reason="期满终止", created_at=now()))
    await EmployeeStatus.insert(EmployeeStatus(employee=staff["id"], status="正式", since=date(2021, 7, 1), updated_at=now()))
    c = await contract_profile.section(emp, _hr())
    assert len(c["ctx"]["rows"]) == 1 and c["ctx"]["show_pay"]
    texts = [e["text"] for e in await contract_profile.events(staff["id"])]
    assert texts == ["签订第 1 次劳动合同（固定期限）", "第 1 次劳动合同期满终止"]
    p = await probation_profile.section(emp, _hr())
    assert p["ctx"]["status"]["status"] == "正式" and "第十九条" in p["ctx"]["legal"]
    assert [e["text"] for e in await probation_profile.events(staff["id"])] == ["转正"]
    # a one-day leave: the person's open request, then the 客服主管's task; approved, it is an event
    c = await sign_in(await new_client(), staff["username"], PASSWORD)
    d = await period_end(date(today_local().year + 1, 3, 1))
    rid, r = await submit(c, "leave", {"kind": "事假", "start_on": d.isoformat(), "start_half": "上午", "end_on": d.isoformat(),
                                       "end_half": "下午", "reason": "家中有事"})
    assert rid, r.text[:500]
    own = (await exit_profile.section(emp, _hr()))[0]["ctx"]["items"]  # the holdings registry: their own open request
    assert [(h.kind, h.record_id) for h in own] == [("本人未结申请", rid)]
    boss = await services.employee((await Employee.select(Employee.id).where(Employee.user.username == "supervisor").first())["id"])
    held = (await exit_profile.section(boss, _hr()))[0]["ctx"]["items"]  # and the 客服主管's task on it
    assert any(h.kind == "审批待办" and h.url == f"/workflow/requests/{rid}" for h in held)
    assert rid in [x["request"] for x in (await leave_profile.section(emp, _hr()))["ctx"]["leaves"]]
    assert await leave_profile.events(staff["id"]) == []
    await approve_as(new_client, rid, "supervisor")
    assert [e["text"] for e in await leave_profile.events(staff["id"])] == ["事假 1 天"]
    # the record page shows every section and the merged timeline, newest first
    hr = await sign_in(await new_client(), "hr")
    page = (await hr.get(f"/hr/people/{staff['id']}")).text
    for testid in ("section-hr_contract", "section-hr_leave", "section-hr_probation", "section-hr_people", "section-hr_exit",
                   "section-hr_move", "section-hr_attend", "section-hr_course", "section-hr_meeting", "timeline"):
        assert f'data-testid="{testid}"' in page, testid
    tl = page.split('data-testid="timeline"', 1)[1]
    order = [tl.index(t) for t in ("事假 1 天", "第 1 次劳动合同期满终止", "转正</", "入职</", "签订第 1 次劳动合同")]
    assert order[:4] == sorted(order[:4]), order  # 2021-07-01 转正 after 2021-04-01 入职 and signing (same day)
    assert "9,000.00" in page  # HR sees the contract pay
    me = await c.get(f"/hr/people/{staff['id']}")
    assert me.status_code == 200 and "9,000.00" not in me.text and "名下在办事项（0）" in me.text
