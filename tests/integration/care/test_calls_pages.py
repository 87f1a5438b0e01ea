"""Call list, one call (customer, 立案 link, link to a case) and call QA: pages, fragments, roles, scope, audit."""
from __future__ import annotations

import pytest

from app.calls.tables import CallQa, CallRecord
from app.care.tables import CareCase
from app.core.tables import AuditLog
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration
HX = {"HX-Request": "true"}


async def _token(client) -> str:
    return HX_CSRF_RE.search((await client.get("/")).text).group(1)


async def _jc01_call(answered: bool = True, *, unscored: bool = False) -> dict:
    """A JC01 call with an agent; `unscored`: one that no QA score was given yet (the demo data scores some)."""
    where = (CallRecord.project.code == "JC01") & (CallRecord.answered == answered) & CallRecord.agent.is_not_null()
    if unscored:
        where &= CallRecord.id.not_in(CallQa.select(CallQa.call))
    return await CallRecord.select(CallRecord.id, CallRecord.number, CallRecord.buyer, CallRecord.agent, CallRecord.call_id).where(
        where).order_by(CallRecord.id).first()


async def test_list_page_fragment_filters_masking(new_client):
    call = await _jc01_call()
    c = await sign_in(await new_client(), "cr_officer")
    r = await c.get("/calls")
    assert r.status_code == 200 and "通话记录" in r.text and 'data-testid="filter-matched"' in r.text
    assert call["number"] not in r.text  # masked
    r = await c.get("/calls", params={"matched": "0"}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    unmatched = await CallRecord.count().where(CallRecord.buyer.is_null())
    assert r.text.count('data-testid="row"') == min(20, unmatched) and unmatched > 0
    r = await c.get("/calls", params={"number": call["number"][-4:], "answered": "1"}, headers=HX)
    assert r.status_code == 200 and call["number"][:3] + "****" + call["number"][-4:] in r.text
    for denied in ("sales", "accountant", "guard"):
        d = await sign_in(await new_client(), denied)
        assert (await d.get("/calls")).status_code == 403, denied
    for allowed in ("gm", "quality", "clerk"):
        a = await sign_in(await new_client(), allowed)
        assert (await a.get("/calls")).status_code == 200, allowed


async def test_export_is_masked_and_audited(new_client):
    from io import BytesIO

    from openpyxl import load_workbook

    call = await _jc01_call()
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await c.get("/calls", params={"number": call["number"][-4:], "export": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).worksheets[0]
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert call["number"] not in text and call["number"][-4:] in text
    assert await AuditLog.exists().where((AuditLog.action == "export") & (AuditLog.entity_id == "/calls"))


async def test_call_page_customer_intake_and_scope(new_client):
    call = await _jc01_call()
    c = await sign_in(await new_client(), "cr_officer2")  # JC01
    r = await c.get(f"/calls/{call['id']}")
    assert r.status_code == 200 and f'/care/customers/{call["buyer"]}' in r.text
    assert f'href="/care/new?call={call["id"]}"' in r.text and call["number"] not in r.text
    out = await sign_in(await new_client(), "complaint_officer2")  # JC02 only
    assert (await out.get(f"/calls/{call['id']}")).status_code == 404
    assert (await c.get("/calls/99999999")).status_code == 404


async def test_link_call_to_case(new_client):
    call = await _jc01_call()
    case = await CareCase.select(CareCase.id, CareCase.number).where(CareCase.project.code == "JC01").first()
    c = await sign_in(await new_client(), "cr_officer")
    token = await _token(c)
    r = await c.post(f"/calls/{call['id']}/case", data={"_csrf_token": token, "case": "KF-NOPE"}, headers=HX)
    assert r.status_code == 400 and "没有找到案件" in r.text and "<html" not in r.text
    if case is None:  # the cases part's demo data may not be merged yet: make one through the table's own fields
        from app.core.timeutil import now

        row = CareCase(number="KF-TEST-CALL-0001", kind="咨询", channel="电话", project=(await CallRecord.select(CallRecord.project).where(
            CallRecord.id == call["id"]).first())["project"], status="已登记", received_at=now())
        await row.save()
        case = {"id": row.id, "number": row.number}
    r = await c.post(f"/calls/{call['id']}/case", data={"_csrf_token": token, "case": case["number"]})
    assert r.status_code == 303
    assert (await CallRecord.select(CallRecord.case).where(CallRecord.id == call["id"]).first())["case"] == case["id"]
    assert await AuditLog.exists().where((AuditLog.action == "calls.link_case") & (AuditLog.entity_id == str(call["id"])))
    page = await c.get(f"/calls/{call['id']}")
    assert 'data-testid="linked-case"' in page.text and case["number"] in page.text
    viewer = await sign_in(await new_client(), "gm")  # reads calls, does not work cases
    r = await viewer.post(f"/calls/{call['id']}/case", data={"_csrf_token": await _token(viewer), "case": case["number"]})
    assert r.status_code == 403


async def test_qa_form_score_board_and_agent_fragment(new_client):
    call = await _jc01_call(unscored=True)
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await c.get(f"/calls/{call['id']}/qa")
    assert r.status_code == 200 and "请字当头" in r.text and "四个一样" in r.text and 'data-testid="clause-link"' in r.text
    token = await _token(c)
    keys = ["please", "nin", "bye", "no_blunt", "no_shift", "no_blame", "same_person", "same_check", "same_busy", "same_mood"]
    data = {"_csrf_token": token, **{f"item_{k}": "1" for k in keys if k != "bye"}}
    before = await CallQa.count()
    r = await c.post(f"/calls/{call['id']}/qa", data=data, headers=HX)  # an item missed without a note: refused
    assert r.status_code == 400 and "请在备注中写明" in r.text and "<html" not in r.text and await CallQa.count() == before
    assert 'data-testid="qa-item-please"' in r.text and 'value="1" checked' in r.text
    data["note"] = "结束时未说再见"
    r = await c.post(f"/calls/{call['id']}/qa", data=data)
    assert r.status_code == 303
    qa = await CallQa.select().order_by(CallQa.id, ascending=False).first()
    assert (qa["call"], qa["score"], qa["agent"]) == (call["id"], 90, call["agent"]) and "bye" not in qa["items"].split(",")
    again = await c.post(f"/calls/{call['id']}/qa", data=data)  # a second submit by the same reviewer: refused, counted once
    assert again.status_code == 400 and "不能重复评分" in again.text and await CallQa.count().where(CallQa.call == call["id"]) == 1
    assert await AuditLog.exists().where((AuditLog.action == "calls.qa") & (AuditLog.entity_id == str(qa["id"])))
    board = await c.get("/calls/qa")
    assert board.status_code == 200 and 'data-testid="qa-board"' in board.text and 'data-testid="qa-queue"' in board.text
    frag = await c.get("/calls/qa", params={"agent": call["agent"]}, headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and 'data-testid="qa-agent-row"' in frag.text
    unanswered = await _jc01_call(answered=False)
    if unanswered:
        r = await c.post(f"/calls/{unanswered['id']}/qa", data={"_csrf_token": token, **{f"item_{k}": "1" for k in keys}})
        assert r.status_code == 400 and "未接通" in r.text


async def test_qa_roles(new_client):
    call = await _jc01_call()
    for denied in ("cr_officer", "complaint_officer", "gm", "quality"):
        d = await sign_in(await new_client(), denied)
        assert (await d.get("/calls/qa")).status_code == 403, denied
        assert (await d.get(f"/calls/{call['id']}/qa")).status_code == 403, denied
        r = await d.post(f"/calls/{call['id']}/qa", data={"_csrf_token": await _token(d)})
        assert r.status_code == 403, denied
    a = await sign_in(await new_client(), "complaint_supervisor")
    assert (await a.get("/calls/qa")).status_code == 200


async def test_no_scoring_of_ones_own_call_and_viewers_see_no_file_link(new_client):
    from app.org.tables import Employee

    me = await Employee.select(Employee.id).where(Employee.user.username == "complaint_supervisor").first()
    call = await _jc01_call()
    await CallRecord.update({CallRecord.agent: me["id"]}).where(CallRecord.id == call["id"])
    try:
        c = await sign_in(await new_client(), "complaint_supervisor")
        before = await CallQa.count()
        r = await c.post(f"/calls/{call['id']}/qa", data={"_csrf_token": await _token(c), "item_please": "1", "note": "自评"})
        assert r.status_code == 400 and "不能为自己接听的通话评分" in r.text and await CallQa.count() == before
    finally:
        await CallRecord.update({CallRecord.agent: call["agent"]}).where(CallRecord.id == call["id"])
    gm = await sign_in(await new_client(), "gm")  # reads calls, not customer files
    page = await gm.get(f"/calls/{call['id']}")
    assert page.status_code == 200 and 'data-testid="call-customer-link"' not in page.text and 'data-testid="call-intake"' not in page.text
