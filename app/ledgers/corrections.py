"""Manual corrections of a ledger value (SPEC §B: 人工更正须客服主管审批并说明理由，留痕).

A ledger is a view over the pipeline's records, so a correction changes the record behind the row: one field of one
Deal, from the ledger's declared whitelist (`Ledger.corrections`). The officer proposes it on the approval engine
(flow `ledger_correction`, app/ledgers/flows.py); the value seen at that moment is kept. On the 客服主管's approval
`apply()` writes the new value with a conditional update (WHERE the column still holds the proposed-against value), the
audit row (before/after, the request number) and the correction's `applied_at`, inside the approving action's
transaction. If someone changed the value meanwhile nothing is written and the approval is refused with the reason.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from app.core import audit
from app.core.timeutil import now
from app.ledgers import rules
from app.ledgers.base import Correctable, Ledger
from app.pipeline.tables import Deal

FLOW_CODE = "ledger_correction"


def ledgers_with_corrections() -> dict[str, Ledger]:
    from app.ledgers.ledgers import LEDGERS

    return {code: lg for code, lg in LEDGERS.items() if lg.corrections}


def choices() -> list[tuple[str, str]]:
    """The form's field select: "<ledger>.<field>" → 「合同台账 · 网签号」."""
    return [(f"{code}.{c.name}", f"{lg.title} · {c.label}") for code, lg in ledgers_with_corrections().items() for c in lg.corrections]


def find(ledger_code: str, field: str) -> tuple[Ledger, Correctable] | None:
    lg = ledgers_with_corrections().get(ledger_code)
    if not lg:
        return None
    c = next((c for c in lg.corrections if c.name == field), None)
    return (lg, c) if c else None


def split(value: str) -> tuple[str, str]:
    code, _, field = (value or "").partition(".")
    return code, field


def column(field: str):
    return getattr(Deal, field)


async def current(deal_id: int, field: str) -> Any:
    row = await Deal.select(column(field)).where(Deal.id == deal_id).first()
    return row[field] if row else None


async def deal_by_ref(ref: str) -> dict | None:
    ref = (ref or "").strip()
    if not ref:
        return None
    return await Deal.select(Deal.id, Deal.number, Deal.contract_no, Deal.project, Deal.unit, Deal.unit.building.name, Deal.unit.room_no,
                             Deal.buyer.name, Deal.stage).where((Deal.contract_no == ref) | (Deal.number == ref)).first()


class StaleValue(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


async def apply(correction: dict, request_number: str, actor) -> None:
    """Write the approved value (inside the caller's transaction). Raises StaleValue when the record no longer holds the
    value the correction was proposed against, or the field is no longer correctable."""
    found = find(correction["ledger"], correction["field"])
    if not found:
        raise StaleValue(f"字段「{correction['field']}」已不在该台账的可更正字段中，不能更正")
    lg, c = found
    today_value = await current(correction["deal"], c.name)
    old_shown = rules.shown_value(c.kind, today_value)
    if old_shown != correction["old_value"]:
        raise StaleValue(f"{lg.title}「{c.label}」在提出更正后已被修改（提出时为「{correction['old_value'] or '空'}」，现为「{old_shown or '空'}」），"
                         "不能按本申请更正；请驳回后按现值重新提出")
    from app.core.timeutil import today_local

    new, error = rules.parse_correction(c.kind, correction["new_value"], today=today_local(), max_len=c.max_len)
    if error:
        raise StaleValue(f"更正后的值「{correction['new_value']}」无效：{error}")
    col = column(c.name)
    rows = await Deal.update({col: new, Deal.version: Deal.version + 1}).where(
        (Deal.id == correction["deal"]) & (col == today_value)).returning(Deal.id, Deal.number)
    if not rows:  # changed between the read above and this write (another process)
        raise StaleValue(f"{lg.title}「{c.label}」刚被修改，不能按本申请更正；请刷新后重试")
    from app.ledgers.tables import LedgerCorrection

    await LedgerCorrection.update({LedgerCorrection.applied_at: now()}).where(LedgerCorrection.id == correction["id"])
    await audit.record(actor=actor, action="ledger.correct", entity="pl_deal", entity_id=correction["deal"],
                       summary=f"{rows[0]['number']} {lg.title}「{c.label}」更正：{correction['old_value']} → {rules.shown_value(c.kind, new)}"
                               f"（审批单 {request_number}，理由：{correction['reason']}）",
                       before={c.name: correction["old_value"]}, after={c.name: rules.shown_value(c.kind, new), "request": request_number})


async def mark(ledger: Ledger, rows: list[dict[str, Any]], user) -> None:
    """The 更正 column of a ledger page: 「已更正」 linking to the latest applied correction of the row (one query per
    page), else 「申请更正」 for those who may propose one."""
    if not ledger.corrections:
        return
    from app.ledgers.tables import LedgerCorrection
    from app.workflow.definitions import get_flow

    ids = [r["id"] for r in rows if r.get("id")]
    latest: dict[int, tuple[int, int]] = {}  # deal → (request id, count)
    if ids:
        q = LedgerCorrection.select(LedgerCorrection.deal, LedgerCorrection.request).where(
            LedgerCorrection.deal.is_in(ids) & LedgerCorrection.applied_at.is_not_null() & (LedgerCorrection.ledger == ledger.code)
        ).order_by(LedgerCorrection.applied_at)
        for c in await q:
            n = latest.get(c["deal"], (0, 0))[1]
            latest[c["deal"]] = (c["request"], n + 1)
    flow = get_flow(FLOW_CODE)
    may = bool(flow and flow.starters.allows(user))
    for r in rows:
        done = latest.get(r.get("id"))
        if done:
            r["correction_text"] = "已更正" + (f"（{done[1]} 次）" if done[1] > 1 else "")
            r["correction_url"] = f"/workflow/requests/{done[0]}"
        elif may:
            r["correction_text"] = "申请更正"
            r["correction_url"] = f"/workflow/new/{FLOW_CODE}?" + urlencode(
                {"field": f"{ledger.code}.{ledger.corrections[0].name}", "deal_ref": r.get("contract_no") or r.get("number") or ""})
        else:
            r["correction_text"], r["correction_url"] = "", ""
