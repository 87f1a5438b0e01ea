"""The case list (案件工作台): one Listing; every filter — whose cases, status, kind, level, project, clock state, repeat,
dates — is a WHERE clause, the clock state compared from the stored due columns with now."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from markupsafe import Markup

from app.care import core, rules, states
from app.care.tables import CareCase
from app.core.listing import LISTINGS, Col, Filter, Listing
from app.core.timeutil import now


@dataclass(frozen=True)
class ByHand(Filter):
    """A filter the route turns into a clause itself (it needs the user or the limits)."""

    def clause(self, raw: str):
        return None


async def _projects(user) -> list[tuple[str, str]]:
    from app.care.services import project_choices

    return await project_choices(user)


WHO = [("mine", "我处理的"), ("queue", "我岗位的队列"), ("all", "范围内全部")]
CLOCKS = [("amber", rules.AMBER), ("breached", rules.BREACHED), ("paused", rules.PAUSED)]
CASE_CLOCK_COLS = (("first_response", CareCase.response_due, CareCase.responded_at),
                   ("plan", CareCase.plan_due, CareCase.plan_at), ("close", CareCase.close_due, CareCase.closed_at))

CASES = Listing(
    table=CareCase,
    select=[CareCase.id, CareCase.number, CareCase.kind, CareCase.level, CareCase.title, CareCase.project.name, CareCase.unit.room_no,
            CareCase.unit.building.name, CareCase.status, CareCase.handler.name, CareCase.received_at, CareCase.repeat,
            CareCase.response_due, CareCase.plan_due, CareCase.close_due, CareCase.responded_at, CareCase.plan_at, CareCase.closed_at,
            CareCase.paused_since, CareCase.caller_name, CareCase.buyer.name],
    columns=[
        Col("number", "案件号", sort=CareCase.number, link="/care/cases/{id}", testid="case-link", hideable=False),
        Col("level_html", "等级", sort=CareCase.level),
        Col("kind", "类型", sort=CareCase.kind),
        Col("title", "标题"),
        Col("project.name", "项目"),
        Col("room", "房号"),
        Col("customer", "客户"),
        Col("status", "状态", sort=CareCase.status, fmt="badge"),
        Col("handler.name", "处理人"),
        Col("clock_html", "时限"),
        Col("received_at", "登记时间", sort=CareCase.received_at, fmt="datetime"),
        Col("repeat", "重复投诉", fmt="bool"),
    ],
    filters=[
        ByHand("who", "范围", "select", choices=WHO),
        Filter("q", "案件号/标题/客户", "text", columns=[CareCase.number, CareCase.title, CareCase.caller_name, CareCase.buyer.name],
               placeholder="输入关键字"),
        Filter("status", "状态", "select", columns=[CareCase.status], choices=[(s, s) for s in dict.fromkeys(states.CASE_STATES + states.REPAIR_STATES)]),
        Filter("kind", "类型", "select", columns=[CareCase.kind], choices=[(k, k) for k in states.KINDS]),
        Filter("level", "等级", "select", columns=[CareCase.level], choices=[(k, rules.LEVEL_NAMES[k]) for k in rules.LEVELS]),
        Filter("project", "项目", "select", columns=[CareCase.project], choices=_projects),
        ByHand("clock", "时限", "select", choices=CLOCKS),
        Filter("repeat", "重复投诉", "select", columns=[CareCase.repeat], choices=[("1", "是"), ("0", "否")]),
        Filter("from", "登记自", "date_from", columns=[CareCase.received_at]),
        Filter("to", "登记至", "date_to", columns=[CareCase.received_at]),
    ],
    default_sort="received_at", default_desc=True, base_url="/care", target_id="case-list", scope=core.scope,
)


def _window(limits, level: str, kind: str) -> timedelta | None:
    """The 将到期 window of a clock: the last (1 − amber fraction) of its nominal length."""
    for s in rules.sla_specs(level, limits):
        if s.kind == kind:
            length = timedelta(hours=s.amount) if s.unit == rules.HOURS else timedelta(days=s.amount)
            return length * float(Decimal(1) - limits.amber_fraction)
    return None


def _open():
    return CareCase.status.not_in(sorted(states.DONE)) & CareCase.paused_since.is_null()


def clock_clause(value: str, limits, at: datetime):
    if value == "paused":
        return CareCase.paused_since.is_not_null() & CareCase.status.not_in(sorted(states.DONE))
    if value == "breached":
        c = None
        for _k, due, done in CASE_CLOCK_COLS:
            part = (due < at) & done.is_null()
            c = part if c is None else (c | part)
        return _open() & c
    if value == "amber":
        c = None
        for level in rules.LEVELS:
            for kind, due, done in CASE_CLOCK_COLS:
                w = _window(limits, level, kind)
                if w is None:
                    continue
                part = (CareCase.level == level) & (due >= at) & (due <= at + w) & done.is_null()
                c = part if c is None else (c | part)
        return _open() & c
    return None


def who_clause(value: str, user):
    if value == "mine":
        return CareCase.handler == (user.employee_id or 0)
    if value == "queue":
        return CareCase.handler_role == (user.role or "-")
    return None


def listing_for(params: dict, user, limits) -> Listing:
    extra = [c for c in (who_clause(params.get("who", ""), user), clock_clause(params.get("clock", ""), limits, now())) if c is not None]
    if not extra:
        return CASES
    mine = replace(CASES, extra_where=tuple(extra))
    LISTINGS[CASES.key] = CASES  # the registry (column and view forms) keeps the declared list, not this request's copy
    return mine


LEVEL_CLASS = {rules.P1: "bg-red text-red-fg", rules.P2: "bg-orange text-orange-fg", rules.P3: "bg-blue-lt"}
CLOCK_CLASS = {rules.NORMAL: "bg-green-lt", rules.AMBER: "bg-yellow text-yellow-fg", rules.BREACHED: "bg-red-lt",
               rules.PAUSED: "bg-secondary-lt"}


def level_badge(level: str) -> Markup:
    return Markup('<span class="badge {}" data-testid="level-badge" data-level="{}">{}</span>').format(
        LEVEL_CLASS.get(level, "bg-secondary-lt"), level, level)


def clock_badge(state: str, text: str = "") -> Markup:
    return Markup('<span class="badge {}" data-testid="clock-badge" data-clock="{}">{}</span>').format(
        CLOCK_CLASS.get(state, "bg-secondary-lt"), state, text or state)


def row_clock(r: dict, limits, at: datetime) -> tuple[str, datetime | None]:
    """The most urgent running clock of a row, from its stored dues (no query)."""
    if r["status"] in states.DONE:
        return "", None
    if r.get("paused_since"):
        return rules.PAUSED, None
    best: tuple[str, datetime | None] = ("", None)
    rank = {rules.BREACHED: 3, rules.AMBER: 2, rules.NORMAL: 1, "": 0}
    for kind, due_col, done_col in CASE_CLOCK_COLS:
        due, done = r.get(due_col._meta.name), r.get(done_col._meta.name)
        if due is None or done is not None:
            continue
        w = _window(limits, r["level"], kind)
        state = rules.BREACHED if due < at else rules.AMBER if (w is not None and due <= at + w) else rules.NORMAL
        if rank[state] > rank[best[0]] or (rank[state] == rank[best[0]] and best[1] and due < best[1]):
            best = (state, due)
    return best


def decorate(rows: list[dict], limits) -> None:
    from app.core.timeutil import fmt_datetime

    at = now()
    for r in rows:
        r["level_html"] = level_badge(r["level"])
        r["room"] = f"{r.get('unit.building.name') or ''} {r.get('unit.room_no') or ''}".strip()
        r["customer"] = r.get("buyer.name") or r.get("caller_name") or ""
        state, due = row_clock(r, limits, at)
        r["clock_html"] = clock_badge(state, f"{state} {fmt_datetime(due)}" if due else state) if state else ""
