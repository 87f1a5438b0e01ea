"""Cases (SPEC D1, D2) through the routes: intake with the level decided at the boundaries, bad input that writes
nothing, the live preview, the case list with its filters, the case page and its actions, project scope, stale moves,
pause/resume moving the due columns, and compensation on the engine."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.care import states
from app.care.tables import CareCase, CaseEvent, CasePause, CareRepair, Compensation
from app.core.tables import AuditLog, Notification
from app.estate.tables import Unit
from app.pipeline.tables import Deal
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration
HX = {"HX-Request": "true"}


async def token(client) -> str:
    return HX_CSRF_RE.search((await client.get("/")).text).group(1)


async def unit_with_buyer(project: str = "JC01", skip: int = 0) -> dict:
    rows = await Deal.select(Deal.unit, Deal.buyer, Deal.project).where(
        (Deal.project.code == project) & Deal.stage.is_in(["已签约", "已备案", "已交付"])).order_by(Deal.id).offset(skip).limit(1)
    return rows[0]


async def free_unit(project: str = "JC01") -> dict:
    taken = [r["unit"] for r in await Deal.select(Deal.unit)]
    return await Unit.select(Unit.id, Unit.project).where((Unit.project.code == project) & Unit.id.not_in(taken or [0])).first()


def intake_data(u: dict, **over) -> dict:
    data = {"kind": "投诉", "channel": "电话", "category": "工程质量", "project": str(u["project"]), "unit": str(u["unit"]),
            "title": "卫生间漏水", "content": "楼上渗水到客厅天花板", "demand": "尽快维修并赔偿", "households": "1"}
    data.update({k: v for k, v in over.items() if v is not None})
    return {k: v for k, v in data.items() if v != ""}


async def intake(client, data: dict):
    return await client.post("/care/new", data={**data, "_csrf_token": await token(client)})


async def case_of(resp) -> dict:
    assert resp.status_code == 303, resp.text[:3000]
    cid = int(re.search(r"/care/cases/(\d+)", resp.headers["location"]).group(1))
    return await CareCase.select(CareCase.all_columns(), CareCase.handler.position.role, CareCase.handler.user).where(CareCase.id == cid).first()


async def counts() -> tuple[int, int, int]:
    return await CareCase.count(), await CaseEvent.count(), await AuditLog.count().where(AuditLog.action == "care.intake")


# ---------------------------------------------------------------- intake


async def test_intake_pages_and_guards(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    r = await c.get("/care/new")
    assert r.status_code == 200 and 'data-testid="intake-form"' in r.text and "定级预览" in r.text
    u = await unit_with_buyer()
    r = await c.get(f"/care/new/units?project={u['project']}&room=", headers=HX)
    assert r.status_code == 200 and 'id="unit-options"' in r.text and "<html" not in r.text
    for role in ("gm", "clerk", "quality"):  # read cases, do not take them in
        other = await sign_in(await new_client(), role)
        assert (await other.get("/care/new")).status_code == 403
    sales = await sign_in(await new_client(), "sales")
    assert (await sales.get("/care")).status_code == 403


async def test_claim_boundary_9999_99_is_p2_for_the_complaint_supervisor(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=1), kind="索赔", claim_amount="9999.99")))
    assert case["level"] == "P2" and case["handler_role"] == "complaint_supervisor" and case["status"] == states.ASSIGNED
    assert case["handler.position.role"] == "complaint_supervisor" and case["assigned_at"] is not None
    assert not case["gm_informed"] and case["response_due"] and case["plan_due"] and case["close_due"]
    assert case["number"].startswith("KF-")
    assert await Notification.exists().where((Notification.user == case["handler.user"]) & (Notification.ref == f"case:{case['id']}:handle"))


async def test_claim_boundary_10000_is_p1_for_the_dept_head_and_gm_informed_of_media(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=2), kind="索赔", claim_amount="10000.00")))
    assert case["level"] == "P1" and case["handler_role"] == "dept_head" and case["handler.position.role"] == "dept_head"
    assert "10,000.00" in case["level_reasons"] and case["gm_informed"]
    assert await Notification.exists().where((Notification.user.username == "gm") & (Notification.ref == f"case:{case['id']}:gm"))
    media = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=3), media_risk="1")))
    assert media["level"] == "P1" and media["gm_informed"]
    gm_notes = await Notification.select(Notification.user.username).where(Notification.ref == f"case:{media['id']}:gm")
    assert {"gm", "b_gm"} <= {n["user.username"] for n in gm_notes}
    assert await CaseEvent.exists().where((CaseEvent.case == media["id"]) & (CaseEvent.action == "gm_informed"))


async def test_four_households_stay_p3_five_are_a_group_p1(new_client):
    c = await sign_in(await new_client(), "cr_officer")
    four = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=4), group_complaint="1", households="4")))
    assert four["level"] == "P3" and four["handler_role"] in ("cr_officer", "complaint_officer") and not four["gm_informed"]
    five = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=5), group_complaint="1", households="5")))
    assert five["level"] == "P1" and five["gm_informed"] and "群诉" in five["level_reasons"]


async def test_repeat_complaint_same_unit_and_category(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    u = await unit_with_buyer(skip=6)
    first = await case_of(await intake(c, intake_data(u, category="配套")))
    assert not first["repeat"] and first["level"] == "P3"
    other = await case_of(await intake(c, intake_data(u, category="物业")))
    assert not other["repeat"]
    again = await case_of(await intake(c, intake_data(u, category="配套")))
    assert again["repeat"] and again["repeat_of"] == first["id"] and again["level"] == "P2"


@pytest.mark.parametrize("over,field,message", [
    ({"unit": "99999999"}, "unit", "没有找到该房号"),
    ({"claim_amount": "100.123"}, "claim_amount", "两位小数"),
    ({"caller_phone": "1381234567"}, "caller_phone", "电话号码格式不正确"),
    ({"title": ""}, "title", "请填写标题"),
])
async def test_bad_input_keeps_values_and_writes_nothing(new_client, over, field, message):
    c = await sign_in(await new_client(), "complaint_officer")
    before = await counts()
    data = intake_data(await unit_with_buyer(), **over)
    data["demand"] = "保留我输入的诉求"
    r = await intake(c, data)
    assert r.status_code == 400
    err = re.search(rf'data-testid="error-{field}">([^<]+)<', r.text)
    assert err and message in err.group(1), r.text[:2000]
    assert "保留我输入的诉求" in r.text
    if over.get("claim_amount"):
        assert 'value="100.123"' in r.text
    assert await counts() == before


async def test_unit_outside_scope_is_refused_on_the_field(new_client):
    c = await sign_in(await new_client(), "complaint_officer2")  # JC02 only
    jc01 = await unit_with_buyer("JC01")
    before = await counts()
    r = await intake(c, intake_data(jc01))
    assert r.status_code == 400 and 'data-testid="error-project"' in r.text
    jc02 = await unit_with_buyer("JC02")
    r = await intake(c, intake_data({"project": jc02["project"], "unit": jc01["unit"]}))
    assert r.status_code == 400 and re.search(r'data-testid="error-unit">[^<]*(不在您的数据范围内|不属于所选项目)', r.text)
    assert await counts() == before


async def test_caller_without_buyer_needs_name_and_phone(new_client):
    c = await sign_in(await new_client(), "cr_officer")
    u = await free_unit()
    data = intake_data({"project": u["project"], "unit": u["id"]}, kind="咨询", category="")
    r = await intake(c, data)
    assert r.status_code == 400 and 'data-testid="error-caller_name"' in r.text and 'data-testid="error-caller_phone"' in r.text
    case = await case_of(await intake(c, {**data, "caller_name": "访客张先生", "caller_phone": "13912345678"}))
    assert case["buyer"] is None and case["caller_name"] == "访客张先生" and case["kind"] == "咨询"
    assert case["response_due"] and case["close_due"] is None


async def test_repair_intake_creates_the_repair_row_with_the_warranty(new_client):
    c = await sign_in(await new_client(), "cr_officer")
    u = await unit_with_buyer(skip=7)
    case = await case_of(await intake(c, intake_data(u, kind="报修", category="", element="plumbing", location="厨房", priority="urgent")))
    assert case["number"].startswith("BX-") and case["status"] == states.R_ACCEPTED
    rep = await CareRepair.select().where(CareRepair.case == case["id"]).first()
    assert rep["element"] == "plumbing" and rep["priority"] == "urgent" and rep["warranty_basis"] and rep["on_site_due"]
    assert rep["in_warranty"] in (True, False)


async def test_preview_fragment_shows_level_handler_and_gm(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    t = await token(c)
    u = await unit_with_buyer()
    r = await c.post("/care/new/preview", data={**intake_data(u, kind="索赔", claim_amount="10000.00"), "_csrf_token": t}, headers=HX)
    assert r.status_code == 200 and 'data-testid="preview-level">P1' in r.text and "部门经理" in r.text and "<html" not in r.text
    r = await c.post("/care/new/preview", data={**intake_data(u, media_risk="1"), "_csrf_token": t}, headers=HX)
    assert "登记时将通报总经理" in r.text
    r = await c.post("/care/new/preview", data={**intake_data(u, claim_amount="1.234"), "_csrf_token": t}, headers=HX)
    assert "两位小数" in r.text


# ---------------------------------------------------------------- list and page


async def test_case_list_filters_fragment_export_and_scope(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    jc01 = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=8), title="列表筛选JC01")))
    jc02 = await case_of(await intake(c, intake_data(await unit_with_buyer("JC02"), title="列表筛选JC02")))
    r = await c.get("/care?q=列表筛选")
    assert r.status_code == 200 and "列表筛选JC01" in r.text and "列表筛选JC02" in r.text and 'data-testid="level-badge"' in r.text
    r = await c.get("/care?q=列表筛选&level=P3&kind=投诉", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and 'id="case-list"' in r.text
    r = await c.get(f"/care?q=列表筛选&project={jc02['project']}")
    assert "列表筛选JC02" in r.text and "列表筛选JC01" not in r.text
    r = await c.get("/care?q=列表筛选&clock=breached")
    assert "列表筛选JC01" not in r.text
    r = await c.get("/care?q=列表筛选&who=mine")
    assert "列表筛选JC01" not in r.text  # handled by someone else
    o2 = await sign_in(await new_client(), "complaint_officer2")  # JC02 only
    r = await o2.get("/care?q=列表筛选")
    assert "列表筛选JC02" in r.text and "列表筛选JC01" not in r.text
    assert (await o2.get(f"/care/cases/{jc01['id']}")).status_code == 404
    assert (await o2.get(f"/care/cases/{jc02['id']}")).status_code == 200
    gm = await sign_in(await new_client(), "gm")
    r = await gm.get("/care?q=列表筛选")
    assert "列表筛选JC01" in r.text and "列表筛选JC02" in r.text
    before = await AuditLog.count().where(AuditLog.action == "export")
    r = await c.get("/care?q=列表筛选&export=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert await AuditLog.count().where(AuditLog.action == "export") == before + 1


async def test_overdue_filter_from_the_stored_dues(new_client):
    c = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(c, intake_data(await unit_with_buyer(skip=9), title="超时筛选")))
    from app.core.timeutil import now

    await CareCase.update({CareCase.response_due: now() - timedelta(hours=1)}).where(CareCase.id == case["id"])
    r = await c.get("/care?q=超时筛选&clock=breached")
    assert case["number"] in r.text and 'data-clock="已超时"' in r.text
    await CareCase.update({CareCase.response_due: now() + timedelta(hours=2)}).where(CareCase.id == case["id"])  # P3: 24 h, amber in the last 20 %
    r = await c.get("/care?q=超时筛选&clock=amber")
    assert case["number"] in r.text
    assert case["number"] not in (await c.get("/care?q=超时筛选&clock=breached")).text


async def test_case_page_fragment_masking_and_reveal(new_client):
    c = await sign_in(await new_client(), "cr_officer")
    u = await free_unit("JC02")
    case = await case_of(await intake(c, intake_data({"project": u["project"], "unit": u["id"]}, kind="咨询", category="",
                                                     caller_name="李女士", caller_phone="13812345678")))
    r = await c.get(f"/care/cases/{case['id']}")
    assert r.status_code == 200 and "138****5678" in r.text and "13812345678" not in r.text and 'data-testid="case-clocks"' in r.text
    assert 'data-testid="case-timeline"' in r.text and 'data-testid="attachments-card"' in r.text
    r = await c.get(f"/care/cases/{case['id']}", headers=HX)
    assert r.status_code == 200 and 'id="case-main"' in r.text and "<html" not in r.text
    before = await AuditLog.count().where(AuditLog.action == "customer.unmask")
    r = await c.post(f"/care/cases/{case['id']}/unmask", data={"_csrf_token": await token(c)}, headers=HX)
    assert r.status_code == 200 and "13812345678" in r.text
    assert await AuditLog.count().where(AuditLog.action == "customer.unmask") == before + 1
    gm = await sign_in(await new_client(), "gm")  # reads cases, may not reveal
    assert (await gm.get(f"/care/cases/{case['id']}")).status_code == 200
    assert (await gm.post(f"/care/cases/{case['id']}/unmask", data={"_csrf_token": await token(gm)})).status_code == 403


# ---------------------------------------------------------------- actions


async def act(client, case_id: int, action: str, version: int | None = None, htmx: bool = True, **data):
    payload = {**data, "_csrf_token": await token(client)}
    if version is not None:
        payload["version"] = str(version)
    return await client.post(f"/care/cases/{case_id}/act/{action}", data=payload, headers=HX if htmx else {})


async def fresh(case_id: int) -> dict:
    return await CareCase.select().where(CareCase.id == case_id).first()


async def test_walk_start_plan_accept_finish_and_who_may_act(new_client):
    off = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=10), kind="索赔", claim_amount="5000.00")))
    assert case["handler_role"] == "complaint_supervisor"
    other = await sign_in(await new_client(), "cr_officer")  # not the handler, not the role, not a manager
    assert (await act(other, case["id"], "start", case["version"])).status_code == 403
    sup = await sign_in(await new_client(), "complaint_supervisor")
    r = await act(sup, case["id"], "start", case["version"])
    assert r.status_code == 200 and 'data-testid="toast"' in r.text and 'id="case-main"' in r.text
    c1 = await fresh(case["id"])
    assert c1["status"] == states.HANDLING and c1["responded_at"]
    r = await act(sup, case["id"], "plan", c1["version"], plan_text="")
    assert r.status_code == 400 and "请填写答复方案" in r.text
    r = await act(sup, case["id"], "plan", c1["version"], htmx=False, plan_text="更换防水层并补偿")
    assert r.status_code == 303
    c2 = await fresh(case["id"])
    assert c2["status"] == states.PLAN_CONFIRM and c2["plan_at"]
    await act(sup, case["id"], "customer_accepts", c2["version"])
    c3 = await fresh(case["id"])
    assert c3["status"] == states.EXECUTING
    r = await act(sup, case["id"], "finish", c3["version"], note="已修复")
    c4 = await fresh(case["id"])
    assert c4["status"] == states.CALLBACK and c4["closed_at"] and c4["on_time"] is True and c4["callback_due"]
    r = await act(sup, case["id"], "reopen", c4["version"], reason="")
    assert r.status_code == 400 and "请填写重开原因" in r.text
    r = await act(sup, case["id"], "reopen", c4["version"], reason="客户反映仍漏水")
    assert (await fresh(case["id"]))["status"] == states.REOPENED
    events = [e["action"] for e in await CaseEvent.select(CaseEvent.action).where(CaseEvent.case == case["id"]).order_by(CaseEvent.id)]
    assert events[:1] == ["intake"] and "finish" in events and events[-1] == "reopen"


async def test_stale_action_one_wins(new_client):
    off = await sign_in(await new_client(), "cr_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=11))))
    a = await sign_in(await new_client(), "complaint_supervisor")
    b = await sign_in(await new_client(), "supervisor")
    r1 = await act(a, case["id"], "not_accept", case["version"], reason="非本公司责任")
    r2 = await act(b, case["id"], "to_property", case["version"], reason="物业范围")
    assert r1.status_code == 200
    assert r2.status_code == 409 and "该案件的状态已经变化" in r2.text
    assert (await fresh(case["id"]))["status"] == states.NOT_ACCEPTED


async def test_a_version_of_thousands_of_digits_is_stale_not_an_error(new_client):
    """The fuzzer's find: int() of a 5,000-digit version raised (500); it is now a stale page like any other."""
    off = await sign_in(await new_client(), "cr_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=12))))
    sup = await sign_in(await new_client(), "supervisor")
    for version in ("9" * 5000, "１", "-1"):
        r = await act(sup, case["id"], "override", version, level="P1", reason="测试")
        assert r.status_code == 409 and "该案件的状态已经变化" in r.text, version
    assert (await fresh(case["id"]))["version"] == case["version"]


async def test_not_accepted_needs_a_reason(new_client):
    off = await sign_in(await new_client(), "cr_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=12))))
    sup = await sign_in(await new_client(), "complaint_supervisor")
    r = await act(sup, case["id"], "not_accept", case["version"], reason=" ")
    assert r.status_code == 400 and "不予受理必须填写原因" in r.text
    assert (await fresh(case["id"]))["status"] == case["status"]


async def test_pause_and_resume_move_the_due_columns(new_client):
    off = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=13))))
    r = await act(off, case["id"], "pause", case["version"], reason="")
    assert r.status_code in (400, 403)
    sup = await sign_in(await new_client(), "complaint_supervisor")
    r = await act(sup, case["id"], "pause", case["version"], reason="等待客户提供照片")
    assert r.status_code == 200
    c1 = await fresh(case["id"])
    assert c1["paused_since"] and "已暂停：等待客户" in (await sup.get(f"/care/cases/{case['id']}")).text
    # the case came in 4 hours ago and has waited on the customer for the last 3
    p = await CasePause.select().where(CasePause.case == case["id"]).first()
    received = case["received_at"] - timedelta(hours=4)
    await CareCase.update({CareCase.received_at: received}).where(CareCase.id == case["id"])
    await CasePause.update({CasePause.started_at: p["started_at"] - timedelta(hours=3)}).where(CasePause.id == p["id"])
    r = await act(sup, case["id"], "resume", c1["version"])
    c2 = await fresh(case["id"])
    assert c2["paused_since"] is None
    shift = c2["response_due"] - (received + timedelta(hours=24))  # P3: first response within 24 h, plus the 3 h given back
    assert timedelta(hours=2, minutes=59) <= shift <= timedelta(hours=3, minutes=5), shift
    assert c2["close_due"] is not None and c2["response_due"] != case["response_due"]


