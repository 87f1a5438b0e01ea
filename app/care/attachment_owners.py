"""A case's files (photos, recordings, letters, the customer's signature on a repair): seen by whoever may read cases
in the case's project; added by whoever works cases there."""
from __future__ import annotations

from app.care.tables import CareCase
from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm

OWNER = "care_case"


async def _case(owner_id: str) -> dict | None:
    cid = parse_id(owner_id)
    if cid is None:
        return None
    return await CareCase.select(CareCase.id, CareCase.project, CareCase.number).where(CareCase.id == cid).first()


async def _reaches(user, owner_id: str, perm: Perm) -> bool:
    if not user.can(perm):
        return False
    case = await _case(owner_id)
    return bool(case) and user.sees_project(case["project"])


async def can_see(user, owner_id: str) -> bool:
    return await _reaches(user, owner_id, Perm.CARE_VIEW)


async def can_attach(user, owner_id: str) -> bool:
    return await _reaches(user, owner_id, Perm.CARE)


async def describe(owner_id: str) -> str:
    case = await _case(owner_id)
    return case["number"] if case else owner_id


register_owner(OwnerKind(code=OWNER, label="客服案件", can_see=can_see, can_attach=can_attach,
                         url=lambda owner_id: f"/care/cases/{owner_id}", describe=describe))
