"""The KPI board's demo history (SPEC §D5): 12 months of complaint and claim cases in both projects — closed, a few
late, some still open — with their clocks computed by app/care/rules.py, callbacks with scores, customer-file audits
and inbound calls, so the board and its trends have something to show. Inserted in batches straight into the tables.
Idempotent: does nothing once the history exists (cases numbered KF-…-H###). FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.calls.tables import CallRecord
from app.care import rules
from app.care.settings import load_limits
from app.care.states import CALLBACK, CLOSED, HANDLING
from app.care.tables import Callback, CareCase, CaseEvent, RecordAudit
from app.core.timeutil import SHANGHAI, now
from app.core.workdays import load_calendar
from app.estate.tables import Project, Unit
from app.org.tables import Employee
from app.pipeline.tables import Buyer

MONTHS = 12
PER_MONTH = 24  # cases per project per month
TITLES = {"工程质量": "卫生间渗水", "配套": "小区配套未按期开放", "交付延期": "交付时间延后", "办证延期": "不动产权证办理进度",
          "物业": "物业服务响应慢", "服务态度": "接待人员态度", "合同/面积差": "面积差补款", "按揭": "按揭放款进度"}
HANDLERS = {"JC01": ["cr_officer", "cr_officer2", "complaint_officer"], "JC02": ["cr_officer", "complaint_officer", "complaint_officer2"]}
CALLERS = ["cr_supervisor", "supervisor"]  # callbacks: never by the case's handler


async def _emp(username: str) -> int | None:
    row = await Employee.select(Employee.id).where(Employee.user.username == username).first()
    return row["id"] if row else None


def _month_start(today_local: datetime, back: int) -> datetime:
    n = today_local.year * 12 + today_local.month - 1 - back
    return datetime(n // 12, n % 12 + 1, 1, tzinfo=SHANGHAI)


async def seed() -> None:
    from seeds import pipeline as pipeline_seed

    await pipeline_seed.seed()  # the record audits sample the pipeline's buyers (seed order is alphabetical)
    if await CareCase.exists().where(CareCase.number.like("KF-%-H%")):
        return
    projects = {r["code"]: r["id"] for r in await Project.select(Project.id, Project.code).where(Project.code.is_in(["JC01", "JC02"]))}
    if len(projects) < 2:
        return  # the demo org is not there
    emp = {u: await _emp(u) for u in {*HANDLERS["JC01"], *HANDLERS["JC02"], *CALLERS, "complaint_supervisor", "dept_head", "reception",
                                       "cr_supervisor"}}
    if None in emp.values():
        return
    units = {code: [r["id"] for r in await Unit.select(Unit.id).where(Unit.project == pid).order_by(Unit.id).limit(60)]
             for code, pid in projects.items()}
    buyers = [r["id"] for r in await Buyer.select(Buyer.id).order_by(Buyer.id).limit(40)]
    limits = await load_limits()
    rnd = random.Random(2026)
    t = now()
    local = t.astimezone(SHANGHAI)
    first = _month_start(local, MONTHS - 1)
    cal = await load_calendar(first.date() - timedelta(days=7), local.date() + timedelta(days=60))

    cases, meta = [], []
    seq = 0
    for back in range(MONTHS - 1, -1, -1):
        m0 = _month_start(local, back)
        m1 = _month_start(local, back - 1) if back else local
        span = (m1 - m0).total_seconds()
        for code, pid in projects.items():
            for _i in range(PER_MONTH if back else max(4, PER_MONTH * local.day // 31)):
                seq += 1
                received = m0 + timedelta(seconds=rnd.uniform(0, span * 0.97))
                if received >= t - timedelta(hours=2):
                    continue
                kind = "索赔" if rnd.random() < 0.12 else "投诉"
                r = rnd.random()
                level = rules.P1 if r < 0.04 else (rules.P2 if r < 0.28 else rules.P3)
                category = rnd.choice(list(TITLES))
                handler = (emp["dept_head"] if level == rules.P1 else emp["complaint_supervisor"] if level == rules.P2
                           else emp[rnd.choice(HANDLERS[code])])
                due = rules.sla_deadlines(level, received, cal, limits)
                late = rnd.random() < 0.09
                # the close moment: P2/P3 before (or, late, after) the close clock; P1 a day or two after its plan
                if level == rules.P1:
                    closed = due["plan"] + timedelta(hours=rnd.uniform(-20, -1) if not late else rnd.uniform(2, 30))
                else:
                    room = (due["close"] - received).total_seconds()
                    closed = received + timedelta(seconds=room * rnd.uniform(0.25, 0.95)) if not late else due["close"] + timedelta(hours=rnd.uniform(3, 80))
                is_open = closed > t or (back == 0 and rnd.random() < 0.35) or rnd.random() < 0.015
                responded = received + timedelta(minutes=rnd.uniform(10, 50 if level == rules.P1 else 180))
                plan_at = min(due["plan"] - timedelta(hours=1), received + timedelta(hours=rnd.uniform(3, 40)))
                cb_due = None if is_open else rules.callback_due(closed, cal, limits)
                status = HANDLING if is_open else (CLOSED if cb_due < t - timedelta(days=1) else CALLBACK)
                number = f"KF-{received.astimezone(SHANGHAI):%Y%m%d}-H{seq:04d}"
                cases.append(CareCase(
                    number=number, kind=kind, channel=rnd.choice(["电话", "电话", "来访", "微信", "12345工单"]), category=category,
                    project=pid, unit=rnd.choice(units[code]) if units[code] else None, caller_name=rnd.choice("张王李刘陈杨赵黄周吴") + "先生",
                    title=TITLES[category], content=f"客户反映{TITLES[category]}，要求尽快处理。",
                    claim_amount=None if kind != "索赔" else rnd.choice([800, 3000, 6000]), level=level, level_computed=level,
                    level_reasons="一般投诉" if level == rules.P3 else "演示数据", status=status,
                    handler_role={rules.P1: "dept_head", rules.P2: "complaint_supervisor"}.get(level, "cr_officer"), handler=handler,
                    received_by=emp["reception"], received_at=received, assigned_at=received + timedelta(minutes=5),
                    responded_at=responded if responded < t else None, plan_at=plan_at if plan_at < t else None,
                    plan_text="核实情况后安排处理并告知客户" if plan_at < t else "",
                    closed_at=None if is_open else closed, close_note="" if is_open else "已按方案处理完毕，客户认可",
                    response_due=due["first_response"], plan_due=due["plan"], close_due=due["close"],
                    on_time=None if is_open or due["close"] is None else closed <= due["close"],
                    callback_due=cb_due))
                meta.append((number, handler, pid, closed, cb_due, is_open))
    for i in range(0, len(cases), 200):
        await CareCase.insert(*cases[i:i + 200])
    ids = {r["number"]: r["id"] for r in await CareCase.select(CareCase.id, CareCase.number).where(CareCase.number.like("KF-%-H%"))}

    events, callbacks = [], []
    for number, handler, pid, closed, cb_due, is_open in meta:
        cid = ids[number]
        events.append(CaseEvent(case=cid, at=closed - timedelta(days=1) if not is_open else t - timedelta(hours=1), actor=handler,
                                action="note", note="演示历史数据：处理记录"))
        if is_open:
            continue
        events.append(CaseEvent(case=cid, at=closed, actor=handler, action="finish", from_status=HANDLING, to_status=CALLBACK,
                                note="已按方案处理完毕"))
        called = None
        if cb_due < t or rnd.random() < 0.5:
            if rnd.random() < 0.94:
                called = closed + timedelta(hours=rnd.uniform(4, 60) if rnd.random() < 0.92 else rnd.uniform(90, 140))
                if called > t:
                    called = None
        reached = called is not None and rnd.random() < 0.9
        r = rnd.random()
        score = (5 if r < 0.52 else 4 if r < 0.88 else 3 if r < 0.95 else 2 if r < 0.985 else 1) if reached else None
        callbacks.append(Callback(case=cid, project=pid, due_at=cb_due, caller=emp[rnd.choice(CALLERS)] if called else None,
                                  called_at=called, reached=reached, score=score,
                                  note="" if called is None else ("客户表示满意" if (score or 0) >= 4 else "未接通" if not reached else "客户提出改进意见")))
    for i in range(0, len(events), 300):
        await CaseEvent.insert(*events[i:i + 300])
    for i in range(0, len(callbacks), 300):
        await Callback.insert(*callbacks[i:i + 300])

    audits, calls = [], []
    pids = list(projects.values())
    for back in range(MONTHS - 1, -1, -1):
        m0 = _month_start(local, back)
        m1 = _month_start(local, back - 1) if back else local
        span = (m1 - m0).total_seconds()
        for _i in range(6 if buyers else 0):
            at = m0 + timedelta(seconds=rnd.uniform(0, span * 0.95))
            wrong = 0 if rnd.random() < 0.8 else rnd.choice([1, 1, 2])
            audits.append(RecordAudit(buyer=rnd.choice(buyers), project=rnd.choice(pids), auditor=emp["cr_supervisor"], at=at,
                                      fields_audited=10, fields_wrong=wrong, note="演示抽查" if not wrong else "联系电话或通讯地址与合同不一致"))
        for j in range(30):
            at = m0 + timedelta(seconds=rnd.uniform(0, span * 0.98))
            answered = rnd.random() < 0.96
            ring = rnd.randint(3, 25) if answered else rnd.choice([2, 3, 4, 8, 20])
            agent = emp[rnd.choice(["cr_officer", "cr_officer2", "complaint_officer"])] if answered else None
            rating = None if not answered or rnd.random() < 0.4 else (5 if rnd.random() < 0.6 else 4 if rnd.random() < 0.9 else 3)
            calls.append(CallRecord(call_id=f"HIST-{m0:%Y%m}-{j:03d}", started_at=at, direction="呼入", number="",
                                    agent=agent, agent_code="", answered=answered, ring_seconds=ring,
                                    talk_seconds=rnd.randint(40, 600) if answered else 0, rating=rating, project=rnd.choice(pids),
                                    imported_at=at + timedelta(hours=1)))
    if audits:
        await RecordAudit.insert(*audits)
    have = {r["call_id"] for r in await CallRecord.select(CallRecord.call_id).where(CallRecord.call_id.like("HIST-%"))}
    calls = [c for c in calls if c.call_id not in have]
    for i in range(0, len(calls), 300):
        await CallRecord.insert(*calls[i:i + 300])
