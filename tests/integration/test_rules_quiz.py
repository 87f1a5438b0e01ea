"""Quizzes on rule versions (SPEC §G 规章确认与培训): the rules manager attaches a quiz (bad text refused with the
reason); acknowledging that version then needs passing it: a failed attempt is recorded and shows which answers were
wrong (garbage answers count as wrong, never a 500), a pass records the acknowledgement; a version without a quiz is
acknowledged as before (tests/integration/test_rules.py). Each test uses its own document, removed afterwards."""
import uuid

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.rules.tables import RuleAcknowledgement, RuleClause, RuleDocument, RuleQuizAttempt, RuleQuizQuestion, RuleVersion
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration

QUIZ = """客户投诉应在多长时间内回复？
A. 12 小时
*B. 24 小时
C. 3 天

交房时须向业主说明什么？
*A. 面积差及补差
B. 车位价格"""


@pytest.fixture
async def doc():
    code = f"t-quiz-{uuid.uuid4().hex[:8]}"
    d = RuleDocument(code=code, title="测验测试规章", requires_ack=True, sort=999)
    await d.save()
    v = RuleVersion(document=d.id, version_no=1, effective_on=today_local(), is_current=True, published_at=now())
    await v.save()
    await RuleClause.insert(RuleClause(version=v.id, seq=1, anchor="art1", text="第一条 客户投诉应在 24 小时内回复。"))
    yield {"code": code, "vid": v.id}
    await RuleAcknowledgement.delete().where(RuleAcknowledgement.version == v.id)
    await RuleQuizAttempt.delete().where(RuleQuizAttempt.version == v.id)
    await RuleQuizQuestion.delete().where(RuleQuizQuestion.version == v.id)
    await RuleClause.delete().where(RuleClause.version == v.id)
    await RuleVersion.delete().where(RuleVersion.id == v.id)
    await RuleDocument.delete().where(RuleDocument.id == d.id)


async def post(client, path: str, data: dict, **kw):
    return await client.post(path, data={**data, "_csrf_token": await csrf_token(client, "/rules")}, **kw)


async def test_manager_attaches_a_quiz_and_bad_text_is_refused(new_client, doc):
    staff = await sign_in(await new_client(), "contract")
    assert (await staff.get(f"/rules/versions/{doc['vid']}/quiz")).status_code == 403
    hr = await sign_in(await new_client(), "hr")
    page = await hr.get(f"/rules/{doc['code']}")
    assert 'data-testid="quiz-link"' in page.text and 'data-testid="ack-form"' in page.text
    assert (await hr.get(f"/rules/versions/{doc['vid']}/quiz")).status_code == 200
    for bad in ("问题\nA. 一\nB. 二", "随便", "\x00" * 3, "问\n*A. " + "长" * 300 + "\nB. 二"):
        r = await post(hr, f"/rules/versions/{doc['vid']}/quiz", {"text": bad})
        assert r.status_code == 400 and 'data-testid="error-text"' in r.text, bad
    assert not await RuleQuizQuestion.exists().where(RuleQuizQuestion.version == doc["vid"])
    r = await post(hr, f"/rules/versions/{doc['vid']}/quiz", {"text": QUIZ})
    assert r.status_code == 303
    assert await RuleQuizQuestion.count().where(RuleQuizQuestion.version == doc["vid"]) == 2
    assert "*B. 24 小时" in (await hr.get(f"/rules/versions/{doc['vid']}/quiz")).text
    assert (await post(hr, "/rules/versions/99999999/quiz", {"text": QUIZ})).status_code == 404


async def test_failed_then_passed_quiz_is_the_acknowledgement(new_client, doc):
    hr = await sign_in(await new_client(), "hr")
    await post(hr, f"/rules/versions/{doc['vid']}/quiz", {"text": QUIZ})
    q1, q2 = [q["id"] for q in await RuleQuizQuestion.select(RuleQuizQuestion.id).where(
        RuleQuizQuestion.version == doc["vid"]).order_by(RuleQuizQuestion.seq)]
    c = await sign_in(await new_client(), "contract")
    page = await c.get(f"/rules/{doc['code']}")
    assert 'data-testid="quiz-form"' in page.text and 'data-testid="ack-form"' not in page.text and "80% 及格" in page.text
    # no answers at all, garbage answers: failed attempts, no acknowledgement, never a 500
    r = await post(c, f"/rules/versions/{doc['vid']}/ack", {})
    assert r.status_code == 400 and 'data-testid="quiz-wrong-1"' in r.text and 'data-testid="quiz-wrong-2"' in r.text
    r = await post(c, f"/rules/versions/{doc['vid']}/ack", {f"q_{q1}": "9" * 50, f"q_{q2}": "\x00", "q_abc": "1", "q_99999999999": "1"})
    assert r.status_code == 400
    # one right, one wrong: 50 % < 80 %; the wrong one is marked, the right one not; the choice is kept
    r = await post(c, f"/rules/versions/{doc['vid']}/ack", {f"q_{q1}": "2", f"q_{q2}": "2"})
    assert r.status_code == 400 and 'data-testid="quiz-wrong-2"' in r.text and 'data-testid="quiz-wrong-1"' not in r.text
    assert "答错第 2 题" in r.text
    assert not await RuleAcknowledgement.exists().where(RuleAcknowledgement.version == doc["vid"])
    attempts = await RuleQuizAttempt.select().where(RuleQuizAttempt.version == doc["vid"]).order_by(RuleQuizAttempt.id)
    assert len(attempts) == 3 and not any(a["passed"] for a in attempts) and attempts[-1]["wrong"] == "2" and attempts[-1]["score_pct"] == 50
    # the page shows the last attempt's wrong answer
    assert 'data-testid="quiz-failed"' in (await c.get(f"/rules/{doc['code']}")).text
    # HTMX: the panel comes back (200) with the wrong answers
    token = await csrf_token(c, "/rules")
    r = await c.post(f"/rules/versions/{doc['vid']}/ack", data={f"q_{q1}": "1"}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 200 and 'id="ack-panel"' in r.text and 'data-testid="quiz-failed"' in r.text
    # passed: acknowledged
    r = await post(c, f"/rules/versions/{doc['vid']}/ack", {f"q_{q1}": "2", f"q_{q2}": "1"})
    assert r.status_code == 303
    assert await RuleAcknowledgement.exists().where(RuleAcknowledgement.version == doc["vid"])
    assert 'data-testid="ack-state"' in (await c.get(f"/rules/{doc['code']}")).text
    assert await AuditLog.exists().where((AuditLog.action == "rules.quiz_attempt") & (AuditLog.entity_id == str(doc["vid"])))
    # a second submission changes nothing
    r = await post(c, f"/rules/versions/{doc['vid']}/ack", {})
    assert r.status_code == 303 and await RuleQuizAttempt.count().where(RuleQuizAttempt.version == doc["vid"]) == 5


async def test_version_without_quiz_acknowledged_as_before(new_client, doc):
    c = await sign_in(await new_client(), "contract")
    r = await post(c, f"/rules/versions/{doc['vid']}/ack", {})
    assert r.status_code == 303 and await RuleAcknowledgement.exists().where(RuleAcknowledgement.version == doc["vid"])
    assert not await RuleQuizAttempt.exists().where(RuleQuizAttempt.version == doc["vid"])
