"""报修 (SPEC D3) through the routes: the list (page, fragment, filters, scope, export, the quality queue), the repair
panel on /care/repairs/{id} and its steps under /care/cases/{id}/repair/… in order (refused out of order, in Chinese,
nothing written), the quality-only inspection, the signature stored as an attachment with its hash, bad input, and
the warranty boundary day through the route."""
from __future__ import annotations

import base64
import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.care import clocks, core, rules, states
from app.care.settings import load_limits
from app.care.tables import Callback, CareCase, CareRepair, CaseEvent, Contractor
from app.core.tables import Attachment, AuditLog
from app.core.timeutil import SHANGHAI, now
from app.pipeline.tables import Deal
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration

HX = {"HX-Request": "true"}
_SEQ = [0]


async def handed_deal(project_code: str) -> dict:
    """The project's first handed-over demo deal (the warranty runs from its handover date)."""
    return await Deal.select(Deal.id, Deal.unit, Deal.buyer, Deal.project, Deal.handed_over_on).where(
        (Deal.project.code == project_code) & Deal.handed_over_on.is_not_null()).order_by(Deal.id).first()


async def make_repair(project_code: str = "JC01", *, element: str = rules.WATERPROOF_WET_ROOM, priority: str = rules.NORMAL_REPAIR,
                      needs_inspection: bool = False, received_at: datetime | None = None, with_deal: bool = True,
                      handover_on: date | None = None) -> int:
    """A 报修 case as the intake writes it: CareCase (已受理, P3) and its CareRepair with the clocks' due columns."""
    deal = await handed_deal(project_code)
    received = received_at or now() - timedelta(hours=1)
    _SEQ[0] += 1
    limits = await load_limits()
    cal = await clocks.calendar_around(received)
    case_vals, repair_vals = clocks.due_columns({"kind": "报修", "level": rules.P3, "received_at": received}, {"priority": priority}, [], cal, limits)
    row = CareCase(number=f"BX-TEST-{now():%H%M%S}-{_SEQ[0]:04d}", kind="报修", channel="电话", project=deal["project"], unit=deal["unit"],
                   buyer=deal["buyer"] if with_deal else None, deal=deal["id"] if with_deal else None, title="测试报修",
                   content="测试报修内容", level=rules.P3, level_computed=rules.P3, status=states.R_ACCEPTED, received_at=received, **case_vals)
    await row.save()
    await CareRepair.insert(CareRepair(case=row.id, element=element, location="主卫", priority=priority, needs_inspection=needs_inspection,
                                       handover_on=handover_on, **repair_vals))
    return row.id


async def _client(new_client, who: str):
    c = await sign_in(await new_client(), who)
    c.token = HX_CSRF_RE.search((await c.get("/")).text).group(1)
    return c


async def post(c, case_id: int, step: str, data: dict | None = None, files=None, hx: bool = False):
    body = {"_csrf_token": c.token, "back": f"/care/repairs/{case_id}", **(data or {})}
    return await c.post(f"/care/cases/{case_id}/repair/{step}", data=body, files=files, headers=HX if hx else {})


async def status(case_id: int) -> str:
    return (await CareCase.select(CareCase.status).where(CareCase.id == case_id).first())["status"]


async def repair(case_id: int) -> dict:
    return await CareRepair.select().where(CareRepair.case == case_id).first()


