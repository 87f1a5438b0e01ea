"""报修 (SPEC D3): the seven steps of a repair on its case — 安排勘查, the 安全质量监督中心's inspection and repair plan
for serious or difficult cases, 派单 to a contractor, 到场 and 维修 with the 客服中心's checks, 维修完成, the customer's
signature, then 待回访 — plus the warranty check and the out-of-warranty transfer to the 物业 (paid service).

Every action: one transaction, one `app.care.core.move` (state and version checked in the UPDATE, timeline, audit),
the CareRepair columns written in the same transaction, and a notice to whoever acts next. The rules (warranty periods,
the repair clocks) come from app.care.rules / app.care.clocks with the limits the admin keeps (CareSetting)."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.care import clocks, core, rules, states
from app.care.core import CareError, case_url
from app.care.settings import load_limits
from app.care.tables import CareCase, CasePause, CareRepair, Contractor
from app.core import notify
from app.core.attachments import upload
from app.core.fields import Parser, pick_id
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI, now, to_local
from app.core.web import Form
from app.pipeline.tables import Deal

QUALITY_ROLE = "quality"
COST_BEARERS = ["施工单位", "公司", "业主"]
STEPS = ("survey", "inspect", "inspected", "dispatch", "on_site", "start_repair", "check", "repaired", "signed", "to_property")
PROPERTY_HANDLING = "已转交物业公司，按有偿服务处理：由物业公司与业主约定维修时间和费用，维修费用由业主承担。"




def repair_url(case_id: int) -> str:
    return f"/care/repairs/{case_id}"


def safe_back(raw: str, case_id: int) -> str:
    """Where a step's form returns to: the case page or the repair page of this case, nothing else."""
    return raw if raw in (case_url(case_id), repair_url(case_id)) else case_url(case_id)


# ------------------------------------------------------------------ reading


async def repair_of(case_id: int) -> dict | None:
    return await CareRepair.select(*CareRepair.all_columns(), CareRepair.contractor.name, CareRepair.contractor.phone,
                                   CareRepair.inspected_by.name).where(CareRepair.case == case_id).first()


async def handover_of(case: dict, repair: dict) -> date | None:
    """The 交付日: the deal's handover date (the record of truth), else the one recorded on the repair at intake."""
    if case.get("deal"):
        d = await Deal.select(Deal.handed_over_on).where(Deal.id == case["deal"]).first()
        if d and d["handed_over_on"]:
            return d["handed_over_on"]
    return repair.get("handover_on")


def warranty_view(repair: dict, handover: date | None, reported_on: date, limits) -> dict:
    """The warranty result shown on the panel: in/out, the last day, the rule with its legal basis, the element's
    period, and the 物业 route with the reason when out."""
    element = repair["element"]
    if element not in rules.WARRANTY_ELEMENTS:
        return {"known": False, "in": False, "undetermined": True, "until": None, "basis": f"部位「{element}」不在保修部位表中，请核实", "route": None,
                "element": element, "handover": handover}
    result = rules.warranty(element, handover, reported_on, limits)
    route = rules.out_of_warranty_route(result)
    return {"known": True, "in": result.in_warranty, "undetermined": handover is None or reported_on < handover, "until": result.until, "basis": result.basis,
            "element": rules.WARRANTY_ELEMENTS[element], "handover": handover, "reported_on": reported_on,
            "route": route, "reason": route[1] if route else "",
            "legal_basis": rules.LEGAL_BASIS, "period_basis": rules.PERIOD_BASIS}


async def pauses_of(case_id: int) -> list[dict]:
    return await CasePause.select(CasePause.started_at, CasePause.ended_at).where(CasePause.case == case_id).order_by(CasePause.id)


async def contractor_choices(selected: int | None = None) -> list[tuple[str, str]]:
    rows = await Contractor.select(Contractor.id, Contractor.name, Contractor.trade).where(
        (Contractor.active == True) | (Contractor.id == (selected or 0))).order_by(Contractor.name)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['trade']}）" if r["trade"] else r["name"]) for r in rows]


def may_work(user, case: dict) -> bool:
    return user.can(Perm.CARE) and user.sees_project(case["project"])


def is_quality(user) -> bool:
    return getattr(user, "role", None) == QUALITY_ROLE


