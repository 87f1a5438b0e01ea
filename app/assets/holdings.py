"""离职交接 provider (app/hr_exit/holdings.py): the fixed assets in the leaver's custody (在用), reassigned to a new
custodian (audited)."""
from __future__ import annotations

from typing import Any

from app.assets.tables import AssetCard
from app.core import audit
from app.core.db import write_transaction
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError
from app.org.tables import Employee


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
        to = await Employee.select(Employee.name).where((Employee.id == to_employee_id) & (Employee.active == True)).first()  # noqa: E712
        if to is None:
            raise HoldingError("新保管人须为在职员工")
        await AssetCard.update({AssetCard.custodian: to_employee_id}).where(AssetCard.id == record_id)
        await audit.record(actor=actor, action="hr_exit.asset_reassign", entity="asset_card", entity_id=record_id,
                           summary=f"{card['number']} {card['name']} 保管人由 {card['custodian.name']} 改为 {to['name']}（离职交接）",
                           before={"custodian": card["custodian"]}, after={"custodian": to_employee_id}, ip=getattr(actor, "ip", ""))
