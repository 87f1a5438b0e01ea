"""The SLA reminder worker of customer care (SPEC D2, D3, D4, §0.2).

Each pass loads the limits and the working-day calendar once, then finds in SQL the open cases not waiting on the
customer whose stored due columns (care_case.response_due / plan_due / close_due, care_repair.on_site_due / fix_due)
need a notice that has not gone out yet, and the callbacks past due and not made:

- 将到期 (amber): the time used from the clock's start to its due moment reached `amber_fraction` (80 %) → the
  handler is told once per clock.
- 已超时 (breach): the due moment has passed → the handler, the new handler and `rules.notify_roles` (客服主管) are told,
  and the case is escalated one level (`rules.escalation`: P3 → P2 投诉主管, P2 → P1 部门经理, P1 stays and goes to the
  总经理) through `core.move(None, case, "escalate", …, to=<same status>)`: level, handler_role, handler
  (`core.pick_handler`), escalations + 1 and the due columns recomputed for the new level (from intake, or from the
  reopen moment of a reopened case). Several clocks found late in one pass escalate the case once; a clock of the new
  level that is already past due at that moment (the stricter P2 clocks counted from intake usually are) is counted in
  the same escalation — its breach and 2× marks are written without a further notice — so a case never cascades
  P3 → P1 within minutes and the 客服副经理 is not told of every P3 breach; later misses of the new level's clocks
  escalate again.
- 2× the limit used (breach2): also the 客服副经理 (`rules.notify_roles`).
- A callback past due → the caller pool (客户关系专员 of the project) and the 客服主管, once per callback.

A clock's start is COALESCE(reopened_at, received_at); the fraction is measured in wall time between start and the
stored due moment (the due moment already includes the pauses that ended). Cases paused now are skipped.

Exactly once across processes and hosts: before acting the worker inserts the CareClockMark row
(key f"{case}:{clock}:{mark}", unique) with INSERT … ON CONFLICT DO NOTHING RETURNING and acts only when its own insert
returned the row; the mark, the move, the timeline, the audit row and the notices share one transaction, so a case
someone changed meanwhile (core.STALE) rolls back and is retried in the next pass.

Survey reminders belong to the surveys part: when `app.surveys.remind` exists its `remind_once()` runs after this pass.

    python -m app.care.remind                         # one pass (cron)
    python -m app.care.remind --every 900             # a pass every 15 minutes
    python -m app.care.remind --now 2026-12-24T09:00+08:00   # as if it were that moment (checks, tests)
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.care import clocks, core, rules, states
from app.care.core import CareError, callback_ref, case_url, clock_ref  # noqa: F401  (refs named here too)
from app.care.settings import load_limits
from app.care.tables import Callback, CareCase, CareClockMark, CareRepair, CaseEvent, CasePause
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.timeutil import SHANGHAI, fmt_datetime, now as current_time, to_local


def due_text(due: datetime) -> str:
    """A day clock's due moment reads as 24:00 of its last day (it is stored as 00:00 of the next)."""
    local = to_local(due)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{(local - timedelta(days=1)).date().isoformat()} 24:00"
    return fmt_datetime(due)

BATCH = 200  # candidate cases per query
# (mark clock name, due column, done column, table alias) — names as in CareClockMark.clock
CASE_CLOCKS = (("response", "response_due", "responded_at"), ("plan", "plan_due", "plan_at"), ("close", "close_due", "closed_at"))
REPAIR_CLOCKS = (("on_site", "on_site_due", "on_site_at"), ("fix", "fix_due", "done_at"))
CLOCK_NAMES = {"response": "首次响应", "plan": "答复方案", "close": "结案", "on_site": "到场", "fix": "修复", "callback": "回访"}
AMBER, BREACH, BREACH2 = "amber", "breach", "breach2"




def mark_key(case_id: int, clock: str, mark: str, suffix: str = "") -> str:
    return f"{case_id}:{clock}:{mark}" + (f":{suffix}" if suffix else "")