def offered(case: dict, repair: dict, warranty: dict) -> list[str]:
    """The steps the repair's state allows now (the panel shows these forms; the service checks them again)."""
    s = case["status"]
    out = []
    if s in states.REPAIR_MOVES["survey"][0]:
        out.append("survey")
    if s == states.R_SURVEY and repair["needs_inspection"]:
        out.append("inspect")
    if s == states.R_INSPECTING and not repair["inspected_at"]:
        out.append("inspected")
    if (s == states.R_SURVEY and not repair["needs_inspection"]) or (s == states.R_INSPECTING and repair["inspected_at"]):
        out.append("dispatch")
    if s in (states.R_DISPATCHED, states.R_REPAIRING) and not repair["on_site_at"]:
        out.append("on_site")
    if s == states.R_DISPATCHED and repair["on_site_at"]:
        out.append("start_repair")
    if s == states.R_REPAIRING:
        out += ["check", "repaired"]
    if s == states.R_SIGN:
        out.append("signed")
    if s in states.REPAIR_MOVES["to_property"][0]:
        out.append("to_property")
    return out


@dataclass
class PanelForms:
    """Entered values and errors of the step that was posted (the others show their defaults)."""
    step: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


async def panel_context(user, case: dict, *, back: str = "", posted: PanelForms | None = None) -> dict | None:
    """The repair panel of a 报修 case (None for other kinds): warranty, clocks, the steps the state allows."""
    if case.get("kind") != "报修":
        return None
    repair = await repair_of(case["id"])
    if repair is None:
        return {"missing": True, "case": case, "back": back or case_url(case["id"])}
    limits = await load_limits()
    received = case["received_at"]
    cal = await clocks.calendar_around(received)
    pauses = await pauses_of(case["id"])
    handover = await handover_of(case, repair)
    w = warranty_view(repair, handover, to_local(received).date(), limits)
    clock_rows = clocks.statuses(case, repair, pauses, now(), cal, limits)
    allowed = offered(case, repair, w)
    steps = [s for s in allowed if s != "inspected"] if may_work(user, case) else []
    if "inspected" in allowed and is_quality(user) and user.sees_project(case["project"]):
        steps.append("inspected")
    posted = posted or PanelForms()
    forms = {s: Form(values={}, errors={}, prefix=f"{s}-") for s in STEPS}
    forms["to_property"].values = {"reason": w["reason"] if not w["in"] else ""}
    forms["check"].values = {"materials": "1" if repair["check_materials"] else "", "quality": "1" if repair["check_quality"] else "",
                                "safety": "1" if repair["check_safety"] else "", "note": repair["check_note"]}
    forms["repaired"].values = {"materials": repair["materials"]}
    forms["survey"].values = {"needs_inspection": "1" if repair["needs_inspection"] else ""}
    if posted.step:
        forms[posted.step] = Form(values=posted.values, errors=posted.errors, prefix=f"{posted.step}-")
    return {
        "case": case, "repair": repair, "warranty": w, "clocks": clock_rows, "steps": steps, "forms": forms,
        "posted": posted.step,
        "refused": next(iter(posted.errors.values()), "") if posted.step and posted.step not in steps else "",
        "back": back or case_url(case["id"]),
        "priority_name": rules.REPAIR_PRIORITIES.get(repair["priority"], repair["priority"]),
        "element_name": rules.WARRANTY_ELEMENTS.get(repair["element"], repair["element"]),
        "contractors": await contractor_choices(repair["contractor"]) if "dispatch" in steps else [],
        "cost_bearers": [(b, b) for b in COST_BEARERS], "property_handling": PROPERTY_HANDLING,
        "checks_done": repair["check_materials"] and repair["check_quality"] and repair["check_safety"],
        "is_quality": is_quality(user), "can_work": may_work(user, case),
        "signature_url": await signature_url(case["id"], repair) if repair["signature"] else "",
    }


async def signature_url(case_id: int, repair: dict) -> str:
    from app.core.tables import Attachment

    row = await Attachment.select(Attachment.id).where(
        (Attachment.owner_kind == "care_case") & (Attachment.owner_id == str(case_id)) & (Attachment.sha256 == repair["signature"])
    ).first()
    return f"/attachments/{row['id']}" if row else ""


# ------------------------------------------------------------------ parsing


def parse_datetime(p: Parser, name: str, label: str, *, required: bool = True) -> datetime | None:
    """A datetime-local value (YYYY-MM-DDTHH:MM, Asia/Shanghai)."""
    raw = p.raw(name).replace(" ", "T")
    if not raw:
        if required:
            p.fail(name, f"请填写{label}")
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        p.fail(name, "时间格式应为 YYYY-MM-DD HH:MM，例如 2026-11-28 09:30")
        return None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def _fail(p: Parser) -> None:
    if p.errors:
        raise CareError(next(iter(p.errors.values())), next(iter(p.errors)), errors=dict(p.errors))


