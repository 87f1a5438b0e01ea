"""Patrols (SPEC §F3): a guard opens a checkpoint's URL (its QR code) and taps 正常; 异常 needs a photo and a note; a
second scan in the same round is recorded once; another team's checkpoint is out of reach (404); the cleaner may not
scan; the reminder pass alerts a missed window once and the report lists it; the QR sheet; the month's figures."""
from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from app.core.auth import load_user
from app.core.tables import Attachment, AuditLog, Notification
from app.core.timeutil import now
from app.estate.tables import Project
from app.org.tables import Employee
from app.site.tables import SiteTeam
from app.site_patrol import remind, report, services
from app.site_patrol.tables import PatrolCheckpoint, PatrolMiss, PatrolScan
from tests.conftest import csrf_token, sign_in
from tests.samples import png

pytestmark = pytest.mark.integration

IDEM_RE = re.compile(r'name="_idem" value="([^"]+)"')


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', html))


async def _employee(username: str) -> dict:
    return await Employee.select(Employee.id, Employee.user).where(Employee.user.username == username).first()


async def _jc01_security() -> dict:
    return await SiteTeam.select(SiteTeam.id, SiteTeam.name, SiteTeam.project).where(
        SiteTeam.name == "锦城一期售楼处保安队").first()


async def _checkpoint(team_id: int, name: str, hours_ago: float = 0) -> dict:
    cp = PatrolCheckpoint(team=team_id, name=name, place="测试位置", created_at=now() - dt.timedelta(hours=hours_ago))
    await cp.save()
    return {"id": cp.id, "token": cp.token, "name": name}


async def _post(client, token: str, data: dict, files=None, idem: str | None = None):
    page = await client.get(f"/site/patrol/c/{token}")
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    body = {**data, "_csrf_token": csrf}
    if idem:
        body["_idem"] = idem
    return await client.post(f"/site/patrol/c/{token}", data=body, files=files)


async def test_guard_scans_normal_once_per_round(new_client):
    team = await _jc01_security()
    cp = await _checkpoint(team["id"], "测试入口A")
    guard = await sign_in(await new_client(), "guard")
    page = await guard.get(f"/site/patrol/c/{cp['token']}")
    assert page.status_code == 200
    assert 'data-testid="scan-normal"' in page.text and 'capture="environment"' in page.text and 'accept="image/*"' in page.text
    assert "测试入口A" in page.text and 'data-testid="remaining"' in page.text
    r = await _post(guard, cp["token"], {"result": "正常"})
    assert r.status_code == 303, r.text[:2000]
    assert await PatrolScan.count().where(PatrolScan.checkpoint == cp["id"]) == 1
    after = await guard.get(r.headers["location"])
    assert "已记录" in after.text and 'data-testid="scan-recorded"' in after.text
    assert 'data-testid="scan-normal"' not in after.text
    # a second scan in the same round (a fresh form): recorded once
    r2 = await _post(guard, cp["token"], {"result": "正常"})
    assert r2.status_code == 303
    assert await PatrolScan.count().where(PatrolScan.checkpoint == cp["id"]) == 1
    flash = (await guard.get(r2.headers["location"])).text
    assert "未重复记录" in flash
    scan = await PatrolScan.select().where(PatrolScan.checkpoint == cp["id"]).first()
    assert scan["result"] == "正常" and scan["by_user"] == (await _employee("guard"))["user"]
    w = services.window_at(now(), await services.patrol_settings())
    assert scan["window_start"] == w.start
    assert await AuditLog.count().where((AuditLog.action == "site_patrol.scan") & (AuditLog.entity_id == str(scan["id"]))) == 1


