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
