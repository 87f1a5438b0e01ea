"""The record's own section: 奖惩 (§G); its events: the hire date and each reward or penalty. (What the person holds
anywhere in the portal — approval tasks, requests, advances, assets, seals, loans, cases, keys — is the section of
app/hr_exit/profile.py, from the one holdings registry the resignation sweep clears.)"""
from __future__ import annotations

from app.hr_people import services
from app.org.tables import Employee

ORDER = 70


async def section(emp: dict, viewer) -> dict:
    rows = await services.rewards_of(emp["id"])
    return {"title": f"奖惩记录（{len(rows)}）", "template": "hr_people/_profile_rewards.html", "ctx": {"rows": rows}}


async def events(employee_id: int) -> list[dict]:
    emp = await Employee.select(Employee.hired_on).where(Employee.id == employee_id).first()
    out = [{"on": emp["hired_on"], "text": "入职", "url": None}] if emp and emp["hired_on"] else []
    for r in await services.rewards_of(employee_id):
        out.append({"on": r["on"], "text": f"{r['kind']}：{r['title']}", "url": None})
    return out
