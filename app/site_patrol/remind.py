"""Missed patrol checkpoints (SPEC §F3: "a missed checkpoint raises an alert"). One pass: for every active security
team, every round window of the previous and the current patrol day that has ended, every checkpoint due in it with
no scan becomes a miss (site_patrol_miss, unique (checkpoint, window_start)), and the team's lead gets one in-portal
notification per team and pass naming the new misses. Only the pass that inserted a miss alerts it, and the team's
check-and-insert is serialised (app/core/claims.py), so two workers running at once alert each miss once.

    python -m app.site_patrol.remind       # one pass (the Procfile's worker loop; cron)
"""
from __future__ import annotations

import asyncio
import datetime as dt

from app.core import audit
from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.timeutil import SHANGHAI, now
from app.org.tables import Employee
from app.site.tables import SECURITY, SiteTeam
from app.site_patrol import rounds, services
from app.site_patrol.tables import PatrolMiss

NAMES_IN_TEXT = 6


async def _team_pass(team: dict, wins: list[rounds.Window], at: dt.datetime) -> int:
    cps = await services.checkpoints(team["id"])
    ended = [w for w in wins if w.end <= at]
    if not cps or not ended:
        return 0
    lead_user = None
    if team["lead"]:
        emp = await Employee.select(Employee.user).where(Employee.id == team["lead"]).first()
        lead_user = emp["user"] if emp else None
    async with write_transaction():
        await serialise(f"site_patrol_miss:{team['id']}")
        ends = {services.utc(w.start): services.utc(w.end) for w in ended}
        rows = [PatrolMiss(checkpoint=cp, window_start=ws, window_end=ends[ws], alerted_at=at if lead_user else None)
                for cp, ws in await services.missed_pairs(team["id"], ended)]
        if not rows:
            return 0
        made = await PatrolMiss.insert(*rows).on_conflict(action="DO NOTHING").returning(PatrolMiss.checkpoint, PatrolMiss.window_start)
        if not made:
            return 0
        await audit.record(actor=None, action="site_patrol.miss", entity="site_team", entity_id=team["id"],
                           summary=f"巡更漏检：{team['name']} {len(made)} 处（提醒队长）",
                           after=[{"checkpoint": m["checkpoint"], "window_start": m["window_start"]} for m in made][:100])
        if lead_user:
            names = {c["id"]: c["name"] for c in cps}
            first = min(m["window_start"] for m in made).astimezone(SHANGHAI)
            cp_names = list(dict.fromkeys(names.get(m["checkpoint"], "") for m in sorted(made, key=lambda m: m["window_start"])))
            listed = "、".join(cp_names[:NAMES_IN_TEXT]) + (" 等" if len(cp_names) > NAMES_IN_TEXT else "")
            n_rounds = len({m["window_start"] for m in made})
            what = (f"{first:%m-%d %H:%M} 一轮 {listed} 未打卡" if n_rounds == 1
                    else f"{n_rounds} 轮共 {len(made)} 处未打卡（{listed}）")
            day = services.patrol_day_of(first, await services.patrol_settings())
            await notify(lead_user, f"巡更漏检：{team['name']} {what}，请核查", f"/site/patrol/report?team={team['id']}&day={day.isoformat()}",
                         "info", f"site_patrol_miss:{team['id']}:{int(first.timestamp())}")
    return len(made)


async def remind_once(at: dt.datetime | None = None) -> int:
    """One pass; returns how many misses were found (and alerted) now."""
    at = at or now()
    s = await services.patrol_settings()
    day = services.patrol_day_of(at, s)
    wins = rounds.settings_windows(day - dt.timedelta(days=1), s) + rounds.settings_windows(day, s)
    teams = await SiteTeam.select(SiteTeam.id, SiteTeam.name, SiteTeam.lead).where(
        (SiteTeam.active == True) & (SiteTeam.kind == SECURITY)).order_by(SiteTeam.id)  # noqa: E712
    found = 0
    for team in teams:
        found += await _team_pass(team, wins, at)
    return found


if __name__ == "__main__":
    import argparse

    from app.core.timeutil import parse_moment

    ap = argparse.ArgumentParser()
    ap.add_argument("--now", type=parse_moment, default=None, help="run as if it were this moment (ISO, Asia/Shanghai if no zone)")
    print(f"patrol misses alerted: {asyncio.run(remind_once(ap.parse_args().now))}", flush=True)
