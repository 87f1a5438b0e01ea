"""The gate logs (SPEC §F4 访客登记, 车辆登记): logging an arrival, field messages with the values kept, the mobile
masked on the page, 离开 set once (a retry of the same post too), the day's counts, the day filter, who is refused
(the cleaner: 403; a team not reached: 404) and the month figures. Rows are told apart by what each test creates."""
import re
import uuid
from datetime import timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.estate.tables import Project
from app.site.tables import SiteTeam
from app.site_logs import report
from app.site_logs.tables import SiteVehicle, SiteVisitor
from tests.conftest import CSRF_RE, sign_in

pytestmark = pytest.mark.integration

IDEM_RE = re.compile(r'name="_idem" value="([^"]+)"')


async def _security_team() -> int:
    row = await SiteTeam.select(SiteTeam.id).where(SiteTeam.name == "锦城一期售楼处保安队").first()
    return row["id"]


async def _csrf(c, path: str) -> str:
    r = await c.get(path)
    assert r.status_code == 200, r.text[:300]
    return CSRF_RE.search(r.text).group(1)


async def _post(c, path: str, data: dict, page: str | None = None):
    token = await _csrf(c, page or path)
    return await c.post(path, data={**data, "_csrf_token": token})


def _unique_name() -> str:
    return "测" + uuid.uuid4().hex[:6]


def _plate() -> str:
    """A fresh ordinary plate (川 + letter + 5 digits, no I/O)."""
    n = uuid.uuid4().int % 100000
    return f"川K{n:05d}"


def _nev_plate() -> str:
    n = uuid.uuid4().int % 100000
    return f"川AD{n:05d}"  # small new-energy: D, then a digit, then 4 digits


def _visitor(team: int, name: str, **kw) -> dict:
    return {"team": str(team), "name": name, "mobile": "13812345678", "purpose": "看房", "host": "", **kw}


async def test_guard_logs_a_visitor_and_the_page_masks_the_mobile(new_client):
    team = await _security_team()
    c = await sign_in(await new_client(), "guard")
    name = _unique_name()
    r = await _post(c, "/site/visitors", _visitor(team, name, mobile="13987654321"))
    assert r.status_code == 303 and r.headers["location"] == f"/site/visitors?team={team}"
    row = await SiteVisitor.select().where(SiteVisitor.name == name).first()
    assert row["mobile"] == "13987654321" and row["purpose"] == "看房" and row["out_at"] is None and row["day"] == today_local()
    page = await c.get(f"/site/visitors?team={team}")
    assert page.status_code == 200 and name in page.text
    assert "139****4321" in page.text and "13987654321" not in page.text
    assert 'class="site-actions' in page.text and 'data-testid="visitor-submit"' in page.text
    audit = await AuditLog.select(AuditLog.action, AuditLog.after).where(
        (AuditLog.entity == "site_visitor") & (AuditLog.entity_id == str(row["id"]))).first()
    assert audit["action"] == "site_logs.visitor_in" and "13987654321" not in str(audit["after"])


async def test_visitor_messages_keep_what_was_typed(new_client):
    team = await _security_team()
    c = await sign_in(await new_client(), "security_captain")
    name = _unique_name()
    r = await _post(c, "/site/visitors", _visitor(team, name, mobile="1381234", purpose="施工", host=""))
    assert r.status_code == 400
    assert "手机号应为 11 位数字" in r.text
    assert "请填写被访人" in r.text
    assert "须出示证件" in r.text  # 施工 is not a customer: the ID check is required
    assert f'value="{name}"' in r.text and 'value="1381234"' in r.text
    assert re.search(r'<option value="施工"\s+selected', r.text)
    assert not await SiteVisitor.exists().where(SiteVisitor.name == name)
    r = await _post(c, "/site/visitors", _visitor(team, name, purpose="施工", host="工程部", id_checked="1"))
    assert r.status_code == 303
    assert await SiteVisitor.exists().where((SiteVisitor.name == name) & (SiteVisitor.id_checked == True))  # noqa: E712
    r = await _post(c, "/site/visitors", _visitor(team, "", purpose="随便"))
    assert r.status_code == 400 and "请填写姓名" in r.text and "来访事由的选项无效" in r.text