async def test_override_level_recomputes_dues_and_handler(new_client):
    off = await sign_in(await new_client(), "cr_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=14))))
    assert case["level"] == "P3"
    sup = await sign_in(await new_client(), "complaint_supervisor")
    r = await act(sup, case["id"], "override", case["version"], level="P1", reason="")
    assert r.status_code == 400 and "必须填写原因" in r.text
    r = await act(sup, case["id"], "override", case["version"], level="P1", reason="涉及多户，影响较大")
    c1 = await fresh(case["id"])
    assert c1["level"] == "P1" and c1["level_computed"] == "P3" and c1["handler_role"] == "dept_head"
    assert c1["response_due"] < case["response_due"]
    assert (await act(off, case["id"], "override", c1["version"], level="P3", reason="x")).status_code == 403


async def test_compensation_on_the_engine(new_client):
    off = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=15))))
    sup = await sign_in(await new_client(), "complaint_supervisor")
    await act(sup, case["id"], "assign", case["version"], handler=str((await _employee("complaint_officer"))))
    c1 = await fresh(case["id"])
    await act(off, case["id"], "start", c1["version"])
    r = await off.get("/workflow/new/care_compensation")
    assert r.status_code == 200 and case["number"] in r.text
    r = await off.post("/workflow/new/care_compensation", data={"case_ref": case["number"], "amount": "800.005", "reason": "补偿",
                                                              "payee": "业主", "_csrf_token": await token(off)})
    assert r.status_code == 400 and "两位小数" in r.text
    r = await off.post("/workflow/new/care_compensation", data={"case_ref": case["number"], "amount": "800.00", "reason": "补偿清洁费",
                                                              "payee": "业主本人", "_csrf_token": await token(off)})
    assert r.status_code == 303, r.text[:2000]
    c2 = await fresh(case["id"])
    assert c2["status"] == states.PLAN_APPROVAL and c2["compensation_request"]
    from app.workflow.tables import Request, Step

    req = await Request.select().where(Request.id == c2["compensation_request"]).first()
    assert req["number"].startswith("BC-")
    steps = await Step.select(Step.key).where(Step.request == req["id"])
    assert [s["key"] for s in steps] == ["care_complaint_supervisor"]
    # the approver approves on the engine
    await approve(sup, req["id"])
    c3 = await fresh(case["id"])
    assert c3["status"] == states.PLAN_CONFIRM
    assert (await Compensation.select(Compensation.approved).where(Compensation.request == req["id"]).first())["approved"]
    page = await off.get(f"/care/cases/{case['id']}")
    assert 'data-testid="start-payment"' in page.text


