"""离职交接 provider (app/hr_exit/holdings.py): the fixed assets in the leaver's custody (在用), reassigned to a new
custodian (audited)."""
from __future__ import annotations

from typing import Any

from app.assets.tables import AssetCard
from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError, log_handover, receiver


async def held_by(employee_id: int) -> list[Holding]:
    rows = await AssetCard.select(AssetCard.id, AssetCard.number, AssetCard.name).where(
        (AssetCard.custodian == employee_id) & (AssetCard.status == "在用")).order_by(AssetCard.id).limit(500)
    return [Holding("固定资产", f"{r['number']} {r['name']}", r["id"], f"/assets/cards/{r['id']}", REASSIGN) for r in rows]


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        card = await AssetCard.select(AssetCard.id, AssetCard.number, AssetCard.name, AssetCard.custodian,
                                      AssetCard.custodian.name).where(AssetCard.id == record_id).first()
        if card is None:
            raise HoldingError("没有这张资产卡片")
        to = await receiver(to_employee_id, "新保管人")
        await AssetCard.update({AssetCard.custodian: to_employee_id}).where(AssetCard.id == record_id)
        await log_handover(actor, action="hr_exit.asset_reassign", entity="asset_card", record_id=record_id,
                           what=f"{card['number']} {card['name']} 保管人", field="custodian", old_id=card["custodian"],
                           old_name=card["custodian.name"], to=to)
