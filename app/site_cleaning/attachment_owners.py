"""The cleaning part's photos: an inspection's photos (the rectification's "before" photos) and a rectification
ticket's "after" photos. Seen by whoever reaches the cleaning team (the lead, the cleaners with an account, the 客服主管);
added by the same people, on the inspect and rectification forms."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.site_cleaning.tables import CleanInspection, CleanTicket

INSPECTION = "site_clean_inspection"
TICKET = "site_clean_ticket"


async def _team_of(table, owner_id: str) -> tuple[int, dict] | None:
    rid = parse_id(owner_id)
    if rid is None:
        return None
    row = await table.select(table.id, table.team, table.area.name).where(table.id == rid).first()
    return (row["team"], row) if row else None


async def _reaches(user, table, owner_id: str) -> bool:
    from app.site import services
    from app.site.tables import CLEANING

    if not (user.can(Perm.SITE_CLEANING) or user.can(Perm.SITE_VIEW)):
        return False
    found = await _team_of(table, owner_id)
    return bool(found) and bool(await services.team_for(user, found[0], CLEANING))


async def _can_attach(user, table, owner_id: str) -> bool:
    return user.can(Perm.SITE_CLEANING) and await _reaches(user, table, owner_id)


async def _describe(table, label: str, owner_id: str) -> str:
    found = await _team_of(table, owner_id)
    return f"{found[1]['area.name']} {label} #{owner_id}" if found else owner_id


async def _never(user, owner_id) -> bool:
    return False  # the photos are the record's evidence: they stay with it


register_owner(OwnerKind(code=INSPECTION, label="保洁检查", can_see=lambda u, o: _reaches(u, CleanInspection, o),
                         can_attach=lambda u, o: _can_attach(u, CleanInspection, o), url=lambda o: f"/site/cleaning/inspections/{o}",
                         describe=lambda o: _describe(CleanInspection, "检查", o), can_delete=_never))
register_owner(OwnerKind(code=TICKET, label="保洁整改单", can_see=lambda u, o: _reaches(u, CleanTicket, o),
                         can_attach=lambda u, o: _can_attach(u, CleanTicket, o), url=lambda o: f"/site/cleaning/rectifications/{o}",
                         describe=lambda o: _describe(CleanTicket, "整改单", o), can_delete=_never))