async def _employee(username: str) -> int:
    from app.org.tables import Employee

    return (await Employee.select(Employee.id).where(Employee.user.username == username).first())["id"]


async def approve(client, request_id: int, action: str = "同意") -> None:
    page = await client.get(f"/workflow/requests/{request_id}")
    m = re.search(r'action="/workflow/tasks/(\d+)/act"', page.text)
    assert m, page.text[:3000]
    r = await client.post(f"/workflow/tasks/{m.group(1)}/act", data={"action": action, "comment": "同意" if action == "同意" else "金额过高",
                                                                     "_csrf_token": await token(client)})
    assert r.status_code in (200, 303), r.text[:2000]


async def test_compensation_amount_picks_the_approver(new_client):
    from app.care.flows import COMPENSATION, CompensationForm

    off = await sign_in(await new_client(), "complaint_officer")
    from app.core.auth import load_user
    from app.org.tables import Employee

    emp = await Employee.select(Employee.user).where(Employee.user.username == "complaint_officer").first()
    user = await load_user(emp["user"])
    for amount, role in (("999.99", "complaint_supervisor"), ("1000.00", "dept_head"), ("9999.99", "dept_head"), ("10000.00", "gm"),
                         ("99999.99", "gm"), ("100000.00", "president")):
        res = await CompensationForm().parse({"case_ref": "", "amount": amount, "reason": "r", "payee": "p"}, user, None)
        assert res.cleaned["approver_role"] == role, amount
        from app.workflow.definitions import Applicant, ChainContext

        steps = COMPENSATION.chain(ChainContext(applicant=None, amount=res.amount, data=res.cleaned, settings={}))  # type: ignore[arg-type]
        assert len(steps) == 1 and steps[0].approvers.role == role
    assert off


