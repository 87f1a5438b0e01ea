"""A7 产权证: 资料收集中 → 资料待补 (补件通知) → 资料齐备 → 待缴税费 (契税, 登记费) → 已递交 → 审核中 → 已登簿 → 已领证 →
已通知业主 → 已交付业主 → 归档; the deadline (the contract's 办证期限, else 90 days), the pre-registration's 90-day lapse
after the project's 首次登记 [L 民法典 221], and the printed 办证通知, 收件回执 and 补件通知."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.guards import requires
from app.core.permissions import Perm
from app.core.scope import project_clause
from app.pipeline.steps import DealPanel

TASKS = {
    "资料收集中": "收集办证资料", "资料待补": "催补办证资料", "资料齐备": "核定契税及登记费", "待缴税费": "缴清税费后递交",
    "已递交": "跟踪受理", "审核中": "跟踪登记审核", "已登簿": "领取产权证", "已领证": "通知业主领证", "已通知业主": "产权证交付业主",
    "已交付业主": "产权证资料归档",
}

SETTINGS = {
    "mortgage_blocks_title": ("在建工程抵押未解除时禁止办理产权证（1 是 / 0 否，按本地规定）", Decimal("1")),
    "reg_fee_case": ("登记费：每件住宅登记（元，含一本证书）", Decimal("80")),
    "reg_fee_free_copies": ("登记费：免费证书本数", Decimal("1")),
    "reg_fee_extra_copy": ("登记费：每增加一本证书（元）", Decimal("10")),
    "title_max_copies": ("产权证：最多申领证书本数", Decimal("10")),
    "title_remind_days": ("办证期限前多少天提醒（并显示黄色）", Decimal("15")),
    "prereg_lapse_days": ("首次登记后预告登记失效期（天，民法典第221条）", Decimal("90")),
    "prereg_lapse_remind_days": ("预告登记失效前多少天提醒未递交的房源", Decimal("30")),
}

CLOSES = {"title.submit": ("lapse",), "title.deliver": ("title",)}


async def _panel(user, deal: dict, page: dict) -> dict | None:
    from app.pipeline import services

    ts = deal["title_status"]
    if not page["acts"]["产权证"] or ts not in TASKS or deal["stage"] not in ("已交付", "已办证"):
        return None
    data: dict = {"docs": [d for d in page["current"]["docs"] if d["stage"] == "产权证"], "id_types": [(t, t) for t in services.ID_TYPES]}
    data["missing"] = [d["name"] for d in data["docs"] if d["received_on"] is None]
    if ts in ("资料齐备", "待缴税费"):
        data["unpaid"] = (await services.unpaid_of([deal["id"]])).get(deal["id"], [])
        data["blocked"] = await services.mortgage_block(deal["unit"], "mortgage_blocks_title", "办理产权证")
    if ts == "资料齐备":
        d = {**deal, "unit.area_build": page["current"]["deal"]["unit.area_build"]}
        try:
            data["fees"] = await services.title_fees(d, deal["home_count"], 1)
        except services.PipelineError as e:
            data["fee_error"] = e.message
    return data


PANELS = [DealPanel("title", 60, "pipeline/panels/title.html", _panel)]


# ---------------------------------------------------------------- printed papers


PRINTS = {"notice": ("pipeline/print_title_notice.html", "办证通知"), "receipt": ("pipeline/print_title_receipt.html", "收件回执"),
          "missing": ("pipeline/print_title_missing.html", "补件通知")}


@get("/deals/{deal_id:int}/title/print/{kind:str}", guards=[requires(Perm.PIPELINE)])
async def title_print(request: Request, deal_id: int, kind: str) -> Response:
    """The 办证通知 (what to bring, by when, the fees), the 收件回执 (documents received, by whom) and the 补件通知 (what is
    missing): papers handed to the owner. The owner's ID is masked on them (the owner knows it; a lost paper shows none);
    every print is audited."""
    from app.core import audit
    from app.core.printing import print_context
    from app.core.timeutil import today_local
    from app.core.web import render
    from app.pipeline import services
    from app.pipeline.tables import Deal, DealDocument

    if kind not in PRINTS:
        raise NotFoundException("没有这种打印单")
    deal = await Deal.select(Deal.all_columns(), Deal.buyer.name, Deal.buyer.id_type, Deal.buyer.id_number, Deal.buyer.mobile, Deal.unit.room_no,
                             Deal.unit.building.name, Deal.project.name, Deal.unit.area_build).where(Deal.id == deal_id).first()
    if not deal:
        raise NotFoundException("记录不存在")
    if not request.user.sees_project(deal["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    if not services.may_act(request.user, "产权证") or not deal["title_status"]:
        raise PermissionDeniedException("只有产权专员（合同专员、房管局专员）可以打印办证单据")
    template, title = PRINTS[kind]
    docs = await DealDocument.select().where((DealDocument.deal == deal_id) & (DealDocument.stage == "产权证")).order_by(DealDocument.id)
    limits = await services.all_settings()
    from app.pipeline import rules

    due = rules.title_deadline(deal["title_deadline"], deal["handed_over_on"], deal["signed_on"], int(limits["title_days"]))
    if deal["title_status"] in services.TITLE_UNSUBMITTED:  # the owner must come before the pre-registration lapses
        first = await services.first_registration(deal["project"])
        lapse = rules.prereg_lapse(first["registered_on"] if first else None, int(limits["prereg_lapse_days"]))
        if lapse and (due is None or lapse < due):
            due = lapse
    fees = None
    if deal["deed_tax"] is not None:
        fees = {"tax": Decimal(deal["deed_tax"]), "rate": deal["deed_tax_rate"], "reg_fee": Decimal(deal["reg_fee"] or 0),
                "copies": deal["title_copies"]}
        fees["total"] = fees["tax"] + fees["reg_fee"]
    unpaid = (await services.unpaid_of([deal_id])).get(deal_id, [])
    await audit.record(actor=request.user, action="pipeline.print", entity="pl_deal", entity_id=deal_id,
                       summary=f"{deal['number']} 打印{title}（{deal['buyer.name']}）")
    ctx = {"deal": deal, "docs": docs, "due": due, "fees": fees, "unpaid": unpaid, "today": today_local(), "title": title,
           "receiver": f"{request.user.display_name}（{request.user.position_name}）",
           "missing": [x for x in (deal["title_missing"] or "").split("\n") if x] or [d["name"] for d in docs if d["received_on"] is None],
           **print_context(request, f"/pipeline/units/{deal['unit']}")}
    return render(request, template, ctx)


ROUTES = [title_print]


# ---------------------------------------------------------------- reminders and the work queue


async def _first_registrations() -> dict[int, object]:
    from app.pipeline.tables_title import FirstRegistration

    out: dict[int, object] = {}
    for r in await FirstRegistration.select(FirstRegistration.project, FirstRegistration.registered_on).order_by(FirstRegistration.registered_on):
        out.setdefault(r["project"], r["registered_on"])
    return out


def _points(days_left: int, before: int) -> bool:
    """Remind `before` days ahead, a week ahead, on the day, then weekly while overdue."""
    return days_left in (before, 7, 0) or (days_left < 0 and days_left % 7 == 0)


async def _reminders(ctx) -> int:
    from app.pipeline import rules, services
    from app.pipeline.tables import Deal

    today, limits = ctx.today, ctx.limits
    days, before = int(limits["title_days"]), int(limits["title_remind_days"])
    sent = 0
    for d in await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number, Deal.title_deadline, Deal.handed_over_on, Deal.signed_on).where(
            Deal.title_status.is_in(services.TITLE_OPEN) & (Deal.stage == "已交付")):
        due = rules.title_deadline(d["title_deadline"], d["handed_over_on"], d["signed_on"], days)
        if due and _points((due - today).days, before):
            word = "已逾期" if due < today else ("今天到期" if due == today else f"将于 {due:%Y-%m-%d} 到期")
            sent += await ctx.send("title", d, f"{today} {d['number']} 产权证办证期限{word}（期限 {due:%Y-%m-%d}）", "title")
    firsts = await _first_registrations()
    if firsts:
        lapse_days, lapse_before = int(limits["prereg_lapse_days"]), int(limits["prereg_lapse_remind_days"])
        for d in await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number).where(
                Deal.project.is_in(list(firsts)) & Deal.title_status.is_in(services.TITLE_UNSUBMITTED) & (Deal.stage == "已交付")):
            lapse = rules.prereg_lapse(firsts[d["project"]], lapse_days)
            if _points((lapse - today).days, lapse_before):
                word = "已过失效日" if lapse < today else f"将于 {lapse:%Y-%m-%d} 失效"
                sent += await ctx.send("title", d, f"{today} {d['number']} 尚未递交办证，预告登记{word}（首次登记后 {lapse_days} 天，民法典第221条）",
                                       "lapse")
    return sent


REMINDERS = [_reminders]


def _open_where(state: str):
    from app.pipeline.tables import Deal

    return (Deal.title_status == state) & (Deal.stage == ("已办证" if state == "已交付业主" else "已交付"))


async def _queue(user, limits) -> list[dict]:
    """The 产权专员's rows, one task per state; due: the certificate deadline (moved past rest days, as on the unit page)
    or, for a unit not yet submitted, the pre-registration's lapse when that comes first."""
    from app.core.timeutil import today_local
    from app.core.workdays import calendar_for
    from app.pipeline import rules, services
    from app.pipeline.queries import QUEUE_LIMIT
    from app.pipeline.tables import Deal

    if not services.may_act(user, "产权证"):
        return []
    today = today_local()
    where = None
    for state in TASKS:
        where = _open_where(state) if where is None else where | _open_where(state)
    q = Deal.select(Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name,
                    Deal.title_status, Deal.title_deadline, Deal.handed_over_on, Deal.signed_on, Deal.project).where(where)
    scope = project_clause(Deal.project, user)
    if scope is not None:
        q = q.where(scope)
    rows = await q.order_by(Deal.handed_over_on).limit(QUEUE_LIMIT)
    firsts = await _first_registrations()
    days, lapse_days = int(limits["title_days"]), int(limits["prereg_lapse_days"])
    nominal = {r["id"]: rules.title_deadline(r["title_deadline"], r["handed_over_on"], r["signed_on"], days) for r in rows}
    known = [d for d in nominal.values() if d]
    cal = await calendar_for(min(known), max(known) + timedelta(days=60)) if known else None  # one calendar, not a query per row
    out = []
    for r in rows:
        ts = r["title_status"]
        due = cal.next_workday(nominal[r["id"]]) if nominal[r["id"]] and ts in services.TITLE_OPEN else None
        if ts in services.TITLE_UNSUBMITTED and r["project"] in firsts:
            lapse = rules.prereg_lapse(firsts[r["project"]], lapse_days)
            if due is None or lapse < due:
                due = lapse
        out.append({**r, "stage": "产权证", "task": TASKS[ts], "due": due, "overdue": bool(due and due < today)})
    return out


QUEUE = [_queue]


async def dashboard_counts(cal, today, limits, cutoff) -> list[tuple]:
    """The home page's queue counts (app/dashboard/figures.py), one per task of `_queue`: (stage, task, open clause,
    overdue clause) — overdue past the certificate deadline, or past the pre-registration's lapse when not yet submitted."""
    from app.pipeline import rules, services
    from app.pipeline.tables import Deal

    days, lapse_days = int(limits["title_days"]), int(limits["prereg_lapse_days"])
    past_due = (Deal.title_deadline.is_not_null() & (Deal.title_deadline <= cutoff(lambda b: cal.next_workday(b), today))) | (
        Deal.title_deadline.is_null() & (Deal.handed_over_on <= cutoff(lambda b: cal.add_calendar_days(b, days), today)))
    lapsed = [p for p, first in (await _first_registrations()).items() if rules.prereg_lapse(first, lapse_days) < today] or [0]
    out = []
    for state, task in TASKS.items():
        late = past_due if state in services.TITLE_OPEN else (Deal.id < 0)
        if state in services.TITLE_UNSUBMITTED:
            late = late | Deal.project.is_in(lapsed)
        out.append(("产权证", task, _open_where(state), late))
    return out
