"""The sales office's start page: who may open it, the teams each user reaches (a lead their own team, the 客服主管
every team of the projects in scope), and the record scope of team_for."""
import pytest

from app.core.auth import load_user
from app.estate.tables import Project
from app.org.tables import Employee
from app.site import services
from app.site.tables import SiteTeam
from tests.conftest import sign_in

pytestmark = pytest.mark.integration


async def _team(name_part: str) -> dict:
    return await SiteTeam.select(SiteTeam.id, SiteTeam.name).where(SiteTeam.name.like(f"%{name_part}%")).order_by(SiteTeam.id).first()


@pytest.mark.parametrize("username, sees, hidden", [
    ("security_captain", ["保安队"], ["保洁组"]),
    ("cleaning_lead", ["保洁组"], ["保安队"]),
    ("guard", ["保安队"], ["保洁组"]),
    ("supervisor", ["保安队", "保洁组"], []),
    ("gm", ["保安队", "保洁组"], []),
])
async def test_hub_shows_the_teams_the_user_reaches(new_client, username, sees, hidden):
    c = await sign_in(await new_client(), username)
    r = await c.get("/site")
    assert r.status_code == 200
    assert 'data-testid="site-tiles"' in r.text and "第二十四章" in r.text
    for part in sees:
        assert part in r.text, (username, part)
    for part in hidden:
        assert part not in r.text, (username, part)


@pytest.mark.parametrize("username", ["contract", "accountant", "sysadmin", "hr"])
async def test_hub_is_refused_to_roles_without_the_sales_office(new_client, username):
    c = await sign_in(await new_client(), username)
    assert (await c.get("/site")).status_code == 403


async def test_team_for_is_the_record_scope():
    sec, clean = await _team("保安队"), await _team("保洁组")
    captain_row = await Employee.select(Employee.user).where(Employee.user.username == "security_captain").first()
    captain = await load_user(captain_row["user"])
    assert await services.team_for(captain, sec["id"]) and await services.team_for(captain, clean["id"]) is None
    assert services.leads(captain, await services.team_for(captain, sec["id"]))
    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    other = SiteTeam(name="测试二期保安队", kind="保安", project=jc02["id"], contractor="", lead=None)
    await other.save()
    try:
        assert await services.team_for(captain, other.id) is None  # not their team
        sup = await load_user((await Employee.select(Employee.user).where(Employee.user.username == "supervisor").first())["user"])
        assert bool(await services.team_for(sup, other.id)) == sup.sees_project(jc02["id"])
    finally:
        await SiteTeam.delete().where(SiteTeam.id == other.id)


async def test_settings_seed_once_and_read_the_admins_value():
    from app.site import settings
    from app.site.tables import SiteSetting
    from app.site_patrol.rounds import DEFAULTS

    await settings.seed(DEFAULTS)
    assert await settings.seed(DEFAULTS) == 0  # written once
    await SiteSetting.update({SiteSetting.value: 90}).where(SiteSetting.key == "patrol_day_every_min")
    try:
        assert (await settings.read(DEFAULTS))["patrol_day_every_min"] == 90
    finally:
        await SiteSetting.update({SiteSetting.value: 60}).where(SiteSetting.key == "patrol_day_every_min")
