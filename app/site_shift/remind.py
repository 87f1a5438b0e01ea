"""The handover reminder (SPEC §F4: the handover takes place 15 minutes before the shift change — the
handover_remind_min setting, [C]): within that many minutes before a slot of a team's posts ends, the team's lead gets
one in-portal notification per (team, slot change) — a pass up to GRACE_MIN after the change still sends it, once — also when several workers run at once (the check and the insert
are serialised per reference: app/core/claims.py).

    python -m app.site_shift.remind       # one pass (the worker loop; cron)
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.tables import Notification
from app.core.timeutil import SHANGHAI, now
from app.org.tables import Employee
from app.site import settings
from app.site.tables import SiteTeam
from app.site_shift.services import DEFAULTS, team_slots


GRACE_MIN = 10  # a pass that comes just after the change (the worker loop sleeps 15 minutes) still reminds, once


def ref_of(team_id: int, slot_id: int, change: datetime) -> str:
    return f"site_handover:{team_id}:{slot_id}:{change.astimezone(SHANGHAI):%Y%m%d%H%M}"


async def remind_once(moment: datetime | None = None) -> int:
    moment = moment or now()
    minutes = (await settings.read(DEFAULTS))["handover_remind_min"]
    local = moment.astimezone(SHANGHAI)
    teams = await SiteTeam.select(SiteTeam.id, SiteTeam.name, SiteTeam.lead).where(
        (SiteTeam.active == True) & SiteTeam.lead.is_not_null())  # noqa: E712
    sent = 0
    for team in teams:
        lead = await Employee.select(Employee.user).where(Employee.id == team["lead"]).first()
        if not lead or not lead["user"]:
            continue
        for slot in await team_slots(team["id"]):
            for day in (local.date() - timedelta(days=1), local.date()):
                change = slot.span(day)[1]
                if not (change - timedelta(minutes=minutes) <= local < change + timedelta(minutes=GRACE_MIN)):
                    continue
                ref = ref_of(team["id"], slot.id, change)
                async with write_transaction():
                    await serialise(f"notice:{lead['user']}:{ref}")
                    if await Notification.exists().where((Notification.user == lead["user"]) & (Notification.ref == ref)):
                        continue
                    when = f"将于 {change:%H:%M} 换班" if local < change else f"已于 {change:%H:%M} 换班"
                    await notify(lead["user"], f"{team['name']}：{slot.name}{when}，请组织交接班并双方签名",
                                 f"/site/handovers/new?team={team['id']}", "reminder", ref)
                sent += 1
    return sent


if __name__ == "__main__":
    import argparse

    from app.core.timeutil import parse_moment

    ap = argparse.ArgumentParser()
    ap.add_argument("--now", type=parse_moment, default=None, help="run as if it were this moment (ISO, Asia/Shanghai if no zone)")
    print(f"handover reminders sent: {asyncio.run(remind_once(ap.parse_args().now))}", flush=True)