async def _comp_case(new_client, skip: int, amount: str):
    off = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=skip), category="销售承诺/广告")))
    sup = await sign_in(await new_client(), "complaint_supervisor")
    await act(sup, case["id"], "assign", case["version"], handler=str(await _employee("complaint_officer")))
    await act(off, case["id"], "start", (await fresh(case["id"]))["version"])
    r = await off.post("/workflow/new/care_compensation", data={"case_ref": case["number"], "amount": amount, "reason": "补偿",
                                                              "payee": "业主本人", "_csrf_token": await token(off)})
    assert r.status_code == 303, r.text[:1500]
    return off, sup, await fresh(case["id"])


async def test_rejected_compensation_returns_the_case_to_handling(new_client):
    off, sup, case = await _comp_case(new_client, 16, "5000.00")  # 1,000–9,999.99: the 部门经理 approves
    from app.workflow.tables import Step

    steps = await Step.select(Step.key).where(Step.request == case["compensation_request"])
    assert [s["key"] for s in steps] == ["care_dept_head"]
    head = await sign_in(await new_client(), "dept_head")
    await approve(head, case["compensation_request"], "驳回")
    c = await fresh(case["id"])
    assert c["status"] == states.HANDLING
    assert await CaseEvent.exists().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "plan_rejected"))