async def test_a_retried_post_is_recorded_once(new_client):
    team = await _jc01_security()
    cp = await _checkpoint(team["id"], "测试入口B")
    guard = await sign_in(await new_client(), "guard")
    page = await guard.get(f"/site/patrol/c/{cp['token']}")
    idem = IDEM_RE.search(page.text).group(1)
    r1 = await _post(guard, cp["token"], {"result": "正常"}, idem=idem)
    r2 = await _post(guard, cp["token"], {"result": "正常"}, idem=idem)  # the same form sent again after a timeout
    assert r1.status_code == r2.status_code == 303
    assert await PatrolScan.count().where(PatrolScan.checkpoint == cp["id"]) == 1
    assert await AuditLog.count().where((AuditLog.action == "site_patrol.scan") & AuditLog.summary.like("%测试入口B%")) == 1


async def test_abnormal_needs_a_photo_and_a_note(new_client):
    team = await _jc01_security()
    cp = await _checkpoint(team["id"], "测试配电房")
    guard = await sign_in(await new_client(), "guard")
    audits = await AuditLog.count().where(AuditLog.action == "site_patrol.scan")
    r = await _post(guard, cp["token"], {"result": "异常", "note": "配电房门锁损坏"})
    assert r.status_code == 400
    assert field_errors(r.text)["attachments"] == "异常须拍照：请用相机拍摄现场照片后再提交"
    assert "配电房门锁损坏" in r.text  # the note kept
    assert not await PatrolScan.exists().where(PatrolScan.checkpoint == cp["id"])
    assert await AuditLog.count().where(AuditLog.action == "site_patrol.scan") == audits
    # a photo without a note: refused, the photo kept as a pending upload
    photo = [("camera", ("现场.png", png(), "image/png"))]
    r = await _post(guard, cp["token"], {"result": "异常", "note": ""}, files=photo)
    assert r.status_code == 400 and field_errors(r.text)["note"] == "请填写异常情况说明"
    pending = re.findall(r'name="attachment_ids" value="(\d+)"', r.text)
    assert len(pending) == 1
    assert not await PatrolScan.exists().where(PatrolScan.checkpoint == cp["id"])
    # corrected: the note and the kept photo
    r = await _post(guard, cp["token"], {"result": "异常", "note": "配电房门锁损坏", "attachment_ids": pending[0]})
    assert r.status_code == 303, field_errors(r.text)
    scan = await PatrolScan.select().where(PatrolScan.checkpoint == cp["id"]).first()
    assert scan["result"] == "异常" and scan["note"] == "配电房门锁损坏"
    files = await Attachment.select(Attachment.id, Attachment.owner_kind).where(
        (Attachment.owner_kind == services.OWNER) & (Attachment.owner_id == str(scan["id"])))
    assert [f["id"] for f in files] == [int(pending[0])]
    # the report shows the 异常 with its photo, to the supervisor
    day = services.patrol_day_of(now(), await services.patrol_settings())
    sup = await sign_in(await new_client(), "supervisor")
    rep = await sup.get(f"/site/patrol/report?team={team['id']}&day={day.isoformat()}")
    assert rep.status_code == 200 and "配电房门锁损坏" in rep.text and f'/attachments/{pending[0]}' in rep.text
    assert (await sup.get(f"/attachments/{pending[0]}")).status_code == 200
    cleaner = await sign_in(await new_client(), "cleaner")
    assert (await cleaner.get(f"/attachments/{pending[0]}")).status_code in (403, 404)


async def test_another_teams_checkpoint_is_404(new_client):
    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    other = SiteTeam(name="测试二期巡更保安队", kind="保安", project=jc02["id"], contractor="", lead=None)
    await other.save()
    try:
        cp = await _checkpoint(other.id, "测试他队入口")
        guard = await sign_in(await new_client(), "guard")
        assert (await guard.get(f"/site/patrol/c/{cp['token']}")).status_code == 404
        token = await csrf_token(guard, "/site/patrol")
        r = await guard.post(f"/site/patrol/c/{cp['token']}", data={"result": "正常", "_csrf_token": token})
        assert r.status_code == 404
        assert not await PatrolScan.exists().where(PatrolScan.checkpoint == cp["id"])
        for bad in ("nope", "x" * 40, "%00", "../../etc"):
            assert (await guard.get(f"/site/patrol/c/{bad}")).status_code == 404, bad
        assert (await guard.get(f"/site/patrol/sheet?team={other.id}")).status_code == 404
        assert (await guard.get(f"/site/patrol/report?team={other.id}")).status_code == 404
        assert (await guard.get("/site/patrol/report?team=99999999999999")).status_code == 404
    finally:
        await PatrolCheckpoint.delete().where(PatrolCheckpoint.team == other.id)
        await SiteTeam.delete().where(SiteTeam.id == other.id)


