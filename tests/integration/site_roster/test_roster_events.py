"""Extra staff on special days (SPEC §F2): the days entered by hand (重要活动日) and the 集中交房 days the pipeline knows —
enough handovers of the project booked or announced on one day — both reach the roster's checks."""
from datetime import timedelta

import pytest

from app.core.timeutil import today_local
from app.estate.tables import Project
from app.pipeline.tables import Deal
from app.site.tables import SiteSetting, SiteTeam
from app.site_roster import services
from app.site_roster.tables import SiteRoster

pytestmark = pytest.mark.integration


async def test_handover_days_from_the_pipeline_reach_the_roster(running_app):
    first = (today_local().replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    day = first + timedelta(days=11)
    jc01 = await Project.select(Project.id).where(Project.code == "JC01").first()
    deals = await Deal.select(Deal.id, Deal.appointment_on).where(Deal.project == jc01["id"]).order_by(Deal.id).limit(3)
    assert len(deals) == 3
    await services.site_settings.seed(services.DEFAULTS)
    setting = await SiteSetting.select(SiteSetting.value).where(SiteSetting.key == "roster_handover_units").first()
    try:
        await Deal.update({Deal.appointment_on: day}).where(Deal.id.is_in([d["id"] for d in deals]))
        before = await services.handover_days(jc01["id"], first, last, 3)
        assert day in before
        assert day not in await services.handover_days(jc01["id"], first, last, 1000)
        await SiteSetting.update({SiteSetting.value: 3}).where(SiteSetting.key == "roster_handover_units")
        team = await SiteTeam.select(SiteTeam.id).where(SiteTeam.name == "锦城一期售楼处保安队").first()
        roster = await SiteRoster.select(*services.ROSTER_COLUMNS).where(
            (SiteRoster.team == team["id"]) & (SiteRoster.month == services.month_text(first))).first()
        m = await services.month_of(roster)
        assert "集中交房" in m.events[day][0] and m.events[day][1] >= 1
        problems = [p for p in services.problems_of(m) if p.day == day and p.kind == "加派"]
        assert problems and "集中交房" in problems[0].text
    finally:
        for d in deals:
            await Deal.update({Deal.appointment_on: d["appointment_on"]}).where(Deal.id == d["id"])
        await SiteSetting.update({SiteSetting.value: setting["value"]}).where(SiteSetting.key == "roster_handover_units")
