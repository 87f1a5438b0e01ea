"""Incident reports (SPEC §F4): each path of the form, who is told, the P1 case of a 聚集维权 linked both ways, a
retried post recorded once, the record scope (another team's incident is 404) and the roles refused."""
import re
from datetime import datetime, timedelta

import pytest

from app.care.tables import CareCase
from app.core.tables import Notification
from app.core.timeutil import SHANGHAI
from app.estate.tables import Project
from app.org.tables import Employee
from app.site.tables import SiteTeam
from app.site_incident.tables import Incident, IncidentNotice
from tests.conftest import sign_in

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
IDEM = re.compile(r'name="_idem" value="([^"]+)"')


async def _form(c) -> dict:
    r = await c.get("/site/incidents/new")
    assert r.status_code == 200, r.text[:300]
    data = {"_csrf_token": CSRF.search(r.text).group(1)}
    m = IDEM.search(r.text)
    if m:
        data["_idem"] = m.group(1)
    return data


def _values(kind: str, place: str, **extra) -> dict:
    when = (datetime.now(SHANGHAI) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    return {"kind": kind, "occurred_at": when, "place": place, "people": "业主约 20 人", "account": "在售楼处门口拉横幅",
            "actions": "维持秩序，报告客服主管", "contact_phone": "13800138000", **extra}


async def _post(c, values: dict, data: dict | None = None):
    data = data or await _form(c)
    return await c.post("/site/incidents/new", data={**data, **values})


async def _incident(place: str) -> dict:
    return await Incident.select().where(Incident.place == place).first()


async def _users(*usernames: str) -> dict[str, int]:
    rows = await Employee.select(Employee.user, Employee.user.username).where(Employee.user.username.is_in(list(usernames)))
    return {r["user.username"]: r["user"] for r in rows}


async def _told(incident_id: int) -> set[int]:
    rows = await Notification.select(Notification.user).where(Notification.url == f"/site/incidents/{incident_id}")
    return {r["user"] for r in rows}


async def test_a_dispute_notifies_only_the_supervisor(new_client):
    c = await sign_in(await new_client(), "security_captain")
    place = f"洽谈区 {datetime.now().timestamp()}"
    r = await _post(c, _values("纠纷", place, called_110="1"))
    assert r.status_code == 303, r.text[:500]
    inc = await _incident(place)
    assert inc and inc["care_case"] is None and inc["called_110"] and not inc["called_119"] and inc["status"] == "处理中"
    users = await _users("supervisor", "dept_head", "gm")
    told = await _told(inc["id"])
    assert users["supervisor"] in told and users["dept_head"] not in told and users["gm"] not in told
    notices = await IncidentNotice.select(IncidentNotice.role).where(IncidentNotice.incident == inc["id"])
    assert {n["role"] for n in notices} == {"客服主管"}
    page = await c.get(r.headers["location"])
    assert page.status_code == 200 and "已通知" in page.text and "客服主管" in page.text and place in page.text
    assert 'data-testid="incident-case"' not in page.text


async def test_a_group_protest_opens_one_p1_case_linked_both_ways(new_client):
    c = await sign_in(await new_client(), "security_captain")
    place = f"售楼处门口 {datetime.now().timestamp()}"
    r = await _post(c, _values("聚集维权", place))
    assert r.status_code == 303, r.text[:500]
    inc = await _incident(place)
    cases = await CareCase.select(CareCase.id, CareCase.level, CareCase.number).where(CareCase.title.like(f"%{place}%"))
    assert len(cases) == 1 and cases[0]["level"] == "P1" and inc["care_case"] == cases[0]["id"]
    users = await _users("supervisor", "dept_head", "gm")
    assert set(users.values()) <= await _told(inc["id"])
    roles = {n["role"] for n in await IncidentNotice.select(IncidentNotice.role).where(IncidentNotice.incident == inc["id"])}
    assert {"客服主管", "客服副经理", "总经理"} <= roles
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get(f"/site/incidents/{inc['id']}")
    assert page.status_code == 200 and f'href="/care/cases/{cases[0]["id"]}"' in page.text and cases[0]["number"] in page.text
    case_page = await sup.get(f"/care/cases/{cases[0]['id']}")
    assert case_page.status_code == 200 and 'data-testid="site-incident-panel"' in case_page.text
    assert f'href="/site/incidents/{inc["id"]}"' in case_page.text
    gm = await sign_in(await new_client(), "gm")
    assert (await gm.get(f"/site/incidents/{inc['id']}")).status_code == 200  # told, and may read it


async def test_media_opens_a_p1_case_too(new_client):
    c = await sign_in(await new_client(), "security_captain")
    place = f"停车场 {datetime.now().timestamp()}"
    assert (await _post(c, _values("媒体", place))).status_code == 303
    inc = await _incident(place)
    case = await CareCase.select(CareCase.level).where(CareCase.id == inc["care_case"]).first()
    assert case["level"] == "P1"


async def test_required_fields_and_garbage_give_field_errors_and_keep_values(new_client):
    c = await sign_in(await new_client(), "security_captain")
    r = await _post(c, {"kind": "", "occurred_at": "", "place": "", "account": "", "actions": "", "people": "保留的人员"})
    assert r.status_code == 400
    for name in ("kind", "occurred_at", "place", "account", "actions"):
        assert f'data-testid="error-{name}"' in r.text, name
    assert "保留的人员" in r.text
    r = await _post(c, {"kind": "外星人", "occurred_at": "9" * 5000, "place": "x" * 500, "account": "a", "actions": "b",
                        "team": "99999999999999999999", "contact_phone": "abc", "called_110": ["1", "2"]})
    assert r.status_code == 400 and "选项无效" in r.text
    r = await _post(c, _values("聚集维权", "门口", contact_phone="", occurred_at="2999-01-01T10:00"))
    assert r.status_code == 400 and 'data-testid="error-contact_phone"' in r.text and "不能晚于现在" in r.text
    for bad in ("/site/incidents/abc", "/site/incidents/99999999999999999999", "/site/incidents/-1"):
        assert (await c.get(bad)).status_code == 404
    r = await c.get("/site/incidents?kind=%00&month=2026-99&page=-5")
    assert r.status_code == 200


async def test_a_retried_post_is_recorded_once(new_client):
    c = await sign_in(await new_client(), "security_captain")
    place = f"样板房 {datetime.now().timestamp()}"
    data = await _form(c)
    assert "_idem" in data
    first = await _post(c, _values("盗窃", place), data)
    again = await _post(c, _values("盗窃", place), data)
    assert first.status_code == 303 and again.status_code == 303
    assert await Incident.count().where(Incident.place == place) == 1


async def test_the_cleaning_team_is_refused(new_client):
    c = await sign_in(await new_client(), "cleaner")
    assert (await c.get("/site/incidents")).status_code == 403
    assert (await c.get("/site/incidents/new")).status_code == 403
    lead = await sign_in(await new_client(), "cleaning_lead")
    assert (await lead.get("/site/incidents")).status_code == 403


async def test_another_teams_incident_is_404_and_the_list_filters(new_client):
    from app.core.timeutil import now

    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    other = SiteTeam(name="测试二期保安队（事件）", kind="保安", project=jc02["id"], contractor="", lead=None)
    await other.save()
    row = Incident(number=f"SJ-T-{other.id}", team=other.id, project=jc02["id"], kind="火警", occurred_at=now(), place="二期售楼处",
                   account="烟感报警", actions="已排查", reported_at=now())
    await row.save()
    try:
        c = await sign_in(await new_client(), "security_captain")
        assert (await c.get(f"/site/incidents/{row.id}")).status_code == 404
        listing = await c.get("/site/incidents")
        assert listing.status_code == 200 and row.number not in listing.text
        month = datetime.now(SHANGHAI).strftime("%Y-%m")
        mine = await c.get(f"/site/incidents?kind=火警&month={month}")
        assert mine.status_code == 200 and row.number not in mine.text
    finally:
        await Incident.delete().where(Incident.id == row.id)
        await SiteTeam.delete().where(SiteTeam.id == other.id)


async def test_follow_up_and_close_by_the_supervisor(new_client):
    c = await sign_in(await new_client(), "security_captain")
    place = f"大厅 {datetime.now().timestamp()}"
    assert (await _post(c, _values("客户受伤", place, called_120="1"))).status_code == 303
    inc = await _incident(place)
    # the captain may not follow up
    token = CSRF.search((await c.get(f"/site/incidents/{inc['id']}")).text).group(1)
    assert (await c.post(f"/site/incidents/{inc['id']}/follow-up", data={"_csrf_token": token, "follow_up": "x"})).status_code == 403
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get(f"/site/incidents/{inc['id']}")
    token = CSRF.search(page.text).group(1)
    r = await sup.post(f"/site/incidents/{inc['id']}/follow-up", data={"_csrf_token": token, "follow_up": "", "version": "0"})
    assert r.status_code == 400 and 'data-testid="error-follow_up"' in r.text
    r = await sup.post(f"/site/incidents/{inc['id']}/follow-up", data={"_csrf_token": token, "follow_up": "客户已送医，无大碍",
                                                                       "close": "1", "version": "0"})
    assert r.status_code == 303
    done = await Incident.select(Incident.status, Incident.follow_up).where(Incident.id == inc["id"]).first()
    assert done["status"] == "已结案" and "客户已送医" in done["follow_up"]


async def test_month_figures():
    from datetime import date

    from app.core.timeutil import now
    from app.site_incident.report import month_figures

    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    team = SiteTeam(name="测试二期保安队（月报）", kind="保安", project=jc02["id"], contractor="", lead=None)
    await team.save()
    at = datetime(2024, 2, 29, 23, 30, tzinfo=SHANGHAI)  # the month's last evening (Shanghai)
    rows = [Incident(number=f"SJ-M-{team.id}-{i}", team=team.id, project=jc02["id"], kind=k, occurred_at=t, place="p", account="a",
                     actions="b", reported_at=now()) for i, (k, t) in enumerate([("纠纷", at), ("纠纷", at - timedelta(days=3)),
                                                                                 ("火警", at + timedelta(hours=1))])]
    await Incident.insert(*rows)
    try:
        f = await month_figures([team.id], date(2024, 2, 1), date(2024, 2, 29))
        assert f["total"] == 2 and f["by_kind"]["纠纷"] == 2 and f["by_kind"]["火警"] == 0 and f["p1"] == 0
        assert (await month_figures([], date(2024, 2, 1), date(2024, 2, 29)))["total"] == 0
    finally:
        await Incident.delete().where(Incident.team == team.id)
        await SiteTeam.delete().where(SiteTeam.id == team.id)


GARBAGE = ["", "0", "-1", "99999999999999999999", "9" * 5000, "\x00", "１２３", "<script>", "2026-02-30T10:00", "ＮＡＮ", "😀" * 300]


async def test_garbage_never_500_and_refused_posts_write_nothing(new_client):
    import random

    rnd = random.Random(13)
    c = await sign_in(await new_client(), "security_captain")
    sup = await sign_in(await new_client(), "supervisor")
    before = await Incident.count()
    names = ["team", "kind", "occurred_at", "place", "people", "account", "actions", "contact_phone", "called_110", "version",
             "follow_up", "close", "attachment_ids", "remove_attachment"]
    for _ in range(30):
        values = {n: rnd.choice(GARBAGE) for n in names if rnd.random() < 0.7}
        r = await _post(c, values)
        assert r.status_code < 500, (values, r.text[:300])
    assert await Incident.count() == before  # nothing complete enough to be a report
    inc = await Incident.select(Incident.id).where(Incident.status == "处理中").first()
    if inc:
        page = await sup.get(f"/site/incidents/{inc['id']}")
        token = CSRF.search(page.text).group(1)
        for v in GARBAGE:
            r = await sup.post(f"/site/incidents/{inc['id']}/follow-up", data={"_csrf_token": token, "version": v, "follow_up": ""})
            assert r.status_code < 500
    listing = await sup.get("/site/incidents")
    assert listing.status_code == 200
    from urllib.parse import quote

    for bad in ("0", "-1", "99999999999999999999", "9" * 500, quote("\x00"), quote("１２３")):
        r = await sup.post(f"/site/incidents/{bad}/follow-up", data={"follow_up": "x"})
        assert r.status_code < 500, bad


async def test_the_list_is_paged_and_filtered_in_sql(new_client):
    from app.core.timeutil import now

    team = await SiteTeam.select(SiteTeam.id, SiteTeam.project).where(SiteTeam.name == "锦城一期售楼处保安队").first()
    at = datetime(2025, 3, 15, 10, 0, tzinfo=SHANGHAI)
    tag = f"P{int(datetime.now().timestamp())}"
    rows = [Incident(number=f"{tag}-{i:02d}", team=team["id"], project=team["project"], kind="恶劣天气" if i % 2 else "停电/设备故障",
                     occurred_at=at + timedelta(minutes=i), place="广场", account="a", actions="b", reported_at=now()) for i in range(25)]
    await Incident.insert(*rows)
    try:
        c = await sign_in(await new_client(), "security_captain")
        first = await c.get("/site/incidents?month=2025-03")
        assert first.status_code == 200 and f"{tag}-24" in first.text and f"{tag}-04" not in first.text and "共 25 条" in first.text
        second = await c.get("/site/incidents?month=2025-03&page=2")
        assert f"{tag}-04" in second.text and f"{tag}-24" not in second.text
        weather = await c.get("/site/incidents?month=2025-03&kind=恶劣天气")
        assert "共 12 条" in weather.text and f"{tag}-02" not in weather.text
        assert f"{tag}-" not in (await c.get("/site/incidents?month=2025-04")).text
    finally:
        await Incident.delete().where(Incident.number.like(f"{tag}-%"))
