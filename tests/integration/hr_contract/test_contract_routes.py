"""Labour contracts through their routes (SPEC §E4): HR only; the new-contract form with each error (Chinese, with
the article, values kept); creating, the list's filters, the detail's flags with their legal basis, signing once; an
employee's history; the renewal reminder sent once per contract and reminder."""
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.hr_contract import remind, rules
from app.hr_contract.tables import LabourContract
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration

START = date(2026, 1, 1)  # fixed dates: nothing here depends on today's date except what is computed from it


@pytest.fixture
async def employee():
    """A fresh employee of the demo company, so the tests' contracts never meet other tests' rows."""
    ref = await Employee.select(Employee.company, Employee.department, Employee.position).where(
        Employee.active == True).first()  # noqa: E712
    e = Employee(employee_no=f"T{uuid.uuid4().hex[:8]}", name=f"测试员工{uuid.uuid4().hex[:4]}", company=ref["company"],
                 department=ref["department"], position=ref["position"], hired_on=START, active=True)
    await e.save()
    yield {"id": e.id, "name": e.name}
    ids = [r["id"] for r in await LabourContract.select(LabourContract.id).where(LabourContract.employee == e.id)]
    if ids:
        await Notification.delete().where(Notification.ref.is_in([remind.reference(i, n) for i in ids for n in (60, 30)]))
    await LabourContract.delete().where(LabourContract.employee == e.id)
    await Employee.delete().where(Employee.id == e.id)


async def post(client, path: str, data: dict):
    token = await csrf_token(client, "/hr/contracts/new")
    return await client.post(path, data={**data, "_csrf_token": token})


def form(employee_id: int, **over) -> dict:
    data = {"employee": str(employee_id), "kind": rules.FIXED, "start": "2026-01-01", "end": "2026-12-31",
            "probation_end": "2026-02-28",
            "pay": "10000", "probation_pay": "8000", "post": "客服专员", "nda": "1"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


async def test_only_hr_reaches_the_pages(new_client, employee):
    for role in ("supervisor", "dept_head", "gm", "sales"):
        c = await sign_in(await new_client(), role)
        for path in ("/hr/contracts", "/hr/contracts/new", f"/hr/employees/{employee['id']}/contracts"):
            assert (await c.get(path)).status_code == 403, (role, path)
    hr = await sign_in(await new_client(), "hr")
    r = await hr.get("/hr/contracts")
    assert r.status_code == 200 and "劳动合同" in r.text and 'data-testid="nav-hr-contracts"' in r.text


@pytest.mark.parametrize(("over", "field", "text"), [
    ({"probation_end": "2026-03-01"}, "probation_end", "第十九条"),                     # 1 year: at most 2 months
    ({"end": "2026-03-30", "probation_end": "2026-01-15"}, "probation_end", "不得约定试用期"),  # under 3 months
    ({"kind": rules.TASK, "end": ""}, "probation_end", "不得约定试用期"),
    ({"probation_pay": "7999.99"}, "probation_pay", "第二十条"),
    ({"probation_pay": ""}, "probation_pay", "试用期月工资"),
    ({"end": ""}, "end", "请填写结束日期"),
    ({"kind": rules.OPEN}, "end", "无固定期限"),
    ({"end": "2025-12-01"}, "end", "晚于开始日期"),
    ({"start": "2026-13-01"}, "start", "YYYY-MM-DD"),
    ({"start": "1800-01-01"}, "start", "1990"),
    ({"pay": "abc"}, "pay", "格式不正确"),
    ({"pay": "-5"}, "pay", "负数"),
    ({"post": ""}, "post", "请填写工作岗位"),
    ({"kind": "临时"}, "kind", "选项无效"),
    ({"employee": "x"}, "employee", "选项无效"),
    ({"employee": "2147483000"}, "employee", "在职员工"),
    ({"signed_on": "2099-01-01"}, "signed_on", "不能晚于今天"),
])
async def test_each_error_is_shown_on_its_field_and_values_are_kept(new_client, employee, over, field, text):
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, "/hr/contracts/new", form(employee["id"], **over))
    assert r.status_code == 422, r.text[:300]
    m = re.search(rf'data-testid="error-{field}">([^<]+)<', r.text)
    assert m and text in m.group(1), (field, m and m.group(1))
    assert 'value="客服专员"' in r.text or field == "post"
    assert not await LabourContract.exists().where(LabourContract.employee == employee["id"])


