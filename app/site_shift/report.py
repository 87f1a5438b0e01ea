"""The shift part's figures for the department's monthly report (SPEC §F, the 客服主管's summary per contractor)."""
from __future__ import annotations

from datetime import date

from app.site_shift.tables import ABSENT, DONE, UNIFORM_FAIL, Handover, RollCall, ShiftLog


async def month_figures(team_ids, first: date, last: date) -> dict:
    """Logs written, absences and uniform failures in their roll calls, handovers signed by both and those signed late,
    of the given teams between two days (inclusive)."""
    ids = [int(i) for i in team_ids] or [0]
    logs = ShiftLog.select(ShiftLog.id).where(ShiftLog.team.is_in(ids) & (ShiftLog.day >= first) & (ShiftLog.day <= last))
    in_logs = RollCall.log.is_in(logs)
    done = Handover.team.is_in(ids) & (Handover.day >= first) & (Handover.day <= last) & (Handover.status == DONE)
    return {
        "logs": await ShiftLog.count().where(ShiftLog.team.is_in(ids) & (ShiftLog.day >= first) & (ShiftLog.day <= last)),
        "absent": await RollCall.count().where(in_logs & (RollCall.attendance == ABSENT)),
        "uniform_fail": await RollCall.count().where(in_logs & (RollCall.uniform == UNIFORM_FAIL)),
        "handovers": await Handover.count().where(done),
        "late_handovers": await Handover.count().where(done & (Handover.late == True)),  # noqa: E712
    }


async def team_figures(team_ids, first: date, last: date) -> dict[int, dict]:
    """The same figures per team, one grouped query each: {team_id: {...}}."""
    from piccolo.query.functions.aggregate import Count

    ids = [int(i) for i in team_ids]
    out = {t: {"logs": 0, "absent": 0, "uniform_fail": 0, "handovers": 0, "late_handovers": 0} for t in ids}
    if not ids:
        return out
    in_month = ShiftLog.team.is_in(ids) & (ShiftLog.day >= first) & (ShiftLog.day <= last)
    for r in await ShiftLog.select(ShiftLog.team, Count(ShiftLog.id, alias="n")).where(in_month).group_by(ShiftLog.team):
        out[r["team"]]["logs"] = int(r["n"])
    logs = ShiftLog.select(ShiftLog.id).where(in_month)
    for key, cond in (("absent", RollCall.attendance == ABSENT), ("uniform_fail", RollCall.uniform == UNIFORM_FAIL)):
        for r in await RollCall.select(RollCall.log.team, Count(RollCall.id, alias="n")).where(RollCall.log.is_in(logs) & cond).group_by(
                RollCall.log.team):
            out[r["log.team"]][key] = int(r["n"])
    done = Handover.team.is_in(ids) & (Handover.day >= first) & (Handover.day <= last) & (Handover.status == DONE)
    for key, cond in (("handovers", done), ("late_handovers", done & (Handover.late == True))):  # noqa: E712
        for r in await Handover.select(Handover.team, Count(Handover.id, alias="n")).where(cond).group_by(Handover.team):
            out[r["team"]][key] = int(r["n"])
    return out
