"""The employee record's section (app/hr_people): the exit or dismissal in progress or done, and the count of what
the person still holds; events for the timeline."""
from __future__ import annotations

from app.hr_exit import holdings as registry
from app.hr_exit.tables import CLOSED, ExitCase

ORDER = 90


async def section(emp: dict, viewer) -> dict | None:
    from app.core.permissions import Perm

    case = await ExitCase.select(ExitCase.id, ExitCase.kind, ExitCase.status, ExitCase.notice_on, ExitCase.last_day,
                                 ExitCase.request.number.as_alias("request_number"), ExitCase.request).where(
        (ExitCase.employee == emp["id"]) & (ExitCase.status != CLOSED)).order_by(ExitCase.id, ascending=False).first()
    is_hr = viewer.can(Perm.HR_MANAGE)
    if case is None and not is_hr:
        return None
    items = await registry.holdings_of(emp["id"]) if is_hr or viewer.employee_id == emp["id"] else []
    return {"title": "离职交接", "template": "hr_exit/_profile.html",
            "ctx": {"case": case, "open_count": len(registry.open_holdings(items)), "shown": bool(items) or is_hr}}


async def events(employee_id: int) -> list[dict]:
    rows = await ExitCase.select(ExitCase.id, ExitCase.kind, ExitCase.status, ExitCase.notice_on, ExitCase.last_day,
                                 ExitCase.completed_at).where((ExitCase.employee == employee_id) & (ExitCase.status != CLOSED)).order_by(ExitCase.id)
    out = []
    for r in rows:
        out.append({"on": r["notice_on"], "text": f"提出{'离职' if r['kind'] == '辞职' else '辞退'}（最后工作日 {r['last_day']:%Y-%m-%d}）",
                    "url": f"/hr/exit/{r['id']}" if r["status"] != "审批中" else None})
        if r["status"] == "已完成":
            out.append({"on": r["last_day"], "text": "离职（交接已完成）", "url": f"/hr/exit/{r['id']}"})
    return out