async def test_payment_is_linked_server_checked(new_client):
    off, sup, case = await _comp_case(new_client, 17, "600.00")
    await approve(sup, case["compensation_request"])
    assert (await fresh(case["id"]))["status"] == states.PLAN_CONFIRM
    t = await token(off)
    r = await off.post(f"/care/cases/{case['id']}/payment", data={"payment_number": "FK-19990101-0001", "_csrf_token": t})
    assert r.status_code == 400 and "没有找到该付款审批单" in r.text
    from app.finance.tables import Payment
    from app.workflow.tables import Request

    # 发起付款 opens the 付款 form filled in from the approved compensation; someone the case is out of reach for gets a
    # blank form (the submit is checked as for any payment)
    form = await off.get(f"/workflow/new/payment?care_case={case['id']}")
    assert form.status_code == 200 and 'value="600.00"' in form.text and f'value="{case["number"]}"' in form.text
    assert f"客诉补偿：案件 {case['number']}" in form.text
    other = await sign_in(await new_client(), "complaint_officer2")  # JC02 only; the case is JC01's
    blank = await other.get(f"/workflow/new/payment?care_case={case['id']}")
    assert blank.status_code == 200 and case["number"] not in blank.text
    assert (await off.get("/workflow/new/payment?care_case=abc")).status_code == 200

    r = await off.post("/workflow/new/payment", data={"payee": "业主本人", "bank": "中国银行苏州分行", "account": "6217000000000001",
                                                     "contract_no": case["number"], "contract_total": "600.00", "amount": "600.00",
                                                     "method": "银行转账", "purpose": f"客诉补偿 {case['number']}", "_csrf_token": t})
    assert r.status_code == 303, re.findall(r"data-testid=\"error-[^\"]+\">[^<]+", r.text)
    pay = await Payment.select(Payment.request.number).where(Payment.purpose == f"客诉补偿 {case['number']}").first()
    r = await off.post(f"/care/cases/{case['id']}/payment", data={"payment_number": pay["request.number"], "_csrf_token": t})
    assert r.status_code == 303
    c = await fresh(case["id"])
    req = await Request.select(Request.id).where(Request.number == pay["request.number"]).first()
    assert c["payment_request"] == req["id"]


