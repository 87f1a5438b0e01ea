"""The scanned signed consent to a payroll deduction (借款逾期 → 工资扣回, SPEC E14): seen by finance and by the
employee whose advance it is, added by finance staff (on the consent form, in the same transaction)."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.finance.services import DEDUCTION_OWNER, may_deduct
from app.finance.tables import Advance


async def _advance(owner_id: str) -> dict | None:
    aid = parse_id(owner_id)
    return await Advance.select(Advance.id, Advance.employee, Advance.request.number).where(Advance.id == aid).first() if aid else None


async def can_see(user, owner_id: str) -> bool:
    adv = await _advance(owner_id)
    return bool(adv) and (user.can(Perm.FINANCE) or adv["employee"] == getattr(user, "employee_id", None))


async def can_attach(user, owner_id: str) -> bool:
    return may_deduct(user) and bool(await _advance(owner_id))


async def describe(owner_id: str) -> str:
    adv = await _advance(owner_id)
    return f"{adv['request.number']} 工资扣回书面同意" if adv else owner_id


register_owner(OwnerKind(code=DEDUCTION_OWNER, label="工资扣回书面同意", can_see=can_see, can_attach=can_attach,
                         url=lambda owner_id: f"/finance/advances/{owner_id}", describe=describe, can_delete=lambda user, owner_id: _never()))


async def _never() -> bool:
    return False  # the signed consent stays with the record
