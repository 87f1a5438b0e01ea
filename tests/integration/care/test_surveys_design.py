"""问卷设计 through the real routes: who may design, a questionnaire with its questions, reorder, publish (then frozen),
stop, copy as a new version, bad input kept with Chinese messages, the schedule pass idempotent."""
import pytest

from app.core.tables import AuditLog
from app.pipeline.tables import Deal
from app.surveys.schedule import schedule_once
from app.surveys.tables import Invitation, Question, Questionnaire
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration


async def post(c, path, data):
    token = await csrf_token(c, "/surveys")
    return await c.post(path, data={**data, "_csrf_token": token})


@pytest.mark.parametrize("role,status", [("cr_supervisor", 200), ("supervisor", 200), ("dept_head", 200), ("cr_officer", 403),
                                         ("gm", 403), ("contract", 403)])
async def test_design_pages_by_role(new_client, role, status):
    c = await sign_in(await new_client(), role)
    q = await Questionnaire.select(Questionnaire.id).first()
    for path in ("/surveys", "/surveys/new", f"/surveys/{q['id']}"):
        r = await c.get(path)
        assert r.status_code == status, (path, r.status_code)
        rf = await c.get(path, headers={"HX-Request": "true"})
        assert rf.status_code == status
    if status == 200:
        r = await c.get("/surveys")
        assert "签约服务满意度调查" in r.text and "<aside" in r.text
        rf = await c.get("/surveys", headers={"HX-Request": "true"})
        assert "签约服务满意度调查" in rf.text and "<aside" not in rf.text
        rf = await c.get(f"/surveys/{q['id']}", headers={"HX-Request": "true"})
        assert 'id="design"' in rf.text and "<aside" not in rf.text


async def test_design_publish_freeze_stop_copy(new_client):
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await post(c, "/surveys/new", {"title": "测试问卷·设计", "intro": "您好", "trigger": "after_handover", "offset_days": "", "reminder_days": "7"})
    assert r.status_code == 303
    qid = int(r.headers["location"].rsplit("/", 1)[1])
    q = await Questionnaire.select().where(Questionnaire.id == qid).first()
    assert q["status"] == "草稿" and q["offset_days"] == 90  # the default for 交房后: 3 months
    for kind, text, options in (("scale", "整体满意度", ""), ("single", "是否清楚", "清楚\n不清楚"), ("text", "建议", "")):
        r = await post(c, f"/surveys/{qid}/questions", {"kind": kind, "text": text, "options": options, "required": "1"})
        assert r.status_code == 303, r.text[:300]
    ids = [x["id"] for x in await Question.select(Question.id).where(Question.questionnaire == qid).order_by(Question.sort)]
    r = await post(c, f"/surveys/{qid}/questions/{ids[2]}/move", {"dir": "up"})
    assert r.status_code == 303
    order = [x["id"] for x in await Question.select(Question.id).where(Question.questionnaire == qid).order_by(Question.sort)]
    assert order == [ids[0], ids[2], ids[1]]
    # HTMX: the same action answers with the design fragment
    r = await c.post(f"/surveys/{qid}/questions/{ids[2]}/move", data={"dir": "down"}, headers={"HX-Request": "true", "x-csrftoken": await csrf_token(c, "/surveys")})
    assert r.status_code == 200 and 'id="design"' in r.text
    r = await post(c, f"/surveys/{qid}/publish", {})
    assert r.status_code == 303
    assert (await Questionnaire.select(Questionnaire.status).where(Questionnaire.id == qid).first())["status"] == "已发布"
    assert await AuditLog.exists().where((AuditLog.action == "survey.publish") & (AuditLog.entity_id == str(qid)))
    # frozen: editing the questions or the rules is refused with a Chinese message, nothing written
    before = await Question.count().where(Question.questionnaire == qid)
    r = await post(c, f"/surveys/{qid}/questions", {"kind": "text", "text": "再加一题", "required": "1"})
    assert r.status_code == 400 and "复制为新版本" in r.text
    r = await post(c, f"/surveys/{qid}/questions/{ids[0]}", {"kind": "scale", "text": "改题目"})
    assert r.status_code == 303
    assert (await Question.select(Question.text).where(Question.id == ids[0]).first())["text"] == "整体满意度"
    r = await post(c, f"/surveys/{qid}", {"title": "改标题", "trigger": "manual", "reminder_days": "1"})
    assert r.status_code == 400 and "复制为新版本" in r.text
    assert await Question.count().where(Question.questionnaire == qid) == before
    # copy as a new version: a draft with the same questions
    r = await post(c, f"/surveys/{qid}/copy", {})
    assert r.status_code == 303
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert new_id != qid
    copy = await Questionnaire.select().where(Questionnaire.id == new_id).first()
    assert copy["status"] == "草稿" and copy["title"].startswith("测试问卷·设计")
    assert await Question.count().where(Question.questionnaire == new_id) == before
    r = await post(c, f"/surveys/{qid}/stop", {})
    assert r.status_code == 303
    assert (await Questionnaire.select(Questionnaire.status).where(Questionnaire.id == qid).first())["status"] == "已停用"


