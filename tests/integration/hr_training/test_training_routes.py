"""学历/资格证书培训 through the real routes (SPEC §E7): an applicant a day short of one year's service refused on the
field with the rule; the chain 部门负责人 → 人事 → 分管副总, plus 总经理 from a company share of 10,000.00 (and not at
9,999.99); after approval HR records the certificate, the service period starts, the penalty if the person left today
and the reimbursement link are shown; other employees get 403; garbage never gives a 500. Each test files as its own
new employee (a 置业顾问 of the demo company)."""
import uuid
from datetime import date, timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import today_local
from app.hr_training import rules
from app.hr_training.tables import AWAITING, SERVING, TrainingAgreement
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration

PASSWORD = "Train2026x"


@pytest.fixture
async def make_staff():
    made = []

    async def make(hired_on: date) -> dict:
        tag = uuid.uuid4().hex[:8]
        base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
            Employee.user.username == "sales").first()
        user = await BaseUser.create_user(username=f"train_{tag}", password=PASSWORD, email=f"train_{tag}@test.invalid", active=True)
        emp = Employee(user=user.id, employee_no=f"TR{tag}", name=f"培训测试{tag[:4]}", company=base["company"], department=base["department"],
                       position=base["position"], manager=base["manager"], hired_on=hired_on, active=True)
        await emp.save()
        made.append((emp.id, user.id))
        return {"id": emp.id, "username": user.username}

    yield make
    for emp_id, user_id in made:
        await Employee.update({Employee.active: False}).where(Employee.id == emp_id)
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user_id)


async def client_of(new_client, staff):
    return await sign_in(await new_client(), staff["username"], PASSWORD)


def form(cost: str = "6000.00", pct: str = "80", years: str = "2", program: str = "注册物业管理师", starts_in: int = 10) -> dict:
    t = today_local()
    return {"kind": "资格证书", "program": program, "related_post": "客服专员", "cost": cost, "share_pct": pct, "period_years": years,
            "start_on": (t + timedelta(days=starts_in)).isoformat(), "end_on": (t + timedelta(days=starts_in + 90)).isoformat(),
            "reason": "提升专业能力"}


def years_ago(n: int, days: int = 0) -> date:
    return rules.add_years(today_local(), -n) + timedelta(days=days)


async def test_a_day_short_of_one_year_is_refused_on_the_field(new_client, make_staff):
    s = await make_staff(years_ago(1, days=1))
    c = await client_of(new_client, s)
    page = await c.get("/workflow/new/cert_training")
    assert page.status_code == 200 and "司龄未满 1 年" in page.text
    rid, r = await submit(c, "cert_training", form())
    assert not rid and r.status_code == 400
    assert "司龄未满 1 年" in r.text and "[C] 公司培训制度" in r.text
    assert not await TrainingAgreement.exists().where(TrainingAgreement.employee == s["id"])


async def test_exactly_one_year_is_eligible_and_limits_are_checked(new_client, make_staff):
    s = await make_staff(years_ago(1))
    c = await client_of(new_client, s)
    rid, r = await submit(c, "cert_training", form(pct="40"))
    assert not rid and "公司承担比例应在 50% 至 100% 之间" in r.text
    rid, r = await submit(c, "cert_training", form(years="6"))
    assert not rid and "服务期应为 1 至 5 年" in r.text
    rid, r = await submit(c, "cert_training", form())
    assert rid, r.text[:2000]


async def test_chain_with_and_without_gm_at_the_threshold(new_client, make_staff):
    s = await make_staff(date(2018, 5, 1))
    c = await client_of(new_client, s)
    below, r = await submit(c, "cert_training", form(cost="19999.98", pct="50"))  # 9,999.99
    assert below, r.text[:2000]
    assert await chain(below) == ["dept_head", "hr", "vp"]
    at, r = await submit(c, "cert_training", form(cost="20000.00", pct="50"))  # 10,000.00
    assert at, r.text[:2000]
    assert await chain(at) == ["dept_head", "hr", "vp", "gm"]
    page = await c.get(f"/workflow/requests/{at}")
    assert "总经理审批" in page.text and "10,000.00 元（取得证书后报销）" in page.text


