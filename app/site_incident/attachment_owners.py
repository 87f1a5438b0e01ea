"""An incident's photos: seen by whoever may read the incident (its team's people, the 客服主管 and the leaders in
scope); added by the security team's people and the 客服主管 while it is open."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.permissions import Perm

OWNER = "site_incident"


async def can_see(user, owner_id: str) -> bool:
    from app.site_incident import services

    return await services.get(user, owner_id) is not None


async def can_attach(user, owner_id: str) -> bool:
    from app.site_incident import services
    from app.site_incident.tables import OPEN

    if not (user.can(Perm.SITE_SECURITY) or user.can(Perm.SITE_MANAGE)):
        return False
    inc = await services.get(user, owner_id)
    return inc is not None and inc["status"] == OPEN


async def describe(owner_id: str) -> str:
    from app.core.fields import parse_id
    from app.site_incident.tables import Incident

    iid = parse_id(owner_id)
    row = await Incident.select(Incident.number).where(Incident.id == iid).first() if iid else None
    return row["number"] if row else owner_id


register_owner(OwnerKind(code=OWNER, label="售楼处事件", can_see=can_see, can_attach=can_attach,
                         url=lambda owner_id: f"/site/incidents/{owner_id}", describe=describe))
