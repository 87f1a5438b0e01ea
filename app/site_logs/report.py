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
