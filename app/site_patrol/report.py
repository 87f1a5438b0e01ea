"""The patrol figures of a period for the department report (SPEC §F3, the 客服主管's monthly summary).

`month_figures(team_ids, first, last)` over the patrol days first..last (each from opening to the next opening), for
the round windows that have ended: expected = the checkpoints due in each window, scanned = those scanned in it,
missed = expected − scanned, abnormal = the 异常 scans. Scanned and abnormal are counts in SQL (no scan rows are read);
expected is the windows × the checkpoints due in them (the windows come from the settings, the checkpoints are few)."""
from __future__ import annotations

import datetime as dt

from app.core.timeutil import now
from app.site_patrol import rounds, services
from app.site_patrol.tables import ABNORMAL, PatrolCheckpoint, PatrolScan


async def month_figures(team_ids, first: dt.date, last: dt.date, at: dt.datetime | None = None) -> dict:
    """The figures of the teams together (the sums of `team_figures`)."""
    out = {"expected": 0, "scanned": 0, "missed": 0, "abnormal": 0}
    for f in (await team_figures(team_ids, first, last, at)).values():
        for k in out:
            out[k] += f[k]
    return out


async def team_figures(team_ids, first: dt.date, last: dt.date, at: dt.datetime | None = None) -> dict[int, dict]:
    """The same figures per team: the checkpoints read once, the scans counted grouped by team in SQL."""
    from piccolo.query.functions.aggregate import Count

    at = at or now()
    ids = [int(t) for t in team_ids]
    out = {t: {"expected": 0, "scanned": 0, "missed": 0, "abnormal": 0} for t in ids}
    if not ids or last < first:
        return out
    s = await services.patrol_settings()
    wins: list[rounds.Window] = []
    d = first
    while d <= last:
        wins += [w for w in rounds.settings_windows(d, s) if w.end <= at]
        d += dt.timedelta(days=1)
    if not wins:
        return out
    cps = await PatrolCheckpoint.select(PatrolCheckpoint.id, PatrolCheckpoint.team, PatrolCheckpoint.created_at).where(
        PatrolCheckpoint.team.is_in(ids) & (PatrolCheckpoint.active == True))  # noqa: E712
    for w in wins:
        for c in cps:
            if services.expected_in(c, w):
                out[c["team"]]["expected"] += 1
    lo, hi = services.utc(wins[0].start), services.utc(wins[-1].end)
    cp_ids = [c["id"] for c in cps] or [0]
    period = (PatrolScan.window_start >= lo) & (PatrolScan.window_start < hi)
    for key, cond in (("scanned", PatrolScan.checkpoint.is_in(cp_ids) & period),
                      ("abnormal", PatrolScan.checkpoint.team.is_in(ids) & period & (PatrolScan.result == ABNORMAL))):
        for r in await PatrolScan.select(PatrolScan.checkpoint.team, Count(PatrolScan.id, alias="n")).where(cond).group_by(
                PatrolScan.checkpoint.team):
            out[r["checkpoint.team"]][key] = int(r["n"])
    for f in out.values():
        f["missed"] = max(0, f["expected"] - f["scanned"])
    return out
