"""Calls: the call list (scoped by the matched customer's project; unmatched calls belong to the whole hotline), one
call with its customer, linking a call to an existing case, and call QA (score, monthly average per agent)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from piccolo.query.functions.aggregate import Avg, Count

from app.calls import rules
from app.calls.tables import CallQa, CallRecord
from app.care.tables import CareCase
from app.core import audit
from app.core.db import write_transaction
from app.core.listing import Col, Filter, Listing
from app.core.scope import project_clause
from app.core.timeutil import SHANGHAI, fmt_datetime, now, today_local
from app.core.validators import mask_phone
from app.estate.tables import Project


class CallError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class ClauseFilter(Filter):
    """A filter whose WHERE clause is built by `make` from the entered value (e.g. matched/unmatched, last digits)."""

    make: Callable[[str], Any] | None = None

    def clause(self, raw: str):
        value = (raw or "").strip()
        return self.make(value) if value and self.make is not None else None


def call_scope(user):
    """Calls of the user's projects, plus the calls matched to no customer (the hotline's, seen by all who read calls). A
    call matched to a customer whose project is unknown stays with those who see every project (it names the customer)."""
    clause = project_clause(CallRecord.project, user)
    return None if clause is None else (clause | (CallRecord.project.is_null() & CallRecord.buyer.is_null()))


async def _project_choices(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.name).order_by(Project.code)
    clause = project_clause(Project.id, user)
    if clause is not None:
        q = q.where(clause)
    return [(str(r["id"]), r["name"]) for r in await q]


async def _agent_choices(_user) -> list[tuple[str, str]]:
    rows = await CallRecord.select(CallRecord.agent, CallRecord.agent.name).where(CallRecord.agent.is_not_null()).distinct()
    return sorted(((str(r["agent"]), r["agent.name"]) for r in rows), key=lambda x: x[1])


def _matched(value: str):
    return CallRecord.buyer.is_not_null() if value == "1" else CallRecord.buyer.is_null() if value == "0" else None


def _last_digits(value: str):
    digits = "".join(ch for ch in value if ch.isdigit())[-11:]
    return CallRecord.number.like(f"%{digits}") if digits else None


CALLS = Listing(
    table=CallRecord,
    select=[CallRecord.id, CallRecord.call_id, CallRecord.started_at, CallRecord.direction, CallRecord.number, CallRecord.agent.name,
            CallRecord.agent_code, CallRecord.answered, CallRecord.ring_seconds, CallRecord.talk_seconds, CallRecord.rating,
            CallRecord.buyer, CallRecord.buyer.name, CallRecord.project.name, CallRecord.case.number],
    columns=[
        Col("started_text", "开始时间", sort=CallRecord.started_at, link="/calls/{id}", testid="call-link", hideable=False),
        Col("direction", "方向"),
        Col("number_masked", "客户号码", hideable=False),
        Col("buyer.name", "客户"),
        Col("project.name", "项目"),
        Col("agent.name", "坐席"),
        Col("answered_text", "接通", sort=CallRecord.answered),
        Col("ring_seconds", "振铃（秒）"),
        Col("talk_seconds", "通话（秒）"),
        Col("rating", "评价"),
        Col("case.number", "关联案件"),
        Col("call_id", "通话ID"),
    ],
    filters=[
        Filter("from", "开始日期从", "date_from", (CallRecord.started_at,)),
        Filter("to", "至", "date_to", (CallRecord.started_at,)),
        Filter("agent", "坐席", "select", (CallRecord.agent,), choices=_agent_choices),
        Filter("answered", "接通", "select", (CallRecord.answered,), choices=[("1", "已接通"), ("0", "未接通")]),
        ClauseFilter("matched", "匹配客户", "select", choices=[("1", "已匹配"), ("0", "未匹配")], make=_matched),
        Filter("project", "项目", "select", (CallRecord.project,), choices=_project_choices),
        ClauseFilter("number", "号码后几位", placeholder="例如 5678", make=_last_digits),
    ],
    default_sort="started_text",
    default_desc=True,
    base_url="/calls",
    target_id="calls-list",
    scope=call_scope,
)


def decorate_calls(rows: list[dict]) -> None:
    """Numbers masked on the page and in the export (SPEC §G 保密)."""
    for r in rows:
        r["started_text"] = fmt_datetime(r.get("started_at"))
        r["number_masked"] = mask_phone(r.get("number") or "")
        r["answered_text"] = "已接通" if r.get("answered") else "未接通"


async def get_call(user, call_id: int) -> dict | None:
    q = CallRecord.select(
        CallRecord.all_columns(), CallRecord.agent.name, CallRecord.buyer.name, CallRecord.project.name, CallRecord.case.number,
        CallRecord.case.status, CallRecord.case.kind,
    ).where(CallRecord.id == call_id)
    scope = call_scope(user)
    if scope is not None:
        q = q.where(scope)
    return await q.first()


async def buyer_cases(user, buyer_id: int | None, limit: int = 20) -> list[dict]:
    """The customer's cases the user may see (to link a call to one)."""
    if not buyer_id:
        return []
    q = CareCase.select(CareCase.id, CareCase.number, CareCase.kind, CareCase.title, CareCase.status, CareCase.received_at).where(
        CareCase.buyer == buyer_id).order_by(CareCase.received_at, ascending=False).limit(limit)
    clause = project_clause(CareCase.project, user)
    return await (q.where(clause) if clause is not None else q)


