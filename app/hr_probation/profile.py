"""The employee record's 转正 section: the status after 转正 and the person's 转正申请; its events: each 转正申请 filed
and the decision."""
from __future__ import annotations

from app.hr_probation.tables import EmployeeStatus, ProbationReview

ORDER = 40
R = ProbationReview
LEGAL = "[L] 劳动合同法 第十九条、第二十一条（试用期期限；试用期内不符合录用条件方可解除）"


def _reviews(employee_id: int):
    return R.select(R.id, R.request, R.probation_end, R.score, R.outcome, R.created_at, R.request.number.as_alias("number"),
                    R.request.status.as_alias("request_status")).where(R.employee == employee_id).order_by(R.id, ascending=False).limit(20)


async def section(emp: dict, viewer) -> dict | None:
    st = await EmployeeStatus.select(EmployeeStatus.status, EmployeeStatus.since).where(EmployeeStatus.employee == emp["id"]).first()
    reviews = await _reviews(emp["id"])
    if st is None and not reviews:
        return None
    return {"title": "转正", "template": "hr_probation/_profile.html", "ctx": {"status": st, "reviews": reviews, "legal": LEGAL}}


async def events(employee_id: int) -> list[dict]:
    out = [{"on": r["created_at"], "text": f"提交转正申请 {r['number']}", "url": f"/workflow/requests/{r['request']}"}
           for r in await _reviews(employee_id)]
    st = await EmployeeStatus.select(EmployeeStatus.status, EmployeeStatus.since, EmployeeStatus.request).where(
        EmployeeStatus.employee == employee_id).first()
    if st and st["status"] != "试用期":
        out.append({"on": st["since"], "text": "转正" if st["status"] == "正式" else st["status"],
                    "url": f"/workflow/requests/{st['request']}" if st["request"] else None})
    return out
