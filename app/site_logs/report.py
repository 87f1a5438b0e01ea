"""The gate logs' figures for the department's monthly report (SPEC §F6: visitor and vehicle counts)."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from app.site_logs.tables import SiteVehicle, SiteVisitor


async def month_figures(team_ids: Iterable[int], first: date, last: date) -> dict:
    """{"visitors": n, "vehicles": n}: arrivals logged on the teams between two days (both included), by COUNT."""
    ids = [int(t) for t in team_ids]
    if not ids:
        return {"visitors": 0, "vehicles": 0}
    out = {}
    for key, table in (("visitors", SiteVisitor), ("vehicles", SiteVehicle)):
        out[key] = await table.count().where(table.team.is_in(ids) & (table.day >= first) & (table.day <= last))
    return out


async def team_figures(team_ids: Iterable[int], first: date, last: date) -> dict[int, dict]:
    """The same counts per team, grouped in SQL: {team_id: {"visitors": n, "vehicles": n}}."""
    from piccolo.query.functions.aggregate import Count

    ids = [int(t) for t in team_ids]
    out = {t: {"visitors": 0, "vehicles": 0} for t in ids}
    if not ids:
        return out
    for key, table in (("visitors", SiteVisitor), ("vehicles", SiteVehicle)):
        for r in await table.select(table.team, Count(table.id, alias="n")).where(
                table.team.is_in(ids) & (table.day >= first) & (table.day <= last)).group_by(table.team):
            out[r["team"]][key] = int(r["n"])
    return out
