"""The two-signature handover (SPEC §F4): both must sign, a wrong badge is refused in Chinese, open issues are carried
to the next handover of the same post, a signature after the change time is 逾时, the reminder goes to the lead once,
a cleaner hands over on the cleaning team only, another team is a 404."""
from datetime import date, timedelta

import pytest

from app.core.tables import Notification
from app.org.tables import Employee
from app.site import services as site
from app.site_shift import remind, report
from app.site_shift.services import slot_default, team_slots
from app.site_shift.tables import Handover, HandoverIssue
from tests.conftest import sign_in
from tests.integration.site_shift.helpers import day, form_tokens, new_post, team, workers

pytestmark = pytest.mark.integration


async def _create(c, tm: dict, post: dict | None, when: str, slot: int, out: dict, inc: dict, badge: str, **extra):
    path = f"/site/handovers/new?team={tm['id']}" + (f"&post={post['id']}" if post else "")
    csrf, idem, html = await form_tokens(c, path)
    data = {"team": str(tm["id"]), "day": when, "slot": str(slot), "outgoing": str(out["id"]), "incoming": str(inc["id"]),
            "radios": "5，1 2", "keys": "3", "umbrellas": "6", "shoe_covers": "120", "fire_status": "正常", "out_badge": badge,
            "_csrf_token": csrf, "_idem": idem, **extra}
    if post:
        data["post"] = str(post["id"])
    return await c.post("/site/handovers/new", data=data), html


async def _sign(c, hid: int, badge: str):
    csrf, idem, _ = await form_tokens(c, f"/site/handovers/{hid}")
    return await c.post(f"/site/handovers/{hid}/sign", data={"in_badge": badge, "_csrf_token": csrf, "_idem": idem})


def _id(r) -> int:
    assert r.status_code == 303, r.text[:1500]
    return int(r.headers["location"].rsplit("/", 1)[1])


async def test_both_sign_wrong_badge_refused_issues_carried_and_late(new_client):
    c = await sign_in(await new_client(), "guard")
    sec = await team("保安队")
    post = await new_post(sec["id"], "测试交接岗A")
    ws = await workers(sec["id"])
    out, inc, third = ws[1], ws[2], ws[3]
    slots = await site.slots([post["pattern"]])
    night = next(s for s in slots if s.name == "夜班")
    # a wrong badge of the outgoing person: refused, nothing written
    r, html = await _create(c, sec, post, day(2), night.id, out, inc, "XX999")
    assert r.status_code == 400 and "工号与交班人不符" in r.text
    assert "site-actions" in html
    r, _ = await _create(c, sec, post, day(2), night.id, out, inc, out["badge"].lower(), issues="监控三号镜头模糊\n东侧围挡松动")
    h1 = _id(r)
    row = await Handover.select().where(Handover.id == h1).first()
    assert row["status"] == "待接班" and row["radios"] == "1,2,5" and row["out_signed_at"] and row["in_signed_at"] is None
    # the incoming person: wrong badge refused in Chinese, the outgoing person's badge too
    r = await _sign(c, h1, out["badge"])
    assert r.status_code == 400 and "工号与接班人不符" in r.text
    assert (await Handover.select(Handover.status).where(Handover.id == h1).first())["status"] == "待接班"
    r = await _sign(c, h1, inc["badge"])
    assert r.status_code == 303
    row = await Handover.select().where(Handover.id == h1).first()
    assert row["status"] == "已交接" and row["late"] is True  # the night slot of two days ago ended long ago: 逾时
    assert "逾时" in (await c.get(f"/site/handovers/{h1}")).text
    assert (await _sign(c, h1, inc["badge"])).status_code == 400  # signed once
    # the next handover of the same post offers the open issues; one kept, one resolved
    issues = await HandoverIssue.select().where(HandoverIssue.handover == h1).order_by(HandoverIssue.id)
    assert [i["text"] for i in issues] == ["监控三号镜头模糊", "东侧围挡松动"]
    cur, cur_day = slot_default(slots)
    path = f"/site/handovers/new?team={sec['id']}&post={post['id']}"
    page = await c.get(path)
    assert "监控三号镜头模糊" in page.text and "东侧围挡松动" in page.text
    r, _ = await _create(c, sec, post, cur_day.isoformat(), cur.id, inc, third, inc["name"], resolved=str(issues[1]["id"]))
    h2 = _id(r)
    carried = await HandoverIssue.select().where(HandoverIssue.handover == h2).order_by(HandoverIssue.id)
    assert [(i["text"], i["status"], i["carried_from"]) for i in carried] == [
        ("监控三号镜头模糊", "未结", issues[0]["id"]), ("东侧围挡松动", "已解决", issues[1]["id"])]
    r = await _sign(c, h2, third["badge"])
    assert r.status_code == 303
    assert (await Handover.select(Handover.late).where(Handover.id == h2).first())["late"] is False  # the running slot: in time
    figures = await report.month_figures([sec["id"]], date.fromisoformat(day(2)), date.fromisoformat(day(2)))
    assert figures["handovers"] >= 1 and figures["late_handovers"] >= 1
    lst = await c.get(f"/site/handovers?team={sec['id']}&status=已交接")
    assert lst.status_code == 200 and f"/site/handovers/{h1}" in lst.text