async def test_guard_allowed_cleaner_refused(new_client):
    team = await _jc01_security()
    cp = await _checkpoint(team["id"], "测试样板房")
    guard = await sign_in(await new_client(), "guard")
    home = await guard.get("/site/patrol")
    assert home.status_code == 200 and "测试样板房" in home.text
    assert 'data-testid="nav-site-patrol"' in home.text
    cleaner = await sign_in(await new_client(), "cleaner")
    assert (await cleaner.get(f"/site/patrol/c/{cp['token']}")).status_code == 403
    assert (await cleaner.get("/site/patrol")).status_code == 403
    assert (await cleaner.get("/site/patrol/report")).status_code == 403
    token = await csrf_token(cleaner, "/site")
    r = await cleaner.post(f"/site/patrol/c/{cp['token']}", data={"result": "正常", "_csrf_token": token})
    assert r.status_code == 403
    assert not await PatrolScan.exists().where(PatrolScan.checkpoint == cp["id"])
    gm = await sign_in(await new_client(), "gm")
    assert (await gm.get(f"/site/patrol/report?team={team['id']}")).status_code == 200
    sup = await sign_in(await new_client(), "supervisor")
    assert 'data-testid="nav-site-patrol-report"' in (await sup.get("/site/patrol")).text
    assert (await gm.get(f"/site/patrol/c/{cp['token']}")).status_code == 403
    # bad report input: a field message, never a 500
    r = await guard.get(f"/site/patrol/report?team={team['id']}&day=2026-13-45")
    assert r.status_code == 200 and "日期格式应为" in r.text
    assert (await guard.get(f"/site/patrol/report?team=abc&day={'9' * 5000}")).status_code == 404


async def test_qr_sheet_encodes_the_absolute_checkpoint_urls(new_client):
    team = await _jc01_security()
    captain = await sign_in(await new_client(), "security_captain")
    r = await captain.get(f"/site/patrol/sheet?team={team['id']}")
    assert r.status_code == 200
    for name in ("入口", "配电房", "消防通道/灭火器", "样板房", "停车场", "围挡/看房通道", "广告牌"):
        assert f'data-testid="qr-name">{name}<' in r.text, name
    tokens = [c["token"] for c in await PatrolCheckpoint.select(PatrolCheckpoint.token).where(
        (PatrolCheckpoint.team == team["id"]) & (PatrolCheckpoint.active == True))]  # noqa: E712
    for t in tokens:
        assert f'data-url="http://testserver/site/patrol/c/{t}"' in r.text
    assert r.text.count("<svg") >= len(tokens)


async def _own_team(name: str, lead_username: str | None) -> int:
    team = await _jc01_security()
    lead = await _employee(lead_username) if lead_username else None
    t = SiteTeam(name=name, kind="保安", project=team["project"], contractor="", lead=lead["id"] if lead else None)
    await t.save()
    return t.id


async def _drop_team(team_id: int) -> None:
    ids = [r["id"] for r in await PatrolCheckpoint.select(PatrolCheckpoint.id).where(PatrolCheckpoint.team == team_id)]
    if ids:
        await Attachment.delete().where((Attachment.owner_kind == services.OWNER) & Attachment.owner_id.is_in(
            [str(r["id"]) for r in await PatrolScan.select(PatrolScan.id).where(PatrolScan.checkpoint.is_in(ids))] or ["-"]))
        await PatrolScan.delete().where(PatrolScan.checkpoint.is_in(ids))
        await PatrolMiss.delete().where(PatrolMiss.checkpoint.is_in(ids))
        await PatrolCheckpoint.delete().where(PatrolCheckpoint.id.is_in(ids))
    await SiteTeam.delete().where(SiteTeam.id == team_id)


