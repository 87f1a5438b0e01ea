"""The employee record through its routes: who may read whose record (HR all, the person their own, the direct manager
their reports', everyone else 403); the ID number and salary masked by default, revealed per record by HR with an audit
row each time (HTMX fragment and plain post); the file form's errors (Chinese, values kept); 奖惩 recorded on a person,
shown on the record, in the list with its filters, and to the 转正 approvers; the list's paging and filters."""
import uuid
from datetime import date
from decimal import Decimal

import pytest

from app.core.tables import AuditLog
from app.hr_people import services
from app.hr_people.tables import EmployeeFile, Reward
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration

ID_NO = "11010519491231002X"  # a valid GB 11643 number (checksum X)
HIRED = date(2020, 3, 1)


async def _user_employee(username: str) -> dict:
    from piccolo.apps.user.tables import BaseUser

    u = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    return await Employee.select(Employee.id, Employee.company, Employee.department, Employee.position).where(
        Employee.user == u["id"]).first()


@pytest.fixture
async def person():
    """A fresh employee whose direct manager is the demo 客服主管 (supervisor)."""
    boss = await _user_employee("supervisor")
    e = Employee(employee_no=f"P{uuid.uuid4().hex[:8]}", name=f"档案员工{uuid.uuid4().hex[:4]}", company=boss["company"],
                 department=boss["department"], position=boss["position"], manager=boss["id"], hired_on=HIRED, active=True)
    await e.save()
    yield {"id": e.id, "name": e.name, "employee_no": e.employee_no}
    await Reward.delete().where(Reward.employee == e.id)
    await EmployeeFile.delete().where(EmployeeFile.employee == e.id)
    await Employee.delete().where(Employee.id == e.id)


async def post(client, path: str, data: dict, **kw):
    token = await csrf_token(client, "/")
    return await client.post(path, data={**data, "_csrf_token": token}, **kw)


async def test_who_sees_whose_record(new_client, person):
    hr = await sign_in(await new_client(), "hr")
    r = await hr.get(f"/hr/people/{person['id']}")
    assert r.status_code == 200 and person["name"] in r.text and person["employee_no"] in r.text
    assert "司龄" in r.text and 'data-testid="timeline"' in r.text and "入职" in r.text
    boss = await sign_in(await new_client(), "supervisor")
    assert (await boss.get(f"/hr/people/{person['id']}")).status_code == 200  # the direct manager
    for role in ("sales", "contract", "gm"):
        c = await sign_in(await new_client(), role)
        assert (await c.get(f"/hr/people/{person['id']}")).status_code == 403, role
        assert (await c.get("/hr/people")).status_code == 403, role
        me = await c.get("/hr/people/me")
        assert me.status_code == 302
        own = await c.get(me.headers["location"])
        assert own.status_code == 200 and "的员工档案" in own.text, role
        assert 'data-testid="file-reveal"' not in own.text  # only HR reveals
    assert (await hr.get("/hr/people/2147483000")).status_code == 404


async def test_masked_by_default_and_every_reveal_audited(new_client, person):
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, f"/hr/people/{person['id']}/file", {"id_no": ID_NO, "base_salary": "8500.50", "education": "本科",
                                                          "emergency_name": "张三", "emergency_phone": "13812345678"})
    assert r.status_code in (302, 303)
    page = (await hr.get(f"/hr/people/{person['id']}")).text
    assert "110105********002X" in page and ID_NO not in page and "8,500.50" not in page and "****" in page
    before = await AuditLog.count().where((AuditLog.action == "hr_people.reveal") & (AuditLog.entity_id == str(person["id"])))
    frag = await post(hr, f"/hr/people/{person['id']}/reveal", {}, headers={"HX-Request": "true"})
    assert frag.status_code == 200 and ID_NO in frag.text and "8,500.50" in frag.text and "<html" not in frag.text
    full = await post(hr, f"/hr/people/{person['id']}/reveal", {})  # the plain-form fallback: the whole page
    assert full.status_code == 200 and ID_NO in full.text and "<html" in full.text
    rows = await AuditLog.select(AuditLog.summary).where(
        (AuditLog.action == "hr_people.reveal") & (AuditLog.entity_id == str(person["id"])))
    assert len(rows) == before + 2 and all(ID_NO not in r["summary"] and "8500" not in r["summary"] for r in rows)
    saved = await AuditLog.select(AuditLog.summary, AuditLog.after).where(
        (AuditLog.action == "hr_people.file_save") & (AuditLog.entity_id == str(person["id"]))).first()
    assert ID_NO not in str(saved)
    boss = await sign_in(await new_client(), "supervisor")
    assert (await post(boss, f"/hr/people/{person['id']}/reveal", {})).status_code == 403
    assert ID_NO not in (await boss.get(f"/hr/people/{person['id']}")).text
    # blank keeps what is on file
    await post(hr, f"/hr/people/{person['id']}/file", {"education": "硕士"})
    f = await services.file_of(person["id"])
    assert f["id_no"] == ID_NO and f["base_salary"] == Decimal("8500.50") and f["education"] == "硕士"


