"""Files of a 资质升级 project (the checklist's scans) and of a 前期物业招标 (each step's documents): seen by whoever sees
the record, added by those who run it."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm


async def _upgrade_visible(user, owner_id: str) -> bool:
    from app.permits.tables import QualificationUpgrade

    uid = parse_id(owner_id)
    return user.can(Perm.PIPELINE) and uid is not None and await QualificationUpgrade.exists().where(QualificationUpgrade.id == uid)


async def _upgrade_attach(user, owner_id: str) -> bool:
    from app.permits.projects import may_upgrade

    return may_upgrade(user) and await _upgrade_visible(user, owner_id)


async def _tender_row(owner_id: str):
    from app.permits.tables import PropertyTender

    tid = parse_id(owner_id)
    return await PropertyTender.select(PropertyTender.id, PropertyTender.project).where(PropertyTender.id == tid).first() if tid is not None else None


async def _tender_visible(user, owner_id: str) -> bool:
    t = await _tender_row(owner_id)
    return user.can(Perm.PIPELINE) and bool(t) and user.sees_project(t["project"])


async def _tender_attach(user, owner_id: str) -> bool:
    from app.permits.projects import may_tender

    return may_tender(user) and await _tender_visible(user, owner_id)


register_owner(OwnerKind(code="permit_upgrade", label="资质升级", can_see=_upgrade_visible, can_attach=_upgrade_attach,
                         url=lambda owner_id: f"/permits/upgrades/{owner_id}"))
register_owner(OwnerKind(code="permit_tender", label="前期物业招标", can_see=_tender_visible, can_attach=_tender_attach,
                         url=lambda owner_id: f"/permits/tenders/{owner_id}"))