async def test_remind_alerts_a_missed_window_once_and_the_report_lists_it(new_client):
    team_id = await _own_team("测试巡更漏检保安队", "security_captain")
    captain = await _employee("security_captain")
    try:
        cp = await _checkpoint(team_id, "测试停车场", hours_ago=3)  # due since a window that has surely ended
        ref_like = f"site_patrol_miss:{team_id}:%"
        before = await Notification.count().where((Notification.user == captain["user"]) & Notification.ref.like(ref_like))
        assert before == 0
        # two workers at once: each miss found once, one notification
        found = await asyncio.gather(remind.remind_once(), remind.remind_once())
        misses = await PatrolMiss.select().where(PatrolMiss.checkpoint == cp["id"]).order_by(PatrolMiss.window_start)
        assert misses and all(m["alerted_at"] for m in misses)
        assert sum(found) >= len(misses)
        notes = await Notification.select().where((Notification.user == captain["user"]) & Notification.ref.like(ref_like))
        assert len(notes) == 1 and "巡更漏检" in notes[0]["text"] and "测试停车场" in notes[0]["text"]
        # a later pass: nothing new for the same windows
        await remind.remind_once()
        assert await PatrolMiss.count().where(PatrolMiss.checkpoint == cp["id"]) >= len(misses)
        assert [m["id"] for m in await PatrolMiss.select(PatrolMiss.id).where(
            (PatrolMiss.checkpoint == cp["id"]) & PatrolMiss.window_start.is_in([m["window_start"] for m in misses]))] == [m["id"] for m in misses]
        assert await Notification.count().where((Notification.user == captain["user"]) & Notification.ref.like(ref_like)) <= 2
        assert await Notification.count().where((Notification.user == captain["user"]) & (Notification.ref == notes[0]["ref"])) == 1
        # the report (the notification's link) lists the missed checkpoint
        client = await sign_in(await new_client(), "security_captain")
        rep = await client.get(notes[0]["url"])
        assert rep.status_code == 200
        assert re.search(r'data-testid="missed-item">测试停车场<', rep.text)
        sup = await sign_in(await new_client(), "supervisor")
        assert "测试停车场" in (await sup.get(notes[0]["url"])).text
    finally:
        await Notification.delete().where(Notification.ref.like(f"site_patrol_miss:{team_id}:%"))
        await _drop_team(team_id)


async def test_month_figures(new_client):
    team_id = await _own_team("测试巡更月报保安队", None)
    try:
        cp = await _checkpoint(team_id, "测试广告牌", hours_ago=5)
        guard = await load_user((await _employee("guard"))["user"])
        s = await services.patrol_settings()
        past = now() - dt.timedelta(hours=4)
        cp_row = await PatrolCheckpoint.select(PatrolCheckpoint.all_columns(), PatrolCheckpoint.team.name).where(
            PatrolCheckpoint.id == cp["id"]).first()
        _scan, new = await services.record_scan(guard, cp_row, {"result": "正常"}, [], at=past)
        assert new
        today = services.patrol_day_of(now(), s)
        figs = await report.month_figures([team_id], today - dt.timedelta(days=1), today)
        assert figs["scanned"] == 1 and figs["abnormal"] == 0
        assert figs["expected"] >= 2 and figs["missed"] == figs["expected"] - 1
        assert await report.month_figures([], today, today) == {"expected": 0, "scanned": 0, "missed": 0, "abnormal": 0}
    finally:
        await _drop_team(team_id)