def decode_signature(raw: str) -> bytes:
    """A data URL or base64 text from the signature pad → bytes (CareError in Chinese when it is not base64)."""
    text = (raw or "").strip()
    if text.startswith("data:"):
        head, _, text = text.partition(",")
        if ";base64" not in head:
            raise CareError("签名数据格式不正确，请重新签字", "signature")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CareError("签名数据格式不正确，请重新签字", "signature") from None
    return data


# ------------------------------------------------------------------ the steps


async def _locked(user, case_id: int) -> tuple[dict, dict]:
    case = await core.get_case(user, case_id)
    if case is None or case["kind"] != "报修":
        raise LookupError(case_id)
    repair = await repair_of(case_id)
    if repair is None:
        raise CareError("该报修缺少维修记录，请联系系统管理员")
    return case, repair


def _require_work(user, case: dict) -> None:
    if not may_work(user, case):
        raise PermissionError("只有客服中心人员可以办理报修")


async def _notify(user_ids: list[int], text: str, case: dict, ref: str, except_user: int | None = None) -> None:
    for uid in dict.fromkeys(user_ids):
        if uid and uid != except_user:
            await notify.notify(uid, text, url=case_url(case["id"]), kind="care", ref=ref)


async def _handler_users(case: dict) -> list[int]:
    """Whoever works the repair next on the 客服中心 side: its handler, else the 客户关系专员 of the project."""
    return await core.handler_users(case, (rules.ROLE_CR_OFFICER,))


async def _repair_update(case_id: int, values: dict) -> None:
    if values:
        await CareRepair.update(values).where(CareRepair.case == case_id)


async def act(user, case_id: int, step: str, data: Any, files: list[tuple[str, bytes]] | None = None) -> str:
    """Run one step of the repair. Returns the flash message. Raises CareError (Chinese, with the field),
    PermissionError (403) or LookupError (404)."""
    if step not in STEPS:
        raise LookupError(step)
    case, repair = await _locked(user, case_id)
    if step == "inspected":
        if not (is_quality(user) and user.sees_project(case["project"])):
            raise PermissionError("只有安全质量监督中心可以出具勘查结论和维修方案")
    else:
        _require_work(user, case)
    p = Parser(data)
    handler = globals()[f"_{step}"]
    async with CareCase._meta.db.transaction():
        return await handler(user, case, repair, p, files or [])


async def _survey(user, case, repair, p, files):
    note = p.text("note", "勘查安排", required=True, max_len=500)
    needs = p.flag("needs_inspection")
    _fail(p)
    limits = await load_limits()
    handover = await handover_of(case, repair)
    w = rules.warranty(repair["element"], handover, to_local(case["received_at"]).date(), limits) if repair["element"] in rules.WARRANTY_ELEMENTS else None
    await core.move(user, case, "survey", {}, note + ("；严重或疑难，需安全质量监督中心勘查" if needs else ""), moves=states.REPAIR_MOVES)
    again = {}
    if case["status"] == states.REOPENED:  # the callback reopened it: the repair is worked again from the survey
        again = {CareRepair.inspected_at: None, CareRepair.on_site_at: None, CareRepair.done_at: None, CareRepair.check_materials: False,
                 CareRepair.check_quality: False, CareRepair.check_safety: False, CareRepair.signature: "", CareRepair.signed_at: None,
                 CareRepair.signed_name: ""}
    await _repair_update(case["id"], {**again, CareRepair.needs_inspection: needs, CareRepair.handover_on: handover,
                                      CareRepair.in_warranty: w.in_warranty if w else None,
                                      CareRepair.warranty_until: w.until if w else None,
                                      CareRepair.warranty_basis: w.basis if w else ""})
    return "已安排勘查" + ("，请提交安全质量监督中心勘查" if needs else "，勘查后即可派单")


async def _inspect(user, case, repair, p, files):
    note = p.text("note", "提交说明", required=True, max_len=500)
    _fail(p)
    if not repair["needs_inspection"]:
        raise CareError("该报修未标记为严重或疑难问题，无需提交安全质量监督中心勘查；如需提交，请在安排勘查时勾选")
    await core.move(user, case, "inspect", {}, note, moves=states.REPAIR_MOVES)
    users = await core.holder_users([QUALITY_ROLE], case["project"])
    await _notify(users, f"报修 {case['number']} 需要安全质量监督中心勘查并出具维修方案", case, f"case:{case['id']}:inspect",
                  except_user=user.user_id)
    return "已提交安全质量监督中心勘查，已通知质监工程师"


