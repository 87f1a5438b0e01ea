"""回访 services: who may call (not a handler of the case), the answer and what it does to the case, in one transaction.

- Not reached: the attempt is counted and noted; the callback stays due (called_at stays empty).
- Reached: the score decides (rules.callback_outcome). 满意/一般 → 待回访 → 已关闭 (a case already closed stays closed);
  不满意 or worse → 重开 for the 投诉主管 (core.pick_handler), reopen_count + 1, reopened_at, and the clocks restart from
  the reopen moment (core.reopen_changes): the due columns are computed as if the case had been received at
  reopened_at (received_at itself is kept), and responded_at / plan_at / closed_at / on_time are cleared so the
  first-response, plan and close clocks run again (the worker measures from COALESCE(reopened_at, received_at)).
  A case can be reopened only within limits.reopen_window_days of its 结案 (rules.reopen_error).
- A closed case may be called again (a later complaint about the same matter): a new callback row is opened for it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.care import core, rules, states
from app.care.core import CareError, callback_ref, case_url, clock_ref  # noqa: F401  (refs named here too)
from app.care.settings import load_limits
from app.care.tables import CareCase, CaseEvent, Callback
from app.core import audit
from app.core.db import write_transaction
from app.core.notify import close as close_notices, notify
from app.core.timeutil import fmt_datetime, now, to_local

NOTE_MAX = 500
# timeline actions that do not make someone a handler of the case: the callers' own calls and what an answer does
# (close after the call, reopen for the 投诉主管), and the system's notices
NOT_HANDLING = ("callback", "close", "reopen", "amber", "escalate", "gm_informed")


def due_text(due: datetime | None) -> str:
    """A due moment as people read it: a day clock ends at 24:00 of its last day (stored as 00:00 of the next)."""
    if due is None:
        return ""
    local = to_local(due)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{(local - timedelta(days=1)).date().isoformat()} 24:00"
    return fmt_datetime(due)




def form_url(case_id: int) -> str:
    return f"/care/callbacks/{case_id}"


async def handler_ids(case: dict) -> list[int]:
    """The case's handler and every employee who acted on its timeline (one query)."""
    rows = await CaseEvent.select(CaseEvent.actor).where(
        (CaseEvent.case == case["id"]) & CaseEvent.actor.is_not_null() & CaseEvent.action.not_in(list(NOT_HANDLING))
    ).distinct()
    ids = [r["actor"] for r in rows]
    for col in ("handler", "received_by"):
        if case.get(col):
            ids.append(case[col])
    return list(dict.fromkeys(ids))


async def open_callback(case_id: int) -> dict | None:
    return await Callback.select().where((Callback.case == case_id) & Callback.called_at.is_null()).order_by(
        Callback.id, ascending=False).first()


async def past_callbacks(case_id: int) -> list[dict]:
    rows = await Callback.select(*Callback.all_columns(), Callback.caller.name).where(Callback.case == case_id).order_by(
        Callback.id, ascending=False)
    for r in rows:
        r["score_text"] = rules.SATISFACTION_SCALE.get(r["score"], "") if r["score"] else ""
    return rows


def can_answer(case: dict, callback: dict | None) -> bool:
    """The form is offered for a case waiting for its callback, and for a closed case (a later call)."""
    return case["status"] == states.CALLBACK and callback is not None or case["status"] == states.CLOSED


def parse_answer(raw: dict[str, Any], limits) -> tuple[dict, dict[str, str]]:
    """(values, errors): reached 1/0, score 1–5 when reached, note (required when not reached)."""
    errors: dict[str, str] = {}
    reached_raw = str(raw.get("reached") or "").strip()
    note = str(raw.get("note") or "").strip()
    values: dict[str, Any] = {"reached": None, "score": None, "note": note}
    if reached_raw not in ("1", "0"):
        errors["reached"] = "请选择是否联系上客户"
    else:
        values["reached"] = reached_raw == "1"
    if values["reached"]:
        score_raw = str(raw.get("score") or "").strip()
        if not score_raw:
            errors["score"] = "请选择客户的满意度"
        else:
            try:
                values["score"] = int(score_raw)
                rules.callback_outcome(values["score"], limits)
            except ValueError:
                errors["score"] = "满意度请选择 1 到 5 分"
                values["score"] = None
    elif values["reached"] is False and not note:
        errors["note"] = "未联系上客户时请填写说明（例如 无人接听、关机、约定改期）"
    if len(note) > NOTE_MAX:
        errors["note"] = f"说明最多 {NOTE_MAX} 个字符"
    return values, errors


async def _case_row(case_id: int) -> dict | None:
    return await CareCase.select(*CareCase.all_columns()).where(CareCase.id == case_id).first()


async def _reopen_changes(case: dict, at: datetime, limits) -> tuple[dict, dict | None]:
    """(CareCase changes, the new handler) for a callback that reopens the case: the clocks restart (core.reopen_changes)
    and the 投诉主管 takes it."""
    changes = await core.reopen_changes(case, at, limits)
    role = rules.ROLE_COMPLAINT_SUPERVISOR
    handler = await core.pick_handler(role, case["project"])
    changes.update({CareCase.handler_role: role, CareCase.handler: handler["id"] if handler else None, CareCase.assigned_at: at})
    return changes, handler