@pytest.mark.parametrize("data", [
    {"result": "x" * 5000},
    {"result": "异常", "note": "坏" * 5000, "attachment_ids": "9" * 5000},
    {"result": "异常", "note": "门锁损坏", "attachment_ids": ["-1", "0", "2147483648", "abc"]},
    {"result": "\x00", "note": "\x00"},
    {"remove_attachment": "9" * 400},
    {},
])
async def test_garbage_posts_are_refused_without_a_500(new_client, data):
    team = await _jc01_security()
    cp = await _checkpoint(team["id"], "测试围挡")
    guard = await sign_in(await new_client(), "guard")
    r = await _post(guard, cp["token"], data)
    assert 400 <= r.status_code < 500 or (r.status_code == 200 and 'data-testid="error-' in r.text) or (
        r.status_code == 200 and "remove_attachment" in data), (r.status_code, r.text[:500])
    assert not await PatrolScan.exists().where(PatrolScan.checkpoint == cp["id"])
    # a file that is not an image: the upload's message, nothing recorded
    r = await _post(guard, cp["token"], {"result": "异常", "note": "x"}, files=[("camera", ("a.exe", b"MZ\x90\x00" * 10, "image/png"))])
    assert r.status_code == 400 and "文件类型不允许" in field_errors(r.text).get("attachments", "")
    assert not await PatrolScan.exists().where(PatrolScan.checkpoint == cp["id"])


async def test_missed_pairs_in_sql_agree_with_the_rules(app):
    from app.site_patrol import rounds

    team_id = await _own_team("测试巡更SQL保安队", None)
    try:
        a = await _checkpoint(team_id, "测试甲", hours_ago=6)
        b = await _checkpoint(team_id, "测试乙", hours_ago=1)
        guard = await load_user((await _employee("guard"))["user"])
        row = await PatrolCheckpoint.select(PatrolCheckpoint.all_columns(), PatrolCheckpoint.team.name).where(
            PatrolCheckpoint.id == a["id"]).first()
        past = now() - dt.timedelta(hours=3)
        await services.record_scan(guard, row, {"result": "正常"}, [], at=past)
        s = await services.patrol_settings()
        day = services.patrol_day_of(now(), s)
        wins = [w for w in rounds.settings_windows(day - dt.timedelta(days=1), s) + rounds.settings_windows(day, s) if w.end <= now()]
        got = await services.missed_pairs(team_id, wins)
        cps = await services.checkpoints(team_id)
        want = [(c["id"], services.utc(w.start)) for w in wins for c in cps if services.expected_in(c, w)
                and not (c["id"] == a["id"] and w.contains(past))]
        assert sorted(got) == sorted(want) and got
        assert (a["id"], services.utc(services.window_at(past, s).start)) not in got
        assert any(cp == b["id"] for cp, _ in got) == any(services.expected_in(cps[1], w) for w in wins)
    finally:
        await _drop_team(team_id)


async def test_a_refused_post_with_a_photo_leaves_its_key_for_the_corrected_one(new_client):
    """A photo uploaded with a form that is refused is kept as a pending upload, but it does not use up the form's
    idempotency key: the refused post writes no key, and the corrected post with the same key is recorded (once)."""
    from app.core.tables import IdempotencyKey as Key

    team = await _jc01_security()
    cp = await _checkpoint(team["id"], "测试围挡")
    guard = await sign_in(await new_client(), "guard")
    key = "retry-" + "k" * 20
    photo = [("camera", ("现场.png", png(), "image/png"))]
    keys = await Key.count()
    r = await _post(guard, cp["token"], {"result": "异常", "note": ""}, files=photo, idem=key)
    assert r.status_code == 400
    assert await Key.count() == keys  # the pending photo is stored, the key is not used up
    pending = re.findall(r'name="attachment_ids" value="(\d+)"', r.text)
    r = await _post(guard, cp["token"], {"result": "异常", "note": "围挡倒伏", "attachment_ids": pending[0]}, idem=key)
    assert r.status_code == 303
    again = await _post(guard, cp["token"], {"result": "异常", "note": "围挡倒伏", "attachment_ids": pending[0]}, idem=key)
    assert again.status_code == 303
    assert await PatrolScan.count().where(PatrolScan.checkpoint == cp["id"]) == 1
