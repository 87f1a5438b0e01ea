"""The KPI board's figures, counted in SQL: per KPI one aggregate for the month (GROUP BY project, handler) and one for
the 12-month trend (GROUP BY month bucket) — a handful of rows each, whatever the number of records, kept in the figure
cache (app/core/figcache.py) until the data changes. The rates come
from app/care/rules.py; an empty month is None ("—"), never a division by zero."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from piccolo.querystring import QueryString

from app.calls.tables import CallQa
from app.care import rules
from app.care.tables import CareCase
from app.core.figcache import cached, cached_many, scope_part
from app.core.scope import project_clause
from app.kpi.measures import KPIS, Ctx, Kpi, bounds, month_text, shift
from app.org.tables import Employee

TREND_MONTHS = 12
NONE_KEY = "none"  # the handler / project "未指定" in links


def _sum(kpi: Kpi, name: str, ctx: Ctx) -> QueryString:
    m = kpi.measures[name]
    if m.when is None:
        return QueryString(f"COALESCE(SUM({m.value}), 0)").as_alias(name)
    return QueryString(f"COALESCE(SUM(CASE WHEN {{}} THEN {m.value} ELSE 0 END), 0)", m.when(ctx).querystring).as_alias(name)


def _filters(kpi: Kpi, user: Any, project: int | None, handler: str = "") -> list[Any]:
    out = []
    scope = project_clause(kpi.project_col, user)
    if scope is not None:
        out.append(scope)
    if project is not None:
        out.append(kpi.project_col == project)
    if handler == NONE_KEY:
        out.append(kpi.handler_col.is_null())
    elif handler.isascii() and handler.isdigit():
        out.append(kpi.handler_col == int(handler))
    return out


def _query(kpi: Kpi, selects: list, where: list):
    q = kpi.table.select(*selects)
    for w in where:
        q = q.where(w)
    return q


def _ints(row: dict, kpi: Kpi) -> dict[str, int]:
    return {k: int(row.get(k) or 0) for k in kpi.measures}


@dataclass
class Figure:
    """One KPI over some rows: the measures, the rate (None: empty), whether it meets the target."""
    kpi: Kpi
    counts: dict[str, int]
    target: Decimal

    rate: Decimal | None = field(init=False)  # the text, the colour and the chart each read it: computed once

    def __post_init__(self) -> None:
        try:
            self.rate = self.kpi.rate(self.counts)
        except ValueError:  # contradictory source data (more answered than offered …): shown as — with the counts
            self.rate = None

    @property
    def text(self) -> str:
        return rules.kpi_text(self.rate)

    @property
    def numerator(self) -> int:
        return self.counts[self.kpi.numerator]

    @property
    def denominator(self) -> int:
        return self.counts[self.kpi.denominator]

    @property
    def meets(self) -> bool | None:
        r = self.rate
        return None if r is None else r >= self.target


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}


def _month_item(kpi: Kpi, ctx: Ctx, user: Any, month: tuple[int, int], project: int | None, handler: str = "") -> tuple:
    """(cache name, key parts, compute) of the month's counts: ONE statement (GROUP BY project, handler), reduced when
    computed to the total, per project and per handler — what is kept is what the board shows, so a page that reads
    it does no work that grows with the number of (project, handler) groups."""
    async def compute():  # the query is built only when the kept figure is stale (building it costs more than reading it)
        start, end = bounds(month)
        selects = [kpi.project_col.as_alias("g_project"), kpi.handler_col.as_alias("g_handler")] + [_sum(kpi, n, ctx) for n in kpi.measures]
        q = _query(kpi, selects, kpi.where(ctx, start, end) + _filters(kpi, user, project, handler))
        return _reduce(kpi, await q.group_by(kpi.project_col, kpi.handler_col).run())

    return "kpi.month.reduced", [kpi.key, month, project, handler, scope_part(user), repr(ctx.limits)], compute


def _reduce(kpi: Kpi, rows: list[dict]) -> dict[str, Any]:
    """The (project, handler) rows summed up: {"total": counts, "projects": [[id, counts] …], "handlers": [[id, counts] …]}
    (pairs, not an object: the ids stay numbers through JSON)."""
    total: dict[str, int] = {k: 0 for k in kpi.measures}
    by_project: dict[Any, dict[str, int]] = {}
    by_handler: dict[Any, dict[str, int]] = {}
    for r in rows:
        c = _ints(r, kpi)
        total = _add(total, c)
        by_project[r["g_project"]] = _add(by_project.get(r["g_project"], {}), c)
        by_handler[r["g_handler"]] = _add(by_handler.get(r["g_handler"], {}), c)
    return {"total": total, "projects": [[p, c] for p, c in by_project.items()], "handlers": [[h, c] for h, c in by_handler.items()]}


def _month_result(kpi: Kpi, ctx: Ctx, reduced: dict[str, Any]) -> dict[str, Any]:
    target = getattr(ctx.limits.targets, kpi.key)
    return {"total": Figure(kpi, reduced["total"], target),
            "projects": {p: Figure(kpi, c, target) for p, c in reduced["projects"]},
            "handlers": {h: Figure(kpi, c, target) for h, c in reduced["handlers"]}}


async def month_figures(kpi: Kpi, ctx: Ctx, user: Any, month: tuple[int, int], project: int | None,
                        handler: str = "") -> dict[str, Any]:
    """The month's figure in total, per project and per handler: ONE statement (GROUP BY project, handler)."""
    return _month_result(kpi, ctx, await cached(*_month_item(kpi, ctx, user, month, project, handler)))


