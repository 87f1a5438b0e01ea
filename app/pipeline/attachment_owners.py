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
