"""The handover log: the list (page, fragment, month and person filters, scope), the form prefilled with the open
care cases of the writer's scope, the writer's signature (only someone on that shift, once), the incoming person's
confirmation (never the writer; once), the detail page and its HTMX signature card, the print view, bad input."""
import pytest

from app.care import states as care_states
from app.care.tables import CareCase
from app.core.tables import AuditLog, Notification
from app.core.timeutil import now
from app.duty import rules
from app.duty.services import load_config
from app.duty.tables import DutyHandover, DutyShift
from app.org.tables import Employee
from tests.conftest import sign_in
from tests.integration.care.duty_helpers import HX, emp, free_day, post

pytestmark = pytest.mark.integration


async def _on_shift(username: str, day=None, shift: str = "白班"):
    day = day or free_day(200)
    who = await emp(username)
    if not await DutyShift.exists().where((DutyShift.day == day) & (DutyShift.shift == shift) & (DutyShift.employee == who)):
        await DutyShift.insert(DutyShift(day=day, shift=shift, employee=who, note=""))
    return day, shift


async def _open_case() -> dict:
    row = await CareCase.select(CareCase.id, CareCase.number).where(CareCase.status.is_in(care_states.OPEN)).order_by(
        CareCase.received_at, ascending=False).first()
    assert row, "the demo data has an open care case"
    return row


async def _write(client, day, shift, extra: dict | None = None):
    data = {"day": day.isoformat(), "shift": shift, "summary": "来电 3 个，来访 1 批，无突发事件", "equipment": "值班手机 1 部", **(extra or {})}
    return await post(client, "/duty/handovers", data, page="/duty/handovers/new")