def png(width: int = 60, height: int = 20) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(im).line((2, 10, 50, 12), fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


async def contractor_id() -> int:
    return (await Contractor.select(Contractor.id).where(Contractor.active == True).first())["id"]  # noqa: E712


def when(delta: timedelta = timedelta(0)) -> str:
    return (now().astimezone(SHANGHAI) + delta).strftime("%Y-%m-%dT%H:%M")


async def dispatch_data() -> dict:
    return {"contractor": str(await contractor_id()), "planned_done_on": (date.today() + timedelta(days=5)).isoformat(), "appointment": when(timedelta(hours=3))}


# ------------------------------------------------------------------ the list


async def test_list_page_fragment_filters_and_scope(new_client):
    jc01 = await make_repair("JC01", element=rules.FINISHES, priority=rules.URGENT)
    jc02 = await make_repair("JC02")
    n1 = (await CareCase.select(CareCase.number).where(CareCase.id == jc01).first())["number"]
    n2 = (await CareCase.select(CareCase.number).where(CareCase.id == jc02).first())["number"]
    c = await _client(new_client, "cr_officer")
    page = await c.get("/care/repairs")
    assert page.status_code == 200 and "<html" in page.text and 'id="repair-list"' in page.text and n1 in page.text and n2 in page.text
    frag = await c.get("/care/repairs?priority=urgent", headers=HX)
    assert frag.status_code == 200 and frag.text.lstrip().startswith('<div id="repair-list"') and n1 in frag.text and n2 not in frag.text
    assert n1 in (await c.get("/care/repairs?element=finishes&status=已受理&clock=running")).text
    assert n1 not in (await c.get("/care/repairs?clock=breached")).text
    for clock in ("late", "met", "breached", "running"):
        assert (await c.get(f"/care/repairs?clock={clock}&status=待回访")).status_code == 200
    assert (await c.get("/care/repairs?page=abc&sort=nonsense&warranty=x&project=abc&contractor=99999999999&clock=zz")).status_code == 200
    scoped = await _client(new_client, "cr_officer2")  # JC01 only
    text = (await scoped.get("/care/repairs")).text
    assert n1 in text and n2 not in text
    assert (await scoped.get(f"/care/repairs/{jc02}")).status_code == 404
    assert (await scoped.get(f"/care/repairs/{jc01}")).status_code == 200
    export = await c.get("/care/repairs?export=xlsx&priority=urgent")
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert await AuditLog.exists().where((AuditLog.action == "export") & (AuditLog.entity_id == "/care/repairs"))


async def test_list_denied_without_care_view_and_clock_breached_in_sql(new_client):
    for who in ("sales", "accountant", "cleaner"):
        c = await _client(new_client, who)
        assert (await c.get("/care/repairs")).status_code == 403
        assert (await c.get("/care/repairs", headers=HX)).status_code == 403
    old = await make_repair("JC01", priority=rules.URGENT, received_at=now() - timedelta(hours=5))
    number = (await CareCase.select(CareCase.number).where(CareCase.id == old).first())["number"]
    c = await _client(new_client, "gm")  # leaders read
    r = await c.get("/care/repairs?clock=breached&priority=urgent")
    assert r.status_code == 200 and number in r.text and "到场已超时" in r.text
    assert number not in (await c.get("/care/repairs?clock=running&priority=urgent")).text


async def test_quality_sees_its_inspection_queue(new_client):
    waiting = await make_repair("JC01", element=rules.STRUCTURE, priority=rules.COMPLEX, needs_inspection=True)
    other = await make_repair("JC01")
    officer = await _client(new_client, "cr_officer")
    assert (await post(officer, waiting, "survey", {"note": "现场勘查", "needs_inspection": "1"})).status_code == 303
    assert (await post(officer, waiting, "inspect", {"note": "阳台楼板裂缝，请质监勘查"})).status_code == 303
    numbers = {r["id"]: r["number"] for r in await CareCase.select(CareCase.id, CareCase.number).where(CareCase.id.is_in([waiting, other]))}
    q = await _client(new_client, "quality")
    text = (await q.get("/care/repairs")).text
    assert numbers[waiting] in text and numbers[other] not in text
    assert numbers[other] in (await q.get("/care/repairs?queue=all")).text


# ------------------------------------------------------------------ the steps in order


async def test_the_seven_steps_with_inspection_signature_and_callback(new_client):
    cid = await make_repair("JC01", element=rules.WATERPROOF_WET_ROOM, priority=rules.COMPLEX)
    officer = await _client(new_client, "cr_officer")
    page = await officer.get(f"/care/repairs/{cid}")
    assert page.status_code == 200 and 'data-testid="repair-panel"' in page.text and "保修期内" in page.text
    assert rules.LEGAL_BASIS in page.text and 'data-testid="step-survey"' in page.text
    frag = await officer.get(f"/care/repairs/{cid}", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.lstrip().startswith("<div id=\"repair-panel\"")
    # out of order: dispatch before survey
    r = await post(officer, cid, "dispatch", await dispatch_data())
    assert r.status_code == 400 and "不能派单" in r.text and await status(cid) == states.R_ACCEPTED
    assert (await post(officer, cid, "survey", {"note": "约业主明早勘查", "needs_inspection": "1"})).status_code == 303
    assert await status(cid) == states.R_SURVEY and (await repair(cid))["needs_inspection"] and (await repair(cid))["in_warranty"] is True
    # a needs_inspection case cannot be dispatched before the inspection
    before = await CaseEvent.count().where(CaseEvent.case == cid)
    r = await post(officer, cid, "dispatch", await dispatch_data(), hx=True)
    assert r.status_code == 400 and "须先由安全质量监督中心勘查" in r.text and "<html" not in r.text
    assert await status(cid) == states.R_SURVEY and await CaseEvent.count().where(CaseEvent.case == cid) == before
    assert (await post(officer, cid, "inspect", {"note": "渗漏面积大，请质监勘查"})).status_code == 303
    assert await status(cid) == states.R_INSPECTING
    q_emp = await core.holders("quality", None)
    from app.core.tables import Notification

    assert await Notification.exists().where((Notification.user == q_emp[0]["user"]) & (Notification.ref == f"case:{cid}:inspect"))
    # only quality issues the plan
    r = await post(officer, cid, "inspected", {"finding": "x", "plan": "y"})
    assert r.status_code == 403
    r = await post(officer, cid, "dispatch", await dispatch_data())
    assert r.status_code == 400 and "须先由安全质量监督中心勘查" in r.text
    quality = await _client(new_client, "quality")
    qpage = await quality.get(f"/care/repairs/{cid}")
    assert 'data-testid="step-inspected"' in qpage.text and 'data-testid="step-dispatch"' not in qpage.text
    r = await post(quality, cid, "inspected", {"finding": "", "plan": ""})
    assert r.status_code == 400 and "请填写勘查结论" in r.text
    assert (await post(quality, cid, "inspected", {"finding": "防水层破损", "plan": "凿除地砖重做防水，闭水试验 48 小时"})).status_code == 303
    rep = await repair(cid)
    assert rep["inspection_finding"] == "防水层破损" and rep["inspected_at"] is not None
    assert (await CareCase.select(CareCase.plan_at).where(CareCase.id == cid).first())["plan_at"] is not None  # the complex plan clock stopped
    assert (await post(quality, cid, "survey", {"note": "x"})).status_code == 403  # quality only inspects
    # dispatch: bad input keeps the values, writes nothing
    r = await post(officer, cid, "dispatch", {"contractor": "999999", "planned_done_on": "2026-02-30", "appointment": "明天"})
    assert r.status_code == 400 and "格式应为 YYYY-MM-DD，例如" in r.text and "时间格式应为" in r.text and await status(cid) == states.R_INSPECTING
    assert 'value="明天"' in r.text and 'value="2026-02-30"' in r.text  # what was typed is kept
    r = await post(officer, cid, "dispatch", {**(await dispatch_data()), "contractor": "999999"})
    assert r.status_code == 400 and "维修单位不存在" in r.text and await status(cid) == states.R_INSPECTING
    assert (await repair(cid))["contractor"] is None
    assert (await post(officer, cid, "dispatch", await dispatch_data())).status_code == 303
    assert await status(cid) == states.R_DISPATCHED and (await repair(cid))["contractor"] == await contractor_id()
    # start before on site → refused
    r = await post(officer, cid, "start_repair", {})
    assert r.status_code == 400 and "请先登记维修人员到场" in r.text
    r = await post(officer, cid, "on_site", {"on_site_at": when(timedelta(hours=5))})
    assert r.status_code == 400 and "不能晚于现在" in r.text
    assert (await post(officer, cid, "on_site", {"on_site_at": when()})).status_code == 303
    assert (await repair(cid))["on_site_at"] is not None
    assert (await post(officer, cid, "start_repair", {"note": ""})).status_code == 303 and await status(cid) == states.R_REPAIRING
    # 维修完成 needs the three checks
    done = {"materials": "防水涂料 2 桶", "cost_bearer": "施工单位", "cost": "0"}
    r = await post(officer, cid, "repaired", done)
    assert r.status_code == 400 and "三项检查" in r.text and await status(cid) == states.R_REPAIRING
    assert (await post(officer, cid, "check", {"materials": "1", "quality": "1", "note": "材料合格"})).status_code == 303
    r = await post(officer, cid, "repaired", done)
    assert r.status_code == 400 and "三项检查" in r.text
    assert (await post(officer, cid, "check", {"materials": "1", "quality": "1", "safety": "1", "note": "安全措施到位"})).status_code == 303
    r = await post(officer, cid, "repaired", {**done, "cost_bearer": "物业"})
    assert r.status_code == 400 and "费用承担方的选项无效" in r.text
    r = await post(officer, cid, "repaired", {**done, "cost": "abc"})
    assert r.status_code == 400 and await status(cid) == states.R_REPAIRING
    assert (await post(officer, cid, "repaired", done)).status_code == 303 and await status(cid) == states.R_SIGN
    # the signature: a non-image is refused with nothing written
    n_att = await Attachment.count().where((Attachment.owner_kind == "care_case") & (Attachment.owner_id == str(cid)))
    r = await post(officer, cid, "signed", {"signed_name": "王业主", "signature": "data:image/png;base64," + base64.b64encode(b"not an image").decode()})
    assert r.status_code == 400 and "签名必须是图片" in r.text and await status(cid) == states.R_SIGN
    r = await post(officer, cid, "signed", {"signed_name": "王业主", "signature": "data:image/png;base64,@@@"})
    assert r.status_code == 400 and "签名数据格式不正确" in r.text
    r = await post(officer, cid, "signed", {"signed_name": "王业主"}, files={"signature_file": ("sig.txt", b"hello", "text/plain")})
    assert r.status_code == 400 and "签名必须是图片" in r.text
    r = await post(officer, cid, "signed", {"signed_name": ""})
    assert r.status_code == 400 and "请填写签字人姓名" in r.text
    assert await Attachment.count().where((Attachment.owner_kind == "care_case") & (Attachment.owner_id == str(cid))) == n_att
    data_url = "data:image/png;base64," + base64.b64encode(png()).decode()
    r = await post(officer, cid, "signed", {"signed_name": "王业主", "signature": data_url}, hx=True)
    assert r.status_code == 200 and r.headers["HX-Redirect"] == f"/care/repairs/{cid}"
    rep = await repair(cid)
    assert await status(cid) == states.CALLBACK and rep["signed_name"] == "王业主" and rep["signed_at"] is not None
    att = await Attachment.select().where((Attachment.owner_kind == "care_case") & (Attachment.owner_id == str(cid)) & (Attachment.sha256 == rep["signature"])).first()
    assert att and att["kind"] == "png"
    from app.core.attachments import storage

    stored = await storage(att["storage"]).get(att["storage_key"])
    assert hashlib.sha256(stored).hexdigest() == rep["signature"]
    assert await Callback.exists().where(Callback.case == cid)
    assert (await CareCase.select(CareCase.callback_due).where(CareCase.id == cid).first())["callback_due"] is not None
    actions = [e["action"] for e in await CaseEvent.select(CaseEvent.action).where(CaseEvent.case == cid).order_by(CaseEvent.id)]
    assert actions == ["survey", "inspect", "inspected", "dispatch", "on_site", "start_repair", "check", "check", "repaired", "signed"]
    assert await AuditLog.count().where((AuditLog.entity == "care_case") & (AuditLog.entity_id == str(cid))) >= 10
    page = await officer.get(f"/care/repairs/{cid}")
    assert 'data-testid="signature"' in page.text and rep["signature"] in page.text and 'data-testid="repair-steps"' not in page.text


async def test_photographed_signature_fallback(new_client):
    cid = await make_repair("JC01")
    officer = await _client(new_client, "cr_officer")
    await post(officer, cid, "survey", {"note": "无需勘查"})
    await post(officer, cid, "dispatch", await dispatch_data())
    await post(officer, cid, "on_site", {"on_site_at": when()})
    await post(officer, cid, "start_repair", {})
    await post(officer, cid, "check", {"materials": "1", "quality": "1", "safety": "1", "note": "ok"})
    await post(officer, cid, "repaired", {"materials": "密封胶", "cost_bearer": "公司", "cost": "120.50"})
    assert await status(cid) == states.R_SIGN
    r = await post(officer, cid, "signed", {"signed_name": "张业主"}, files={"signature_file": ("sign.png", png(), "image/png")})
    assert r.status_code == 303 and await status(cid) == states.CALLBACK
    assert len((await repair(cid))["signature"]) == 64 and (await repair(cid))["cost"] == Decimal("120.50")


async def test_roles_and_scope_on_the_step_routes(new_client):
    jc02 = await make_repair("JC02")
    scoped = await _client(new_client, "cr_officer2")  # JC01 only
    r = await post(scoped, jc02, "survey", {"note": "x"})
    assert r.status_code == 404 and await status(jc02) == states.R_ACCEPTED
    viewer = await _client(new_client, "gm")  # reads, does not work cases
    assert (await viewer.get(f"/care/repairs/{jc02}")).status_code == 200
    assert (await post(viewer, jc02, "survey", {"note": "x"})).status_code == 403
    outsider = await _client(new_client, "sales")
    assert (await post(outsider, jc02, "survey", {"note": "x"})).status_code == 403
    assert (await outsider.get(f"/care/repairs/{jc02}")).status_code == 403
    officer = await _client(new_client, "cr_officer")
    assert (await post(officer, jc02, "nonsense", {})).status_code == 404
    assert (await officer.get("/care/repairs/99999999")).status_code == 404
    r = await officer.post(f"/care/cases/{jc02}/repair/survey", data={"note": "x"})  # no CSRF token
    assert r.status_code == 403 and await status(jc02) == states.R_ACCEPTED


# ------------------------------------------------------------------ warranty and the 物业


async def test_warranty_boundary_day_through_the_route(new_client):
    deal = await handed_deal("JC01")
    await Deal.update({Deal.handed_over_on: date(2021, 6, 30)}).where(Deal.id == deal["id"])
    try:
        last_day = await make_repair("JC01", element=rules.WATERPROOF_ROOF, received_at=datetime(2026, 6, 30, 21, 0, tzinfo=SHANGHAI))
        next_day = await make_repair("JC01", element=rules.WATERPROOF_ROOF, received_at=datetime(2026, 7, 1, 8, 0, tzinfo=SHANGHAI))
        officer = await _client(new_client, "cr_officer")
        a = (await officer.get(f"/care/repairs/{last_day}")).text
        assert 'data-testid="warranty-state">保修期内' in a and "2026-06-30" in a and 'data-testid="step-to_property"' in a
        b = (await officer.get(f"/care/repairs/{next_day}")).text
        assert 'data-testid="warranty-state">保修期已过' in b and "转物业（有偿服务）" in b and rules.LEGAL_BASIS in b
        # in warranty: no reason → refused
        r = await post(officer, last_day, "to_property", {"reason": ""})
        assert r.status_code == 400 and "请填写转物业原因" in r.text and await status(last_day) == states.R_ACCEPTED
        # out of warranty: the reason is prefilled from the rule
        assert "已过保修期，转物业有偿维修" in b.split('data-testid="step-to_property"')[1]
        reason = rules.warranty(rules.WATERPROOF_ROOF, date(2021, 6, 30), date(2026, 7, 1)).basis
        assert (await post(officer, next_day, "to_property", {"reason": reason + "；业主同意有偿维修"})).status_code == 303
        row = await CareCase.select(CareCase.status, CareCase.transfer_reason).where(CareCase.id == next_day).first()
        rep = await repair(next_day)
        assert row["status"] == states.TO_PROPERTY and "业主同意有偿维修" in row["transfer_reason"]
        assert rep["out_of_warranty_reason"] == reason and rep["in_warranty"] is False and rep["warranty_until"] == date(2026, 6, 30)
        assert await AuditLog.exists().where((AuditLog.action == "care.to_property") & (AuditLog.entity_id == str(next_day)))
        page = (await officer.get(f"/care/repairs/{next_day}")).text
        assert 'data-testid="transfer-reason"' in page and "物业公司" in page and 'data-testid="repair-steps"' not in page
        assert "已停止（转物业）" in page
        # the in-warranty one may go with a reason
        assert (await post(officer, last_day, "to_property", {"reason": "业主要求由物业处理，自愿承担费用"})).status_code == 303
        assert await status(last_day) == states.TO_PROPERTY
    finally:
        await Deal.update({Deal.handed_over_on: deal["handed_over_on"]}).where(Deal.id == deal["id"])


async def test_stale_move_refused(new_client):
    cid = await make_repair("JC01")
    officer = await _client(new_client, "cr_officer")
    await CareCase.update({CareCase.version: CareCase.version + 1}).where(CareCase.id == cid)  # someone else acted meanwhile
    assert (await post(officer, cid, "survey", {"note": "x"})).status_code == 303  # the route reads the fresh version
    r = await post(officer, cid, "survey", {"note": "again"})
    assert r.status_code == 400 and "不能安排勘查" in r.text
