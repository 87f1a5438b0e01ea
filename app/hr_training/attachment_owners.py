"""The certificate's scan on a training agreement: seen by the employee and HR, added (and removed) by HR."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.hr_training import services


async def _see(user, owner_id: str) -> bool:
    row = await services.get(parse_id(owner_id))
    return bool(row) and services.may_see(user, row)


async def _attach(user, owner_id: str) -> bool:
    return user.can(Perm.HR_MANAGE) and await services.get(parse_id(owner_id)) is not None


async def _describe(owner_id: str) -> str:
    row = await services.get(parse_id(owner_id))
    return f"{row['employee.name']} {row['program']}" if row else owner_id


register_owner(OwnerKind(code=services.OWNER, label="培训协议", can_see=_see, can_attach=_attach, url=lambda o: f"/hr/training/{o}",
                         describe=_describe))