async def answer(user, case_id: int, raw: dict[str, Any]) -> str:
    """Record one answer on the case's callback (one transaction). Returns the message for the flash; raises CareError
    (field errors in .errors) when refused — nothing is written then."""
    limits = await load_limits()
    values, errors = parse_answer(raw, limits)
    if errors:
        raise CareError(next(iter(errors.values())), next(iter(errors)), errors)
    at = now()
    async with write_transaction():
        case = await _case_row(case_id)
        if case is None or (core.scope(user) is not None and not user.sees_project(case["project"])):
            raise CareError("案件不存在或不在您的项目范围内")
        callback = await open_callback(case_id)
        if not can_answer(case, callback):
            raise CareError(f"案件当前为「{case['status']}」，无需回访")
        caller = getattr(user, "employee_id", None)
        err = rules.callback_caller_error(caller, await handler_ids(case))
        if err:
            raise CareError(err, "caller")
        outcome = rules.callback_outcome(values["score"], limits) if values["reached"] else None
        if outcome and outcome.reopen and case["closed_at"] is not None:
            err = rules.reopen_error(to_local(case["closed_at"]).date(), to_local(at).date(), limits)
            if err:
                raise CareError(err, "score")
        if callback is None:  # a later call on a closed case
            callback = (await Callback.insert(Callback(case=case_id, project=case["project"], due_at=at)).returning(
                *Callback.all_columns()))[0]
        moves = states.REPAIR_MOVES if case["kind"] == "报修" else states.CASE_MOVES
        number = case["number"]
        if not values["reached"]:
            done = await Callback.update({Callback.attempts: Callback.attempts + 1, Callback.caller: caller,
                                          Callback.note: values["note"]}).where(
                (Callback.id == callback["id"]) & Callback.called_at.is_null()).returning(Callback.attempts)
            if not done:
                raise CareError(core.STALE)
            n = done[0]["attempts"]
            note = f"未联系上客户（第 {n} 次）：{values['note']}"
            await core.event(case_id, caller, "callback", note, case["status"], case["status"], at)
            await audit.record(actor=user, action="care.callback", entity="care_callback", entity_id=callback["id"],
                               summary=f"{number} 回访{note}", after={"reached": False, "attempts": n})
            return f"已记录：第 {n} 次回访未联系上客户，回访仍待完成"
        done = await Callback.update({
            Callback.attempts: Callback.attempts + 1, Callback.caller: caller, Callback.called_at: at, Callback.reached: True,
            Callback.score: values["score"], Callback.note: values["note"], Callback.reopened: outcome.reopen,
        }).where((Callback.id == callback["id"]) & Callback.called_at.is_null()).returning(Callback.id)
        if not done:
            raise CareError(core.STALE)
        text = f"回访：{outcome.label}（{values['score']} 分）" + (f"。{values['note']}" if values["note"] else "")
        await core.event(case_id, caller, "callback", text, case["status"], case["status"], at)
        await audit.record(actor=user, action="care.callback", entity="care_callback", entity_id=callback["id"],
                           summary=f"{number} {text}", after={"reached": True, "score": values["score"], "reopen": outcome.reopen})
        await close_notices([callback_ref(case_id)])
        if outcome.reopen:
            changes, handler = await _reopen_changes(case, at, limits)
            await core.move(user, case, "reopen", changes, f"回访{outcome.label}，案件重开，转投诉主管处理", moves=moves)
            recipients = [handler["user"]] if handler else await core.holder_users([rules.ROLE_COMPLAINT_SUPERVISOR], case["project"])
            for uid in recipients:
                await notify(uid, f"回访不满意，案件 {number}「{case['title']}」已重开，请投诉主管处理", case_url(case_id), "care",
                             clock_ref(case_id))
            return f"客户{outcome.label}：案件 {number} 已重开，转投诉主管" + (f"（{handler['name']}）" if handler else "") + "处理"
        if case["status"] == states.CALLBACK:
            await core.move(user, case, "close", {}, f"回访{outcome.label}，案件关闭", moves=moves)
            return f"回访已记录（{outcome.label}），案件 {number} 已关闭"
        return f"回访已记录（{outcome.label}）"


async def panel_context(user, case: dict) -> dict | None:
    """The callback panel of the case page: the due moment, the form (when a call can be recorded), past callbacks.
    None for a case that has no callback and is not waiting for one."""
    callback = await open_callback(case["id"])
    past = [c for c in await past_callbacks(case["id"]) if c["called_at"] is not None or c["attempts"]]
    if callback is None and not past and case["status"] != states.CALLBACK:
        return None
    due = callback["due_at"] if callback else None
    return {
        "callback": callback, "due": due, "due_text": due_text(due),
        "overdue": bool(due and due < now()), "past": past,
        "can_answer": user.can("care") and can_answer(case, callback),
        "is_handler": getattr(user, "employee_id", None) in await handler_ids(case),
        "scale": sorted(rules.SATISFACTION_SCALE.items(), reverse=True),
        "action": form_url(case["id"]),
    }


async def caller_choices(user) -> list[tuple[str, str]]:
    """The employees who made callbacks in the user's scope (the list's 回访人 filter)."""
    q = Callback.select(Callback.caller, Callback.caller.name).where(Callback.caller.is_not_null()).distinct()
    from app.core.scope import project_clause

    clause = project_clause(Callback.project, user)
    if clause is not None:
        q = q.where(clause)
    rows = await q
    return sorted({(str(r["caller"]), r["caller.name"]) for r in rows}, key=lambda x: x[1])