async def test_approval_certificate_penalty_and_reimbursement(new_client, make_staff):
    s = await make_staff(date(2019, 3, 1))
    c = await client_of(new_client, s)
    rid, r = await submit(c, "cert_training", form(cost="7300.00", pct="100", years="2", starts_in=-300))
    assert rid, r.text[:2000]
    for who in ("dept_head", "hr", "vp"):
        res = await approve_as(new_client, rid, who)
        assert res.status_code in (200, 303), res.text[:1000]
    assert await status(rid) == "已通过"
    ag = await TrainingAgreement.select().where(TrainingAgreement.request == rid).first()
    assert ag["status"] == AWAITING
    mine = await c.get("/hr/training")
    assert mine.status_code == 200 and "注册物业管理师" in mine.text
    page = await c.get(f"/hr/training/{ag['id']}")
    assert page.status_code == 200 and "尚未开始服务期" in page.text and 'data-testid="certificate-form"' not in page.text
    # only HR records the certificate
    token = await csrf_token(c, f"/hr/training/{ag['id']}")
    denied = await c.post(f"/hr/training/{ag['id']}/certificate", data={"cert_on": today_local().isoformat(), "_csrf_token": token})
    assert denied.status_code == 403
    hr = await sign_in(await new_client(), "hr")
    listing = await hr.get("/hr/training")
    assert listing.status_code == 200 and s["username"] not in listing.text
    token = await csrf_token(hr, f"/hr/training/{ag['id']}")
    bad = await hr.post(f"/hr/training/{ag['id']}/certificate", data={"cert_on": "2026-13-45", "_csrf_token": token})
    assert bad.status_code == 422 and "日期格式不正确" in bad.text
    future = await hr.post(f"/hr/training/{ag['id']}/certificate",
                           data={"cert_on": (today_local() + timedelta(days=1)).isoformat(), "_csrf_token": token})
    assert future.status_code == 422 and "不能晚于今天" in future.text
    cert_on = today_local() - timedelta(days=200)
    ok = await hr.post(f"/hr/training/{ag['id']}/certificate", data={"cert_on": cert_on.isoformat(), "cert_no": "ZS-001", "_csrf_token": token})
    assert ok.status_code in (200, 303), ok.text[:1000]
    ag = await TrainingAgreement.select().where(TrainingAgreement.id == ag["id"]).first()
    assert ag["status"] == SERVING and ag["cert_on"] == cert_on and ag["service_end"] == rules.service_end(cert_on, 2)
    expected = rules.penalty(cost=ag["cost"], paid=ag["share_amount"], start=cert_on, years=2, leave_on=today_local())
    page = await c.get(f"/hr/training/{ag['id']}")
    assert f"{expected.amount:,.2f} 元" in page.text and "劳动合同法 第二十二条" in page.text
    assert 'href="/workflow/new/expense"' in page.text and "7,300.00 元" in page.text
    again = await hr.post(f"/hr/training/{ag['id']}/certificate", data={"cert_on": cert_on.isoformat(), "_csrf_token": token})
    assert again.status_code == 422 and "服务期中" in again.text


async def test_others_get_403_and_garbage_never_500(new_client, make_staff):
    s = await make_staff(date(2019, 3, 1))
    other = await make_staff(date(2019, 3, 1))
    c = await client_of(new_client, s)
    rid, r = await submit(c, "cert_training", form())
    assert rid, r.text[:2000]
    ag = await TrainingAgreement.select(TrainingAgreement.id).where(TrainingAgreement.request == rid).first()
    oc = await client_of(new_client, other)
    assert (await oc.get(f"/hr/training/{ag['id']}")).status_code == 403
    assert (await oc.get("/hr/training/999999999")).status_code == 404
    listing = await oc.get("/hr/training")
    assert listing.status_code == 200 and "还没有培训协议" in listing.text
    assert (await oc.get("/hr/training?page=abc")).status_code == 200
    for junk in ({"cost": "abc", "share_pct": "∞", "period_years": "1e9", "start_on": "x", "end_on": "2026-02-30", "kind": "<b>"},
                 {"cost": "-1", "share_pct": "-5", "period_years": "-1"}, {k: "" for k in form()}, {"cost": "9" * 40, "share_pct": "100", "period_years": "0"}):
        rid2, r = await submit(c, "cert_training", {**form(), **junk})
        assert not rid2 and r.status_code < 500, r.text[:500]
    hr = await sign_in(await new_client(), "hr")
    token = await csrf_token(hr, f"/hr/training/{ag['id']}")
    for data in ({"cert_on": ""}, {"cert_on": "9" * 500}, {"cert_on": "2026-01-01", "cert_no": "x" * 500}):
        r = await hr.post(f"/hr/training/{ag['id']}/certificate", data={**data, "_csrf_token": token})
        assert r.status_code == 422, r.text[:300]
    r = await hr.post("/hr/training/999999999/certificate", data={"cert_on": "2026-01-01", "_csrf_token": token})
    assert r.status_code == 404
