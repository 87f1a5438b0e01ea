"""Swaps: the person on duty asks a colleague (reason) → a 值班 manager approves or rejects; notifications (kind "duty")
to the colleague and the planners, closed when decided, results to both; on approval the shift changes hands only if it
is still the requester's (stale → refused, nothing changed); withdraw while pending; the refusals."""
import pytest

from app.core.tables import AuditLog, Notification
from app.duty.tables import DutyShift, DutySwap
from app.org.tables import Employee
from tests.conftest import sign_in
from tests.integration.care.duty_helpers import emp, free_day, post

pytestmark = pytest.mark.integration


async def _user(username: str) -> int:
    return (await Employee.select(Employee.user).where(Employee.user.username == username).first())["user"]


async def _shift(username: str, shift: str = "白班") -> int:
    day = free_day(120)
    rows = await DutyShift.insert(DutyShift(day=day, shift=shift, employee=await emp(username), note="")).returning(DutyShift.id)
    return rows[0]["id"]


async def _ask(client, shift_id: int, substitute: str, reason: str = "家中有事"):
    return await post(client, f"/duty/shifts/{shift_id}/swap", {"substitute": str(await emp(substitute)), "reason": reason},
                      page=f"/duty/shifts/{shift_id}/swap")


async def _open_notices(username: str, ref: str) -> int:
    return await Notification.count().where((Notification.user == await _user(username)) & (Notification.ref == ref)
                                            & Notification.closed_at.is_null() & (Notification.kind == "duty"))


async def test_swap_form_page(new_client):
    shift_id = await _shift("complaint_supervisor")
    c = await sign_in(await new_client(), "complaint_supervisor")
    r = await c.get(f"/duty/shifts/{shift_id}/swap")
    assert r.status_code == 200 and 'data-testid="swap-form"' in r.text and "代班同事" in r.text
    other = await sign_in(await new_client(), "cr_officer")
    r = await other.get(f"/duty/shifts/{shift_id}/swap")
    assert r.status_code == 200 and 'data-testid="swap-not-mine"' in r.text and 'data-testid="swap-form"' not in r.text
    assert (await other.get("/duty/shifts/99999999/swap")).status_code == 404
    guard = await sign_in(await new_client(), "guard")
    assert (await guard.get(f"/duty/shifts/{shift_id}/swap")).status_code == 403


async def test_swap_requested_approved_and_notified(new_client):
    shift_id = await _shift("complaint_supervisor")
    me = await sign_in(await new_client(), "complaint_supervisor")
    r = await _ask(me, shift_id, "cr_officer", "孩子生病")
    assert r.status_code == 303
    swap = await DutySwap.select().where(DutySwap.shift == shift_id).first()
    assert swap["status"] == "待批准" and swap["reason"] == "孩子生病"
    ref = f"duty-swap:{swap['id']}"
    assert await _open_notices("cr_officer", ref) == 1 and await _open_notices("supervisor", ref) == 1 and await _open_notices("dept_head", ref) == 1
    # a second request for the same shift while one is pending: refused
    r = await _ask(me, shift_id, "clerk")
    assert r.status_code == 400 and "已有待批准的换班申请" in r.text
    # staff cannot decide
    officer = await sign_in(await new_client(), "cr_officer")
    assert (await post(officer, f"/duty/swaps/{swap['id']}/approve", {})).status_code == 403
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get("/duty")
    assert f'action="/duty/swaps/{swap["id"]}/approve"' in page.text
    r = await post(sup, f"/duty/swaps/{swap['id']}/approve", {})
    assert r.status_code == 303
    assert (await DutyShift.select(DutyShift.employee).where(DutyShift.id == shift_id).first())["employee"] == await emp("cr_officer")
    decided = await DutySwap.select().where(DutySwap.id == swap["id"]).first()
    assert decided["status"] == "已批准" and decided["decided_by"] == await emp("supervisor")
    assert await _open_notices("cr_officer", ref) == 0 and await _open_notices("supervisor", ref) == 0  # closed when decided
    for who in ("cr_officer", "complaint_supervisor"):
        assert await Notification.exists().where((Notification.user == await _user(who)) & Notification.text.like("换班已批准%"))
    assert await AuditLog.exists().where((AuditLog.action == "duty.swap_approve") & (AuditLog.entity_id == str(swap["id"])))
    # decided once: a second decision is refused
    r = await post(sup, f"/duty/swaps/{swap['id']}/reject", {})
    assert r.status_code == 303 and "已被处理" in (await sup.get("/duty")).text
    assert (await DutySwap.select(DutySwap.status).where(DutySwap.id == swap["id"]).first())["status"] == "已批准"


async def test_swap_rejected_keeps_the_shift(new_client):
    shift_id = await _shift("complaint_supervisor", "夜班")
    me = await sign_in(await new_client(), "complaint_supervisor")
    assert (await _ask(me, shift_id, "clerk")).status_code == 303
    swap_id = (await DutySwap.select(DutySwap.id).where(DutySwap.shift == shift_id).first())["id"]
    head = await sign_in(await new_client(), "dept_head")
    assert (await post(head, f"/duty/swaps/{swap_id}/reject", {})).status_code == 303
    assert (await DutySwap.select(DutySwap.status).where(DutySwap.id == swap_id).first())["status"] == "已拒绝"
    assert (await DutyShift.select(DutyShift.employee).where(DutyShift.id == shift_id).first())["employee"] == await emp("complaint_supervisor")
    assert await _open_notices("clerk", f"duty-swap:{swap_id}") == 0


