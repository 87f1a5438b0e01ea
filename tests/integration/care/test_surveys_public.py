"""The customer's link (/s/{token}) without signing in: the questionnaire, Chinese validation with the answers kept,
answered once (a second submit writes nothing), tampered or unknown tokens → 404, a stopped questionnaire → closed;
the officers' invitation pages (scope, mark sent) and the reminders of non-responders (once)."""
from datetime import timedelta

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import now
from app.org.tables import Employee
from app.surveys import links
from app.surveys.remind import remind_non_responders, remind_once
from app.surveys.tables import Answer, Invitation, Question, Questionnaire
from tests.conftest import CSRF_RE, csrf_token, sign_in

pytestmark = pytest.mark.integration


async def _open_invitation(code: str = "") -> dict:
    """An unanswered invitation of a published questionnaire (of project `code` if given)."""
    q = Invitation.select(Invitation.id, Invitation.key, Invitation.questionnaire, Invitation.project.code).where(
        Invitation.answered_at.is_null() & (Invitation.questionnaire.status == "已发布") & (Invitation.questionnaire.title == "签约服务满意度调查"))
    if code:
        q = q.where(Invitation.project.code == code)
    inv = await q.order_by(Invitation.id, ascending=False).first()
    assert inv, "the demo data has unanswered invitations"
    return inv


async def _questions(qid: int) -> list[dict]:
    return await Question.select().where(Question.questionnaire == qid).order_by(Question.sort)


async def _full_answer(qs) -> dict:
    data = {}
    for q in qs:
        name = f"q{q['id']}"
        if q["kind"] == "scale":
            data[name] = "5"
        elif q["kind"] == "single":
            data[name] = q["options"].split("\n")[0]
        elif q["kind"] == "multiple":
            data[name] = q["options"].split("\n")[:2]
        else:
            data[name] = "服务很好"
    return data


async def test_answer_once_without_signing_in(new_client):
    inv = await _open_invitation()
    token = links.token_for(inv["key"])
    c = await new_client()  # no sign-in
    r = await c.get(f"/s/{token}")
    assert r.status_code == 200 and "签约服务满意度调查" in r.text
    assert "<aside" not in r.text and "portal-public" in r.text and "<script" not in r.text
    csrf = CSRF_RE.search(r.text).group(1)
    qs = await _questions(inv["questionnaire"])
    scale = next(q for q in qs if q["kind"] == "scale")
    text_q = next(q for q in qs if q["kind"] == "text")
    n_answers = await Answer.count()

    # a missing required answer and a bad scale value: Chinese messages on the questions, the answers kept, nothing written
    data = await _full_answer(qs)
    data.pop(f"q{scale['id']}")
    data[f"q{text_q['id']}"] = "保留我的意见"
    r = await c.post(f"/s/{token}", data={**data, "_csrf_token": csrf})
    assert r.status_code == 400
    assert f'data-testid="error-q{scale["id"]}"' in r.text and "此题为必答题，请选择 1–5 分" in r.text and "保留我的意见" in r.text
    data[f"q{scale['id']}"] = "6"
    r = await c.post(f"/s/{token}", data={**data, "_csrf_token": csrf})
    assert r.status_code == 400 and "评分应为 1–5 分的整数" in r.text
    single = next(q for q in qs if q["kind"] == "single")
    bad = {**data, f"q{scale['id']}": "4", f"q{single['id']}": "不在列表中的选项"}
    r = await c.post(f"/s/{token}", data={**bad, "_csrf_token": csrf})
    assert r.status_code == 400 and "所选选项无效" in r.text
    long = {**data, f"q{scale['id']}": "4", f"q{text_q['id']}": "长" * 501}
    r = await c.post(f"/s/{token}", data={**long, "_csrf_token": csrf})
    assert r.status_code == 400 and "最多填写 500 个字" in r.text
    assert await Answer.count() == n_answers
    assert (await Invitation.select(Invitation.answered_at).where(Invitation.id == inv["id"]).first())["answered_at"] is None

    # without the CSRF token: refused
    r = await c.post(f"/s/{token}", data={**data, f"q{scale['id']}": "4"})
    assert r.status_code == 403

    data[f"q{scale['id']}"] = "4"
    r = await c.post(f"/s/{token}", data={**data, "_csrf_token": csrf})
    assert r.status_code == 200 and "提交成功" in r.text
    written = await Answer.count()
    assert written > n_answers
    got = await Answer.select(Answer.score).where((Answer.invitation == inv["id"]) & (Answer.question == scale["id"])).first()
    assert got["score"] == 4
    assert await AuditLog.exists().where((AuditLog.action == "survey.answer") & (AuditLog.entity_id == str(inv["id"])))

    # a second submit and a second visit: the Chinese notice, nothing written twice
    r = await c.post(f"/s/{token}", data={**data, "_csrf_token": csrf})
    assert r.status_code == 200 and "您已提交过，感谢" in r.text
    r = await c.get(f"/s/{token}")
    assert r.status_code == 200 and "您已提交过，感谢" in r.text and "answer-form" not in r.text
    assert await Answer.count() == written


