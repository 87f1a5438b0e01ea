"""The incidents' figures for the department's monthly report (SPEC §F, issue 13 item 9)."""
from __future__ import annotations

from datetime import date

from piccolo.query.functions.aggregate import Count

from app.site_incident.services import day_bounds
from app.site_incident.tables import KINDS, Incident


async def month_figures(team_ids, first: date, last: date) -> dict:
    """{"total": n, "by_kind": {kind: n} (every kind, 0 when none), "p1": n} of the incidents of `team_ids` that occurred
    between `first` and `last` (both included, Asia/Shanghai days); p1 counts those that opened a P1 care case."""
    ids = [int(t) for t in team_ids]
    by_kind = {k: 0 for k in KINDS}
    if not ids:
        return {"total": 0, "by_kind": by_kind, "p1": 0}
    start, end = day_bounds(first, last)
    where = Incident.team.is_in(ids) & (Incident.occurred_at >= start) & (Incident.occurred_at < end)
    rows = await Incident.select(Incident.kind, Count(Incident.id, alias="n")).where(where).group_by(Incident.kind)
    for r in rows:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + int(r["n"])
    p1 = await Incident.count().where(where & (Incident.care_case.level == "P1"))
    return {"total": sum(by_kind.values()), "by_kind": by_kind, "p1": p1}


async def team_figures(team_ids, first: date, last: date) -> dict[int, dict]:
    """The same figures per team in one grouped query each: {team_id: {"total", "by_kind", "p1"}}."""
    ids = [int(t) for t in team_ids]
    out = {t: {"total": 0, "by_kind": {k: 0 for k in KINDS}, "p1": 0} for t in ids}
    if not ids:
        return out
    start, end = day_bounds(first, last)
    where = Incident.team.is_in(ids) & (Incident.occurred_at >= start) & (Incident.occurred_at < end)
    for r in await Incident.select(Incident.team, Incident.kind, Count(Incident.id, alias="n")).where(where).group_by(
            Incident.team, Incident.kind):
        f = out[r["team"]]
        f["by_kind"][r["kind"]] = f["by_kind"].get(r["kind"], 0) + int(r["n"])
        f["total"] += int(r["n"])
    for r in await Incident.select(Incident.team, Count(Incident.id, alias="n")).where(where & (Incident.care_case.level == "P1")).group_by(
            Incident.team):
        out[r["team"]]["p1"] = int(r["n"])
    return out
