"""Cases (SPEC D1, D2): intake with the level, clocks and handler decided on the server, and every action on a case —
each in one transaction through app.care.core.move (state and version checked in the UPDATE)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.care import clocks, core, forms, rules, states
from app.care.core import CareError
from app.care.settings import load_limits
from app.care.tables import CareCase, CasePause, CareRepair, Compensation
from app.core import attachments, audit, notify
from app.core.fields import parse_id
from app.core.listing import like_text
from app.core.numbering import next_number
from app.core.permissions import Perm
from app.core.timeutil import now, to_local, today_local
from app.estate.tables import Project, Unit
from app.pipeline.tables import Deal

OPEN_DEAL_STAGES = ["已认购", "已签约", "已备案", "已交付", "已办证"]
CARE_ROLES = (rules.ROLE_CR_OFFICER, rules.ROLE_COMPLAINT_OFFICER, rules.ROLE_COMPLAINT_SUPERVISOR, rules.ROLE_CR_SUPERVISOR,
              rules.ROLE_SUPERVISOR, rules.ROLE_DEPT_MANAGER)
ATTACH_OWNER = "care_case"


url = core.case_url  # the case page


# ---------------------------------------------------------------- units and projects in scope


async def project_choices(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.name).where(Project.active == True).order_by(Project.code)  # noqa: E712
    if not user.all_projects:
        q = q.where(Project.id.is_in(list(user.project_ids) or [0]))
    return [(str(r["id"]), r["name"]) for r in await q]


async def unit_options(user, project_id: int | None, room: str, limit: int = 50) -> list[dict]:
    """Units of the project (the user's scope) whose room number starts with what was typed, with the current buyer."""
    if project_id is None or not user.sees_project(project_id):
        return []
    q = Unit.select(Unit.id, Unit.room_no, Unit.building.name).where(Unit.project == project_id)
    text = like_text(room)
    if text:
        q = q.where(Unit.room_no.like(f"{text}%") | Unit.building.name.like(f"{text}%"))
    rows = await q.order_by(Unit.building.name).order_by(Unit.room_no).limit(limit)
    buyers = await _current_deals([r["id"] for r in rows])
    return [{"id": r["id"], "label": f"{r['building.name']} {r['room_no']}" + (f"（{buyers[r['id']]['buyer.name']}）" if r["id"] in buyers else "（无在册客户）")}
            for r in rows]


async def _current_deals(unit_ids: list[int]) -> dict[int, dict]:
    if not unit_ids:
        return {}
    rows = await Deal.select(Deal.id, Deal.unit, Deal.buyer, Deal.buyer.name, Deal.buyer.mobile, Deal.handed_over_on, Deal.stage).where(
        Deal.unit.is_in(unit_ids) & Deal.stage.is_in(OPEN_DEAL_STAGES)).order_by(Deal.id)
    return {r["unit"]: r for r in rows}  # the latest open deal per unit


async def lookup_unit(user, unit_id: int | None, project_id: int | None) -> dict | str:
    """The unit with its current deal and buyer, or the message for the field."""
    if unit_id is None:
        return "没有找到该房号，请从列表中选择"
    u = await Unit.select(Unit.id, Unit.project, Unit.room_no, Unit.building.name, Unit.project.name).where(Unit.id == unit_id).first()
    if not u:
        return "没有找到该房号，请从列表中选择"
    if not user.sees_project(u["project"]):
        return "该房号不在您的数据范围内"
    if project_id is not None and u["project"] != project_id:
        return "该房号不属于所选项目"
    d = (await _current_deals([unit_id])).get(unit_id)
    return {**u, "deal": d["id"] if d else None, "buyer": d["buyer"] if d else None, "buyer_name": d["buyer.name"] if d else "",
            "buyer_mobile": d["buyer.mobile"] if d else "", "handed_over_on": d["handed_over_on"] if d else None,
            "deal_stage": d["stage"] if d else ""}


# ---------------------------------------------------------------- intake


async def _repeat_of(cleaned: dict, limits) -> int | None:
    """Same unit, same category within the window: one query of that unit's earlier complaints."""
    if cleaned["kind"] not in states.COMPLAINT_KINDS or not cleaned.get("unit") or not cleaned.get("category"):
        return None
    since = now() - timedelta(days=limits.repeat_window_days + 1)
    rows = await CareCase.select(CareCase.id, CareCase.received_at, CareCase.category).where(
        (CareCase.unit == cleaned["unit"]) & CareCase.kind.is_in(sorted(states.COMPLAINT_KINDS)) & (CareCase.received_at >= since)
    ).order_by(CareCase.received_at, ascending=False)
    today = today_local()
    for r in rows:
        if rules.is_repeat_complaint(today, cleaned["category"], [(to_local(r["received_at"]).date(), r["category"])], limits):
            return r["id"]
    return None


async def assess(user, values) -> dict:
    """The live preview: what the server would decide for these values now (nothing written)."""
    limits = await load_limits()
    cleaned, errors, unit = await forms.parse_intake(values, user, lookup_unit=lookup_unit, strict=False)
    out: dict[str, Any] = {"unit": unit, "errors": errors}
    if errors.get("claim_amount") or errors.get("households") or not cleaned.get("kind"):
        out["level"] = None
        return out
    repeat_of = await _repeat_of(cleaned, limits)
    facts = forms.facts_of(cleaned, repeat_of is not None)
    level, reasons = rules.severity(facts, limits)
    roles = rules.handler_roles(level, cleaned.get("claim_amount"), limits)
    out.update(level=level, reasons=reasons, repeat=repeat_of is not None, roles=[rules.ROLE_NAMES.get(r, r) for r in roles],
               gm=rules.inform_gm_at_intake(facts, limits))
    return out


async def _pick(roles: tuple[str, ...], project_id: int) -> tuple[str, dict | None]:
    """The level's handler: among the holders of ANY of its roles (P3: 客户关系专员 or 投诉管理专员), the one with the fewest
    open cases."""
    picked = [(role, h) for role in roles if (h := await core.pick_handler(role, project_id))]
    if not picked:
        return roles[0], None
    return min(picked, key=lambda rh: (rh[1].get("open", 0), rh[1]["id"]))


async def intake(user, values, file_ids: list[int]) -> dict:
    """Register a case: one transaction (the case, its repair row, the timeline, the audit, the notices, the files)."""
    limits = await load_limits()
    call = await _reachable_call(user, values.get("call"))
    if call and call["number"] and not (values.get("caller_phone") or "").strip():
        # 立案 from a call: the caller's number comes from the call record (never shown in full on the form)
        values = type(values)([(k, v) for k, v in values.multi_items() if k != "caller_phone"] + [("caller_phone", call["number"])])
    cleaned, errors, unit = await forms.parse_intake(values, user, lookup_unit=lookup_unit)
    if errors:
        raise CareError(next(iter(errors.values())), errors=errors)
    repeat_of = await _repeat_of(cleaned, limits)
    facts = forms.facts_of(cleaned, repeat_of is not None)
    level, reasons = rules.severity(facts, limits)
    roles = rules.handler_roles(level, cleaned["claim_amount"], limits)
    role, handler = await _pick(roles, cleaned["project"])
    received = now()
    cal = await clocks.calendar_around(received)
    repair = None
    if cleaned["kind"] == "报修":
        w = rules.warranty(cleaned["element"], unit.get("handed_over_on") if unit else None, today_local(), limits)
        repair = {"element": cleaned["element"], "location": cleaned["location"], "priority": cleaned["priority"],
                  "needs_inspection": cleaned["needs_inspection"], "handover_on": unit.get("handed_over_on") if unit else None,
                  "in_warranty": w.in_warranty, "warranty_until": w.until, "warranty_basis": w.basis}
    probe = {"kind": cleaned["kind"], "level": level, "received_at": received}
    case_dues, repair_dues = clocks.due_columns(probe, repair, [], cal, limits)
    gm_told = rules.inform_gm_at_intake(facts, limits)
    prefix = states.NUMBER_PREFIX.get(cleaned["kind"], states.DEFAULT_PREFIX)
    status = (states.R_ACCEPTED if cleaned["kind"] == "报修" else states.ASSIGNED) if handler else (
        states.R_ACCEPTED if cleaned["kind"] == "报修" else states.REGISTERED)
    async with CareCase._meta.db.transaction():
        number = await next_number(prefix)
        row = CareCase(
            number=number, kind=cleaned["kind"], channel=cleaned["channel"], category=cleaned["category"], project=cleaned["project"],
            unit=cleaned["unit"], buyer=cleaned["buyer"], deal=cleaned["deal"], caller_name=cleaned["caller_name"],
            caller_phone=cleaned["caller_phone"], title=cleaned["title"], content=cleaned["content"], demand=cleaned["demand"],
            claim_amount=cleaned["claim_amount"], group_complaint=cleaned["group_complaint"], households=cleaned["households"],
            media_risk=cleaned["media_risk"], safety_risk=cleaned["safety_risk"], lawsuit_risk=cleaned["lawsuit_risk"],
            unusable=cleaned["unusable"], repeat=repeat_of is not None, repeat_of=repeat_of, level=level, level_computed=level,
            level_reasons="；".join(reasons), status=status, handler_role=role, handler=handler["id"] if handler else None,
            received_by=user.employee_id, received_at=received, assigned_at=received if handler else None,
            gm_informed=gm_told, version=0,
            response_due=case_dues["response_due"], plan_due=case_dues["plan_due"], close_due=case_dues["close_due"])
        await row.save()
        case_id = row.id
        if repair is not None:
            await CareRepair.insert(CareRepair(case=case_id, **repair, on_site_due=repair_dues.get("on_site_due"),
                                               fix_due=repair_dues.get("fix_due")))
        who = f"，分派给 {handler['name']}（{rules.ROLE_NAMES.get(role, role)}）" if handler else f"，暂无{rules.ROLE_NAMES.get(role, role)}，待分派"
        await core.event(case_id, user.employee_id, "intake", f"{level}：{'；'.join(reasons)}{who}", "", status, at=received)
        await audit.record(actor=user, action="care.intake", entity="care_case", entity_id=case_id,
                           summary=f"{number} 登记{cleaned['kind']}（{level}）{cleaned['title']}",
                           after={"status": status, "level": level, "handler_role": role})
        text = f"{number}（{level} {cleaned['kind']}）：{cleaned['title']}"
        if handler:
            await notify.notify(handler["user"], f"新案件待处理 {text}", url(case_id), "care", ref=f"case:{case_id}:handle")
        else:
            for uid in await core.holder_users([rules.ROLE_COMPLAINT_SUPERVISOR, rules.ROLE_SUPERVISOR], cleaned["project"]):
                await notify.notify(uid, f"新案件待分派 {text}", url(case_id), "care", ref=f"case:{case_id}:assign")
        if gm_told:
            gms = await core.holder_users([rules.ROLE_GM], cleaned["project"])
            for uid in gms:
                await notify.notify(uid, f"通报：{text}（{'；'.join(reasons)}）", url(case_id), "care", ref=f"case:{case_id}:gm")
            await core.event(case_id, user.employee_id, "gm_informed", f"已通报总经理（{len(gms)} 人）")
        await attachments.bind(user, file_ids, ATTACH_OWNER, case_id)
        if call and call["case"] is None:  # 立案 from a call: the call record points at its case
            from app.calls.tables import CallRecord

            await CallRecord.update({CallRecord.case: case_id}).where((CallRecord.id == call["id"]) & CallRecord.case.is_null())
            await core.event(case_id, user.employee_id, "note", f"由来电 {call['call_id']} 立案")
    return {"id": case_id, "number": number, "level": level, "status": status, "handler": handler, "role": role}


async def _reachable_call(user, raw) -> dict | None:
    """A call record the user may read (app.calls.services.call_scope), by the id the intake form carries."""
    from app.calls.services import call_scope
    from app.calls.tables import CallRecord

    cid = parse_id(raw) if raw else None
    if cid is None:
        return None
    q = CallRecord.select(CallRecord.id, CallRecord.call_id, CallRecord.number, CallRecord.case, CallRecord.buyer,
                          CallRecord.buyer.name, CallRecord.project, CallRecord.started_at).where(CallRecord.id == cid)
    clause = call_scope(user)
    return await (q.where(clause) if clause is not None else q).first()


async def from_call(user, raw) -> dict[str, str]:
    """The intake form's values for 立案 from a call (?call=<id>): channel 电话, the caller's number and name, the project,
    and the call carried in a hidden field so the new case is linked to it. {} for a call out of reach or already linked."""
    call = await _reachable_call(user, raw)
    if not call or call["case"] is not None:
        return {}
    from app.core.validators import mask_phone

    out = {"channel": "电话", "call": str(call["id"]), "call_phone": mask_phone(call["number"] or ""),
           "caller_name": call.get("buyer.name") or "", "title": f"来电 {to_local(call['started_at']):%m-%d %H:%M}"}
    if call["project"]:
        out["project"] = str(call["project"])
    return out


# ---------------------------------------------------------------- the case page


async def pauses_of(case_id: int) -> list[dict]:
    return await CasePause.select().where(CasePause.case == case_id).order_by(CasePause.started_at)


async def repair_of(case: dict) -> dict | None:
    if case["kind"] != "报修":
        return None
    return await CareRepair.select().where(CareRepair.case == case["id"]).first()


async def clock_view(case: dict, repair: dict | None, pauses: list[dict]) -> list[dict]:
    limits = await load_limits()
    cal = await clocks.calendar_around(case["received_at"])
    return clocks.statuses(case, repair, pauses, now(), cal, limits)


def may_work(user, case: dict) -> bool:
    """The handler, holders of the handler role in the project, or a care manager."""
    if user.can(Perm.CARE_MANAGE) and user.sees_project(case["project"]):
        return True
    if user.employee_id and case["handler"] == user.employee_id:
        return True
    return bool(user.role) and user.role == case["handler_role"] and user.sees_project(case["project"])


def actions_for(user, case: dict, limits) -> list[str]:
    """The actions this user may take on the case in its state (the page offers exactly these; the server checks again)."""
    if not may_work(user, case):
        return []
    s = case["status"]
    out: list[str] = []
    manage = user.can(Perm.CARE_MANAGE)
    repair = case["kind"] == "报修"
    if manage and s in states.CASE_MOVES["assign"][0] + ((states.R_ACCEPTED, states.R_SURVEY) if repair else ()):
        out.append("assign")
    if s not in states.DONE:
        out.append("resume" if case["paused_since"] else "pause")
        if case["level"] == rules.P1:
            out.append("daily_update")
        if manage:
            out.append("override")
    if repair:
        return out
    for action in ("start", "plan", "customer_accepts", "customer_declines", "finish", "not_accept", "to_property"):
        if s in states.CASE_MOVES[action][0]:
            out.append(action)
    if s in states.CASE_MOVES["plan_compensation"][0]:
        out.append("plan_compensation")
    if s in states.CASE_MOVES["reopen"][0] and case["closed_at"] and not rules.reopen_error(
            to_local(case["closed_at"]).date(), today_local(), limits):
        out.append("reopen")
    return out


async def assignees(case: dict) -> list[tuple[str, str]]:
    """The people a case may be (re)assigned to: holders of the care roles in the case's project."""
    out: dict[int, str] = {}
    for role in CARE_ROLES:
        for h in await core.holders(role, case["project"]):
            out.setdefault(h["id"], f"{h['name']}（{rules.ROLE_NAMES.get(role, role)}）")
    return [(str(k), v) for k, v in out.items()]


async def compensation_of(case_id: int) -> dict | None:
    return await Compensation.select(Compensation.all_columns(), Compensation.request.number, Compensation.request.status).where(
        Compensation.case == case_id).order_by(Compensation.id, ascending=False).first()


# ---------------------------------------------------------------- actions


def _reason(data, name: str, label: str, required: bool = True, max_len: int = 500) -> str:
    text = (data.get(name) or "").strip() if isinstance(data.get(name), str) else ""
    if required and not text:
        raise CareError(f"请填写{label}", name)
    if len(text) > max_len:
        raise CareError(f"{label}最多 {max_len} 个字", name)
    return text


async def _handler_user(employee_id: int | None) -> int | None:
    if not employee_id:
        return None
    from app.org.tables import Employee

    e = await Employee.select(Employee.user).where(Employee.id == employee_id).first()
    return e["user"] if e else None


async def act(user, case: dict, action: str, data) -> str:
    """Run one action on `case` (as the user saw it: id, status, version). Returns what to tell the user."""
    limits = await load_limits()
    if action not in actions_for(user, case, limits):
        if not may_work(user, case):
            raise PermissionError("只有案件处理人、同岗位人员或投诉主管以上可以办理")
        raise CareError(f"案件当前为「{case['status']}」，不能{states.ACTION_NAMES.get(action, action)}")
    cid = case["id"]
    at = now()
    moves = states.REPAIR_MOVES if case["kind"] == "报修" else None
    async with CareCase._meta.db.transaction():
        if action == "assign":
            emp = parse_id(data.get("handler"))
            choices = dict(await assignees(case))
            if emp is None or str(emp) not in choices:
                raise CareError("请选择处理人", "handler")
            from app.org.tables import Employee

            e = await Employee.select(Employee.user, Employee.name, Employee.position.role).where(Employee.id == emp).first()
            if case["kind"] == "报修":
                await core.move(user, case, "assign", {CareCase.handler: emp, CareCase.handler_role: e["position.role"],
                                                      CareCase.assigned_at: at}, f"分派给 {e['name']}", to=case["status"])
            else:
                await core.move(user, case, "assign", {CareCase.handler: emp, CareCase.handler_role: e["position.role"],
                                                      CareCase.assigned_at: at}, f"分派给 {e['name']}")
            await notify.close([f"case:{cid}:assign", f"case:{cid}:handle"])
            await notify.notify(e["user"], f"案件分派给您：{case['number']} {case['title']}", url(cid), "care", ref=f"case:{cid}:handle")
            return f"已分派给 {e['name']}"
        if action == "start":
            await core.move(user, case, "start", {CareCase.responded_at: case["responded_at"] or at}, _reason(data, "note", "说明", False))
            await notify.close([f"case:{cid}:handle", f"case:{cid}:assign"])
            return "已记录首次响应，进入处理中"
        if action == "pause":
            reason = _reason(data, "reason", "暂停原因", max_len=200)
            await CasePause.insert(CasePause(case=cid, started_at=at, reason=reason))
            await core.move(user, case, "pause", {CareCase.paused_since: at, CareCase.pause_reason: reason}, reason, to=case["status"],
                            moves=moves)
            return "已暂停计时（等待客户）"
        if action == "resume":
            await CasePause.update({CasePause.ended_at: at}).where((CasePause.case == cid) & CasePause.ended_at.is_null())
            pauses = await pauses_of(cid)
            repair = await repair_of(case)
            cal = await clocks.calendar_around(case["received_at"])
            case_vals, repair_vals = clocks.due_columns(case, repair, pauses, cal, limits)
            changes = {getattr(CareCase, k): v for k, v in case_vals.items() if case["kind"] != "报修" or k == "plan_due"}
            changes.update({CareCase.paused_since: None, CareCase.pause_reason: ""})
            await core.move(user, case, "resume", changes, _reason(data, "note", "说明", False), to=case["status"], moves=moves)
            if repair and repair_vals:
                await CareRepair.update({getattr(CareRepair, k): v for k, v in repair_vals.items()}).where(CareRepair.case == cid)
            return "已恢复计时，到期时间已顺延"
        if action == "daily_update":
            note = _reason(data, "note", "今日进展", max_len=1000)
            await core.move(user, case, "daily_update", {}, note, to=case["status"], moves=moves)
            await notify.close([f"case:{cid}:daily"])
            return "已记录今日进展"
        if action == "override":
            new_level, err = rules.override_severity(case["level_computed"], (data.get("level") or "").strip(), data.get("reason") or "")
            if err:
                raise CareError(err, "reason" if "原因" in err else "level")
            reason = data.get("reason").strip()
            probe = {**case, "level": new_level}
            repair = await repair_of(case)
            cal = await clocks.calendar_around(case["received_at"])
            case_vals, _ = clocks.due_columns(probe, repair, await pauses_of(cid), cal, limits)
            roles = rules.handler_roles(new_level, case["claim_amount"], limits)
            changes: dict = {CareCase.level: new_level, CareCase.override_reason: reason, CareCase.override_by: user.employee_id}
            if case["kind"] != "报修":
                changes.update({getattr(CareCase, k): v for k, v in case_vals.items()})
            said = f"等级调整为 {new_level}"
            new_handler = None
            if case["handler_role"] not in roles:
                role, new_handler = await _pick(roles, case["project"])
                changes.update({CareCase.handler_role: role, CareCase.handler: new_handler["id"] if new_handler else None})
                said += f"，转{rules.ROLE_NAMES.get(role, role)}" + (f" {new_handler['name']}" if new_handler else "（暂无人员，待分派）")
            await core.move(user, case, "override", changes, f"{case['level']} → {new_level}：{reason}", to=case["status"], moves=moves)
            if new_handler:
                await notify.close([f"case:{cid}:handle"])
                await notify.notify(new_handler["user"], f"案件转由您处理：{case['number']}（{new_level}）{case['title']}", url(cid), "care",
                                    ref=f"case:{cid}:handle")
            return said
        if action == "plan":
            text = _reason(data, "plan_text", "答复方案", max_len=2000)
            await core.move(user, case, "plan", {CareCase.plan_text: text, CareCase.plan_at: at}, text)
            return "已答复方案，等待客户确认"
        if action == "customer_accepts":
            await core.move(user, case, "customer_accepts", {}, _reason(data, "note", "说明", False))
            return "客户已确认方案，进入执行"
        if action == "customer_declines":
            await core.move(user, case, "customer_declines", {}, _reason(data, "note", "客户意见"))
            return "客户不接受方案，案件回到处理中"
        if action == "finish":
            note = _reason(data, "note", "结案说明", max_len=1000)
            # a case closed while waiting on the customer: the pause ends now, and the stored dues give its time back
            # (the KPI board compares closed_at with close_due)
            await CasePause.update({CasePause.ended_at: at}).where((CasePause.case == cid) & CasePause.ended_at.is_null())
            pauses = await pauses_of(cid)
            probe = {**case, "closed_at": at}
            cal = await clocks.calendar_around(case["received_at"])
            st = [c for c in clocks.statuses(probe, None, pauses, at, cal, limits) if c["kind"] == "close"]
            on_time = st[0]["in_time"] if st else None
            case_vals, _ = clocks.due_columns(case, None, pauses, cal, limits)
            changes = {getattr(CareCase, k): v for k, v in case_vals.items()}
            changes.update({CareCase.closed_at: at, CareCase.close_note: note, CareCase.on_time: on_time, CareCase.paused_since: None,
                            CareCase.pause_reason: ""})
            changes.update(await core.schedule_callback(case, at, limits, cal))
            await core.move(user, case, "finish", changes, note)
            await notify.close([f"case:{cid}:handle", f"case:{cid}:assign", f"case:{cid}:daily", f"case:{cid}:clock"])
            return "已结案，待回访" + ("（按时）" if on_time else "（超时）" if on_time is False else "")
        if action == "not_accept":
            err = rules.not_accepted_error(data.get("reason") or "")
            if err:
                raise CareError(err, "reason")
            reason = data.get("reason").strip()
            await core.move(user, case, "not_accept", {CareCase.not_accepted_reason: reason, CareCase.closed_at: at}, reason)
            await notify.close([f"case:{cid}:handle", f"case:{cid}:assign"])
            return "已不予受理"
        if action == "to_property":
            reason = _reason(data, "reason", "转物业原因")
            await core.move(user, case, "to_property", {CareCase.transfer_reason: reason, CareCase.closed_at: at}, reason)
            await notify.close([f"case:{cid}:handle", f"case:{cid}:assign"])
            return "已转物业"
        if action == "reopen":
            err = rules.reopen_error(to_local(case["closed_at"]).date(), today_local(), limits)
            if err:
                raise CareError(err)
            reason = _reason(data, "reason", "重开原因")
            await core.move(user, case, "reopen", await core.reopen_changes(case, at, limits), reason)
            uid = await _handler_user(case["handler"])
            if uid:
                await notify.notify(uid, f"案件已重开：{case['number']} {case['title']}", url(cid), "care", ref=f"case:{cid}:handle")
            return "案件已重开"
    raise CareError("不支持的操作")


async def link_payment(user, case: dict, number: str) -> str:
    """发起付款 done on the 付款 form: store its request on the case — it must be a 付款 request whose 事由 names the case."""
    from app.finance.tables import Payment
    from app.workflow.tables import Request

    from app.workflow.engine import REJECTED, WITHDRAWN

    comp = await compensation_of(case["id"])
    if not comp or not comp["approved"]:
        raise CareError("补偿方案尚未获批，不能关联付款", "payment_number")
    if case["payment_request"]:
        raise CareError("该案件已关联付款审批单", "payment_number")
    if not may_work(user, case):
        raise PermissionError("无权办理")
    number = (number or "").strip()
    req = await Request.select(Request.id, Request.number, Request.flow, Request.status).where(Request.number == number).first() if number else None
    if not req or req["flow"] != "payment":
        raise CareError("没有找到该付款审批单，请填写付款单号（FK-…）", "payment_number")
    if req["status"] in (REJECTED, WITHDRAWN):
        raise CareError(f"付款审批单 {req['number']} {req['status']}，不能关联", "payment_number")
    pay = await Payment.select(Payment.purpose, Payment.amount).where(Payment.request == req["id"]).first()
    if not pay or case["number"] not in (pay["purpose"] or ""):
        raise CareError(f"该付款单的付款事由中没有注明案件号 {case['number']}", "payment_number")
    if Decimal(pay["amount"]) > Decimal(comp["amount"]):
        raise CareError(f"付款金额 {Decimal(pay['amount']):,.2f} 元超过获批补偿 {Decimal(comp['amount']):,.2f} 元", "payment_number")
    async with CareCase._meta.db.transaction():
        await core.move(user, case, "payment", {CareCase.payment_request: req["id"]}, f"付款审批 {req['number']}", to=case["status"])
    return f"已关联付款审批 {req['number']}"


async def reveal_phone(user, case: dict) -> str:
    await audit.record(actor=user, action="customer.unmask", entity="care_case", entity_id=case["id"],
                       summary=f"查看案件 {case['number']} 的完整联系电话")
    return case["caller_phone"]
