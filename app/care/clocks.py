"""A case's SLA clocks from its row (SPEC D2, D3): which clocks it has, their stored due moments, and their state now.

All clocks start at intake (`received_at`). A clock stops when its "done" column is set (first response, plan, close;
a repair's arrival on site and completion). A pause (CasePause) gives its time back; the stored due columns include the
pauses that have ended, so SQL can compare them with now — a case waiting on the customer (`paused_since`) is skipped
by the worker and shown as 已暂停. A level change (override, escalation) recomputes the dues from intake."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.care import rules, states
from app.care.rules import CareLimits, ClockSpec, ClockStatus
from app.core.workdays import WorkCalendar, calendar_for

# clock kind → (the case/repair column holding its due moment, the column that stops it)
CASE_CLOCKS = {"first_response": ("response_due", "responded_at"), "plan": ("plan_due", "plan_at"),
               "close": ("close_due", "closed_at")}
REPAIR_CLOCKS = {"on_site": ("on_site_due", "on_site_at"), "fix": ("fix_due", "done_at"), "plan": ("plan_due", "plan_at")}
CLOCK_NAMES = {"first_response": "首次响应", "plan": "答复方案", "close": "结案", "on_site": "到场", "fix": "修复",
               "callback": "回访"}


def specs_for(case: dict, repair: dict | None, limits: CareLimits) -> list[ClockSpec]:
    """投诉/索赔: the level's clocks; 报修: the repair priority's clocks; 咨询/建议: a first response on the P3 clock;
    表扬: none."""
    kind = case["kind"]
    if kind in states.COMPLAINT_KINDS:
        return rules.sla_specs(case["level"], limits)
    if kind == "报修":
        return rules.repair_specs((repair or {}).get("priority") or rules.NORMAL_REPAIR, limits)
    if kind in ("咨询", "建议"):
        return [s for s in rules.sla_specs(rules.P3, limits) if s.kind == "first_response"]
    return []


async def calendar_around(start: datetime, days: int = 800) -> WorkCalendar:
    """The working-day calendar from a week before `start` for `days` (two queries)."""
    d = start.date()
    return await calendar_for(d - timedelta(days=7), d + timedelta(days=days))


def _pairs(pauses: list[dict]) -> list[tuple[datetime, datetime | None]]:
    return [(p["started_at"], p["ended_at"]) for p in pauses]


def dues(specs: list[ClockSpec], start: datetime, pauses: list[dict], cal: WorkCalendar, limits: CareLimits) -> dict[str, datetime]:
    """Each clock's due moment with the pauses that have ended given back (an open pause is not counted yet)."""
    closed = [(s, e) for s, e in _pairs(pauses) if e is not None]
    return {s.kind: rules.clock_status(s, start, closed, start, cal, limits).due for s in specs}


def due_columns(case: dict, repair: dict | None, pauses: list[dict], cal: WorkCalendar, limits: CareLimits) -> tuple[dict, dict]:
    """(values for CareCase columns, values for CareRepair columns): every clock's due moment, None where the case has
    no such clock. Write them with the action that started the clock or changed the level."""
    found = dues(specs_for(case, repair, limits), case["received_at"], pauses, cal, limits)
    case_vals = {col: None for col, _ in CASE_CLOCKS.values()}
    repair_vals: dict[str, datetime | None] = {}
    if case["kind"] == "报修":
        repair_vals = {"on_site_due": found.get("on_site"), "fix_due": found.get("fix")}
        case_vals["plan_due"] = found.get("plan")
    else:
        for kind, (col, _) in CASE_CLOCKS.items():
            case_vals[col] = found.get(kind)
    return case_vals, repair_vals


def statuses(case: dict, repair: dict | None, pauses: list[dict], now: datetime, cal: WorkCalendar,
             limits: CareLimits) -> list[dict]:
    """Every clock of the case as shown on its page: {"kind", "label", "spec", "status" (ClockStatus), "done_at",
    "in_time" (None while running)}. A stopped clock is measured at the moment it stopped."""
    out = []
    table = REPAIR_CLOCKS if case["kind"] == "报修" else CASE_CLOCKS
    for spec in specs_for(case, repair, limits):
        _, done_col = table[spec.kind]
        done_at = (repair or {}).get(done_col) if done_col in ("on_site_at", "done_at") else case.get(done_col)
        at = done_at or now
        st: ClockStatus = rules.clock_status(spec, case["received_at"], _pairs(pauses), at, cal, limits)
        out.append({"kind": spec.kind, "label": spec.text, "spec": spec, "status": st, "done_at": done_at,
                    "in_time": (st.state != rules.BREACHED) if done_at else None})
    return out
