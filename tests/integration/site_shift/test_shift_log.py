"""The shift log on the lead's tablet (SPEC §F6): roll call with a photo, one log per (team, day, slot), the same post
retried with its idempotency key recorded once, the record scope and garbage input refused field by field."""
import pytest

from app.core.tables import Attachment, AuditLog
from app.site_shift import report
from app.site_shift.services import LOG_OWNER, team_slots
from app.site_shift.tables import LogItem, PostCheck, RollCall, ShiftLog
from tests.conftest import sign_in
from tests.integration.site_shift.helpers import day, form_tokens, png, team, workers

pytestmark = pytest.mark.integration


async def _slot(team_id: int, name: str = "白班") -> int:
    return next(s.id for s in await team_slots(team_id) if s.name == name)


async def _roll_data(sec: dict, when: str, slot: int, ws: list[dict]) -> dict:
    data = {"team": str(sec["id"]), "day": when, "slot": str(slot), "note": "测试点名"}
    for i, w in enumerate(ws):
        data[f"att_{w['id']}"] = "缺勤" if i == 1 else ("迟到" if i == 2 else "到岗")
        data[f"uni_{w['id']}"] = "不合格" if i == 3 else "合格"
    return data


async def test_roll_call_with_a_photo(new_client):
    c = await sign_in(await new_client(), "security_captain")
    sec = await team("保安队")
    ws = await workers(sec["id"])
    slot = await _slot(sec["id"])
    csrf, idem, html = await form_tokens(c, f"/site/shifts/new?team={sec['id']}")
    assert 'capture="environment"' in html and "site-actions" in html
    from app.site.tables import SitePost

    post = await SitePost.select(SitePost.id).where(SitePost.team == sec["id"]).order_by(SitePost.id).first()
    data = {**await _roll_data(sec, day(3), slot, ws), "_csrf_token": csrf, "_idem": idem,
            "p_post": [str(post["id"]), str(post["id"])], "p_result": ["正常", "异常"], "p_note": ["", "门禁卡读卡器失灵"],
            "c_item": ["鞋套", ""], "c_qty": ["40", ""], "d_item": ["对讲机天线"], "d_note": ["折断"]}
    r = await c.post("/site/shifts/new", data=data, files={"camera": ("lineup.png", png(), "image/png")})
    assert r.status_code == 303, r.text[:1000]
    log_id = int(r.headers["location"].rsplit("/", 1)[1])
    log = await ShiftLog.select().where(ShiftLog.id == log_id).first()
    assert log["team"] == sec["id"] and log["slot"] == slot
    roll = await RollCall.select().where(RollCall.log == log_id)
    assert len(roll) == len(ws)
    assert sum(1 for x in roll if x["attendance"] == "缺勤") == 1 and sum(1 for x in roll if x["uniform"] == "不合格") == 1
    assert await PostCheck.count().where(PostCheck.log == log_id) == 2
    items = await LogItem.select().where(LogItem.log == log_id).order_by(LogItem.id)
    assert [(i["kind"], i["item"], i["quantity"]) for i in items] == [("耗材", "鞋套", 40), ("损坏遗失", "对讲机天线", 0)]
    photos = await Attachment.select().where((Attachment.owner_kind == LOG_OWNER) & (Attachment.owner_id == str(log_id)))
    assert len(photos) == 1
    assert await AuditLog.exists().where((AuditLog.entity == "site_shift_log") & (AuditLog.entity_id == str(log_id)))
    page = await c.get(f"/site/shifts/{log_id}")
    assert page.status_code == 200 and "缺勤 1 人" in page.text and "门禁卡读卡器失灵" in page.text and "lineup" in page.text
    lst = await c.get("/site/shifts")
    assert lst.status_code == 200 and f"/site/shifts/{log_id}" in lst.text
    figures = await report.month_figures([sec["id"]], log["day"], log["day"])
    assert figures["logs"] >= 1 and figures["absent"] >= 1 and figures["uniform_fail"] >= 1


async def test_the_same_post_retried_is_recorded_once(new_client):
    c = await sign_in(await new_client(), "security_captain")
    sec = await team("保安队")
    slot = await _slot(sec["id"])
    csrf, idem, _ = await form_tokens(c, f"/site/shifts/new?team={sec['id']}")
    data = {**await _roll_data(sec, day(4), slot, await workers(sec["id"])), "_csrf_token": csrf, "_idem": idem}
    first = await c.post("/site/shifts/new", data=data)
    second = await c.post("/site/shifts/new", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert await ShiftLog.count().where((ShiftLog.team == sec["id"]) & (ShiftLog.day == first_day(day(4))) & (ShiftLog.slot == slot)) == 1


def first_day(text: str):
    from datetime import date

    return date.fromisoformat(text)


async def test_one_log_per_slot(new_client):
    c = await sign_in(await new_client(), "security_captain")
    sec = await team("保安队")
    slot = await _slot(sec["id"], "夜班")
    ws = await workers(sec["id"])
    csrf, idem, _ = await form_tokens(c, f"/site/shifts/new?team={sec['id']}")
    r1 = await c.post("/site/shifts/new", data={**await _roll_data(sec, day(5), slot, ws), "_csrf_token": csrf, "_idem": idem})
    assert r1.status_code == 303
    csrf, idem2, html = await form_tokens(c, f"/site/shifts/new?team={sec['id']}&day={day(5)}&slot={slot}")
    assert 'data-testid="shift-exists"' in html  # the form says so before the second is written
    r2 = await c.post("/site/shifts/new", data={**await _roll_data(sec, day(5), slot, ws), "_csrf_token": csrf, "_idem": idem2})
    assert r2.status_code == 303 and r2.headers["location"] == r1.headers["location"]  # opens the existing one
    assert "每个班次只记一次" in (await c.get(r2.headers["location"])).text
    assert await ShiftLog.count().where((ShiftLog.team == sec["id"]) & (ShiftLog.day == first_day(day(5))) & (ShiftLog.slot == slot)) == 1


async def test_scope_and_refusals(new_client):
    sec, clean = await team("保安队"), await team("保洁组")
    lead = await sign_in(await new_client(), "cleaning_lead")
    assert (await lead.get(f"/site/shifts/new?team={sec['id']}")).status_code == 404  # not their team
    assert (await lead.get(f"/site/shifts/new?team={clean['id']}")).status_code == 200
    assert (await lead.get("/site/shifts/new?team=99999999999999")).status_code == 404
    guard = await sign_in(await new_client(), "guard")
    assert (await guard.get("/site/shifts")).status_code == 403  # the roll call is the lead's
    cap = await sign_in(await new_client(), "security_captain")
    csrf, idem, _ = await form_tokens(cap, f"/site/shifts/new?team={sec['id']}")
    ws = await workers(sec["id"])
    r = await cap.post("/site/shifts/new", data={"team": str(sec["id"]), "day": "2026-02-30", "slot": "x" * 5000, "_csrf_token": csrf,
                                                 "_idem": idem, f"att_{ws[0]['id']}": "睡觉", "c_item": ["鞋套"], "c_qty": ["9" * 400],
                                                 "p_post": ["999999"], "p_result": ["正常"], "p_note": [""]})
    assert r.status_code == 400
    for text in ("班次的选项无效", "出勤的选项无效", "请选择本班组的岗位", "不能大于"):
        assert text in r.text, text
    log = await ShiftLog.select(ShiftLog.id).where(ShiftLog.team == sec["id"]).first()
    if log:
        assert (await lead.get(f"/site/shifts/{log['id']}")).status_code == 404
    assert (await cap.get("/site/shifts/99999999")).status_code == 404
