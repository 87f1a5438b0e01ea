"""The monthly roster through its routes (SPEC §F2): who reaches which roster, opening a month, a cell's edit (page
and HTMX fragment) with the checks following it, stale and bad input, submission on the engine (gaps need an
explanation, hard problems block), the 客服主管's approval, and a swap after approval."""
import re
import uuid
from datetime import timedelta

import pytest

from app.core.tables import Notification
from app.core.timeutil import today_local
from app.org.tables import Employee
from app.site.tables import SECURITY, ShiftPattern, ShiftSlot, SitePost, SiteTeam, SiteWorker
from app.site_roster.tables import RosterEntry, RosterSwap, SiteRoster
from app.estate.tables import Project
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, submit

pytestmark = pytest.mark.integration


def next_month() -> str:
    return f"{(today_local().replace(day=1) + timedelta(days=32)).replace(day=1):%Y-%m}"


@pytest.fixture
async def team():
    """A small security team of the captain's: five people, a day post and a night post (两班)."""
    captain = await Employee.select(Employee.id).where(Employee.user.username == "security_captain").first()
    jc01 = await Project.select(Project.id).where(Project.code == "JC01").first()
    pattern = await ShiftPattern.select(ShiftPattern.id).where(ShiftPattern.name == "两班").first()
    t = SiteTeam(name=f"测试排班队{uuid.uuid4().hex[:6]}", kind=SECURITY, project=jc01["id"], contractor="测试物业", lead=captain["id"])
    await t.save()
    people = [SiteWorker(team=t.id, name=n, badge=f"T{i}") for i, n in enumerate(("甲一", "乙二", "丙三", "丁四", "戊五"))]
    await SiteWorker.insert(*people)
    await SitePost.insert(SitePost(team=t.id, name="测试门岗", pattern=pattern["id"], headcount=1),
                          SitePost(team=t.id, name="测试夜岗", pattern=pattern["id"], headcount=1, night_only=True))
    slots = {r["name"]: r["id"] for r in await ShiftSlot.select(ShiftSlot.id, ShiftSlot.name).where(ShiftSlot.pattern == pattern["id"])}
    posts = {r["name"]: r["id"] for r in await SitePost.select(SitePost.id, SitePost.name).where(SitePost.team == t.id)}
    workers = [r["id"] for r in await SiteWorker.select(SiteWorker.id).where(SiteWorker.team == t.id).order_by(SiteWorker.id)]
    yield {"id": t.id, "name": t.name, "slots": slots, "posts": posts, "workers": workers}
    rosters = [r["id"] for r in await SiteRoster.select(SiteRoster.id).where(SiteRoster.team == t.id)]
    if rosters:
        await RosterSwap.delete().where(RosterSwap.roster.is_in(rosters))
        await RosterEntry.delete().where(RosterEntry.roster.is_in(rosters))
        await SiteRoster.delete().where(SiteRoster.id.is_in(rosters))
    await SitePost.delete().where(SitePost.team == t.id)
    await SiteWorker.delete().where(SiteWorker.team == t.id)
    await SiteTeam.delete().where(SiteTeam.id == t.id)


async def post(client, path: str, data: dict, headers: dict | None = None):
    token = await csrf_token(client, "/site/rosters")
    return await client.post(path, data={**data, "_csrf_token": token}, headers=headers or {})


async def open_roster(client, team: dict) -> int:
    r = await post(client, "/site/rosters", {"team": str(team["id"]), "month": next_month()})
    assert r.status_code == 303, r.text[:500]
    return int(re.search(r"/site/rosters/(\d+)", r.headers["location"]).group(1))


async def version(rid: int) -> str:
    return str((await SiteRoster.select(SiteRoster.version).where(SiteRoster.id == rid).first())["version"])


async def set_cell(client, rid: int, worker: int, day, choice: str):
    return await post(client, f"/site/rosters/{rid}/cell", {"worker": str(worker), "day": day.isoformat(), "choice": choice,
                                                            "version": await version(rid)})


def first_day():
    return (today_local().replace(day=1) + timedelta(days=32)).replace(day=1)


async def demo_roster() -> int:
    row = await SiteRoster.select(SiteRoster.id).where(SiteRoster.team.name == "锦城一期售楼处保安队").order_by(SiteRoster.id).first()
    return row["id"]


