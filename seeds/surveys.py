"""Demo surveys: the three default questionnaires of SPEC D4 (签约后, 交房 3 个月, 入住 1 年), published; the schedule
pass run once; some invitations sent by the 客户关系专员 and answered, so the results are not empty. Idempotent (the
questionnaires by title; invitations by their unique key; answers only once per invitation). FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from app.core.fields import FormValues
from app.core.timeutil import SHANGHAI, now, today_local
from app.org.tables import Employee
from app.surveys import services
from app.surveys.schedule import schedule_once
from app.surveys.tables import Invitation, Question, Questionnaire

SAT = "非常满意\n满意\n一般\n不满意\n非常不满意"

# (title, intro, trigger, offset days, reminder days, [(kind, text, options, required)])
QUESTIONNAIRES = [
    ("签约服务满意度调查", "尊敬的业主：感谢您选择我们的楼盘。为了解您在认购、签约过程中的感受，诚邀您花 2 分钟填写本问卷。", "after_signing", 7, 5, [
        ("scale", "您对签约过程的整体满意度", "", True),
        ("scale", "您对置业顾问的服务态度和专业程度是否满意", "", True),
        ("single", "签约时，合同条款和收费项目是否向您解释清楚", "解释清楚\n基本清楚\n不清楚", True),
        ("multiple", "您是通过哪些渠道了解到本项目的", "亲友推荐\n网络广告\n户外广告\n路过售楼部\n其他", False),
        ("text", "您对我们的签约服务还有哪些意见或建议", "", False),
    ]),
    ("交房 3 个月满意度调查", "尊敬的业主：您入住已约三个月，想了解您对房屋质量、报修和物业服务的感受。", "after_handover", 90, 7, [
        ("scale", "您对房屋交付质量的满意度", "", True),
        ("scale", "您对报修处理及时性的满意度", "", True),
        ("single", "交房后您是否报修过", "没有报修\n报修 1 次\n报修 2 次及以上", True),
        ("multiple", "您认为最需要改进的方面", "房屋质量\n报修速度\n物业服务\n小区配套\n沟通反馈", False),
        ("text", "其他意见或建议", "", False),
    ]),
    ("入住 1 年满意度调查", "尊敬的业主：您入住已满一年（以交房日计），感谢您一年来的支持，请对我们的整体服务作出评价。", "after_move_in", 365, 7, [
        ("scale", "您对我们整体服务的满意度", "", True),
        ("scale", "您对小区环境和物业管理的满意度", "", True),
        ("single", "您是否愿意向亲友推荐本项目", "非常愿意\n愿意\n不确定\n不愿意", True),
        ("text", "您对我们下一年的服务有什么期待", "", False),
    ]),
]


async def seed() -> None:
    creator = await Employee.select(Employee.id).where(Employee.user.username == "cr_supervisor").first()
    for title, intro, trigger, offset, remind, qs in QUESTIONNAIRES:
        if await Questionnaire.exists().where(Questionnaire.title == title):
            continue
        q = (await Questionnaire.insert(Questionnaire(title=title, intro=intro, trigger=trigger, offset_days=offset, reminder_days=remind,
                                                      status="已发布", created_by=creator["id"] if creator else None, created_at=now()))
             .returning(Questionnaire.id))[0]
        await Question.insert(*[Question(questionnaire=q["id"], sort=i, kind=k, text=t, options=o, required=r) for i, (k, t, o, r) in enumerate(qs, 1)])
    await schedule_once()
    await _answers()


async def _answers() -> None:
    """About half of the due invitations sent by the 客户关系专员, and most of those answered (fixed random choices)."""
    officer = await Employee.select(Employee.id).where(Employee.user.username == "cr_officer").first()
    if officer is None or await Invitation.exists().where(Invitation.sent_at.is_not_null()):
        return
    rng = random.Random(9)
    invs = await Invitation.select(Invitation.id, Invitation.questionnaire, Invitation.due_on, Invitation.questionnaire.title).where(
        Invitation.due_on <= today_local()).order_by(Invitation.id)
    questions: dict[int, list[dict]] = {}
    for inv in invs:
        if rng.random() < 0.35:
            continue  # still to send: the officers' list is not empty
        sent = datetime.combine(inv["due_on"], time(10, 0), tzinfo=SHANGHAI)
        await Invitation.update({Invitation.sent_at: sent, Invitation.sent_via: rng.choice(["微信", "短信"]), Invitation.sent_by: officer["id"]}).where(
            Invitation.id == inv["id"])
        if rng.random() < 0.25:
            continue  # sent, not answered yet
        qs = questions.get(inv["questionnaire"]) or await services.questions(inv["questionnaire"])
        questions[inv["questionnaire"]] = qs
        data: dict[str, object] = {}
        for q in qs:
            name = f"q{q['id']}"
            if q["kind"] == "scale":
                data[name] = str(rng.choices([5, 4, 3, 2, 1], weights=[50, 32, 11, 5, 2])[0])
            elif q["kind"] == "single":
                data[name] = rng.choices(q["option_list"], weights=[6, 3, 1, 1, 1][:len(q["option_list"])])[0]
            elif q["kind"] == "multiple":
                data[name] = rng.sample(q["option_list"], rng.randint(1, 2))
            elif rng.random() < 0.5:
                data[name] = rng.choice(["签约流程很顺畅，顾问讲解耐心。", "希望合同说明再详细一些。", "等待时间有点长，建议提前预约。",
                                         "整体满意，谢谢！", "停车位不够，来访时不方便。"])
        outcome, _v, errors = await services.submit_answers({"id": inv["id"], "questionnaire.title": inv["questionnaire.title"]}, qs, FormValues(data))
        if outcome == "saved":
            answered = sent + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 9))
            await Invitation.update({Invitation.answered_at: min(answered, now())}).where(Invitation.id == inv["id"])