async def test_bad_input_keeps_values_with_chinese_messages(new_client):
    c = await sign_in(await new_client(), "cr_supervisor")
    n = await Questionnaire.count()
    r = await post(c, "/surveys/new", {"title": "", "intro": "保留的开头语", "trigger": "after_signing", "offset_days": "-3", "reminder_days": "x"})
    assert r.status_code == 400
    assert "请填写问卷标题" in r.text and "延后天数不能小于 0" in r.text and "提醒天数应为整数" in r.text and "保留的开头语" in r.text
    assert await Questionnaire.count() == n
    r = await post(c, "/surveys/new", {"title": "测试问卷·输入", "trigger": "manual", "reminder_days": "3"})
    qid = int(r.headers["location"].rsplit("/", 1)[1])
    r = await post(c, f"/surveys/{qid}/questions", {"kind": "single", "text": "只有一个选项的题", "options": "唯一选项"})
    assert r.status_code == 400 and "至少需要 2 个选项" in r.text and "只有一个选项的题" in r.text
    r = await post(c, f"/surveys/{qid}/publish", {})
    assert r.status_code == 400 and "还没有题目" in r.text
    assert await Question.count().where(Question.questionnaire == qid) == 0
    assert (await c.get("/surveys/999999")).status_code == 404


async def test_schedule_is_idempotent_and_set_based(new_client):
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await post(c, "/surveys/new", {"title": "测试问卷·排期", "trigger": "after_signing", "offset_days": "0", "reminder_days": "3"})
    qid = int(r.headers["location"].rsplit("/", 1)[1])
    await post(c, f"/surveys/{qid}/questions", {"kind": "scale", "text": "满意度", "required": "1"})
    await post(c, f"/surveys/{qid}/publish", {})
    r = await post(c, "/surveys/schedule", {})
    assert r.status_code == 303 and r.headers["location"] == "/surveys/invitations"
    signed = await Deal.count().where(Deal.signed_on.is_not_null() & Deal.stage.not_in(["已作废", "已退订"]))
    first = await Invitation.count().where(Invitation.questionnaire == qid)
    assert first == signed > 0
    assert await schedule_once() == 0  # a second pass creates nothing
    r = await post(c, "/surveys/schedule", {})
    assert await Invitation.count().where(Invitation.questionnaire == qid) == first
    keys = await Invitation.select(Invitation.key, Invitation.token_hash).where(Invitation.questionnaire == qid)
    assert all(k["key"].startswith(f"{qid}:") and len(k["token_hash"]) == 64 for k in keys)
    # the officer may not run it
    o = await sign_in(await new_client(), "cr_officer")
    assert (await o.post("/surveys/schedule", data={"_csrf_token": await csrf_token(o, "/surveys/invitations")})).status_code == 403


async def test_manual_questionnaire_invites_one_project_once(new_client):
    from app.estate.tables import Project

    c = await sign_in(await new_client(), "cr_supervisor")
    r = await post(c, "/surveys/new", {"title": "测试问卷·手动", "trigger": "manual", "offset_days": "", "reminder_days": "3"})
    qid = int(r.headers["location"].rsplit("/", 1)[1])
    await post(c, f"/surveys/{qid}/questions", {"kind": "scale", "text": "满意度", "required": "1"})
    await post(c, f"/surveys/{qid}/publish", {})
    assert await schedule_once() >= 0 and await Invitation.count().where(Invitation.questionnaire == qid) == 0  # never scheduled
    page = await c.get(f"/surveys/{qid}")
    assert 'data-testid="invite-form"' in page.text
    r = await post(c, f"/surveys/{qid}/invite", {"project": ""})
    assert r.status_code == 400 and "请选择项目" in r.text
    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    r = await post(c, f"/surveys/{qid}/invite", {"project": str(jc02["id"])})
    assert r.status_code == 303
    n = await Invitation.count().where(Invitation.questionnaire == qid)
    signed = await Deal.count().where(Deal.signed_on.is_not_null() & Deal.stage.not_in(["已作废", "已退订"]) & (Deal.project == jc02["id"]))
    assert n == signed > 0
    assert await Invitation.count().where((Invitation.questionnaire == qid) & (Invitation.project != jc02["id"])) == 0
    await post(c, f"/surveys/{qid}/invite", {"project": str(jc02["id"])})
    assert await Invitation.count().where(Invitation.questionnaire == qid) == n