async def test_role_holders_may_act_and_p1_daily_update(new_client):
    off = await sign_in(await new_client(), "complaint_officer")
    case = await case_of(await intake(off, intake_data(await unit_with_buyer(skip=18), category="规划设计变更")))
    sup = await sign_in(await new_client(), "complaint_supervisor")
    await act(sup, case["id"], "assign", case["version"], handler=str(await _employee("cr_officer")))
    c1 = await fresh(case["id"])
    assert c1["handler_role"] == "cr_officer"
    peer = await sign_in(await new_client(), "cr_officer2")  # same role, JC01: may act although not the handler
    r = await act(peer, case["id"], "start", c1["version"])
    assert r.status_code == 200 and (await fresh(case["id"]))["status"] == states.HANDLING
    assert 'data-testid="act-daily_update"' not in r.text  # P3: no daily update
    c2 = await fresh(case["id"])
    await act(sup, case["id"], "override", c2["version"], level="P1", reason="媒体关注")
    head = await sign_in(await new_client(), "dept_head")
    c3 = await fresh(case["id"])
    r = await act(head, case["id"], "daily_update", c3["version"], note="")
    assert r.status_code == 400 and "请填写今日进展" in r.text
    r = await act(head, case["id"], "daily_update", c3["version"], note="已联系设计院复核")
    assert r.status_code == 200
    assert await CaseEvent.exists().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "daily_update"))


