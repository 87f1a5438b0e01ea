"""The employee record's 劳动合同 section (contract history; the pay for HR only) and its events."""
from __future__ import annotations

from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.hr_contract import rules, services

ORDER = 20


async def section(emp: dict, viewer) -> dict | None:
    today = today_local()
    rows = [{**r, "shown_status": services.shown_status(r, today)} for r in await services.history(emp["id"])]
    return {"title": "劳动合同", "template": "hr_contract/_profile.html",
            "ctx": {"rows": rows, "show_pay": viewer.can(Perm.HR_MANAGE), "basis": f"{rules.ART_10}、{rules.ART_14}"}}


async def events(employee_id: int) -> list[dict]:
    out = []
    for r in await services.history(employee_id):
        url = f"/hr/contracts/{r['id']}"
        out.append({"on": r["signed_on"] or r["start"], "text": f"{'签订' if r['signed_on'] else '登记'}第 {r['seq']} 次劳动合同（{r['kind']}）", "url": url})
        if r["ended_on"]:
            out.append({"on": r["ended_on"], "text": f"第 {r['seq']} 次劳动合同{r['end_reason'] or '终止'}", "url": url})
    return out
