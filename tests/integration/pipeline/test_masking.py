"""One masking rule (issue 7 §2): ID numbers and phones masked on every page for every role; a reveal is per record,
checks the project of every link (buyer, co-owner, agent) and is audited; the admin panel is no way around it."""
from __future__ import annotations

import pytest

from app.core.tables import AuditLog
from app.pipeline.tables import Buyer, Deal, DealParty
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration


async def _token(client) -> str:
    return HX_CSRF_RE.search((await client.get("/")).text).group(1)


async def _jc01_party() -> dict:
    """A co-owner added to a signed JC01 deal (a person on no JC02 deal), as the subscription form records one."""
    from app.core.timeutil import now
    from app.core.validators import id_check_char

    deal = await Deal.select(Deal.id, Deal.unit).where((Deal.project.code == "JC01") & (Deal.stage == "已签约")).first()
    existing = await DealParty.select(DealParty.buyer, DealParty.deal.unit, DealParty.role).where(
        (DealParty.deal == deal["id"]) & (DealParty.role == "共有人")).first()
    if existing:
        return existing
    first17 = "32050819880101" + f"{deal['id'] % 1000:03d}"
    b = Buyer(name="测试共有人", id_number=first17 + id_check_char(first17), mobile="13611112222", created_at=now())
    await b.save()
    await DealParty.insert(DealParty(deal=deal["id"], buyer=b.id, role="共有人"))
    return {"buyer": b.id, "deal.unit": deal["unit"], "role": "共有人"}


async def test_co_owner_reveal_checks_the_deal_project(new_client):
    party = await _jc01_party()
    full = (await Buyer.select(Buyer.id_number).where(Buyer.id == party["buyer"]).first())["id_number"]
    c2 = await sign_in(await new_client(), "contract2")  # JC02 only
    r = await c2.post(f"/pipeline/buyers/{party['buyer']}/unmask", data={"_csrf_token": await _token(c2)}, headers={"HX-Request": "true"})
    assert r.status_code == 403 and full not in r.text
    c1 = await sign_in(await new_client(), "contract")  # JC01
    before = await AuditLog.count().where(AuditLog.action == "customer.unmask")
    r = await c1.post(f"/pipeline/buyers/{party['buyer']}/unmask", data={"_csrf_token": await _token(c1)}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and full in r.text
    assert await AuditLog.count().where(AuditLog.action == "customer.unmask") == before + 1


async def test_unit_page_masks_buyer_and_parties_for_roles_that_may_unmask(new_client):
    party = await _jc01_party()
    deal = await Deal.select(Deal.buyer).where(Deal.unit == party["deal.unit"]).order_by(Deal.id, ascending=False).first()
    ids = [r["id_number"] for r in await Buyer.select(Buyer.id_number).where(Buyer.id.is_in([party["buyer"], deal["buyer"]]))]
    sup = await sign_in(await new_client(), "supervisor")
    r = await sup.get(f"/pipeline/units/{party['deal.unit']}")
    assert r.status_code == 200 and 'data-testid="unmask-party"' in r.text and 'data-testid="unmask"' in r.text
    for full in ids:
        assert full not in r.text and full[:6] + "********" + full[-4:] in r.text


async def test_admin_panel_holds_no_customer_data_and_validates_and_audits(new_client):
    from app.org.tables import Employee

    admin = await sign_in(await new_client(), "sysadmin")
    tables = (await admin.get("/admin/api/tables/")).json()
    assert "pl_buyer" not in tables
    assert (await admin.get("/admin/api/tables/pl_buyer/")).status_code in (403, 404)
    await admin.get("/admin/")
    csrf = admin.cookies.get("csrftoken")
    assert csrf, "piccolo-admin sets its CSRF cookie"
    emp = await Employee.select(Employee.id, Employee.mobile).where(Employee.employee_no != "").first()
    headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
    r = await admin.patch(f"/admin/api/tables/employee/{emp['id']}/", json={"mobile": "12345"}, headers=headers)
    assert r.status_code == 400 and ("手机" in r.text or "电话" in r.text), r.text
    assert (await Employee.select(Employee.mobile).where(Employee.id == emp["id"]).first())["mobile"] == emp["mobile"]
    r = await admin.patch(f"/admin/api/tables/employee/{emp['id']}/", json={"mobile": "13900001234"}, headers=headers)
    assert r.status_code in (200, 204), r.text
    row = await AuditLog.select(AuditLog.action, AuditLog.entity, AuditLog.actor_name).where(AuditLog.action == "admin.update").order_by(
        AuditLog.id, ascending=False).first()
    admin_name = (await Employee.select(Employee.name).where(Employee.user.username == "sysadmin").first())["name"]
    assert row == {"action": "admin.update", "entity": "employee", "actor_name": admin_name}  # the person, as on every audit row
    await Employee.update({Employee.mobile: emp["mobile"]}).where(Employee.id == emp["id"])
