"""The employee record's 学历/资格证书培训 section: the person's training agreements with the service period and the
penalty if they left today ([L] 劳动合同法 第二十二条); its events: each agreement approved and each certificate."""
from __future__ import annotations

from app.core.timeutil import today_local
from app.hr_training import rules, services
from app.hr_training.tables import CLOSED, SERVING, TrainingAgreement

ORDER = 50
T = TrainingAgreement


def _rows(employee_id: int):
    return T.select(*services.COLUMNS).where(T.employee == employee_id).order_by(T.id, ascending=False).limit(50)


async def section(emp: dict, viewer) -> dict | None:
    rows = await _rows(emp["id"])
    if not rows:
        return None
    today = today_local()
    for r in rows:
        r["penalty"] = rules.penalty_text(services.penalty_today(r, today)) if r["status"] == SERVING else ""
    return {"title": "学历/资格证书培训", "template": "hr_training/_profile.html", "ctx": {"rows": rows, "legal": rules.LEGAL_22_SHORT}}


async def events(employee_id: int) -> list[dict]:
    out = []
    for r in await _rows(employee_id):
        url = f"/hr/training/{r['id']}"
        if r["status"] != CLOSED:
            out.append({"on": r["start_on"], "text": f"{r['kind']}培训：{r['program']}", "url": url})
        if r["cert_on"]:
            out.append({"on": r["cert_on"], "text": f"取得证书：{r['program']}（服务期 {r['period_years']} 年起算）", "url": url})
    return out