async def test_leave_sets_the_out_time_once_even_when_the_post_is_retried(new_client):
    team = await _security_team()
    c = await sign_in(await new_client(), "guard")
    name = _unique_name()
    assert (await _post(c, "/site/visitors", _visitor(team, name))).status_code == 303
    vid = (await SiteVisitor.select(SiteVisitor.id).where(SiteVisitor.name == name).first())["id"]
    page = await c.get(f"/site/visitors?team={team}")
    assert f'data-testid="leave-{vid}"' in page.text
    form = page.text[page.text.index(f'action="/site/visitors/{vid}/leave"'):]
    data = {"_csrf_token": CSRF_RE.search(form).group(1), "_idem": IDEM_RE.search(form).group(1)}
    r = await c.post(f"/site/visitors/{vid}/leave", data=data)
    assert r.status_code == 303
    first = (await SiteVisitor.select(SiteVisitor.out_at).where(SiteVisitor.id == vid).first())["out_at"]
    assert first is not None
    again = await c.post(f"/site/visitors/{vid}/leave", data=data)  # the same post after a timeout
    assert again.status_code == 303
    other = await _post(c, f"/site/visitors/{vid}/leave", {}, page=f"/site/visitors?team={team}")  # a second press
    assert other.status_code == 303
    assert (await SiteVisitor.select(SiteVisitor.out_at).where(SiteVisitor.id == vid).first())["out_at"] == first
    audits = await AuditLog.count().where((AuditLog.entity == "site_visitor") & (AuditLog.entity_id == str(vid))
                                          & (AuditLog.action == "site_logs.visitor_out"))
    assert audits == 1
    page = await c.get(f"/site/visitors?team={team}")
    assert f'data-testid="leave-{vid}"' not in page.text and f'data-testid="left-{vid}"' in page.text


def _count(text: str, key: str) -> int:
    return int(re.search(rf'data-testid="count-{key}">(\d+)<', text).group(1))


