"""The employee record's 假期 section: this year's annual-leave balance (by years of work, 职工带薪年休假条例) and this
year's leaves; its events: each approved leave."""
from __future__ import annotations

from datetime import date

from app.core.timeutil import today_local
from app.hr_leave import rules, services
from app.hr_leave.tables import LeaveRequest

ORDER = 30


async def section(emp: dict, viewer) -> dict | None:
    today = today_local()
    bal = await services.balance(emp["id"], today.year, today)
    sel, _ = services.my_leaves_query(emp["id"])
    leaves = await sel.where(LeaveRequest.start_on >= date(today.year, 1, 1)).limit(50)
    return {"title": f"{today.year} 年假期", "template": "hr_leave/_profile.html",
            "ctx": {"balance": bal, "leaves": leaves, "legal": rules.LEGAL_ANNUAL_SHORT, "fmt_days": rules.fmt_days,
                    "period": services.period_text}}


async def events(employee_id: int) -> list[dict]:
    sel, _ = services.my_leaves_query(employee_id)
    rows = await sel.where(LeaveRequest.request.status == "已通过").limit(200)
    return [{"on": r["start_on"], "text": f"{r['kind']} {rules.fmt_days(r['days'])} 天", "url": f"/workflow/requests/{r['request']}"}
            for r in rows]