async def _inspected(user, case, repair, p, files):
    finding = p.text("finding", "勘查结论", required=True, max_len=2000)
    plan = p.text("plan", "维修方案", required=True, max_len=2000)
    _fail(p)
    if case["status"] != states.R_INSPECTING:
        raise CareError(f"案件当前为「{case['status']}」，不能出具质监方案")
    if repair["inspected_at"]:
        raise CareError("安全质量监督中心已出具过维修方案")
    at = now()
    await core.move(user, case, "inspected", {CareCase.plan_at: at, CareCase.plan_text: plan}, f"勘查结论：{finding}；维修方案：{plan}",
                    moves=states.REPAIR_MOVES, to=states.R_INSPECTING)
    rows = await CareRepair.update({CareRepair.inspected_by: user.employee_id, CareRepair.inspected_at: at,
                                    CareRepair.inspection_finding: finding, CareRepair.repair_plan: plan}).where(
        (CareRepair.case == case["id"]) & CareRepair.inspected_at.is_null()).returning(CareRepair.id)
    if not rows:
        raise CareError(core.STALE)
    await notify.close([f"case:{case['id']}:inspect"])
    await _notify(await _handler_users(case), f"报修 {case['number']} 的维修方案已由安全质量监督中心出具，请派单", case,
                  f"case:{case['id']}:dispatch", except_user=user.user_id)
    return "已出具勘查结论和维修方案，已通知客服中心派单"


async def _dispatch(user, case, repair, p, files):
    cid = pick_id(p, "contractor", "维修单位")
    planned = p.date("planned_done_on", "计划完成日期")
    appointment = parse_datetime(p, "appointment", "预约上门时间")
    _fail(p)
    contractor = await Contractor.select(Contractor.id, Contractor.name, Contractor.active).where(Contractor.id == cid).first()
    if not contractor or not contractor["active"]:
        raise CareError("维修单位不存在或已停用，请重新选择", "contractor")
    if planned < to_local(case["received_at"]).date():
        raise CareError("计划完成日期不能早于报修日期", "planned_done_on")
    if repair["needs_inspection"] and not repair["inspected_at"]:
        raise CareError("该报修属严重或疑难问题，须先由安全质量监督中心勘查并出具维修方案，才能派单")
    at = now()
    note = f"派单给 {contractor['name']}，计划 {planned.isoformat()} 完成，预约 {to_local(appointment):%Y-%m-%d %H:%M} 上门"
    # a complex repair's plan clock stops when the plan is made: the 质监's plan, else the dispatch with its planned date
    changes = {} if case["plan_at"] else {CareCase.plan_at: at}
    await core.move(user, case, "dispatch", changes, note, moves=states.REPAIR_MOVES)
    await _repair_update(case["id"], {CareRepair.contractor: cid, CareRepair.dispatched_at: at, CareRepair.planned_done_on: planned})
    await notify.close([f"case:{case['id']}:dispatch"])
    return f"已派单给 {contractor['name']}"


async def _on_site(user, case, repair, p, files):
    at = parse_datetime(p, "on_site_at", "到场时间")
    _fail(p)
    if case["status"] not in (states.R_DISPATCHED, states.R_REPAIRING):
        raise CareError(f"案件当前为「{case['status']}」，派单后才能登记到场")
    if repair["on_site_at"]:
        raise CareError("已登记过到场时间")
    if at > now():
        raise CareError("到场时间不能晚于现在", "on_site_at")
    if at < case["received_at"]:
        raise CareError("到场时间不能早于报修时间", "on_site_at")
    await core.move(user, case, "on_site", {}, f"维修人员 {to_local(at):%Y-%m-%d %H:%M} 到场", moves=states.REPAIR_MOVES, to=case["status"])
    await _repair_update(case["id"], {CareRepair.on_site_at: at})
    return "已登记到场"


async def _start_repair(user, case, repair, p, files):
    note = p.text("note", "说明", required=False, max_len=500)
    if not repair["on_site_at"]:
        raise CareError("请先登记维修人员到场，再开始维修")
    await core.move(user, case, "start_repair", {}, note, moves=states.REPAIR_MOVES)
    return "已开始维修，请在维修过程中检查材料、质量和安全"


