"""The cleaning figures of the department report (SPEC §F, the 客服主管's charts): for some cleaning teams and a span of
days, how many inspections, their average score (SQL AVG), how many failed, and the average per day."""
from __future__ import annotations

from datetime import date

from piccolo.query.methods.select import Avg, Count

from app.site import settings as site_settings
from app.site_cleaning import rules
from app.site_cleaning.services import average
from app.site_cleaning.tables import CleanInspection


async def month_figures(team_ids, first: date, last: date) -> dict:
    """{"inspections": n, "average": Decimal | None, "fails": n, "by_day": [(date, Decimal)]} over first..last (inclusive)."""
    ids = [int(t) for t in team_ids or []]
    where = CleanInspection.team.is_in(ids or [0]) & (CleanInspection.day >= first) & (CleanInspection.day <= last)
    pass_min = (await site_settings.read(rules.DEFAULTS))["clean_grade_pass_min"]
    total = await CleanInspection.select(Count(alias="n"), Avg(CleanInspection.score, alias="avg")).where(where).first()
    fails = await CleanInspection.count().where(where & (CleanInspection.score < pass_min))
    days = await CleanInspection.select(CleanInspection.day, Avg(CleanInspection.score, alias="avg")).where(where).group_by(
        CleanInspection.day).order_by(CleanInspection.day)
    return {"inspections": (total or {}).get("n") or 0, "average": average((total or {}).get("avg")), "fails": fails,
            "by_day": [(_day(r["day"]), average(r["avg"])) for r in days]}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def team_figures(team_ids, first: date, last: date) -> dict[int, dict]:
    """The same figures per team, grouped in SQL: {team_id: {"inspections", "average", "fails", "by_day"}}."""
    ids = [int(t) for t in team_ids or []]
    out = {t: {"inspections": 0, "average": None, "fails": 0, "by_day": []} for t in ids}
    if not ids:
        return out
    where = CleanInspection.team.is_in(ids) & (CleanInspection.day >= first) & (CleanInspection.day <= last)
    pass_min = (await site_settings.read(rules.DEFAULTS))["clean_grade_pass_min"]
    for r in await CleanInspection.select(CleanInspection.team, Count(alias="n"), Avg(CleanInspection.score, alias="avg")).where(where).group_by(
            CleanInspection.team):
        out[r["team"]].update({"inspections": int(r["n"]), "average": average(r["avg"])})
    for r in await CleanInspection.select(CleanInspection.team, Count(alias="n")).where(where & (CleanInspection.score < pass_min)).group_by(
            CleanInspection.team):
        out[r["team"]]["fails"] = int(r["n"])
    for r in await CleanInspection.select(CleanInspection.team, CleanInspection.day, Avg(CleanInspection.score, alias="avg")).where(
            where).group_by(CleanInspection.team, CleanInspection.day).order_by(CleanInspection.team).order_by(CleanInspection.day):
        out[r["team"]]["by_day"].append((_day(r["day"]), average(r["avg"])))
    return out