async def test_tampered_or_unknown_token_is_404_in_chinese(new_client):
    inv = await _open_invitation()
    token = links.token_for(inv["key"])
    c = await new_client()
    for bad in (("A" if token[0] != "A" else "B") + token[1:], token[:-1], "x" * 22, "nonsense", links.token_for("999999:1")):
        r = await c.get(f"/s/{bad}")
        assert r.status_code == 404, bad
        assert "链接无效" in r.text and inv["key"] not in r.text and "Traceback" not in r.text
        r = await c.post(f"/s/{bad}", data={"_csrf_token": await csrf_token(c, f"/s/{token}")})
        assert r.status_code == 404


async def test_stopped_questionnaire_shows_closed_notice(new_client):
    s = await sign_in(await new_client(), "cr_supervisor")
    t = await csrf_token(s, "/surveys")
    r = await s.post("/surveys/new", data={"title": "测试问卷·停用", "trigger": "after_signing", "offset_days": "0", "reminder_days": "3", "_csrf_token": t})
    qid = int(r.headers["location"].rsplit("/", 1)[1])
    await s.post(f"/surveys/{qid}/questions", data={"kind": "scale", "text": "满意度", "required": "1", "_csrf_token": t})
    await s.post(f"/surveys/{qid}/publish", data={"_csrf_token": t})
    await s.post("/surveys/schedule", data={"_csrf_token": t})
    inv = await Invitation.select(Invitation.key).where(Invitation.questionnaire == qid).first()
    await s.post(f"/surveys/{qid}/stop", data={"_csrf_token": t})
    c = await new_client()
    r = await c.get(f"/s/{links.token_for(inv['key'])}")
    assert r.status_code == 200 and "调查已结束" in r.text and "answer-form" not in r.text


@pytest.mark.parametrize("role,status", [("cr_officer", 200), ("cr_supervisor", 200), ("complaint_officer", 200), ("gm", 403), ("contract", 403),
                                         ("quality", 403)])
async def test_invitations_page_by_role(new_client, role, status):
    c = await sign_in(await new_client(), role)
    r = await c.get("/surveys/invitations")
    assert r.status_code == status
    rf = await c.get("/surveys/invitations?state=todo", headers={"HX-Request": "true"})
    assert rf.status_code == status
    if status == 200:
        assert "<aside" in r.text and "<aside" not in rf.text and 'id="invitation-list"' in rf.text
        assert "****" in r.text  # phones masked