async def link_case(user, call: dict, number: str) -> dict:
    """Link the call to an existing case by its number (in the user's scope). One transaction, audited."""
    number = (number or "").strip()
    if not number:
        raise CallError("请输入或选择要关联的案件编号", "case")
    q = CareCase.select(CareCase.id, CareCase.number, CareCase.buyer, CareCase.project).where(CareCase.number == number[:30])
    clause = project_clause(CareCase.project, user)
    case = await (q.where(clause) if clause is not None else q).first()
    if not case:
        raise CallError(f"没有找到案件「{number[:30]}」，或它不在您的数据范围内", "case")
    async with write_transaction():
        done = await CallRecord.update({CallRecord.case: case["id"]}).where(
            (CallRecord.id == call["id"]) & (CallRecord.case.is_null() | (CallRecord.case == case["id"]))).returning(CallRecord.id)
        if not done:
            raise CallError("该通话已关联其他案件，不能再关联", "case")
        await audit.record(actor=user, action="calls.link_case", entity="call_record", entity_id=call["id"],
                           summary=f"通话 {call['call_id']} 关联案件 {case['number']}", before={"case": call.get("case")}, after={"case": case["id"]})
    return case


# ---------------------------------------------------------------- QA

async def call_qas(call_id: int) -> list[dict]:
    rows = await CallQa.select(CallQa.id, CallQa.at, CallQa.score, CallQa.items, CallQa.note, CallQa.reviewer.name).where(
        CallQa.call == call_id).order_by(CallQa.at, ascending=False)
    for r in rows:
        r["met"] = rules.qa_items_parse(r["items"])
    return rows


def parse_qa(data: dict[str, Any]) -> tuple[list[str], str, dict[str, str]]:
    met = [k for k in rules.QA_KEYS if data.get(f"item_{k}") in ("1", "on", "true")]
    note = (data.get("note") or "").strip()
    errors: dict[str, str] = {}
    if len(note) > 1000:
        errors["note"] = "备注最多 1000 个字"
    if len(met) < len(rules.QA_KEYS) and not note:
        errors["note"] = "有未达标的项目时，请在备注中写明具体问题"
    return met, note, errors


