"""The employee record's sections (app/hr_people): everything the person holds in the portal (the holdings registry)
and the exit or dismissal in progress or done; events for the timeline."""
from __future__ import annotations

from app.hr_exit import holdings as registry
from app.hr_exit.tables import CLOSED, ExitCase

ORDER = 90


async def section(emp: dict, viewer) -> list[dict]:
    """What the person holds anywhere in the portal, open items first (everyone who may read the record: HR, the person,
    their manager), and the exit or dismissal in progress."""
    case = await ExitCase.select(ExitCase.id, ExitCase.kind, ExitCase.status, ExitCase.notice_on, ExitCase.last_day,
                                 ExitCase.request.number.as_alias("request_number"), ExitCase.request).where(
        (ExitCase.employee == emp["id"]) & (ExitCase.status != CLOSED)).order_by(ExitCase.id, ascending=False).first()
    items = registry.open_holdings(await registry.holdings_of(emp["id"]))
    out = [{"title": f"名下在办事项（{len(items)}）", "template": "hr_exit/_profile_holdings.html", "ctx": {"items": items}}]
    if case:
        out.append({"title": "离职交接", "template": "hr_exit/_profile.html", "ctx": {"case": case}})
    return out


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