@dataclass
class PassResult:
    amber: int = 0
    escalated: int = 0
    breach2: int = 0
    callbacks: int = 0
    daily: int = 0  # P1 每日进展 notices
    skipped: int = 0  # changed by someone meanwhile: retried next pass
    surveys: object = None
    cases: list[int] = field(default_factory=list)

    @property
    def notices(self) -> int:
        return self.amber + self.escalated + self.breach2 + self.callbacks + self.daily


# ------------------------------------------------------------------ SQL, both engines

def _is_postgres() -> bool:
    from piccolo.engine.postgres import PostgresEngine

    return isinstance(CareCase._meta.db, PostgresEngine)


def _epoch(expr: str) -> str:
    """Seconds since 1970 of a timestamp column (SQLite keeps them as UTC text, PostgreSQL as timestamptz)."""
    if _is_postgres():
        return f"EXTRACT(EPOCH FROM {expr})"
    return f"((julianday({expr}) - 2440587.5) * 86400.0)"


def _no_mark(case_expr: str, clock: str, mark: str) -> str:
    return (f"NOT EXISTS (SELECT 1 FROM care_clock_mark m WHERE m.\"case\" = {case_expr} AND m.clock = '{clock}' "
            f"AND m.mark = '{mark}')")


def _clock_select(clock: str, due: str, done: str, repair: bool) -> str:
    """The ids of open, running cases whose clock needs a notice not sent yet (amber, breach or 2×)."""
    start = _epoch("COALESCE(c.reopened_at, c.received_at)")
    col = f"r.{due}" if repair else f"c.{due}"
    done_col = f"r.{done}" if repair else f"c.{done}"
    d = _epoch(col)
    open_states = ", ".join("'" + s + "'" for s in states.OPEN)
    source = 'care_case c JOIN care_repair r ON r."case" = c.id' if repair else "care_case c"
    used = f"({{now}} - {start})"
    span = f"({d} - {start})"
    return (
        f"SELECT c.id AS id FROM {source} WHERE c.status IN ({open_states}) AND c.paused_since IS NULL "
        f"AND {col} IS NOT NULL AND {done_col} IS NULL AND c.id > {{cursor}} AND ("
        f"({d} <= {{now}} AND {_no_mark('c.id', clock, BREACH)})"
        f" OR ({used} >= {{multiple}} * {span} AND {_no_mark('c.id', clock, BREACH2)})"
        f" OR ({d} > {{now}} AND {used} >= {{fraction}} * {span} AND {_no_mark('c.id', clock, AMBER)}))"
    )


def _candidates_sql() -> str:
    parts = [_clock_select(k, due, done, False) for k, due, done in CASE_CLOCKS]
    parts += [_clock_select(k, due, done, True) for k, due, done in REPAIR_CLOCKS]
    return "SELECT DISTINCT id FROM (" + " UNION ".join(parts) + ") t ORDER BY id LIMIT {batch}"


async def candidate_ids(at: datetime, limits, cursor: int) -> list[int]:
    sql = _candidates_sql().format(now=float(at.timestamp()), multiple=float(limits.second_escalation_multiple),
                                   fraction=float(limits.amber_fraction), cursor=int(cursor), batch=BATCH)
    return [int(r["id"]) for r in await CareCase.raw(sql)]


async def claim(case_id: int, clock: str, mark: str, at: datetime, suffix: str = "") -> bool:
    """Insert the mark; True only for the process whose insert made the row (ON CONFLICT DO NOTHING RETURNING)."""
    rows = await CareClockMark.raw(
        'INSERT INTO care_clock_mark ("case", clock, mark, key, "at") VALUES ({}, {}, {}, {}, {}) '
        "ON CONFLICT (key) DO NOTHING RETURNING id", case_id, clock, mark, mark_key(case_id, clock, mark, suffix), at)
    return bool(rows)


# ------------------------------------------------------------------ one case