async def test_the_day_s_counts_and_the_day_filter(new_client):
    team = await _security_team()
    c = await sign_in(await new_client(), "guard")
    before = await c.get(f"/site/vehicles?team={team}")
    n_in, n_out = _count(before.text, "in"), _count(before.text, "out")
    plates = [_plate(), _plate()]
    for p in plates:
        r = await _post(c, "/site/vehicles", {"team": str(team), "plate": p.lower(), "kind": "小型车", "party": "访客", "bay": "B-1"})
        assert r.status_code == 303, r.text[:500]
    vid = (await SiteVehicle.select(SiteVehicle.id).where(SiteVehicle.plate == plates[0]).first())["id"]
    assert (await _post(c, f"/site/vehicles/{vid}/leave", {}, page=f"/site/vehicles?team={team}")).status_code == 303
    after = await c.get(f"/site/vehicles?team={team}")
    assert _count(after.text, "in") == n_in + 2 and _count(after.text, "out") == n_out + 1
    assert _count(after.text, "inside") == _count(after.text, "in") - _count(after.text, "out")
    assert plates[1][:2] + "·" + plates[1][2:] in after.text  # shown as on the plate
    # another day: today's rows are not in its list; a garbage day falls back to today with a message
    other_day = (today_local() - timedelta(days=400)).isoformat()
    old = await c.get(f"/site/vehicles?team={team}&day={other_day}")
    assert old.status_code == 200 and plates[1][2:] not in old.text and _count(old.text, "in") == 0
    bad = await c.get(f"/site/vehicles?team={team}&day=2026-13-45")
    assert bad.status_code == 200 and "日期格式不正确" in bad.text
    fragment = await c.get(f"/site/vehicles?team={team}&page=1", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="vehicles-list"' in fragment.text and "<html" not in fragment.text


async def test_vehicle_plate_messages_and_the_new_energy_rule(new_client):
    team = await _security_team()
    c = await sign_in(await new_client(), "security_captain")
    base = {"team": str(team), "kind": "小型车", "party": "访客", "bay": "C-9"}
    r = await _post(c, "/site/vehicles", {**base, "plate": "川AI2345"})
    assert r.status_code == 400 and "I、O" in r.text and 'value="川AI2345"' in r.text and 'value="C-9"' in r.text
    r = await _post(c, "/site/vehicles", {**base, "plate": "港A12345"})
    assert r.status_code == 400 and "省份简称" in r.text
    r = await _post(c, "/site/vehicles", {**base, "plate": "川A12345", "kind": "新能源"})
    assert r.status_code == 400 and "新能源车的车牌为 8 位" in r.text
    nev = _nev_plate()
    r = await _post(c, "/site/vehicles", {**base, "plate": nev})
    assert r.status_code == 400 and "请选择“新能源”" in r.text
    r = await _post(c, "/site/vehicles", {**base, "plate": nev.lower(), "kind": "新能源"})
    assert r.status_code == 303
    assert await SiteVehicle.exists().where((SiteVehicle.plate == nev) & (SiteVehicle.kind == "新能源"))
    r = await _post(c, "/site/vehicles", {**base, "plate": nev, "kind": "新能源"})  # still inside
    assert r.status_code == 400 and "尚未登记离开" in r.text
    assert await SiteVehicle.count().where(SiteVehicle.plate == nev) == 1


@pytest.mark.parametrize("raw", ["abc", "99999999999999999999", "-1", "0", "１２"])
async def test_garbage_ids_and_values_are_4xx(new_client, raw):
    team = await _security_team()
    c = await sign_in(await new_client(), "guard")
    r = await _post(c, f"/site/visitors/{raw}/leave", {}, page=f"/site/visitors?team={team}")
    assert r.status_code == 404
    r = await _post(c, "/site/vehicles", {"team": raw, "plate": "川A12345", "kind": "小型车", "party": "访客"}, page="/site/vehicles")
    assert r.status_code == 404
    assert (await c.get(f"/site/visitors?team={raw}")).status_code == 404
    r = await _post(c, "/site/vehicles", {"team": str(team), "plate": raw * 50, "kind": raw, "party": raw, "bay": raw * 30})
    assert r.status_code == 400


async def test_cleaner_is_refused_and_another_team_is_404(new_client):
    team = await _security_team()
    cleaner = await sign_in(await new_client(), "cleaner")
    assert (await cleaner.get("/site/visitors")).status_code == 403
    assert (await cleaner.get("/site/vehicles")).status_code == 403
    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    other = SiteTeam(name="测试二期保安队" + uuid.uuid4().hex[:4], kind="保安", project=jc02["id"], contractor="", lead=None)
    await other.save()
    guard = await sign_in(await new_client(), "guard")
    try:
        assert (await guard.get(f"/site/visitors?team={other.id}")).status_code == 404
        r = await _post(guard, "/site/visitors", _visitor(other.id, _unique_name()), page="/site/visitors")
        assert r.status_code == 404
        row = SiteVisitor(team=other.id, day=today_local(), name=_unique_name(), mobile="13800000000", purpose="看房",
                          in_at=now())
        await row.save()
        r = await _post(guard, f"/site/visitors/{row.id}/leave", {}, page="/site/visitors")
        assert r.status_code == 404
        assert (await SiteVisitor.select(SiteVisitor.out_at).where(SiteVisitor.id == row.id).first())["out_at"] is None
        await SiteVisitor.delete().where(SiteVisitor.id == row.id)
    finally:
        await SiteTeam.delete().where(SiteTeam.id == other.id)


async def test_month_figures_count_the_teams_arrivals(new_client):
    team = await _security_team()
    today = today_local()
    first, last = today.replace(day=1), today + timedelta(days=1)
    before = await report.month_figures([team], first, last)
    c = await sign_in(await new_client(), "guard")
    assert (await _post(c, "/site/visitors", _visitor(team, _unique_name()))).status_code == 303
    vehicle = {"team": str(team), "plate": _plate(), "kind": "小型车", "party": "员工"}
    assert (await _post(c, "/site/vehicles", vehicle)).status_code == 303
    after = await report.month_figures([team], first, last)
    assert after == {"visitors": before["visitors"] + 1, "vehicles": before["vehicles"] + 1}
    assert await report.month_figures([], first, last) == {"visitors": 0, "vehicles": 0}
    later = await report.month_figures([team], last + timedelta(days=1), last + timedelta(days=2))
    assert later == {"visitors": 0, "vehicles": 0}


async def test_the_list_is_paged_and_control_characters_are_dropped(new_client):
    jc01 = await Project.select(Project.id).where(Project.code == "JC01").first()
    team = SiteTeam(name="测试分页保安队" + uuid.uuid4().hex[:4], kind="保安", project=jc01["id"], contractor="", lead=None)
    await team.save()
    try:
        at = now()
        await SiteVisitor.insert(*[SiteVisitor(team=team.id, day=today_local(), name=f"分页{i:02d}", mobile="13800000000",
                                               purpose="看房", in_at=at) for i in range(25)])
        c = await sign_in(await new_client(), "supervisor")
        first = await c.get(f"/site/visitors?team={team.id}")
        assert first.status_code == 200 and 'data-testid="pagination"' in first.text
        assert first.text.count('data-testid="visitor-row-') == 20 and _count(first.text, "in") == 25
        second = await c.get(f"/site/visitors?team={team.id}&day={today_local().isoformat()}&page=2",
                             headers={"HX-Request": "true"})
        assert second.text.count('data-testid="visitor-row-') == 5 and "<html" not in second.text
        name = "零\x00字节\x07"
        r = await _post(c, "/site/visitors", _visitor(team.id, name), page=f"/site/visitors?team={team.id}")
        assert r.status_code == 303
        assert await SiteVisitor.exists().where((SiteVisitor.team == team.id) & (SiteVisitor.name == "零字节"))
    finally:
        await SiteVisitor.delete().where(SiteVisitor.team == team.id)
        await SiteTeam.delete().where(SiteTeam.id == team.id)


async def test_the_same_arrival_sent_twice_is_recorded_once(new_client):
    team = await _security_team()
    c = await sign_in(await new_client(), "guard")
    page = await c.get(f"/site/visitors?team={team}")
    form = page.text[page.text.index('data-testid="visitor-form"'):]
    name = _unique_name()
    data = {**_visitor(team, name), "_csrf_token": CSRF_RE.search(form).group(1), "_idem": IDEM_RE.search(form).group(1)}
    first = await c.post("/site/visitors", data=data)
    again = await c.post("/site/visitors", data=data)  # the retry after a lost response
    assert first.status_code == again.status_code == 303
    assert await SiteVisitor.count().where(SiteVisitor.name == name) == 1


async def test_nasty_values_in_every_field_are_never_a_500(new_client):
    from tests.integration.reliability.test_fuzz_forms import HUGE, NASTY

    team = await _security_team()
    c = await sign_in(await new_client(), "guard")
    token = await _csrf(c, "/site/visitors")
    forms = {"/site/visitors": _visitor(team, "甲"), "/site/vehicles": {"team": str(team), "plate": "川A12345", "kind": "小型车",
                                                                        "party": "访客", "bay": ""}}
    wrong = []
    for path, good in forms.items():
        for key in [*good, "id_checked"]:
            for value in [*NASTY, *HUGE]:
                r = await c.post(path, data={**good, key: value, "_csrf_token": token})
                if r.status_code >= 500:
                    wrong.append(f"{path} {key}={value[:20]!r}: {r.status_code}")
        for value in NASTY:
            r = await c.get(path, params={"team": str(team), "day": value, "page": value})
            if r.status_code >= 500:
                wrong.append(f"GET {path} day/page={value[:20]!r}: {r.status_code}")
    await SiteVehicle.update({SiteVehicle.out_at: now()}).where((SiteVehicle.team == team) & SiteVehicle.out_at.is_null()
                                                                & (SiteVehicle.plate == "川A12345"))
    assert not wrong, wrong