async def save_qa(user, call: dict, met: list[str], note: str) -> dict:
    if not call.get("answered"):
        raise CallError("未接通的通话没有服务用语可评分", "")
    if call.get("agent") and call["agent"] == user.employee_id:
        raise CallError("不能为自己接听的通话评分，请由其他主管评分", "")
    score = rules.qa_score(met)
    async with write_transaction():
        # one score per call and reviewer (a double submit counts once in the agent's average; another reviewer may calibrate)
        if await CallQa.exists().where((CallQa.call == call["id"]) & (CallQa.reviewer == user.employee_id)):
            raise CallError("您已为该通话评过分，不能重复评分", "")
        row = (await CallQa.insert(CallQa(call=call["id"], agent=call.get("agent"), reviewer=user.employee_id, at=now(),
                                          items=rules.qa_items_text(met), score=score, note=note)).returning(CallQa.id))[0]
        await audit.record(actor=user, action="calls.qa", entity="call_qa", entity_id=row["id"],
                           summary=f"通话 {call['call_id']} 质检评分 {score} 分", after={"call": call["id"], "score": score, "items": met})
    return {"id": row["id"], "score": score}


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(day: date, n: int) -> list[date]:
    """The first days of the month of `day` and the n-1 months before it, oldest first."""
    out = [month_start(day)]
    for _ in range(n - 1):
        prev = out[-1] - timedelta(days=1)
        out.append(prev.replace(day=1))
    return list(reversed(out))


def _bounds(first: date) -> tuple[datetime, datetime]:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(first, time.min, tzinfo=SHANGHAI), datetime.combine(nxt, time.min, tzinfo=SHANGHAI)


def _qa_scope(user):
    clause = project_clause(CallQa.call.project, user)
    return None if clause is None else (clause | CallQa.call.project.is_null())


async def monthly_by_agent(user, months: int = 6) -> dict[str, Any]:
    """Per agent and month of the call: AVG(score) and COUNT in SQL, one grouped query per month (a handful)."""
    firsts = months_back(today_local(), months)
    agents: dict[int, dict[str, Any]] = {}
    scope = _qa_scope(user)
    for i, first in enumerate(firsts):
        start, end = _bounds(first)
        q = CallQa.select(CallQa.agent, CallQa.agent.name, Avg(CallQa.score, alias="avg"), Count(CallQa.id, alias="n")).where(
            (CallQa.call.started_at >= start) & (CallQa.call.started_at < end) & CallQa.agent.is_not_null()).group_by(CallQa.agent, CallQa.agent.name)
        if scope is not None:
            q = q.where(scope)
        for r in await q:
            a = agents.setdefault(r["agent"], {"id": r["agent"], "name": r["agent.name"], "cells": [None] * len(firsts)})
            a["cells"][i] = {"avg": round(float(r["avg"] or 0), 1), "n": r["n"]}
    return {"months": [f"{m:%Y-%m}" for m in firsts], "agents": sorted(agents.values(), key=lambda a: a["name"])}


async def agent_qas(user, agent_id: int, limit: int = 50) -> list[dict]:
    q = CallQa.select(CallQa.id, CallQa.at, CallQa.score, CallQa.note, CallQa.reviewer.name, CallQa.call, CallQa.call.started_at,
                      CallQa.call.number, CallQa.call.talk_seconds).where(CallQa.agent == agent_id).order_by(CallQa.at, ascending=False).limit(limit)
    scope = _qa_scope(user)
    rows = await (q.where(scope) if scope is not None else q)
    for r in rows:
        r["number_masked"] = mask_phone(r["call.number"] or "")
    return rows


async def to_review(user, limit: int = 20) -> list[dict]:
    """Answered calls of the last 30 days without a QA score yet: the reviewer's queue (newest first)."""
    since = now() - timedelta(days=30)
    scored = CallQa.select(CallQa.call)
    q = CallRecord.select(CallRecord.id, CallRecord.started_at, CallRecord.number, CallRecord.agent.name, CallRecord.talk_seconds,
                          CallRecord.buyer.name).where(
        (CallRecord.answered == True) & (CallRecord.started_at >= since) & CallRecord.id.not_in(scored)  # noqa: E712
    ).order_by(CallRecord.started_at, ascending=False).limit(limit)
    scope = call_scope(user)
    rows = await (q.where(scope) if scope is not None else q)
    for r in rows:
        r["number_masked"] = mask_phone(r["number"] or "")
    return rows
