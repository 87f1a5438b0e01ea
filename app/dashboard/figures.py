"""The figures of each role's home, every one a COUNT/SUM in SQL over the user's project scope: a fixed number of
statements whatever the number of rows (no table is read into Python, no query per row).

- executives (总经理, 总裁, 分管副总) and the department head: this month's signings (count, amount), money collected
  this month, overdue receivables, overdue approvals, approvals waiting on them, signings per month (12 months);
- the 客服主管 (and the department head): the team's pipeline queue by stage and owner, with its overdue items, and the
  overdue approvals by approver;
- officers: their own pipeline queue (the stages their position works) and their approvals.

The pipeline queue counts use the same conditions and time limits as app.pipeline.queries.queue (the work queue page):
a deadline in calendar or working days becomes a cut-off date on the base column, computed once from the calendar."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable

from piccolo.query.functions.aggregate import Count, Sum

from app.core.permissions import ROLES, Perm
from app.core.scope import project_clause

EXECUTIVE_ROLES = frozenset({"gm", "president", "vp", "dept_head"})
TEAM_ROLES = frozenset({"supervisor", "dept_head"})
TREND_MONTHS = 12
VOIDED = ("已作废", "已退订")


def month_start(d: date, back: int = 0) -> date:
    y, m = d.year, d.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _money(v: Any) -> Decimal:
    """A SUM from the database (None when there are no rows) as money."""
    from app.core.money import round_money

    return round_money(Decimal(str(v or 0)))


def _scope(user, col):
    return project_clause(col, user)


def _where(clause, scope):
    return clause if scope is None else clause & scope


def executive_item(user, today: date) -> tuple:
    """(cache name, key parts, compute) of the executive figures, kept in the figure cache (app/core/figcache.py)
    until the data changes."""
    from app.core.figcache import scope_part

    return "home.executive", [today, scope_part(user), user.can(Perm.WORKFLOW_ALL)], lambda: _executive(user, today)


async def _executive(user, today: date) -> dict[str, Any]:
    from app.pipeline.tables import Deal, Instalment, Receipt
    from app.workflow.engine import T_PENDING
    from app.workflow.tables import Task

    start, end = month_start(today), next_month(today)
    signed = await Deal.select(Count(Deal.id, alias="n"), Sum(Deal.total_price, alias="amount")).where(_where(
        (Deal.signed_on >= start) & (Deal.signed_on < end) & Deal.stage.not_in(list(VOIDED)), _scope(user, Deal.project))).first()
    collected = await Receipt.select(Count(Receipt.id, alias="n"), Sum(Receipt.amount, alias="amount")).where(_where(
        (Receipt.received_on >= start) & (Receipt.received_on < end) & (Receipt.amount > 0), _scope(user, Receipt.deal.project))).first()
    late = await Instalment.select(Count(Instalment.id, alias="n"), Sum(Instalment.amount_due, alias="due"), Sum(Instalment.received, alias="got")).where(
        _where((Instalment.received < Instalment.amount_due) & (Instalment.due_on < today), _scope(user, Instalment.deal.project))).first()
    late_tasks = await Task.count().where((Task.status == T_PENDING) & (Task.step.due_on < today)) if user.can(Perm.WORKFLOW_ALL) else None
    return {
        "month": f"{start.year}年{start.month}月",
        "signed_count": signed["n"] or 0, "signed_amount": _money(signed["amount"]),
        "collected_count": collected["n"] or 0, "collected_amount": _money(collected["amount"]),
        "overdue_receivables": late["n"] or 0, "overdue_receivable_amount": _money(late["due"]) - _money(late["got"]),
        "overdue_approvals": late_tasks,
        "trend": await signings_by_month(user, today),
    }


async def signings_by_month(user, today: date, months: int = TREND_MONTHS) -> list[dict[str, Any]]:
    """Signings per calendar month, the last `months` months up to this one: one GROUP BY in SQL.
    The month is the first 7 characters of the date as text (YYYY-MM on SQLite and PostgreSQL)."""
    from app.pipeline.tables import Deal

    first = month_start(today, months - 1)
    scope = "" if user.all_projects else " AND project IN ({})".format(",".join(str(int(p)) for p in sorted(user.project_ids)) or "0")
    rows = await Deal.raw(
        "SELECT SUBSTR(CAST(signed_on AS TEXT), 1, 7) AS ym, COUNT(*) AS n, SUM(total_price) AS amount FROM pl_deal "
        f"WHERE signed_on >= {{}} AND signed_on < {{}} AND stage NOT IN ('已作废', '已退订'){scope} "
        "GROUP BY SUBSTR(CAST(signed_on AS TEXT), 1, 7)", first, next_month(today))
    by = {r["ym"]: r for r in rows}
    out = []
    for back in range(months - 1, -1, -1):
        m = month_start(today, back)
        r = by.get(f"{m.year:04d}-{m.month:02d}", {})
        out.append({"month": f"{m.year}-{m.month:02d}", "label": f"{m.year}年1月" if m.month == 1 or back == months - 1 else f"{m.month}月", "count": int(r.get("n") or 0), "amount": _money(r.get("amount"))})
    return out


# ------------------------------------------------------------------ the pipeline queue, counted
def _cutoff(due_of: Callable[[date], date], today: date) -> date:
    """The latest base date whose due date is before today (due_of is non-decreasing): overdue ⟺ base <= cut-off."""
    b = today - timedelta(days=1)
    for _ in range(800):
        if due_of(b) < today:
            return b
        b -= timedelta(days=1)
    return b


def _day_before(Deal, day: date):
    """The deal's 交房日期 (the notice's or the approved bulletin's, else the contract's delivery date) is before `day`."""
    return (Deal.handover_date.is_not_null() & (Deal.handover_date < day)) | (Deal.handover_date.is_null() & (Deal.delivery_due < day))


def queue_counts_item(user, today: date, limits) -> tuple:
    """(cache name, key parts, compute) of the pipeline queue this user works (app.pipeline.queries.queue), given the
    pipeline settings (services.all_settings()): open items and overdue items per task, two COUNTs each, over the
    project scope. The owner is the position whose work the task is."""
    from app.core.figcache import scope_part
    from app.core.workdays import calendar_for, calendar_notice_muted
    from app.pipeline import services

    async def compute():
        # the cut-offs below look at due dates past today to find those before it; the years they touch (2027…) do
        # not decide an overdue item, so they must not raise the page's "calendar not entered" notice
        with calendar_notice_muted():
            return await _queue_counts(user, today, limits, calendar_for)

    acting = [stage for stage in services.STAGE_OWNER if services.may_act(user, stage)]  # the tasks counted for this user
    return "home.queue_counts", [today, scope_part(user), acting, limits], compute


async def _queue_counts(user, today: date, limits, calendar_for) -> list[dict[str, Any]]:
    from app.pipeline import services
    from app.pipeline.steps import filing as filing_step, sign as sign_step, subscription as subscription_step, title as title_step
    from app.pipeline.tables import Deal, VoidStep

    cal = await calendar_for(today - timedelta(days=800), today + timedelta(days=60))
    scope = _scope(user, Deal.project)
    handover_window = today + timedelta(days=int(limits["handover_queue_days"]))
    from app.pipeline.steps.mortgage import count_specs as mortgage_count_specs

    live = Deal.stage.is_in(["已签约", "已备案"])
    specs = [  # stage, task, open condition, overdue condition
        *subscription_step.dashboard_counts(user, today),  # one per task of the step's queue rows
        *sign_step.dashboard_counts(user, today, limits),
        *mortgage_count_specs(today, cal, limits, _cutoff),  # every 按揭 state (app/pipeline/steps/mortgage.py)
        *filing_step.dashboard_counts(cal, today, limits, _cutoff),  # one per task of the step's queue rows
        # 交房 (A6): one task per state, as app/pipeline/steps/handover.py's queue rows
        ("交房", "发出交房通知书", (Deal.handover_status == "待通知") & live & (Deal.delivery_due <= handover_window),
         _day_before(Deal, today + timedelta(days=int(limits["notice_min_days"])))),
        ("交房", "预约交房", (Deal.handover_status == "已通知") & live, _day_before(Deal, today)),
        ("交房", "拒收整改后重新预约", (Deal.handover_status == "拒收") & live, Deal.id < 0),  # no due date: never overdue
        ("交房", "按预约办理交房", (Deal.handover_status == "已预约") & live, Deal.appointment_on < today),
        ("交房", "交房办理中：结清款项、交付钥匙", (Deal.handover_status == "办理中") & live, Deal.id < 0),  # due today
        *await title_step.dashboard_counts(cal, today, limits, _cutoff),
    ]
    # two indexed COUNTs per task, all in one statement (app/core/db.count_many): measured at 50,000 deals, indexed
    # counts beat one pass with a SUM(CASE …) per task, which evaluates every condition on every row of the scope
    from app.core.db import count_many

    mine = [(stage, task, open_where, late_where) for stage, task, open_where, late_where in specs if services.may_act(user, stage)]
    wheres = []
    for _, _, open_where, late_where in mine:
        wheres += [_where(open_where, scope), _where(open_where & late_where, scope)]
    counts = await count_many(Deal, wheres)
    out = []
    for i, (stage, task, _, _) in enumerate(mine):
        out.append({"stage": stage, "task": task, "owner": ROLES.get(services.STAGE_OWNER[stage], ""), "open": counts[2 * i],
                    "overdue": counts[2 * i + 1]})
    vscope = _scope(user, VoidStep.deal.project)
    for owner, stage in (("bureau", "备案"), ("mortgage", "按揭")):  # A5 cancellations after an approved voiding
        if not services.may_act(user, stage):
            continue
        base = (VoidStep.owner == owner) & VoidStep.done_on.is_null()
        opened = await VoidStep.select(VoidStep.step, Count(VoidStep.id, alias="n")).where(_where(base, vscope)).group_by(VoidStep.step)
        late = {r["step"]: r["n"] for r in await VoidStep.select(VoidStep.step, Count(VoidStep.id, alias="n")).where(
            _where(base & (VoidStep.due_on < today), vscope)).group_by(VoidStep.step)}
        for r in sorted(opened, key=lambda r: r["step"]):
            out.append({"stage": "作废", "task": f"合同作废：{r['step']}", "owner": ROLES[owner], "open": r["n"], "overdue": late.get(r["step"], 0)})
    return out


def overdue_approvals_item(today: date, limit: int = 20) -> tuple:
    """(cache name, key parts, compute) of the overdue approval tasks grouped by approver, kept in the figure cache
    until the data changes."""
    return "home.late_approvals", [today, limit], lambda: _overdue_approvals_by_approver(today, limit)




async def _overdue_approvals_by_approver(today: date, limit: int = 20) -> list[dict[str, Any]]:
    """Overdue approval tasks grouped by approver (one GROUP BY, one query for the names)."""
    from app.org.tables import Employee
    from app.workflow.engine import T_PENDING
    from app.workflow.tables import Task

    rows = await Task.select(Task.assignee, Count(Task.id, alias="n")).where((Task.status == T_PENDING) & (Task.step.due_on < today)).group_by(
        Task.assignee).order_by(Task.assignee).limit(500)
    rows = sorted(rows, key=lambda r: -r["n"])[:limit]
    names = {r["user"]: (r["name"], r["position.name"]) for r in await Employee.select(Employee.user, Employee.name, Employee.position.name).where(
        Employee.user.is_in([r["assignee"] for r in rows] or [0]))}
    return [{"name": names.get(r["assignee"], ("", ""))[0] or f"用户 {r['assignee']}", "position": names.get(r["assignee"], ("", ""))[1], "count": r["n"]} for r in rows]