async def test_who_reaches_the_rosters(new_client):
    rid = await demo_roster()
    captain = await sign_in(await new_client(), "security_captain")
    r = await captain.get("/site/rosters")
    assert r.status_code == 200 and f'data-testid="roster-{rid}"' in r.text and "第二十四章" in r.text
    page = await captain.get(f"/site/rosters/{rid}")
    assert page.status_code == 200 and 'data-testid="roster-grid"' in page.text
    sup = await sign_in(await new_client(), "supervisor")
    assert (await sup.get(f"/site/rosters/{rid}")).status_code == 200
    lead = await sign_in(await new_client(), "cleaning_lead")
    assert (await lead.get("/site/rosters")).status_code == 200
    assert (await lead.get(f"/site/rosters/{rid}")).status_code == 404  # not their team
    for username in ("guard", "cleaner", "contract", "gm"):
        assert (await (await sign_in(await new_client(), username)).get("/site/rosters")).status_code == 403, username


async def test_open_a_month_edit_a_cell_and_the_checks_follow(new_client, team):
    c = await sign_in(await new_client(), "security_captain")
    rid = await open_roster(c, team)
    assert await open_roster(c, team) == rid  # one roster per team and month
    page = await c.get(f"/site/rosters/{rid}")
    gaps = page.text.count('data-kind="覆盖"')
    assert gaps >= 2 * 28 or gaps == 40  # two posts every day (the page lists the first 40)
    d1 = first_day()
    # the cell's form, as an HTMX fragment and as a page
    frag = await c.get(f"/site/rosters/{rid}/cell?worker={team['workers'][0]}&day={d1.isoformat()}", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and 'data-testid="cell-form"' in frag.text and "<html" not in frag.text
    day, night = team["slots"]["白班"], team["slots"]["夜班"]
    gate, cctv = team["posts"]["测试门岗"], team["posts"]["测试夜岗"]
    r = await set_cell(c, rid, team["workers"][0], d1, f"{day}:{gate}")
    assert r.status_code == 303
    assert await RosterEntry.count().where(RosterEntry.roster == rid) == 1
    # a night on the 1st and a day shift on the 2nd: 24 hours at a stretch, named on the page
    await set_cell(c, rid, team["workers"][1], d1, f"{night}:{cctv}")
    await set_cell(c, rid, team["workers"][1], d1 + timedelta(days=1), f"{day}:{gate}")
    page = await c.get(f"/site/rosters/{rid}")
    assert 'data-kind="工时"' in page.text and "连续工作 24 小时，超过 12 小时" in page.text
    # a night post in a day slot is not offered, and a forged choice is refused on the field, nothing written
    n = await RosterEntry.count().where(RosterEntry.roster == rid)
    bad = await set_cell(c, rid, team["workers"][2], d1, f"{day}:{cctv}")
    assert bad.status_code == 422 and "请选择该班组的岗位和班次" in bad.text
    stale = await post(c, f"/site/rosters/{rid}/cell", {"worker": str(team["workers"][2]), "day": d1.isoformat(),
                                                        "choice": f"{day}:{gate}", "version": "1"})
    assert stale.status_code == 422 and "已被他人修改" in stale.text
    for garbage in ({"worker": "x", "day": d1.isoformat()}, {"worker": str(team["workers"][0]), "day": "2001-01-01"},
                    {"worker": "99999999999999999999", "day": "not a day"}):
        r = await post(c, f"/site/rosters/{rid}/cell", {**garbage, "choice": "", "version": await version(rid)})
        assert r.status_code == 404
    assert await RosterEntry.count().where(RosterEntry.roster == rid) == n
    # 休息 clears the day
    await set_cell(c, rid, team["workers"][1], d1 + timedelta(days=1), "")
    assert await RosterEntry.count().where(RosterEntry.roster == rid) == n - 1
    # the month must be one the lead may plan; another lead's team is refused
    far = await post(c, "/site/rosters", {"team": str(team["id"]), "month": "2031-01"})
    assert far.status_code == 422 and "只能编排本月至" in far.text
    lead = await sign_in(await new_client(), "cleaning_lead")
    other = await post(lead, "/site/rosters", {"team": str(team["id"]), "month": next_month()})
    assert other.status_code == 422 and "请选择您负责的班组" in other.text


async def test_submit_on_the_engine_approve_and_swap(new_client, team):
    c = await sign_in(await new_client(), "security_captain")
    rid = await open_roster(c, team)
    # an empty roster: gaps need an explanation
    rid_s = str(rid)
    req, r = await submit(c, "site_roster", {"roster": rid_s, "note": ""})
    assert req == 0 and "请说明原因" in r.text
    # a hard problem blocks
    d1 = first_day()
    day, night = team["slots"]["白班"], team["slots"]["夜班"]
    gate, cctv = team["posts"]["测试门岗"], team["posts"]["测试夜岗"]
    await set_cell(c, rid, team["workers"][0], d1, f"{night}:{cctv}")
    await set_cell(c, rid, team["workers"][0], d1 + timedelta(days=1), f"{day}:{gate}")
    req, r = await submit(c, "site_roster", {"roster": rid_s, "note": "人员不足"})
    assert req == 0 and "必须修改的问题" in r.text
    # the generated draft
    fill = await post(c, f"/site/rosters/{rid}/fill", {"version": await version(rid)})
    assert fill.status_code == 303
    assert await RosterEntry.count().where(RosterEntry.roster == rid) > 0
    # the cleaning lead cannot file it
    lead = await sign_in(await new_client(), "cleaning_lead")
    req_other, r_other = await submit(lead, "site_roster", {"roster": rid_s, "note": "x"})
    assert req_other == 0 and r_other.status_code == 400 and "没有找到您负责的班组的该排班表" in r_other.text
    req, r = await submit(c, "site_roster", {"roster": rid_s, "note": "五人轮值"})
    assert req, r.text[:800]
    row = await SiteRoster.select(SiteRoster.status, SiteRoster.request, SiteRoster.note).where(SiteRoster.id == rid).first()
    assert row["status"] == "审批中" and row["request"] == req and row["note"] in ("", "五人轮值")
    # locked while it is being approved
    locked = await set_cell(c, rid, team["workers"][0], d1 + timedelta(days=3), "")
    assert locked.status_code == 422 and "草稿" in locked.text
    detail = await (await sign_in(await new_client(), "supervisor")).get(f"/workflow/requests/{req}")
    assert 'data-testid="roster-flow-detail"' in detail.text and f"/site/rosters/{rid}" in detail.text
    r = await approve_as(new_client, req, "supervisor")
    assert r.status_code in (200, 303)
    row = await SiteRoster.select(SiteRoster.status, SiteRoster.approved_at).where(SiteRoster.id == rid).first()
    assert row["status"] == "已批准" and row["approved_at"]
    captain_user = (await Employee.select(Employee.user).where(Employee.user.username == "security_captain").first())["user"]
    assert await Notification.exists().where((Notification.user == captain_user) & (Notification.ref == f"site_roster:{rid}"))
    # a swap after approval: to someone already on the same slot that day is refused; to a free person it waits for the 客服主管
    entries = await RosterEntry.select(RosterEntry.id, RosterEntry.day, RosterEntry.slot, RosterEntry.worker).where(
        (RosterEntry.roster == rid) & (RosterEntry.slot == day)).order_by(RosterEntry.day).limit(40)
    target = entries[len(entries) // 2]
    same_time = await RosterEntry.select(RosterEntry.worker).where(
        (RosterEntry.roster == rid) & (RosterEntry.day == target["day"]) & (RosterEntry.slot == night)).first()
    busy = await post(c, f"/site/rosters/{rid}/swap", {"entry": str(target["id"]), "to_worker": str(target["worker"]), "reason": "家中有事"})
    assert busy.status_code == 422 and "另一位人员" in busy.text
    near = {r["worker"] for r in await RosterEntry.select(RosterEntry.worker).where(
        (RosterEntry.roster == rid) & (RosterEntry.day >= target["day"] - timedelta(days=1)) & (RosterEntry.day <= target["day"] + timedelta(days=1)))}
    if same_time:
        taken = await post(c, f"/site/rosters/{rid}/swap", {"entry": str(target["id"]), "to_worker": str(same_time["worker"]), "reason": "家中有事"})
        assert taken.status_code == 422 and "换班后" in taken.text  # the night worker would work 24 hours or be in two places
    free = next(w for w in team["workers"] if w not in near)
    r = await post(c, f"/site/rosters/{rid}/swap", {"entry": str(target["id"]), "to_worker": str(free), "reason": "家中有事"})
    assert r.status_code == 303, r.text[-3000:]
    swap = await RosterSwap.select(RosterSwap.id, RosterSwap.status).where(RosterSwap.roster == rid).first()
    assert swap["status"] == "待批准"
    assert (await post(c, f"/site/rosters/{rid}/swaps/{swap['id']}/approve", {})).status_code == 403  # the lead does not decide
    sup = await sign_in(await new_client(), "supervisor")
    assert (await post(sup, f"/site/rosters/{rid}/swaps/{swap['id']}/approve", {})).status_code == 303
    moved = await RosterEntry.select(RosterEntry.worker).where(RosterEntry.id == target["id"]).first()
    assert moved["worker"] == free
    again = await post(sup, f"/site/rosters/{rid}/swaps/{swap['id']}/approve", {})
    assert again.status_code == 303 and (await RosterSwap.select(RosterSwap.status).where(RosterSwap.id == swap["id"]).first())["status"] == "已批准"
