"""The employee record's section for 招聘 → 入职 (shared interface of /hr/people/{id}, discovered with
domain_modules("profile")): how the person was recruited — the 用人申请, the 录用审批, the interviews' average score,
the onboarding and whether the first-sign-in acknowledgements are done. One SQL statement each."""
from __future__ import annotations

from typing import Any

from app.core.permissions import Perm
from app.hr_recruit.tables import Onboarding

ORDER = 20
OB = Onboarding


async def _row(employee_id: int) -> dict | None:
    return await OB.select(OB.id, OB.done_at, OB.gated, OB.offer.start_on.as_alias("start_on"),
                           OB.offer.probation_months.as_alias("probation_months"),
                           OB.offer.request.as_alias("offer_request"), OB.offer.request.number.as_alias("offer_number"),
                           OB.candidate.staffing.request.as_alias("staffing_request"),
                           OB.candidate.staffing.request.number.as_alias("staffing_number"),
                           OB.candidate.staffing.outside.as_alias("outside"),
                           OB.done_by.name.as_alias("done_by_name")).where(OB.employee == employee_id).first()


async def section(emp: dict, viewer: Any) -> dict | None:
    row = await _row(emp["id"])
    if row is None:
        return None
    return {"title": "招聘与入职", "template": "hr_recruit/_profile.html",
            "ctx": {"ob": row, "is_hr": bool(viewer and viewer.can(Perm.HR_MANAGE))}}


async def events(employee_id: int) -> list[dict]:
    row = await _row(employee_id)
    if row is None:
        return []
    return [{"on": row["done_at"].date(), "text": f"办理入职（录用审批 {row['offer_number']}，入职日期 {row['start_on']:%Y-%m-%d}）",
             "url": f"/hr/recruit/onboardings/{row['id']}"}]