def trend_months(month: tuple[int, int]) -> list[tuple[int, int]]:
    return [shift(*month, i - TREND_MONTHS + 1) for i in range(TREND_MONTHS)]


def _trend_item(kpi: Kpi, ctx: Ctx, user: Any, month: tuple[int, int], project: int | None) -> tuple:
    """(cache name, key parts, compute) of the last 12 months' rows: ONE statement, grouped by a month bucket built
    from the KPI's own period clause."""
    def compute():
        spans = [bounds(m) for m in trend_months(month)]
        bucket = QueryString("CASE " + " ".join(f"WHEN {{}} THEN {i}" for i in range(len(spans))) + " END",
                             *[kpi.period(s, e).querystring for s, e in spans]).as_alias("bucket")
        where = kpi.where(ctx, spans[0][0], spans[-1][1]) + _filters(kpi, user, project)
        return _query(kpi, [bucket] + [_sum(kpi, n, ctx) for n in kpi.measures], where).group_by(QueryString('"bucket"')).run()

    return "kpi.trend", [kpi.key, month, project, scope_part(user), repr(ctx.limits)], compute


def _trend_result(kpi: Kpi, ctx: Ctx, rows: list[dict]) -> list[Figure]:
    target = getattr(ctx.limits.targets, kpi.key)
    got = {int(r["bucket"]): _ints(r, kpi) for r in rows if r["bucket"] is not None}
    return [Figure(kpi, got.get(i, {k: 0 for k in kpi.measures}), target) for i in range(TREND_MONTHS)]


def _handled_item(ctx: Ctx, user: Any, month: tuple[int, int], project: int | None) -> tuple:
    """Cases closed in the month per handler (all kinds): ONE statement; on-time and satisfaction come from the KPIs."""
    def compute():
        start, end = bounds(month)
        q = CareCase.select(CareCase.handler.as_alias("g_handler"), QueryString("COUNT(*)").as_alias("closed")).where(
            (CareCase.closed_at >= start) & (CareCase.closed_at < end))
        scope = project_clause(CareCase.project, user)
        if scope is not None:
            q = q.where(scope)
        if project is not None:
            q = q.where(CareCase.project == project)
        return q.group_by(CareCase.handler).run()

    return "kpi.handled", [month, project, scope_part(user)], compute


def _qa_item(user: Any, month: tuple[int, int], project: int | None) -> tuple:
    """(cache name, key parts, compute) of the call QA score per agent for the month: AVG in SQL (ONE statement)."""
    def compute():
        start, end = bounds(month)
        q = CallQa.select(CallQa.agent.as_alias("agent"), QueryString("AVG(\"call_qa\".\"score\")").as_alias("avg"),
                          QueryString("COUNT(*)").as_alias("n")).where((CallQa.at >= start) & (CallQa.at < end))
        scope = project_clause(CallQa.call.project, user)
        if scope is not None:
            q = q.where(scope)
        if project is not None:
            q = q.where(CallQa.call.project == project)
        return q.group_by(CallQa.agent).run()

    return "kpi.qa", [month, project, scope_part(user)], compute


def _qa_result(rows: list[dict]) -> list[dict[str, Any]]:
    return [{"agent": r["agent"], "n": int(r["n"]), "avg": Decimal(str(r["avg"] or 0)).quantize(Decimal("0.1"))} for r in rows]


async def names(ids: set) -> dict[int, str]:
    """The people's names: one statement, always (so the board's statements do not depend on the data)."""
    ids = {i for i in ids if i is not None}
    rows = await Employee.select(Employee.id, Employee.name).where(Employee.id.is_in(sorted(ids) or [0]))
    return {r["id"]: r["name"] for r in rows}


async def projects_for(user: Any) -> list[dict[str, Any]]:
    from app.estate.pickers import projects_seen

    return await projects_seen(user)


async def board(user: Any, ctx: Ctx, month: tuple[int, int], project: int | None) -> dict[str, Any]:
    """Everything the board shows: a constant number of statements — the kept figures (2 per KPI, the handlers', the
    QA scores) read in one statement and only the stale ones computed (figcache.cached_many), then the names."""
    kpis = list(KPIS.values())
    items = [it for kpi in kpis for it in (_month_item(kpi, ctx, user, month, project), _trend_item(kpi, ctx, user, month, project))]
    items += [_handled_item(ctx, user, month, project), _qa_item(user, month, project)]
    values = await cached_many(items)
    out: dict[str, Any] = {"kpis": []}
    handler_ids: set = set()
    for i, kpi in enumerate(kpis):
        f, t = _month_result(kpi, ctx, values[2 * i]), _trend_result(kpi, ctx, values[2 * i + 1])
        handler_ids |= set(f["handlers"])
        out["kpis"].append({"kpi": kpi, "month": f, "trend": t})
    handled, qa = values[-2], _qa_result(values[-1])
    handler_ids |= {r["g_handler"] for r in handled} | {r["agent"] for r in qa}
    out["names"] = await names(handler_ids)
    out["handled"] = handled
    out["qa"] = qa
    out["month_text"] = month_text(month)
    return out
