"""A4 合同备案 and 预告登记: 待备案 → 资料准备 → 已报送 → 退件补正 → 已备案 → 预告登记中 → 已预告登记 → 合同已交接.
The 房管局专员 files [S 5.3]; the 合同专员 prepares the file and receives the filed contracts [S 3.4]. The file is stamped
through the 用章申请 (E3), whose number is recorded on the deal."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.core.scope import project_clause
from app.pipeline.steps import DealPanel

# action → the state it leaves (what the panel offers in each state)
TASKS = {  # state: (task in the queue, who does it: "bureau" | "contract")
    "待备案": ("合同备案：准备备案资料", "bureau"),  # the 合同专员 may prepare it too; the bureau owns the 30 days
    "资料准备": ("合同备案：资料齐备后用章、报送", "bureau"),
    "已报送": ("合同备案：跟踪备案结果", "bureau"),
    "退件补正": ("合同备案：退件补正后重新报送", "bureau"),
    "已备案": ("预告登记：提出申请", "bureau"),
    "预告登记中": ("预告登记：跟踪登记结果", "bureau"),
    "已预告登记": ("合同备案：接收已备案合同", "contract"),
}

SETTINGS = {
    "mortgage_blocks_filing": ("在建工程抵押未解除时禁止合同备案（1 是 / 0 否，按本地规定）", Decimal("1")),
}

CLOSES = {"filing.filed": ("filing",)}


async def _panel(user, deal: dict, page: dict) -> dict | None:
    from app.pipeline import services

    fs = deal["filing_status"]
    if deal["stage"] not in services.FILING_STAGES or fs not in TASKS:
        return None
    bureau, prepare = services.may_act(user, "备案"), services.may_prepare_filing(user)
    if not (bureau or prepare):
        return None
    prepare = prepare if fs != "已预告登记" else services.may_act(user, "签约")  # the 合同专员 confirms the hand-over
    docs = [d for d in page["current"]["docs"] if d["stage"] == "备案"]
    return {"bureau": bureau, "prepare": prepare, "docs": docs, "missing": [d["name"] for d in docs if d["received_on"] is None],
            "blocked": await services.mortgage_block(deal["unit"], "mortgage_blocks_filing", "备案") if fs in ("资料准备", "退件补正") else None}


PANELS = [DealPanel("filing", 40, "pipeline/panels/filing.html", _panel)]


async def _reminder(ctx) -> int:
    """SPEC A4: day 20, 25 and 28 after signing, red once the 30-day limit (moved past rest days) has passed, for every
    state before 已备案 (a returned filing is still unfiled)."""
    from app.pipeline import services
    from app.pipeline.tables import Deal

    today, limits = ctx.today, ctx.limits
    filing_days = int(limits["filing_days"])
    reminders = services.filing_reminders(limits)
    cutoff = await services.filing_overdue_cutoff(today, filing_days)
    sent = 0
    for d in await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number, Deal.signed_on, Deal.filing_status).where(
            Deal.filing_status.is_in(services.FILING_OPEN) & (Deal.stage != "已作废")
            & (Deal.signed_on <= today - timedelta(days=min(reminders + (filing_days + 1,))))):
        n = (today - d["signed_on"]).days
        overdue = d["signed_on"] <= cutoff  # the limit's last day moves past rest days (民法典 203), as on the unit page
        if n in reminders or overdue:
            word = "已逾期" if overdue else f"已签约 {n} 天"
            sent += await ctx.send("bureau", d, f"{today} {d['number']} 合同备案{word}（{d['filing_status']}），须在签约后 {filing_days} 天内完成",
                                   "filing")
    return sent


REMINDERS = [_reminder]


async def _queue(user, limits) -> list[dict]:
    from app.core.timeutil import today_local
    from app.core.workdays import calendar_for
    from app.pipeline import services
    from app.pipeline.queries import QUEUE_LIMIT
    from app.pipeline.tables import Deal

    mine = [s for s, (_, who) in TASKS.items()
            if (who == "bureau" and services.may_act(user, "备案")) or (who == "contract" and services.may_act(user, "签约"))]
    if not mine:
        return []
    today = today_local()
    q = Deal.select(Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name,
                    Deal.filing_status, Deal.signed_on).where(Deal.filing_status.is_in(mine) & Deal.stage.is_in(services.FILING_STAGES))
    scope = project_clause(Deal.project, user)
    if scope is not None:
        q = q.where(scope)
    rows = await q.order_by(Deal.signed_on).limit(QUEUE_LIMIT)
    days = int(limits["filing_days"])
    bases = [r["signed_on"] for r in rows if r["signed_on"]]
    cal = await calendar_for(min(bases), max(bases) + timedelta(days=days + 60)) if bases else None  # one calendar, not a query per row
    out = []
    for r in rows:
        due = cal.add_calendar_days(r["signed_on"], days) if r["signed_on"] and r["filing_status"] in services.FILING_OPEN else None
        out.append({**r, "stage": "备案", "task": TASKS[r["filing_status"]][0], "due": due, "overdue": bool(due and due < today)})
    return out


QUEUE = [_queue]


def dashboard_counts(cal, today, limits, cutoff) -> list[tuple]:
    """The home page's queue counts (app/dashboard/figures.py), one per task of `_queue`: (stage whose owner works it,
    task, open clause, overdue clause). `cutoff(due_of, today)`: the latest base date whose due is before today."""
    from app.pipeline import services
    from app.pipeline.tables import Deal

    days = int(limits["filing_days"])
    late = Deal.signed_on <= cutoff(lambda b: cal.add_calendar_days(b, days), today)
    return [("备案" if who == "bureau" else "签约", task, (Deal.filing_status == state) & Deal.stage.is_in(services.FILING_STAGES),
             late if state in services.FILING_OPEN else (Deal.id < 0)) for state, (task, who) in TASKS.items()]