async def test_create_flags_sign_and_history(new_client, employee):
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, "/hr/contracts/new", form(employee["id"]))
    assert r.status_code == 303, r.text[:500]
    cid = int(r.headers["location"].rsplit("/", 1)[-1])
    row = await LabourContract.select().where(LabourContract.id == cid).first()
    assert row["seq"] == 1 and row["status"] == rules.PENDING and row["pay"] == Decimal("10000.00")
    audit = await AuditLog.select(AuditLog.summary).where(
        (AuditLog.entity == "hr_contract") & (AuditLog.entity_id == str(cid))).first()
    assert audit and "10000" not in audit["summary"]  # the pay stays out of the audit log
    page = (await hr.get(f"/hr/contracts/{cid}")).text
    assert "第十九条" in page and "试用期最长 2 个月" in page
    assert "第八十二条" in page  # started 2026-01-01, unsigned: the double-pay risk (or the deadline) is shown
    assert "到期前 60 天：2026-10-30" in page and "到期前 30 天：2026-12-01" in page  # 2026-11-01 is a Sunday → Friday 10-30
    # signing: a bad date, then once
    token = await csrf_token(hr, f"/hr/contracts/{cid}")
    bad = await hr.post(f"/hr/contracts/{cid}/sign", data={"signed_on": "昨天", "_csrf_token": token})
    assert bad.status_code == 422 and 'data-testid="error-signed_on"' in bad.text
    token = await csrf_token(hr, f"/hr/contracts/{cid}")
    ok = await hr.post(f"/hr/contracts/{cid}/sign", data={"signed_on": "2026-01-20", "_csrf_token": token})
    assert ok.status_code == 303
    row = await LabourContract.select(LabourContract.status, LabourContract.signed_on).where(LabourContract.id == cid).first()
    assert row == {"status": rules.SIGNED, "signed_on": date(2026, 1, 20)}
    token = await csrf_token(hr, f"/hr/contracts/{cid}")
    again = await hr.post(f"/hr/contracts/{cid}/sign", data={"signed_on": "2026-01-21", "_csrf_token": token})
    assert again.status_code == 303
    kept = await LabourContract.select(LabourContract.signed_on).where(LabourContract.id == cid).first()
    assert kept["signed_on"] == date(2026, 1, 20)
    # an overlapping contract is refused on its start date
    clash = await post(hr, "/hr/contracts/new", form(employee["id"], start="2026-12-01", end="2027-12-31", probation_end="",
                                                     probation_pay=""))
    assert clash.status_code == 422 and "期限重叠" in re.search(r'data-testid="error-start">([^<]+)<', clash.text).group(1)
    # a second contract gets number 2; two fixed-term contracts → the open-ended entitlement (art. 14)
    r2 = await post(hr, "/hr/contracts/new", form(employee["id"], start="2027-01-01", end="2029-12-31", probation_end="",
                                                  probation_pay="",
                                                  signed_on="2026-01-25"))
    assert r2.status_code == 303
    cid2 = int(r2.headers["location"].rsplit("/", 1)[-1])
    assert (await LabourContract.select(LabourContract.seq).where(LabourContract.id == cid2).first())["seq"] == 2
    entitled = (await hr.get("/hr/contracts?f=entitled&per_page=100")).text
    assert f'data-testid="contract-{cid2}"' in entitled and f'data-testid="contract-{cid}"' not in entitled
    hist = (await hr.get(f"/hr/employees/{employee['id']}/contracts")).text
    assert "第 1 份" in hist and "第 2 份" in hist and "第十四条" in hist
    assert (await hr.get("/hr/employees/2147483000/contracts")).status_code == 404
    assert (await hr.get("/hr/contracts/2147483000")).status_code == 404


async def test_list_filters(new_client, employee):
    from app.core.timeutil import now, today_local

    today = today_local()
    hr = await sign_in(await new_client(), "hr")
    soon = LabourContract(employee=employee["id"], seq=1, kind=rules.FIXED, start=today - timedelta(days=300),
                          end=today + timedelta(days=10),
                          pay=Decimal("9000"), post="测试岗", status=rules.PENDING, created_at=now())
    await soon.save()
    for f in ("expiring", "unsigned"):
        page = (await hr.get(f"/hr/contracts?f={f}")).text
        assert f'data-testid="contract-{soon.id}"' in page, f
        assert f'data-testid="risk-{soon.id}">未签 301 天' in page  # started 300 days ago (day 1), unsigned: art. 82
    assert f'data-testid="contract-{soon.id}"' not in (await hr.get("/hr/contracts?f=entitled")).text
    assert (await hr.get("/hr/contracts?f=%00&page=abc")).status_code == 200
    fragment = await hr.get("/hr/contracts?f=unsigned&page=1", headers={"HX-Request": "true"})  # the pager's HTMX swap
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="contract-list"' in fragment.text


