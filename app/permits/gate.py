"""The 境外购房备案 gate for signing (SPEC A2 step 3, §C): the register's record for the buyer is THE record. The pipeline
reads it (found by the buyer's ID number in the deal's project), creates it from the deal when the 审核单 passes and no
record exists yet, and may record its approval from the unit page — always in this one register row, never a copy."""
from __future__ import annotations

from datetime import date
from typing import Any

from app.core import audit
from app.core.timeutil import now, today_local
from app.core.validators import mask_id_number
from app.permits.kinds import ID_TYPES
from app.permits.tables import OverseasFiling

APPROVED = "已批准"
PENDING = "申请中"


def record_url(record_id: int) -> str:
    return f"/permits/overseas/{record_id}"


async def filing_for(project_id: int, id_no: str) -> dict[str, Any] | None:
    """The buyer's filing in the project: an approved one if any, else the newest (one indexed query)."""
    rows = await OverseasFiling.select(OverseasFiling.id, OverseasFiling.status, OverseasFiling.applied_on, OverseasFiling.approved_on,
                                       OverseasFiling.reference_no, OverseasFiling.buyer_name).where(
        (OverseasFiling.id_no == (id_no or "").strip().upper()) & (OverseasFiling.project == project_id)).order_by(
        OverseasFiling.id, ascending=False).limit(20)
    if not rows:
        return None
    return next((r for r in rows if r["status"] == APPROVED), rows[0])


def approved(filing: dict[str, Any] | None) -> bool:
    return bool(filing) and filing["status"] == APPROVED


async def ensure_filing(user, *, project_id: int, buyer_name: str, id_type: str, id_no: str, room: str) -> dict[str, Any]:
    """The buyer's filing, created (申请中, applied today, owned by the acting 合同专员) if the register has none.
    Call inside the caller's transaction; the creation is audited as a register entry."""
    found = await filing_for(project_id, id_no)
    if found:
        return found
    stamp = now()
    row = OverseasFiling(project=project_id, buyer_name=buyer_name[:60], id_type=id_type if id_type in ID_TYPES else "护照",
                         id_no=(id_no or "").strip().upper()[:40], room=room[:40], applied_on=today_local(), status=PENDING,
                         owner=user.employee_id, note="签约审核单通过时由交易记录登记", created_at=stamp, updated_at=stamp)
    await row.save()
    await audit.record(actor=user, action="permits.create", entity="permit_overseas", entity_id=row.id,
                       summary=f"登记境外购房备案：{buyer_name}（{mask_id_number(id_no)}），{room}",
                       after={"status": PENDING, "id_no": mask_id_number(id_no), "room": room})
    return await filing_for(project_id, id_no)


async def approve(user, filing_id: int, reference_no: str, on: date) -> bool:
    """申请中 → 已批准 on the register's record (the register's own 登记批准), by a conditional update."""
    rows = await OverseasFiling.update({OverseasFiling.status: APPROVED, OverseasFiling.reference_no: reference_no, OverseasFiling.approved_on: on,
                                        OverseasFiling.updated_at: now()}).where(
        (OverseasFiling.id == filing_id) & (OverseasFiling.status == PENDING)).returning(OverseasFiling.id, OverseasFiling.buyer_name)
    if not rows:
        return False
    await audit.record(actor=user, action="permits.approve", entity="permit_overseas", entity_id=filing_id,
                       summary=f"登记批准：境外购房备案 {rows[0]['buyer_name']}，申请中 → 已批准（备案编号 {reference_no}）",
                       before={"status": PENDING}, after={"status": APPROVED, "reference_no": reference_no, "approved_on": on})
    return True
