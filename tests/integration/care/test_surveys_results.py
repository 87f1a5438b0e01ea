"""调查结果: who may read them, per question and per project (aggregated in SQL, in scope), text answers paged, the
xlsx export (audited), and the surveys' figure on the KPI board."""
from datetime import date, timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.estate.tables import Project
from app.surveys.tables import Answer, Invitation, Question, Questionnaire
from tests.conftest import sign_in

pytestmark = pytest.mark.integration


async def _seeded() -> dict:
    return await Questionnaire.select(Questionnaire.id).where(Questionnaire.title == "签约服务满意度调查").first()


@pytest.mark.parametrize("role,status", [("cr_supervisor", 200), ("cr_officer", 200), ("gm", 200), ("quality", 200), ("clerk", 200),
                                         ("contract", 403), ("sales", 403)])
async def test_results_by_role(new_client, role, status):
    c = await sign_in(await new_client(), role)
    q = await _seeded()
    r = await c.get(f"/surveys/results?questionnaire={q['id']}")
    assert r.status_code == status
    rf = await c.get(f"/surveys/results?questionnaire={q['id']}", headers={"HX-Request": "true"})
    assert rf.status_code == status
    if status == 200:
        assert "<aside" in r.text and "echarts-6.1.0.min.js" in r.text and "data-chart=" in r.text
        assert 'id="results"' in rf.text and "<aside" not in rf.text


async def test_results_figures_match_the_answers_and_scope(new_client):
    q = await _seeded()
    scale = await Question.select(Question.id).where((Question.questionnaire == q["id"]) & (Question.kind == "scale")).order_by(Question.sort).first()
    c = await sign_in(await new_client(), "gm")
    r = await c.get(f"/surveys/results?questionnaire={q['id']}")
    answered = await Invitation.count().where((Invitation.questionnaire == q["id"]) & Invitation.answered_at.is_not_null())
    assert f'data-testid="total-answered">{answered}<' in r.text
    scores = await Answer.select(Answer.score).where(Answer.question == scale["id"])
    avg = round(sum(s["score"] for s in scores) / len(scores), 2)
    assert f'data-testid="scale-average">{avg}<' in r.text
    # cr_officer2 sees only JC01: the JC02 project is not in the figures
    o2 = await sign_in(await new_client(), "cr_officer2")
    r2 = await o2.get(f"/surveys/results?questionnaire={q['id']}")
    jc02 = await Project.select(Project.id, Project.name).where(Project.code == "JC02").first()
    answered_jc01 = await Invitation.count().where((Invitation.questionnaire == q["id"]) & Invitation.answered_at.is_not_null()
                                                  & (Invitation.project.code == "JC01"))
    assert f'data-testid="total-answered">{answered_jc01}<' in r2.text
    assert jc02["name"] not in r2.text.split('data-testid="results-projects"')[1].split("</table>")[0]
    # asking for a project outside the scope falls back to the user's own projects
    r3 = await o2.get(f"/surveys/results?questionnaire={q['id']}&project={jc02['id']}")
    assert f'data-testid="total-answered">{answered_jc01}<' in r3.text
    # bad parameters never fail
    for qs in ("questionnaire=abc", "questionnaire=99999999999999", "project=-1", "questionnaire=&project="):
        assert (await c.get(f"/surveys/results?{qs}")).status_code == 200


async def test_text_answers_paged_and_export(new_client):
    q = await _seeded()
    text_q = await Question.select(Question.id).where((Question.questionnaire == q["id"]) & (Question.kind == "text")).first()
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await c.get(f"/surveys/results/{q['id']}/texts/{text_q['id']}")
    assert r.status_code == 200 and 'data-testid="texts"' in r.text
    n = await Answer.count().where((Answer.question == text_q["id"]) & (Answer.value != ""))
    assert r.text.count('data-testid="text-answer"') == min(n, 10)
    rf = await c.get(f"/surveys/results/{q['id']}/texts/{text_q['id']}?page=2", headers={"HX-Request": "true"})
    assert rf.status_code == 200 and "<aside" not in rf.text
    scale_q = await Question.select(Question.id).where((Question.questionnaire == q["id"]) & (Question.kind == "scale")).first()
    assert (await c.get(f"/surveys/results/{q['id']}/texts/{scale_q['id']}")).status_code == 404
    r = await c.get(f"/surveys/results?questionnaire={q['id']}&export=xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("类别", "题目 / 项目", "选项 / 指标") and any(r[0] == "回收率" for r in rows)
    assert await AuditLog.exists().where((AuditLog.action == "export") & (AuditLog.entity == "sv_questionnaire"))
    denied = await sign_in(await new_client(), "contract")
    assert (await denied.get(f"/surveys/results?questionnaire={q['id']}&export=xlsx")).status_code == 403


async def test_the_kpi_board_shows_the_surveys_satisfaction_and_lists_its_answers(new_client):
    """问卷满意度 on /care/kpi (this month): the 1–5 answers of surveys answered this month, 4–5 counted as satisfied; its
    drill-down lists exactly those answers."""
    import re
    from datetime import datetime, time

    from app.core.timeutil import SHANGHAI

    from app.core.timeutil import now

    first = today_local().replace(day=1)
    start = datetime.combine(first, time.min, SHANGHAI)
    # early in a month the demo history may hold no answer of this month yet: three answered invitations are moved to
    # now, so the board has answers to count whatever the date
    answered = await Invitation.select(Invitation.id).where(Invitation.answered_at.is_not_null() & Invitation.id.is_in(
        Answer.select(Answer.invitation).where((Answer.question.kind == "scale") & Answer.score.is_not_null()))).order_by(Invitation.id).limit(3)
    await Invitation.update({Invitation.answered_at: now()}).where(Invitation.id.is_in([r["id"] for r in answered] or [0]))
    scores = await Answer.select(Answer.id, Answer.score).where(
        (Answer.question.kind == "scale") & Answer.score.is_not_null() & (Answer.invitation.answered_at >= start))
    assert scores, "the demo surveys have answers this month"
    c = await sign_in(await new_client(), "supervisor")
    html = (await c.get("/care/kpi")).text
    num = re.search(r'data-testid="num-survey_satisfaction">(\d+)<', html).group(1)
    den = re.search(r'data-testid="den-survey_satisfaction">(\d+)<', html).group(1)
    assert (int(num), int(den)) == (sum(1 for s in scores if s["score"] >= 4), len(scores))
    drill = await c.get(f"/care/kpi/survey_satisfaction?month={first:%Y-%m}&part=denominator")
    assert drill.status_code == 200 and drill.text.count('data-testid="row"') == min(20, len(scores))
    assert f"共 {len(scores)} 条" in drill.text
