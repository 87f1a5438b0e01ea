"""Read side of the pipeline: the unit board, the unit timeline, and each officer's work queue (all in SQL)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.core.listing import Col, Filter, Listing
from app.core.scope import project_clause, scoped
from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.estate.tables import Building, Project, Unit, UNIT_STATUSES
from app.pipeline import services
from app.pipeline.tables import Deal


def project_scope(user):
    """Only the projects the user may see (Employee.all_projects or EmployeeProject)."""
    return project_clause(Unit.project, user)


async def _project_choices(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.name).order_by(Project.code)
    q = scoped(q, Project.id, user)
    return [(str(r["id"]), r["name"]) for r in await q]


async def _building_choices(user) -> list[tuple[str, str]]:
    q = Building.select(Building.id, Building.name, Building.project.name).order_by(Building.project).order_by(Building.name)
    q = scoped(q, Building.project, user)
    return [(str(r["id"]), f'{r["project.name"]} {r["name"]}') for r in await q]


UNITS = Listing(
    table=Unit,
    select=[Unit.id, Unit.project.name, Unit.building.name, Unit.room_no, Unit.layout, Unit.area_build, Unit.unit_price, Unit.total_price, Unit.status],
    columns=[
        Col("project.name", "项目"),
        Col("building.name", "楼栋", sort=Unit.building.name),
        Col("room_no", "房号", sort=Unit.room_no, link="/pipeline/units/{id}", testid="unit-link"),
        Col("layout", "户型"),
        Col("area_build", "建筑面积㎡", sort=Unit.area_build),
        Col("total_price", "总价", sort=Unit.total_price, fmt="money"),
        Col("status", "销控状态", sort=Unit.status, fmt="badge"),
    ],
    filters=[
        Filter("project", "项目", "select", columns=[Unit.project], choices=_project_choices),
        Filter("building", "楼栋", "select", columns=[Unit.building], choices=_building_choices),
        Filter("status", "状态", "select", columns=[Unit.status], choices=[(s, s) for s in UNIT_STATUSES]),
        Filter("q", "房号", "text", columns=[Unit.room_no], placeholder="例如 1203"),
    ],
    default_sort="room_no", base_url="/pipeline", target_id="unit-list", scope=project_scope,
)


async def unit_page(unit_id: int) -> dict[str, Any]:
    """The unit with its current deal (timeline, parties, documents, dues) and every past deal (voided or cancelled)
    with its own timeline and records. One query per kind: the deals, the audit records of all of them, the settings."""
    unit = await Unit.select(Unit.all_columns(), Unit.project.name, Unit.building.name).where(Unit.id == unit_id).first()
    if not unit:
        return None
    from app.pipeline import receipts

    deals = await Deal.select(Deal.all_columns(), Deal.buyer.name).where(Deal.unit == unit_id).order_by(Deal.id, ascending=False)
    current = next((d for d in deals if d["stage"] not in ("已作废", "已退订")), None)
    limits = await services.all_settings()
    page = {"unit": unit, "deals": deals, "current": None, "stages": [], "history": [], "past": [], "limits": limits, "money": None, "voiding": None}
    records: dict[str, list[dict]] = {}
    if deals:
        rows = await AuditLog.select(AuditLog.at, AuditLog.actor_name, AuditLog.summary, AuditLog.action, AuditLog.entity_id).where(
            (AuditLog.entity == "pl_deal") & AuditLog.entity_id.is_in([str(d["id"]) for d in deals])
        ).order_by(AuditLog.at, ascending=False).limit(HISTORY_LIMIT)
        for r in rows:
            records.setdefault(r["entity_id"], []).append(r)
    if current:
        page["current"] = await services.deal_page(current["id"])
        page["stages"] = await services.stages_of(page["current"]["deal"], limits=limits)
        page["history"] = records.get(str(current["id"]), [])
        page["money"] = await receipts.money_of(current["id"])
    voided = next((d for d in deals if d["stage"] == "已作废" and d["void_status"] == "撤销中"), None) or next(
        (d for d in deals if d["stage"] == "已作废"), None)
    if voided and not current:  # the voided contract's close-out: cancellations, refund and its clock
        page["voiding"] = {"deal": voided, "steps": await receipts.void_steps(voided["id"]), "money": await receipts.money_of(voided["id"]),
                           "refund": await receipts.void_refund_due(voided)}
    for d in deals:
        if current and d["id"] == current["id"]:
            continue
        page["past"].append({"deal": d, "stages": await services.stages_of(d, limits=limits), "history": records.get(str(d["id"]), [])})
    return page


HISTORY_LIMIT = 1000  # audit records on one unit page (all its deals together)


QUEUE_LIMIT = 200


async def queue(user) -> list[dict[str, Any]]:
    """What is due from me, soonest first, overdue at the top; kept in the figure cache (app/core/figcache.py) until
    the data changes, with the date, the scope, the stages this user works and the limits in its key."""
    from app.core.figcache import cached

    today, limits, parts = await queue_key(user)
    return await cached("pipeline.queue", parts, lambda: _queue(user, today, limits))


async def queue_key(user) -> tuple[date, dict, list]:
    """Today, the pipeline limits, and what a user's queue depends on besides the data (the figure cache's key parts)."""
    from app.core.figcache import scope_part

    today = today_local()
    limits = await services.all_settings()  # one query for every limit below
    acting = [stage for stage in services.STAGE_OWNER if services.may_act(user, stage)]
    return today, limits, [today, scope_part(user), acting, limits]


async def _queue(user, today, limits) -> list[dict[str, Any]]:
    """One SQL query per stage I own (each LIMITed)."""
    cols = [Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name]
    scope = project_clause(Deal.project, user)
    items: list[dict[str, Any]] = []

    async def run(stage: str, task: str, where, due_col, offset_days: int = 0):
        if not services.may_act(user, stage):
            return
        q = Deal.select(*cols, due_col.as_alias("base")).where(where)
        if scope is not None:
            q = q.where(scope)
        rows = await q.order_by(due_col).limit(QUEUE_LIMIT)
        nominal = [r["base"] + timedelta(days=offset_days) for r in rows if r["base"]] if offset_days else []
        # a period in calendar days ending on a rest day ends on the next working day (民法典 第二百零三条);
        # one calendar per stage, not a query per row
        from app.core.workdays import calendar_for

        cal = await calendar_for(min(nominal), max(nominal) + timedelta(days=60)) if nominal else None
        for r in rows:
            due = (cal.add_calendar_days(r["base"], offset_days) if cal else r["base"] + timedelta(days=offset_days)) if r["base"] else None
            items.append({**r, "stage": stage, "task": task, "due": due, "overdue": bool(due and due < today)})

    # 认购 (草稿 / 待收定金 / 催签约 / 逾期未签): the step module's QUEUE rows (app/pipeline/steps/subscription.py)
    if services.may_act(user, "按揭"):  # each 按揭 state's task and due (app/pipeline/steps/mortgage.py)
        from app.pipeline.steps.mortgage import queue_rows

        items.extend(await queue_rows(user, limits, cols, scope, today))
    # 备案 rows: app/pipeline/steps/filing.py (QUEUE)
    # 交房: its rows come from app/pipeline/steps/handover.py (QUEUE), one per state with the timeline's due
    # 产权证 rows: app/pipeline/steps/title.py (QUEUE)
    from app.pipeline.tables import VoidStep

    for owner, stage in (("bureau", "备案"), ("mortgage", "按揭")):  # A5: cancellations after an approved voiding (WD clock)
        if not services.may_act(user, stage):
            continue
        q = VoidStep.select(VoidStep.step, VoidStep.due_on, VoidStep.deal.as_alias("id"), VoidStep.deal.number.as_alias("number"),
                            VoidStep.deal.unit.as_alias("unit"), VoidStep.deal.unit.room_no.as_alias("unit.room_no"),
                            VoidStep.deal.unit.building.name.as_alias("unit.building.name"), VoidStep.deal.project.name.as_alias("project.name"),
                            VoidStep.deal.buyer.name.as_alias("buyer.name")).where((VoidStep.owner == owner) & VoidStep.done_on.is_null())
        q = scoped(q, VoidStep.deal.project, user)
        for r in await q.order_by(VoidStep.due_on).limit(QUEUE_LIMIT):
            items.append({**r, "stage": "作废", "task": f"合同作废：{r['step']}", "due": r["due_on"], "overdue": bool(r["due_on"] and r["due_on"] < today)})
    from app.pipeline import steps

    for provider in steps.collect("QUEUE"):  # each step module's rows (app/pipeline/steps): same keys as the rows above
        items.extend(await provider(user, limits))
    items.sort(key=lambda i: (not i["overdue"], i["due"] or today + timedelta(days=3650)))
    return items