def _wall_status(start: datetime, due: datetime, at: datetime) -> rules.ClockStatus:
    """The clock as the worker measures it (wall time from start to the stored due), for rules.notify_roles."""
    budget, elapsed = due - start, at - start
    return rules.ClockStatus(spec=rules.ClockSpec("wall", "", 0, rules.HOURS), start=start, budget=budget, elapsed=elapsed,
                             remaining=max(timedelta(0), due - at), overdue=max(timedelta(0), at - due),
                             paused=timedelta(0), due=due, fraction=Decimal("1"),
                             state=rules.BREACHED if at > due else rules.AMBER, is_paused=False)


def _clocks_of(case: dict, repair: dict | None) -> list[tuple[str, datetime, datetime | None]]:
    """(clock, due, done_at) of each stored clock of the case."""
    out = [(k, case[due], case[done]) for k, due, done in CASE_CLOCKS if case.get(due)]
    if repair:
        out += [(k, repair[due], repair[done]) for k, due, done in REPAIR_CLOCKS if repair.get(due)]
    return out


async def _escalate(case: dict, repair: dict | None, late: list[str], at: datetime, cal, limits) -> tuple[dict, dict | None, str]:
    """Raise the case one level (one move). Returns (the updated case, the new handler, the timeline note)."""
    new_level, role = rules.escalation(case["level"])
    handler = await core.pick_handler(role, case["project"])
    pauses = await CasePause.select().where(CasePause.case == case["id"])
    start = case["reopened_at"] or case["received_at"]
    case_dues, repair_dues = clocks.due_columns({**case, "level": new_level, "received_at": start}, repair, pauses, cal, limits)
    changes = {getattr(CareCase, k): v for k, v in case_dues.items()}
    changes.update({CareCase.level: new_level, CareCase.handler_role: role, CareCase.handler: handler["id"] if handler else None,
                    CareCase.escalations: CareCase.escalations + 1, CareCase.assigned_at: at})
    names = "、".join(CLOCK_NAMES[k] for k in late)
    who = rules.ROLE_NAMES.get(role, role) + (f"（{handler['name']}）" if handler else "（该项目暂无人员，请指派）")
    level_text = f"由 {case['level']} 升级为 {new_level}" if new_level != case["level"] else f"仍为 {new_level}"
    note = f"{names}已超时，{level_text}，转{who}处理"
    updated = await core.move(None, case, "escalate", changes, note, to=case["status"],
                              moves=states.REPAIR_MOVES if case["kind"] == "报修" else None)
    if repair_dues and repair:
        await CareRepair.update({getattr(CareRepair, k): v for k, v in repair_dues.items()}).where(CareRepair.id == repair["id"])
    # a clock of the new level already past due (or at 2×) is part of this escalation, not the next one
    new_repair = {**repair, **repair_dues} if repair else None
    for clock, due, done in _clocks_of(updated, new_repair):
        if done is None and due <= at:
            await claim(case["id"], clock, BREACH, at)
            st = _wall_status(start, due, at)
            if rules.ROLE_DEPT_MANAGER in rules.notify_roles(st, limits):
                await claim(case["id"], clock, BREACH2, at)  # marked without a notice: see the module doc
    return updated, handler, note