async def test_reminder_once_per_contract_and_reminder(running_app, employee):
    from app.core.timeutil import now

    end = date(2026, 10, 31)  # −30 days = 2026-10-01 (国庆) → 2026-09-30
    c = LabourContract(employee=employee["id"], seq=1, kind=rules.FIXED, start=date(2023, 11, 1), end=end, pay=Decimal("9000"),
                       post="测试岗",
                       status=rules.SIGNED, signed_on=date(2023, 11, 1), created_at=now())
    await c.save()
    hr_count = len(await remind.hr_users())
    assert hr_count >= 1

    async def mine(n):
        return await Notification.count().where(Notification.ref == remind.reference(c.id, n))

    await remind.remind_once(date(2026, 8, 31))  # the day before the 60-day reminder (2026-09-01)
    assert await mine(60) == 0
    await remind.remind_once(date(2026, 9, 1))
    await remind.remind_once(date(2026, 9, 1))
    assert await mine(60) == hr_count
    await remind.remind_once(date(2026, 9, 29))
    assert await mine(30) == 0
    await remind.remind_once(date(2026, 9, 30))
    await remind.remind_once(date(2026, 10, 8))
    assert await mine(30) == hr_count and await mine(60) == hr_count
    texts = await Notification.select(Notification.text).where(Notification.ref == remind.reference(c.id, 30))
    assert "2026-10-31" in texts[0]["text"] and "第十四条" not in texts[0]["text"]  # one contract: no art. 14 entitlement yet


async def test_ending_a_contract_frees_the_period(new_client, employee):
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, "/hr/contracts/new", form(employee["id"], kind=rules.OPEN, end="", probation_end="", probation_pay="",
                                                 signed_on="2026-01-01"))
    assert r.status_code == 303, r.text[:300]
    cid = int(r.headers["location"].rsplit("/", 1)[-1])
    blocked = await post(hr, "/hr/contracts/new", form(employee["id"], start="2026-07-01", end="2027-06-30", probation_end="",
                                                       probation_pay=""))
    assert blocked.status_code == 422 and "无固定期限" in blocked.text
    for data, field in (({"end_reason": rules.ON_EXPIRY, "ended_on": "2026-06-30"}, "end_reason"),
                        ({"end_reason": "协商解除", "ended_on": "2025-06-30"}, "ended_on"),
                        ({"end_reason": "协商解除", "ended_on": "2099-06-30"}, "ended_on"),
                        ({"end_reason": "开除", "ended_on": "2026-06-30"}, "end_reason"),
                        ({"end_reason": "协商解除", "ended_on": "\x00"}, "ended_on")):
        token = await csrf_token(hr, f"/hr/contracts/{cid}")
        bad = await hr.post(f"/hr/contracts/{cid}/end", data={**data, "_csrf_token": token})
        assert bad.status_code == 422 and f'data-testid="error-{field}"' in bad.text, data
    token = await csrf_token(hr, f"/hr/contracts/{cid}")
    ok = await hr.post(f"/hr/contracts/{cid}/end", data={"end_reason": "协商解除", "ended_on": "2026-06-30", "_csrf_token": token})
    assert ok.status_code == 303
    row = await LabourContract.select(LabourContract.status, LabourContract.ended_on).where(LabourContract.id == cid).first()
    assert row == {"status": rules.ENDED, "ended_on": date(2026, 6, 30)}
    assert "协商解除" in (await hr.get(f"/hr/contracts/{cid}")).text
    renewed = await post(hr, "/hr/contracts/new", form(employee["id"], start="2026-07-01", end="2027-06-30", probation_end="",
                                                       probation_pay=""))
    assert renewed.status_code == 303
    assert (await hr.post("/hr/contracts/2147483000/end", data={"_csrf_token": token})).status_code in (403, 404)
