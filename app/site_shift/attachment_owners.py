"""A roll call's uniform / line-up photos: seen by whoever reaches the team's shift logs, added by its lead (in the
roll call's own transaction, or later on the log's page)."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.site import services as site
from app.site_shift.services import LOG_OWNER
from app.site_shift.tables import ShiftLog


async def _log(user, owner_id: str) -> dict | None:
    lid = parse_id(owner_id)
    if lid is None or not user.can(Perm.SITE_LEAD):
        return None
    log = await ShiftLog.select(ShiftLog.id, ShiftLog.team, ShiftLog.slot_key).where(ShiftLog.id == lid).first()
    if not log:
        return None
    team = await site.team_for(user, log["team"])
    return {**log, "team_row": team} if team else None


async def can_see(user, owner_id: str) -> bool:
    return bool(await _log(user, owner_id))


async def can_attach(user, owner_id: str) -> bool:
    log = await _log(user, owner_id)
    return bool(log) and site.leads(user, log["team_row"])


async def describe(owner_id: str) -> str:
    lid = parse_id(owner_id)
    log = await ShiftLog.select(ShiftLog.day, ShiftLog.team.name, ShiftLog.slot.name).where(ShiftLog.id == lid).first() if lid else None
    return f"{log['team.name']} {log['day']:%Y-%m-%d} {log['slot.name']}" if log else owner_id


register_owner(OwnerKind(code=LOG_OWNER, label="班前点名照片", can_see=can_see, can_attach=can_attach,
                         url=lambda owner_id: f"/site/shifts/{owner_id}", describe=describe))