async def test_stale_swap_the_shift_changed_meanwhile(new_client):
    shift_id = await _shift("complaint_supervisor")
    me = await sign_in(await new_client(), "complaint_supervisor")
    assert (await _ask(me, shift_id, "cr_officer")).status_code == 303
    swap_id = (await DutySwap.select(DutySwap.id).where(DutySwap.shift == shift_id).first())["id"]
    # meanwhile another planner gave the shift to someone else (another process)
    await DutyShift.update({DutyShift.employee: await emp("archive")}).where(DutyShift.id == shift_id)
    sup = await sign_in(await new_client(), "supervisor")
    r = await post(sup, f"/duty/swaps/{swap_id}/approve", {})
    assert r.status_code == 303
    assert (await DutyShift.select(DutyShift.employee).where(DutyShift.id == shift_id).first())["employee"] == await emp("archive")
    assert (await DutySwap.select(DutySwap.status).where(DutySwap.id == swap_id).first())["status"] == "待批准"  # rolled back
    assert not await AuditLog.exists().where((AuditLog.action == "duty.swap_approve") & (AuditLog.entity_id == str(swap_id)))
    page = await sup.get("/duty")  # the flash says why
    assert "换班未执行" in page.text


async def test_withdraw_while_pending(new_client):
    shift_id = await _shift("complaint_supervisor")
    me = await sign_in(await new_client(), "complaint_supervisor")
    assert (await _ask(me, shift_id, "cr_officer")).status_code == 303
    swap_id = (await DutySwap.select(DutySwap.id).where(DutySwap.shift == shift_id).first())["id"]
    other = await sign_in(await new_client(), "cr_officer")
    assert (await post(other, f"/duty/swaps/{swap_id}/withdraw", {})).status_code == 303
    assert (await DutySwap.select(DutySwap.status).where(DutySwap.id == swap_id).first())["status"] == "待批准"  # not theirs
    assert (await post(me, f"/duty/swaps/{swap_id}/withdraw", {})).status_code == 303
    assert (await DutySwap.select(DutySwap.status).where(DutySwap.id == swap_id).first())["status"] == "已撤回"
    assert await _open_notices("cr_officer", f"duty-swap:{swap_id}") == 0
    sup = await sign_in(await new_client(), "supervisor")
    await post(sup, f"/duty/swaps/{swap_id}/approve", {})
    assert (await DutyShift.select(DutyShift.employee).where(DutyShift.id == shift_id).first())["employee"] == await emp("complaint_supervisor")


@pytest.mark.parametrize("substitute, reason, message", [
    ("complaint_supervisor", "有事", "请选择另一位同事代班"),
    ("sales", "有事", "不在本部门的值班人员中"),
    ("", "有事", "请选择代班同事"),
    ("x", "有事", "代班同事的选项无效"),
    ("clerk", "", "请填写换班原因"),
])
async def test_bad_swap_requests(new_client, substitute, reason, message):
    shift_id = await _shift("complaint_supervisor")
    me = await sign_in(await new_client(), "complaint_supervisor")
    sub = str(await emp(substitute)) if substitute not in ("", "x") else substitute
    r = await post(me, f"/duty/shifts/{shift_id}/swap", {"substitute": sub, "reason": reason}, page=f"/duty/shifts/{shift_id}/swap")
    assert r.status_code == 400 and message in r.text
    assert not await DutySwap.exists().where(DutySwap.shift == shift_id)


async def test_only_the_person_on_duty_may_ask(new_client):
    shift_id = await _shift("complaint_supervisor")
    other = await sign_in(await new_client(), "cr_officer")
    r = await _ask(other, shift_id, "clerk")
    assert r.status_code == 400 and "只有本班次的值班人" in r.text and not await DutySwap.exists().where(DutySwap.shift == shift_id)


async def test_two_planners_deciding_at_once_give_one_decision(new_client):
    import asyncio

    shift_id = await _shift("complaint_supervisor")
    me = await sign_in(await new_client(), "complaint_supervisor")
    assert (await _ask(me, shift_id, "clerk")).status_code == 303
    swap_id = (await DutySwap.select(DutySwap.id).where(DutySwap.shift == shift_id).first())["id"]
    sup, head = await sign_in(await new_client(), "supervisor"), await sign_in(await new_client(), "dept_head")
    await asyncio.gather(post(sup, f"/duty/swaps/{swap_id}/approve", {}), post(head, f"/duty/swaps/{swap_id}/reject", {}))
    status = (await DutySwap.select(DutySwap.status).where(DutySwap.id == swap_id).first())["status"]
    decisions = await AuditLog.count().where(AuditLog.action.is_in(["duty.swap_approve", "duty.swap_reject"]) & (AuditLog.entity_id == str(swap_id)))
    assert status in ("已批准", "已拒绝") and decisions == 1
    owner = (await DutyShift.select(DutyShift.employee).where(DutyShift.id == shift_id).first())["employee"]
    assert owner == (await emp("clerk") if status == "已批准" else await emp("complaint_supervisor"))
