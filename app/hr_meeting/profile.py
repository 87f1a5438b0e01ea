"""The 例会 section of the employee record (/hr/people/{id}): the person's open action items; the timeline's items done."""
from __future__ import annotations

from app.core.timeutil import today_local
from app.hr_meeting import services
from app.hr_meeting.tables import ActionItem

ORDER = 70


async def section(emp: dict, viewer) -> dict | None:
    items = await services.open_items(emp["id"])
    return {"title": "例会行动项", "template": "hr_meeting/_profile.html", "ctx": {"items": items, "today": today_local()}}


async def events(employee_id: int) -> list[dict]:
    rows = await ActionItem.select(ActionItem.text, ActionItem.done_on, ActionItem.meeting).where(
        (ActionItem.owner == employee_id) & (ActionItem.done == True))  # noqa: E712
    return [{"on": r["done_on"], "text": f"完成例会行动项：{r['text'][:60]}", "url": f"/hr/meetings/{r['meeting']}"} for r in rows if r["done_on"]]