@pytest.mark.parametrize(("over", "field", "text"), [
    ({"id_no": "110105194912310021"}, "id_no", "校验位"),
    ({"id_no": "12345"}, "id_no", "18 位"),
    ({"base_salary": "abc"}, "base_salary", "格式"),
    ({"base_salary": "-1"}, "base_salary", "负数"),
    ({"education": "幼儿园"}, "education", "选项无效"),
    ({"emergency_name": "李四", "emergency_phone": "123"}, "emergency_phone", "格式不正确"),
    ({"emergency_phone": "13812345678"}, "emergency_name", "紧急联系人"),
])
async def test_file_form_errors_kept(new_client, person, over, field, text):
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, f"/hr/people/{person['id']}/file", {"note": "保留的备注", **over})
    assert r.status_code == 422
    assert f'data-testid="error-{field}"' in r.text and text in r.text and "保留的备注" in r.text
    assert await services.file_of(person["id"]) is None


async def test_reward_recorded_listed_and_shown(new_client, person):
    hr = await sign_in(await new_client(), "hr")
    bad = await post(hr, f"/hr/people/{person['id']}/rewards/new", {"kind": "奖励", "on": "2026-02-03", "title": "业主表扬"})
    assert bad.status_code == 422 and 'data-testid="error-basis"' in bad.text and "业主表扬" in bad.text
    for over, field in (({"kind": "记功"}, "kind"), ({"on": "2999-01-01"}, "on"), ({"title": ""}, "title"),
                        ({"amount": "x"}, "amount"), ({"clause": "abc"}, "clause"), ({"clause": "2147483000"}, "clause")):
        data = {"kind": "奖励", "on": "2026-02-03", "title": "业主表扬", "basis": "绩效办法第 3 条", **over}
        r = await post(hr, f"/hr/people/{person['id']}/rewards/new", data)
        assert r.status_code == 422 and f'data-testid="error-{field}"' in r.text, over
    ok = await post(hr, f"/hr/people/{person['id']}/rewards/new",
                    {"kind": "奖励", "on": "2026-02-03", "title": "业主书面表扬", "amount": "200", "basis": "绩效办法第 3 条"})
    assert ok.status_code in (302, 303)
    await post(hr, f"/hr/people/{person['id']}/rewards/new",
               {"kind": "处罚", "on": "2026-03-10", "title": "回访超时", "basis": "回访时限"})
    rows = await services.rewards_of(person["id"])
    assert [r["title"] for r in rows] == ["回访超时", "业主书面表扬"]
    assert [r["title"] for r in await services.rewards_of(person["id"], since=date(2026, 3, 1))] == ["回访超时"]
    assert await AuditLog.exists().where((AuditLog.action == "hr_people.reward_create") & (AuditLog.entity_id == str(rows[0]["id"])))
    page = (await hr.get(f"/hr/people/{person['id']}")).text
    assert "业主书面表扬" in page and "奖励：业主书面表扬" in page and "绩效办法第 3 条" in page
    lst = (await hr.get("/hr/rewards?kind=处罚&month=2026-03")).text
    assert "回访超时" in lst and "业主书面表扬" not in lst
    assert "业主书面表扬" in (await hr.get("/hr/rewards?kind=奖励&month=2026-02")).text
    assert "回访超时" not in (await hr.get("/hr/rewards?month=2026-02")).text
    assert (await hr.get("/hr/rewards?month=garbage&kind=x&page=-3")).status_code == 200
    assert (await (await sign_in(await new_client(), "supervisor")).get("/hr/rewards")).status_code == 403


async def test_list_filters_and_paging(new_client, person):
    hr = await sign_in(await new_client(), "hr")
    r = await hr.get(f"/hr/people?q={person['employee_no']}")
    assert r.status_code == 200 and person["name"] in r.text and "共 1 条" in r.text
    assert person["name"] not in (await hr.get(f"/hr/people?q={person['employee_no']}&active=0")).text
    frag = await hr.get("/hr/people?page=2", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and 'id="people-list"' in frag.text and "<html" not in frag.text
    for q in ("?page=abc", "?company=x&department=-1&active=9", "?q=%25_%5C", "?page=999999"):
        assert (await hr.get("/hr/people" + q)).status_code == 200, q


GARBAGE = ("\x00", "x" * 100000, "①②", "9" * 5000, "-1e400", "２０２６-０１-０１", "<script>", "NaN", "Infinity", "1e9999")


async def test_garbage_never_500(new_client, person):
    hr = await sign_in(await new_client(), "hr")
    fields = {"file": ("id_no", "base_salary", "education", "emergency_name", "emergency_phone", "note"),
              "rewards/new": ("kind", "on", "title", "detail", "amount", "clause", "basis")}
    for path, names in fields.items():
        for g in GARBAGE:
            r = await post(hr, f"/hr/people/{person['id']}/{path}", {n: g for n in names})
            assert r.status_code < 500, (path, g[:20])
    for g in ("0", "-1", "99999999999", "abc"):
        assert (await hr.get(f"/hr/people/{g}")).status_code in (404, 405), g
    assert await Reward.count().where(Reward.employee == person["id"]) == 0
    assert await services.file_of(person["id"]) is None


async def test_create_file_for_onboarding(person):
    from types import SimpleNamespace

    from app.core.db import write_transaction

    actor = SimpleNamespace(user_id=None, display_name="入职测试", employee_id=None, ip="")
    async with write_transaction():  # the onboarding part's own transaction
        await services.create_file(person["id"], id_no=ID_NO.lower(), base_salary=Decimal("7000"), actor=actor)
    f = await services.file_of(person["id"])
    assert f["id_no"] == ID_NO and f["base_salary"] == Decimal("7000")
    row = await AuditLog.select(AuditLog.summary).where(
        (AuditLog.action == "hr_people.file_save") & (AuditLog.entity_id == str(person["id"]))).order_by(AuditLog.id, ascending=False).first()
    assert "入职建立" in row["summary"] and ID_NO not in row["summary"]