async def test_invitation_scope_and_mark_sent(new_client):
    jc02 = await _open_invitation("JC02")
    jc01 = await Invitation.select(Invitation.id).where(Invitation.sent_at.is_null() & Invitation.answered_at.is_null()
                                                        & (Invitation.project.code == "JC01") & (Invitation.due_on <= now().date())).first()
    o2 = await sign_in(await new_client(), "cr_officer2")  # JC01 only
    assert (await o2.get(f"/surveys/invitations/{jc02['id']}")).status_code == 404
    t2 = await csrf_token(o2, "/surveys/invitations")
    assert (await o2.post(f"/surveys/invitations/{jc02['id']}/sent", data={"via": "微信", "_csrf_token": t2})).status_code == 404
    lst = await o2.get("/surveys/invitations?per_page=100")
    assert f"/surveys/invitations/{jc02['id']}\"" not in lst.text
    r = await o2.get(f"/surveys/invitations/{jc01['id']}")
    assert r.status_code == 200
    assert 'data-testid="invitation-qr"' in r.text and "<svg" in r.text and "/s/" in r.text
    inv = await Invitation.select(Invitation.key).where(Invitation.id == jc01["id"]).first()
    assert links.token_for(inv["key"]) in r.text
    r = await o2.post(f"/surveys/invitations/{jc01['id']}/sent", data={"via": "邮件", "_csrf_token": t2})
    assert r.status_code == 400 and "请选择发送方式" in r.text
    r = await o2.post(f"/surveys/invitations/{jc01['id']}/sent", data={"via": "短信", "_csrf_token": t2}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="send-panel"' in r.text and "<aside" not in r.text and "通过短信发送" in r.text
    row = await Invitation.select(Invitation.sent_at, Invitation.sent_via, Invitation.sent_by.user.username).where(Invitation.id == jc01["id"]).first()
    assert row["sent_at"] and row["sent_via"] == "短信" and row["sent_by.user.username"] == "cr_officer2"
    r = await o2.post(f"/surveys/invitations/{jc01['id']}/sent", data={"via": "微信", "_csrf_token": t2})
    assert r.status_code == 400 and "已标记为已发送" in r.text
    assert await AuditLog.count().where((AuditLog.action == "survey.send") & (AuditLog.entity_id == str(jc01["id"]))) == 1


async def test_reminder_once_per_invitation(new_client):
    officer = await Employee.select(Employee.id, Employee.user).where(Employee.user.username == "cr_officer").first()
    inv = await _open_invitation()
    await Invitation.update({Invitation.sent_at: now() - timedelta(days=30), Invitation.sent_by: officer["id"], Invitation.sent_via: "微信",
                             Invitation.reminders: 0}).where(Invitation.id == inv["id"])
    ref = f"survey:{inv['id']}:remind"
    # an earlier pass (the care worker calls this one too) may have reminded of this invitation before the reset above
    await Notification.delete().where(Notification.ref == ref)
    await remind_once()
    assert await Notification.count().where((Notification.ref == ref) & (Notification.user == officer["user"]) & (Notification.kind == "survey")) == 1
    await remind_non_responders()
    await remind_once()
    assert await Notification.count().where(Notification.ref == ref) == 1
    assert (await Invitation.select(Invitation.reminders).where(Invitation.id == inv["id"]).first())["reminders"] == 1
    # the customer answers: the reminder is closed
    qs = await _questions(inv["questionnaire"])
    c = await new_client()
    token = links.token_for(inv["key"])
    csrf = await csrf_token(c, f"/s/{token}")
    r = await c.post(f"/s/{token}", data={**(await _full_answer(qs)), "_csrf_token": csrf})
    assert "提交成功" in r.text
    assert (await Notification.select(Notification.closed_at).where(Notification.ref == ref).first())["closed_at"] is not None


async def test_public_route_is_marked_public(app):
    from app.core.guards import GUARD_MARK

    marks = {}
    for route in app.routes:
        if route.path.startswith("/s/"):
            for h in route.route_handlers:
                if not ({"GET", "POST"} & set(h.http_methods)):
                    continue  # Litestar's own OPTIONS handler
                marks[(route.path, tuple(sorted(h.http_methods)))] = [m for layer in h.ownership_layers for g in (layer.guards or []) for m in getattr(g, GUARD_MARK, ())]
    assert len(marks) == 2 and all(m == ["public"] for m in marks.values()), marks
    assert await Questionnaire.exists()
