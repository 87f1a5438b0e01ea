"""The first-sign-in gate (app/core/gating.py): a new employee onboarded here is sent to the documents they must
acknowledge first — the 保密承诺书 (《劳动合同法》第二十三条) and the 新员工入职培训 [S 1.11] of the rules library —
after signing in and on the home page, until each current version is acknowledged. Only users with an onboarding row
still `gated` are concerned: for everyone else this is one indexed EXISTS, and only at sign-in and on the home page."""
from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.hr_recruit.tables import Onboarding
from app.rules.tables import RuleAcknowledgement, RuleVersion

# the rules-library documents a new employee acknowledges at first sign-in, in this order (seeds/hr_recruit.py)
GATE_DOCS = ("hr-pledge", "hr-induction")


async def pending(user: Any) -> str | None:
    uid = getattr(user, "user_id", None)
    if not uid or not await Onboarding.exists().where((Onboarding.user == uid) & (Onboarding.gated == True)):  # noqa: E712
        return None
    versions = await RuleVersion.select(RuleVersion.id, RuleVersion.document.code.as_alias("code")).where(
        RuleVersion.document.code.is_in(list(GATE_DOCS)) & (RuleVersion.is_current == True))  # noqa: E712
    acked = {r["version"] for r in await RuleAcknowledgement.select(RuleAcknowledgement.version).where(
        (RuleAcknowledgement.user == uid) & RuleAcknowledgement.version.is_in([v["id"] for v in versions] or [-1]))}
    for code in GATE_DOCS:
        for v in versions:
            if v["code"] == code and v["id"] not in acked:
                return f"/rules/{code}"
    async with write_transaction(claim=False):
        await Onboarding.update({Onboarding.gated: False}).where(Onboarding.user == uid)
        await audit.record(actor=user, action="hr_recruit.gate_done", entity="user", entity_id=uid,
                           summary="新员工已确认保密承诺书和新员工入职培训", ip=getattr(user, "ip", ""))
    return None
