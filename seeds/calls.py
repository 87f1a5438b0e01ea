"""Demo call records for the last 3 months (a few hundred, inserted in batches): most from demo buyers' mobiles (matched to
the buyer and project), some from unknown numbers, some abandoned within 5 s, some rated; and a few QA scores.
Idempotent: does nothing once any call exists. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from app.calls import rules
from app.calls.tables import CallQa, CallRecord
from app.core.timeutil import SHANGHAI, today_local
from app.org.tables import Employee
from app.pipeline.tables import Buyer, Deal

AGENT_USERS = ("reception", "cr_officer", "cr_officer2", "complaint_officer", "complaint_officer2")
REVIEWER = "cr_supervisor"
CALLS = 360
BATCH = 200


async def seed() -> None:
    from seeds import pipeline as pipeline_seed

    await pipeline_seed.seed()  # the calls are matched to the pipeline's buyers (seed order is alphabetical)
    if await CallRecord.exists():
        return
    rnd = random.Random(2026)
    agents = await Employee.select(Employee.id, Employee.employee_no).where(Employee.user.username.is_in(list(AGENT_USERS))).order_by(Employee.id)
    reviewer = await Employee.select(Employee.id).where(Employee.user.username == REVIEWER).first()
    buyers = await Buyer.select(Buyer.id, Buyer.mobile).where(Buyer.mobile != "").order_by(Buyer.id)
    projects = {d["buyer"]: d["project"] for d in await Deal.select(Deal.buyer, Deal.project).order_by(Deal.id)}
    if not agents or not buyers:
        return
    today = today_local()
    start = today - timedelta(days=90)
    rows: list[CallRecord] = []
    for i in range(CALLS):
        day = start + timedelta(days=rnd.randrange(0, 91))
        at = datetime.combine(day, time(8 + rnd.randrange(0, 12), rnd.randrange(0, 60), rnd.randrange(0, 60)), tzinfo=SHANGHAI)
        if day == today:
            at = min(at, datetime.now(SHANGHAI) - timedelta(minutes=5))
        known = rnd.random() < 0.8
        b = rnd.choice(buyers) if known else None
        number = b["mobile"] if b else f"1{rnd.choice('3578')}{rnd.randrange(0, 10**9):09d}"
        agent = rnd.choice(agents)
        inbound = rnd.random() < 0.85
        roll = rnd.random()
        if roll < 0.08:  # hung up within the abandon limit (5 s): leaves the answer-rate denominator
            answered, ring, talk = False, rnd.randrange(1, 5), 0
        elif roll < 0.14:  # missed after ringing long
            answered, ring, talk = False, rnd.randrange(15, 60), 0
        else:
            answered, ring, talk = True, rnd.randrange(2, 20), rnd.randrange(30, 600)
        rating = (rnd.choice((5, 5, 5, 4, 4, 4, 3, 2)) if answered and inbound and rnd.random() < 0.5 else None)
        rows.append(CallRecord(call_id=f"DEMO-{day:%Y%m%d}-{i + 1:04d}", started_at=at, direction="呼入" if inbound else "呼出", number=number,
                               agent=agent["id"] if answered or not inbound else None, agent_code=agent["employee_no"] if answered or not inbound else "",
                               answered=answered, ring_seconds=ring, talk_seconds=talk, rating=rating,
                               recording=f"rec/{day:%Y%m}/{i + 1:04d}.mp3" if answered else "",
                               buyer=b["id"] if b else None, project=projects.get(b["id"]) if b else None, imported_at=at))
    for i in range(0, len(rows), BATCH):
        await CallRecord.insert(*rows[i:i + BATCH])
    # a few QA scores: about 30 answered calls spread over the months
    answered = await CallRecord.select(CallRecord.id, CallRecord.agent, CallRecord.started_at).where(
        (CallRecord.answered == True) & CallRecord.agent.is_not_null()).order_by(CallRecord.id)  # noqa: E712
    qas = []
    for c in answered[::9][:30]:
        missed = rnd.sample(rules.QA_KEYS, k=rnd.choice((0, 0, 1, 1, 2, 3)))
        met = [k for k in rules.QA_KEYS if k not in missed]
        note = "" if not missed else "未达标：" + "、".join(i.label for i in rules.QA_ITEMS if i.key in missed)
        qas.append(CallQa(call=c["id"], agent=c["agent"], reviewer=reviewer["id"] if reviewer else None, at=min(c["started_at"] + timedelta(days=1), datetime.now(SHANGHAI)),
                          items=rules.qa_items_text(met), score=rules.qa_score(met), note=note))
    if qas:
        await CallQa.insert(*qas)
