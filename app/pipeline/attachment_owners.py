"""A unit's files (contract scans, receipts, handover photos): seen and added by whoever may see the unit —
the pipeline permission and the unit's project within the user's scope."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.estate.tables import Unit

OWNER = "pl_unit"


async def _unit(owner_id: str) -> dict | None:
    uid = parse_id(owner_id)
    if uid is None:
        return None
    return await Unit.select(Unit.id, Unit.project, Unit.room_no, Unit.building.name).where(Unit.id == uid).first()


async def can_see(user, owner_id: str) -> bool:
    if not user.can(Perm.PIPELINE):
        return False
    unit = await _unit(owner_id)
    return bool(unit) and user.sees_project(unit["project"])


async def describe(owner_id: str) -> str:
    unit = await _unit(owner_id)
    return f'{unit["building.name"]}-{unit["room_no"]}' if unit else owner_id


register_owner(OwnerKind(code=OWNER, label="房源", can_see=can_see, can_attach=can_see,
                         url=lambda owner_id: f"/pipeline/units/{owner_id}", describe=describe))


# A6 交房: photos of a 房屋验收 问题单 (pl_issue) and of a handover 整改单 (pl_defect): seen and added by whoever may see
# the unit's project in the pipeline (the 客服中心 who finds it, the 项目部 who has it rectified).
async def _defect_scope(kind: str, owner_id: str) -> dict | None:
    from app.pipeline.services import defect_row

    did = parse_id(owner_id)
    return await defect_row(kind, did) if did is not None else None


def _defect_owner(kind: str, code: str, label: str, path: str) -> OwnerKind:
    async def can_see_defect(user, owner_id: str) -> bool:
        if not user.can(Perm.PIPELINE):
            return False
        row = await _defect_scope(kind, owner_id)
        return bool(row) and user.sees_project(row["project"])

    async def describe_defect(owner_id: str) -> str:
        row = await _defect_scope(kind, owner_id)
        return f'{row["unit.building.name"]}-{row["unit.room_no"]} {row["location"]}' if row else owner_id

    return OwnerKind(code=code, label=label, can_see=can_see_defect, can_attach=can_see_defect,
                     url=lambda owner_id: f"/pipeline/{path}/{owner_id}", describe=describe_defect)


register_owner(_defect_owner("issue", "pl_issue", "房屋验收问题单", "issues"))
register_owner(_defect_owner("defect", "pl_defect", "交房整改单", "defects"))