async def test_list_page_fragment_and_filters(new_client):
    c = await sign_in(await new_client(), "cr_officer")
    page = await c.get("/duty/handovers")
    assert page.status_code == 200 and 'id="handover-list"' in page.text and "当前值班：" in page.text
    assert 'data-testid="handover-link"' in page.text  # the two demo handovers
    frag = await c.get("/duty/handovers?page=1", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.lstrip().startswith('<div id="handover-list"')
    demo = await DutyHandover.select(DutyHandover.month, DutyHandover.handed_by.name).first()
    assert demo["handed_by.name"] in (await c.get(f"/duty/handovers?month={demo['month']}&person={demo['handed_by.name']}")).text
    empty = await c.get("/duty/handovers?month=2001-01", headers=HX)
    assert 'data-testid="handover-link"' not in empty.text
    assert (await c.get("/duty/handovers?month=x&shift=y&person=%25_&sort=zz&page=abc")).status_code == 200
    # another company's staff see none of this company's handovers
    other = await sign_in(await new_client(), "b_contract")
    assert 'data-testid="handover-link"' not in (await other.get("/duty/handovers")).text


async def test_form_prefills_open_cases_of_the_scope(new_client):
    case = await _open_case()
    c = await sign_in(await new_client(), "complaint_supervisor")
    r = await c.get("/duty/handovers/new")
    assert r.status_code == 200 and 'data-testid="handover-form"' in r.text and f'data-testid="case-{case["number"]}"' in r.text
    # a duty holder without care access is offered no cases
    contract = await sign_in(await new_client(), "contract")
    r = await contract.get("/duty/handovers/new")
    assert r.status_code == 200 and 'data-testid="cases-none"' in r.text


async def test_handover_both_signatures(new_client):
    case = await _open_case()
    day, shift = await _on_shift("complaint_supervisor")
    nday, nshift = rules.next_shift(day, shift)
    await _on_shift("cr_officer", nday, nshift)
    writer = await sign_in(await new_client(), "complaint_supervisor")
    r = await _write(writer, day, shift, {"cases": [str(case["id"])]})
    assert r.status_code == 303, r.text[:500]
    h = await DutyHandover.select().where((DutyHandover.day == day) & (DutyHandover.handed_by == await emp("complaint_supervisor"))).first()
    assert h["open_cases"] == str(case["id"]) and h["handed_at"] and h["received_by"] is None and h["month"] == rules.month_key(day)
    assert await AuditLog.exists().where((AuditLog.action == "duty.handover") & (AuditLog.entity_id == str(h["id"])))
    ref = f"duty-handover:{h['id']}"
    cr_user = (await DutyShift.select(DutyShift.employee.user).where(DutyShift.employee == await emp("cr_officer")).first())["employee.user"]
    assert await Notification.exists().where((Notification.ref == ref) & (Notification.user == cr_user) & Notification.closed_at.is_null())
    # the detail page and its signature card
    page = await writer.get(f"/duty/handovers/{h['id']}")
    assert page.status_code == 200 and case["number"] in page.text and "待确认" in page.text and 'data-testid="receive-form"' not in page.text
    assert "交班人不能自己确认接班" in page.text and 'data-testid="incoming">下一班：' in page.text
    # the writer cannot confirm their own handover (even by posting)
    r = await post(writer, f"/duty/handovers/{h['id']}/receive", {}, page=f"/duty/handovers/{h['id']}", headers=HX)
    assert r.status_code == 400 and "交班人不能自己确认接班" in r.text
    assert (await DutyHandover.select(DutyHandover.received_by).where(DutyHandover.id == h["id"]).first())["received_by"] is None
    # the incoming person confirms: the second signature (HTMX answers with the signature card)
    reader = await sign_in(await new_client(), "cr_officer")
    frag = await reader.get(f"/duty/handovers/{h['id']}", headers=HX)
    assert frag.text.lstrip().startswith('<div class="card" id="handover-sign"') and 'data-testid="receive-form"' in frag.text
    r = await post(reader, f"/duty/handovers/{h['id']}/receive", {"note": "已核对钥匙"}, page=f"/duty/handovers/{h['id']}", headers=HX)
    assert r.status_code == 200 and 'id="handover-sign"' in r.text and "已确认接班" in r.text and "<html" not in r.text
    done = await DutyHandover.select().where(DutyHandover.id == h["id"]).first()
    assert done["received_by"] == await emp("cr_officer") and done["received_at"] and done["received_note"] == "已核对钥匙"
    assert not await Notification.exists().where((Notification.ref == ref) & Notification.closed_at.is_null())
    assert await AuditLog.exists().where((AuditLog.action == "duty.receive") & (AuditLog.entity_id == str(h["id"])))
    # once: a third person cannot sign again
    third = await sign_in(await new_client(), "clerk")
    r = await post(third, f"/duty/handovers/{h['id']}/receive", {}, page=f"/duty/handovers/{h['id']}")
    assert r.status_code == 303
    assert (await DutyHandover.select(DutyHandover.received_by).where(DutyHandover.id == h["id"]).first())["received_by"] == await emp("cr_officer")
    # the print view shows both signatures
    pr = await reader.get(f"/duty/handovers/{h['id']}/print")
    assert pr.status_code == 200 and "值班交接班记录" in pr.text and case["number"] in pr.text
    handed = pr.text.split('data-testid="print-handed">')[1][:40]
    received = pr.text.split('data-testid="print-received">')[1][:40]
    names = {r["id"]: r["name"] for r in await Employee.select(Employee.id, Employee.name).where(
        Employee.id.is_in([done["handed_by"], done["received_by"]]))}
    assert names[done["handed_by"]] in handed and names[done["received_by"]] in received
    # a second handover for the same shift by the same person is refused
    r = await _write(writer, day, shift)
    assert r.status_code == 400 and "已填写过" in r.text


async def test_only_the_person_on_that_shift_writes(new_client):
    day = free_day(200)
    c = await sign_in(await new_client(), "cr_supervisor")
    before = await DutyHandover.count()
    r = await _write(c, day, "夜班")
    assert r.status_code == 400 and "没有您的班次" in r.text and "来电 3 个" in r.text and await DutyHandover.count() == before


@pytest.mark.parametrize("data, message", [
    ({"day": "notadate"}, "格式应为 YYYY-MM-DD"),
    ({"shift": "中班"}, "班次的选项无效"),
    ({"summary": ""}, "请填写值班情况"),
    ({"cases": ["99999999"]}, "所选的案件不在可带入的未结案件中"),
    ({"cases": ["abc"]}, "所选的案件不在可带入的未结案件中"),
])
async def test_bad_handover_input(new_client, data, message):
    day, shift = await _on_shift("complaint_officer")
    c = await sign_in(await new_client(), "complaint_officer")
    before = await DutyHandover.count()
    r = await _write(c, day, shift, data)
    assert r.status_code == 400 and message in r.text and await DutyHandover.count() == before
    if "equipment" not in data:
        assert "值班手机 1 部" in r.text  # what was typed is kept


async def test_detail_print_and_receive_refused_outside(new_client):
    h = await DutyHandover.select(DutyHandover.id).first()
    for role in ("guard", "sales"):
        c = await sign_in(await new_client(), role)
        assert (await c.get(f"/duty/handovers/{h['id']}")).status_code == 403
        assert (await c.get(f"/duty/handovers/{h['id']}/print")).status_code == 403
        assert (await post(c, f"/duty/handovers/{h['id']}/receive", {}, page="/")).status_code == 403
    other = await sign_in(await new_client(), "b_contract")  # the other company's duty staff
    assert (await other.get(f"/duty/handovers/{h['id']}")).status_code == 404
    staff = await sign_in(await new_client(), "clerk")
    assert (await staff.get("/duty/handovers/99999999")).status_code == 404
    assert (await staff.get(f"/duty/handovers/{h['id']}/print")).status_code == 200


async def test_prefill_is_the_users_current_shift(new_client):
    config = await load_config()
    day, shift = rules.shift_at(now(), config.times)
    await _on_shift("cr_supervisor", day, shift)
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await c.get("/duty/handovers/new")
    assert f'value="{day.isoformat()}"' in r.text and f'<option value="{shift}" selected' in r.text