async def test_a_call_opens_a_case(new_client):
    """立案 from a call record: the form says so (the number masked), the case takes the call's number and the call points
    at the new case; a call already linked, or out of reach, prefills nothing."""
    from app.calls.tables import CallRecord
    from app.core.timeutil import now as _now
    from app.core.validators import mask_phone
    from app.estate.tables import Project

    jc01 = await Project.select(Project.id).where(Project.code == "JC01").first()
    rows = await CallRecord.insert(CallRecord(call_id="TEST-CALL-CASE-1", started_at=_now(), number="13912345678", answered=True,
                                              project=jc01["id"], imported_at=_now())).returning(CallRecord.id)
    call_id = rows[0]["id"]
    off = await sign_in(await new_client(), "complaint_officer")
    page = await off.get(f"/care/new?call={call_id}")
    assert page.status_code == 200 and 'data-testid="from-call"' in page.text
    assert mask_phone("13912345678") in page.text and "13912345678" not in page.text
    free = await free_unit("JC01")
    r = await intake(off, {"kind": "咨询", "channel": "电话", "project": str(jc01["id"]), "title": "来电咨询交房", "content": "询问交房时间",
                           "households": "1", "call": str(call_id), "unit": str(free["id"]), "caller_name": "李先生"})
    assert r.status_code == 303, re.findall(r'invalid-feedback[^>]*>([^<]+)', r.text)
    case = await case_of(r)
    assert case["caller_phone"] == "13912345678"
    assert (await CallRecord.select(CallRecord.case).where(CallRecord.id == call_id).first())["case"] == case["id"]
    again = await off.get(f"/care/new?call={call_id}")
    assert 'data-testid="from-call"' not in again.text  # already linked
    other = await sign_in(await new_client(), "complaint_officer2")  # JC02 only: the JC01 call is out of reach
    assert 'data-testid="from-call"' not in (await other.get(f"/care/new?call={call_id}")).text
    await CallRecord.delete().where(CallRecord.id == call_id)