async def _check(user, case, repair, p, files):
    ticks = {k: p.flag(k) for k in ("materials", "quality", "safety")}
    note = p.text("note", "检查记录", required=True, max_len=1000)
    _fail(p)
    if case["status"] != states.R_REPAIRING:
        raise CareError(f"案件当前为「{case['status']}」，维修中才能登记过程检查")
    names = {"materials": "维修材料", "quality": "维修质量", "safety": "维修安全"}
    done = "、".join(names[k] for k, v in ticks.items() if v) or "无"
    await core.move(user, case, "check", {}, f"已检查：{done}；{note}", moves=states.REPAIR_MOVES, to=states.R_REPAIRING)
    await _repair_update(case["id"], {CareRepair.check_materials: ticks["materials"], CareRepair.check_quality: ticks["quality"],
                                      CareRepair.check_safety: ticks["safety"], CareRepair.check_note: note})
    return "已登记过程检查" + ("" if all(ticks.values()) else "（三项检查全部完成后才能维修完成）")


async def _repaired(user, case, repair, p, files):
    materials = p.text("materials", "维修材料", required=True, max_len=1000)
    bearer = p.choice("cost_bearer", "费用承担方", COST_BEARERS)
    cost = p.money("cost", "维修费用", required=True, allow_zero=True)
    _fail(p)
    if not (repair["check_materials"] and repair["check_quality"] and repair["check_safety"]):
        raise CareError("客服中心尚未完成维修材料、维修质量、维修安全三项检查，不能维修完成")
    at = now()
    await core.move(user, case, "repaired", {}, f"材料：{materials}；费用 {cost} 元由{bearer}承担", moves=states.REPAIR_MOVES)
    await _repair_update(case["id"], {CareRepair.done_at: at, CareRepair.materials: materials, CareRepair.cost_bearer: bearer,
                                      CareRepair.cost: cost})
    return "已登记维修完成，请客户签字确认"


async def _signed(user, case, repair, p, files):
    name = p.text("signed_name", "签字人姓名", required=True, max_len=50)
    raw = p.raw("signature")
    _fail(p)
    if raw:
        files = [("签名.png", decode_signature(raw))]
    if not files:
        raise CareError("请客户在签名板上签字，或上传签字照片", "signature")
    filename, data = files[0]
    from app.core.attachments import KINDS, sniff

    kind = sniff(data)
    if kind is None or not KINDS[kind].image:
        raise CareError("签名必须是图片（PNG 或 JPG），请重新签字或上传签字照片", "signature")
    result = await upload(user, [(f"客户签字_{case['number']}{KINDS[kind].ext}", data)], owner_code="care_case", owner_id=str(case["id"]))
    if not result.stored:
        raise CareError(result.error or "签名图片无法保存，请重新签字", "signature")
    stored = result.stored[0]
    from app.core.tables import Attachment

    sha = (await Attachment.select(Attachment.sha256).where(Attachment.id == stored["id"]).first())["sha256"]
    at = now()
    limits = await load_limits()
    cal = await clocks.calendar_around(at, days=60)
    changes = await core.schedule_callback(case, at, limits, cal)
    changes[CareCase.closed_at] = at
    await core.move(user, case, "signed", changes, f"客户 {name} 签字确认（签名 SHA-256 {sha[:12]}…）", moves=states.REPAIR_MOVES)
    await _repair_update(case["id"], {CareRepair.signature: sha, CareRepair.signed_at: at, CareRepair.signed_name: name})
    return "客户已签字确认，待回访"


async def _to_property(user, case, repair, p, files):
    reason = p.text("reason", "转物业原因", required=True, max_len=1000)
    _fail(p)
    limits = await load_limits()
    handover = await handover_of(case, repair)
    known = repair["element"] in rules.WARRANTY_ELEMENTS
    w = rules.warranty(repair["element"], handover, to_local(case["received_at"]).date(), limits) if known else None
    route = rules.out_of_warranty_route(w) if w else None
    out_reason = route[1] if route else ""
    await core.move(user, case, "to_property", {CareCase.transfer_reason: reason},
                    f"转{rules.ROLE_PROPERTY}（{'有偿服务' if route else '保修期内'}）：{reason}", moves=states.REPAIR_MOVES)
    await _repair_update(case["id"], {CareRepair.out_of_warranty_reason: out_reason, CareRepair.handover_on: handover,
                                      CareRepair.in_warranty: w.in_warranty if w else None,
                                      CareRepair.warranty_until: w.until if w else None,
                                      CareRepair.warranty_basis: w.basis if w else ""})
    await notify.close([f"case:{case['id']}:inspect", f"case:{case['id']}:dispatch"])
    return "已转物业（有偿服务）" if route else "已转物业"