async def test_refusals_and_garbage(new_client):
    c = await sign_in(await new_client(), "security_captain")
    sec = await team("保安队")
    post = await new_post(sec["id"], "测试交接岗B")
    ws = await workers(sec["id"])
    r, _ = await _create(c, sec, post, "2026-13-45", 99999999999, ws[0], ws[0], "", keys="-1", umbrellas="x" * 5000, radios="一,二",
                         fire_status="着火")
    assert r.status_code == 400
    for text in ("班次的选项无效", "接班人不能与交班人相同", "对讲机编号请填数字", "消防器材状态的选项无效", "请交班人输入本人工号"):
        assert text in r.text, text
    r = await c.post("/site/handovers/new", data={"team": "abc"})
    assert r.status_code in (403, 404)
    assert (await c.get("/site/handovers/99999999")).status_code == 404


async def test_cleaner_hands_over_on_the_cleaning_team_only(new_client):
    clean, sec = await team("保洁组"), await team("保安队")
    c = await sign_in(await new_client(), "cleaner")
    assert (await c.get(f"/site/handovers/new?team={sec['id']}")).status_code == 404
    page = await c.get("/site/handovers/new")
    assert page.status_code == 200 and clean["name"] in page.text
    ws = await workers(clean["id"])
    slot = (await team_slots(clean["id"]))[0]
    r, _ = await _create(c, clean, None, day(6), slot.id, ws[1], ws[2], ws[1]["badge"])
    hid = _id(r)
    assert (await _sign(c, hid, ws[2]["name"])).status_code == 303  # the name confirms too
    # the security team's handover: another team → 404 for the cleaner, posting to it too
    guard = await sign_in(await new_client(), "guard")
    gws = await workers(sec["id"])
    spost = await new_post(sec["id"], "测试交接岗C")
    gslot = (await site.slots([spost["pattern"]]))[0]
    r, _ = await _create(guard, sec, spost, day(6), gslot.id, gws[1], gws[2], gws[1]["badge"])
    sec_h = _id(r)
    assert (await c.get(f"/site/handovers/{sec_h}")).status_code == 404
    csrf, idem, _ = await form_tokens(c, f"/site/handovers/{hid}")
    assert (await c.post(f"/site/handovers/{sec_h}/sign", data={"in_badge": gws[2]["badge"], "_csrf_token": csrf, "_idem": idem})).status_code == 404
    assert (await c.post("/site/handovers/new", data={"team": str(sec["id"]), "_csrf_token": csrf})).status_code == 404
    lst = await c.get("/site/handovers")
    assert f"/site/handovers/{hid}" in lst.text and f"/site/handovers/{sec_h}" not in lst.text
    gm = await sign_in(await new_client(), "gm")  # the leaders read, they do not sign
    assert (await gm.get(f"/site/handovers/{sec_h}")).status_code == 200
    assert 'data-testid="sign-form"' not in (await gm.get(f"/site/handovers/{sec_h}")).text


async def test_reminder_once_per_team_and_slot_change(running_app):
    sec = await team("保安队")
    lead = await Employee.select(Employee.user).where(Employee.user.username == "security_captain").first()
    slot = next(s for s in await team_slots(sec["id"]) if s.name == "白班")
    the_day = date.fromisoformat(day(1))
    change = slot.span(the_day)[1]
    ref = remind.ref_of(sec["id"], slot.id, change)
    await Notification.delete().where(Notification.ref == ref)
    assert await remind.remind_once(change - timedelta(minutes=30)) >= 0
    assert not await Notification.exists().where(Notification.ref == ref)  # 30 minutes before: not yet
    import asyncio

    at = change - timedelta(minutes=10)
    await asyncio.gather(remind.remind_once(at), remind.remind_once(at))  # two workers at once
    await remind.remind_once(at + timedelta(minutes=2))
    rows = await Notification.select().where((Notification.ref == ref) & (Notification.user == lead["user"]))
    assert len(rows) == 1 and "交接班" in rows[0]["text"]
    assert await remind.remind_once(change + timedelta(minutes=1)) >= 0
    assert await Notification.count().where(Notification.ref == ref) == 1
    # a pass that comes only just after the change (the worker loop sleeps) still reminds once; well after: nothing
    await Notification.delete().where(Notification.ref == ref)
    await remind.remind_once(change + timedelta(minutes=remind.GRACE_MIN + 1))
    assert not await Notification.exists().where(Notification.ref == ref)
    await remind.remind_once(change + timedelta(minutes=3))
    await remind.remind_once(change + timedelta(minutes=4))
    rows = await Notification.select().where(Notification.ref == ref)
    assert len(rows) == 1 and "已于" in rows[0]["text"]
