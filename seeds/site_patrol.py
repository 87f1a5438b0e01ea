"""Patrol demo data (SPEC §F3): the patrol settings (售楼处设置) and the checkpoints of JC01's security team — 入口,
配电房, 消防通道/灭火器, 样板房, 停车场, 围挡/看房通道, 广告牌 — set up two days ago, so the report already shows
rounds and misses. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import now
from app.site import settings
from app.site.tables import SECURITY, SiteTeam
from app.site_patrol.rounds import DEFAULTS
from app.site_patrol.tables import PatrolCheckpoint

CHECKPOINTS = [  # name, place
    ("入口", "售楼处正门及迎宾区"),
    ("配电房", "售楼处东侧配电房门口"),
    ("消防通道/灭火器", "后门消防通道、各灭火器点位"),
    ("样板房", "样板房入户门及室内"),
    ("停车场", "访客停车场及出入口"),
    ("围挡/看房通道", "工地围挡沿线与看房通道"),
    ("广告牌", "路口广告牌及灯箱"),
]


async def seed() -> None:
    await settings.seed(DEFAULTS)
    team = await SiteTeam.select(SiteTeam.id).where(
        (SiteTeam.kind == SECURITY) & (SiteTeam.name == "锦城一期售楼处保安队")).first()
    if team is None or await PatrolCheckpoint.exists().where(PatrolCheckpoint.team == team["id"]):
        return
    since = now() - timedelta(days=2)
    await PatrolCheckpoint.insert(*[PatrolCheckpoint(team=team["id"], name=n, place=p, sort=i, created_at=since)
                                    for i, (n, p) in enumerate(CHECKPOINTS)])