async def remind_case(case_id: int, at: datetime, cal, limits, result: PassResult) -> None:
    """Everything the case needs now, in one transaction (rolled back and retried next pass if the case moved)."""
    try:
        async with write_transaction():
            case = await CareCase.select(*CareCase.all_columns()).where(CareCase.id == case_id).first()
            if case is None or case["status"] not in states.OPEN or case["paused_since"] is not None:
                return
            repair = await CareRepair.select().where(CareRepair.case == case_id).first() if case["kind"] == "报修" else None
            start = case["reopened_at"] or case["received_at"]
            late, severe, amber = [], [], []
            for clock, due, done in _clocks_of(case, repair):
                if done is not None:
                    continue
                st = _wall_status(start, due, at)
                if due <= at:
                    if await claim(case_id, clock, BREACH, at):
                        late.append((clock, st))
                    if rules.ROLE_DEPT_MANAGER in rules.notify_roles(st, limits) and await claim(case_id, clock, BREACH2, at):
                        severe.append((clock, st))
                elif st.elapsed >= st.budget * float(limits.amber_fraction) and await claim(case_id, clock, AMBER, at):
                    amber.append((clock, due))
            title = f"{case['number']}「{case['title'] or case['kind']}」"
            url = case_url(case_id)
            before = await core.handler_users(case)
            if late:
                _, handler, note = await _escalate(case, repair, [k for k, _ in late], at, cal, limits)
                roles = tuple(dict.fromkeys(r for _, st in late + severe for r in rules.notify_roles(st, limits)))
                after = [handler["user"]] if handler else await core.holder_users([rules.escalation(case["level"])[1]], case["project"])
                told = list(dict.fromkeys(before + after + await core.holder_users(roles, case["project"])))
                for uid in told:
                    await notify(uid, f"超时升级：案件 {title}{note}", url, "care", clock_ref(case_id))
                result.escalated += 1
                result.cases.append(case_id)
            elif severe:
                roles = tuple(dict.fromkeys(r for _, st in severe for r in rules.notify_roles(st, limits)))
                names = "、".join(CLOCK_NAMES[k] for k, _ in severe)
                for uid in dict.fromkeys(before + await core.holder_users(roles, case["project"])):
                    await notify(uid, f"严重超时：案件 {title}的{names}已超过时限 {limits.second_escalation_multiple} 倍，请立即处理",
                                 url, "care", clock_ref(case_id))
                await core.event(case_id, None, "overdue_twice", f"{names}超时已达时限的 {limits.second_escalation_multiple} 倍，已通知客服主管、客服副经理",
                                 case["status"], case["status"], at)
                result.breach2 += 1
            if amber and not late:
                text = "、".join(f"{CLOCK_NAMES[k]}（{due_text(d)} 到期）" for k, d in amber)
                for uid in before:
                    await notify(uid, f"即将到期：案件 {title}的{text}，请尽快办理", url, "care", clock_ref(case_id))
                await core.event(case_id, None, "amber", f"{text}，已提醒处理人", case["status"], case["status"], at)
                result.amber += 1
    except CareError:
        result.skipped += 1  # the case moved under us: the marks rolled back with it; the next pass tries again


# ------------------------------------------------------------------ callbacks past due

async def remind_callbacks(at: datetime, result: PassResult) -> None:
    due = _epoch("b.due_at")
    cursor = 0
    while True:
        rows = await Callback.raw(
            f"SELECT b.id AS id, b.\"case\" AS case_id, b.due_at AS due_at, b.project AS project, c.number AS number, "
            f"c.title AS title FROM care_callback b JOIN care_case c ON c.id = b.\"case\" "
            f"WHERE b.called_at IS NULL AND c.status = '{states.CALLBACK}' AND {due} <= {float(at.timestamp())} AND b.id > {int(cursor)} "
            f"AND NOT EXISTS (SELECT 1 FROM care_clock_mark m WHERE m.key = CAST(b.\"case\" AS TEXT) || ':callback:{BREACH}:' || CAST(b.id AS TEXT)) "
            f"ORDER BY b.id LIMIT {BATCH}")
        if not rows:
            return
        for r in rows:
            cursor = r["id"]
            async with write_transaction():
                if not await claim(r["case_id"], "callback", BREACH, at, suffix=str(r["id"])):
                    continue
                people = await core.holder_users([rules.ROLE_CR_OFFICER, rules.ROLE_SUPERVISOR], r["project"])
                due_at = r["due_at"] if isinstance(r["due_at"], datetime) else datetime.fromisoformat(str(r["due_at"]))
                for uid in people:
                    await notify(uid, f"回访逾期：案件 {r['number']}「{r['title']}」应于 {due_text(due_at)} 前回访，请尽快安排非处理人回访",
                                 f"/care/callbacks/{r['case_id']}", "care", callback_ref(r["case_id"]))
            result.callbacks += 1


