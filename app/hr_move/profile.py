"""The employee record's 岗位与职级 section and the promotions/transfers on its timeline (the hub's interface)."""
from __future__ import annotations

from typing import Any

from app.core.permissions import Perm
from app.hr_move.tables import PositionHistory as H
from app.org.tables import Employee

ORDER = 20

COLUMNS = (H.since, H.reason, H.request, H.company.name.as_alias("company_name"), H.department.name.as_alias("department_name"),
           H.position.name.as_alias("position_name"), H.grade.code.as_alias("grade_code"))


async def _rows(employee_id: int) -> list[dict]:
    return await H.select(*COLUMNS).where(H.employee == employee_id).order_by(H.since).order_by(H.id).limit(200)


async def section(emp: dict, viewer: Any) -> dict | None:
    """HR, the person and their manager see it (the hub decides who opens the page; nothing shown to others)."""
    if viewer is None:
        return None
    if not (viewer.can(Perm.HR_MANAGE) or getattr(viewer, "employee_id", None) == emp.get("id")):
        boss = await Employee.select(Employee.manager.user.as_alias("boss")).where(Employee.id == emp["id"]).first()
        if not boss or not boss["boss"] or boss["boss"] != getattr(viewer, "user_id", None):
            return None
    return {"title": "岗位与职级", "template": "hr_move/_profile.html", "ctx": {"history": list(reversed(await _rows(emp["id"])))}}


async def events(employee_id: int) -> list[dict]:
    out = []
    for h in await _rows(employee_id):
        grade = f"（{h['grade_code']}）" if h["grade_code"] else ""
        if h["reason"] == "入职":
            text = f"入职 {h['company_name']} · {h['position_name']}{grade}"
        elif h["reason"] == "调动":
            text = f"调动至 {h['company_name']} {h['department_name']} · {h['position_name']}（工龄连续计算）"
        else:
            text = f"{h['reason']}为 {h['position_name']}{grade}"
        out.append({"on": h["since"], "text": text, "url": f"/hr/moves/{h['request']}" if h["request"] else None})
    return out