async def remind_daily(at: datetime, result: PassResult) -> None:
    """P1 closes per its plan "with daily updates" (SPEC D2): an open P1 complaint, registered before today and not waiting
    on the customer, with no 每日进展 recorded today, gets one notice a day to its handler (ref case:<id>:daily, closed
    by the update). Paged in batches; once per case and day across processes (the day's mark)."""
    day = to_local(at).date()
    day_start = datetime.combine(day, time.min, SHANGHAI)
    updated = CaseEvent.select(CaseEvent.case).where((CaseEvent.action == "daily_update") & (CaseEvent.at >= day_start))
    cursor = 0
    while True:
        rows = await CareCase.select(CareCase.id, CareCase.number, CareCase.title, CareCase.handler, CareCase.handler_role,
                                     CareCase.project).where(
            (CareCase.level == rules.P1) & CareCase.kind.is_in(sorted(states.COMPLAINT_KINDS)) & CareCase.status.is_in(list(states.OPEN))
            & CareCase.paused_since.is_null() & (CareCase.received_at < day_start) & CareCase.id.not_in(updated)
            & (CareCase.id > cursor)).order_by(CareCase.id).limit(BATCH)
        if not rows:
            return
        for r in rows:
            cursor = r["id"]
            async with write_transaction():
                if not await claim(r["id"], "daily", "due", at, suffix=f"{day:%Y%m%d}"):
                    continue
                for uid in await core.handler_users(r):
                    await notify(uid, f"P1 每日进展：案件 {r['number']}「{r['title']}」今天尚未向客户通报进展，请记录每日进展",
                                 case_url(r["id"]), "care", f"case:{r['id']}:daily")
            result.daily += 1


# ------------------------------------------------------------------ the pass

async def _surveys_hook():
    """The surveys part's reminders, if that part is installed (app/surveys/remind.py with remind_once())."""
    if importlib.util.find_spec("app.surveys.remind") is None:
        return None
    module = importlib.import_module("app.surveys.remind")
    fn = getattr(module, "remind_once", None)
    return await fn() if fn is not None else None


async def remind_once(now: datetime | None = None, *, surveys: bool = True) -> PassResult:
    at = now or current_time()
    limits = await load_limits()
    result = PassResult()
    cal = None
    cursor = 0
    while True:
        ids = await candidate_ids(at, limits, cursor)
        if not ids:
            break
        if cal is None:  # once per pass, wide enough for every case's clocks (two queries)
            oldest = await CareCase.select(CareCase.received_at).where(CareCase.status.is_in(list(states.OPEN))).order_by(
                CareCase.received_at).first()
            start = min(oldest["received_at"], at) if oldest else at
            cal = await clocks.calendar_around(start, days=(at - start).days + 800)
        for case_id in ids:
            await remind_case(case_id, at, cal, limits, result)
        cursor = ids[-1]
    await remind_callbacks(at, result)
    await remind_daily(at, result)
    if surveys:
        result.surveys = await _surveys_hook()
    return result


async def main(every: int | None, at: datetime | None) -> None:
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        while True:
            r = await remind_once(at)
            print(f"care reminders: amber {r.amber}, escalated {r.escalated}, 2x {r.breach2}, callbacks {r.callbacks}, "
                  f"P1 daily {r.daily}, retry {r.skipped}", flush=True)
            if not every:
                return
            await asyncio.sleep(every)
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        from app.core.timeutil import SHANGHAI

        value = value.replace(tzinfo=SHANGHAI)
    return value


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="客服案件时限提醒与超时升级")
    ap.add_argument("--every", type=int, default=None, help="seconds between passes; omit for a single pass (cron)")
    ap.add_argument("--now", type=_moment, default=None, help="run as if it were this moment (ISO, Asia/Shanghai if no zone)")
    args = ap.parse_args()
    asyncio.run(main(args.every, args.now))
