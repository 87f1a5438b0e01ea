"""A3 按揭 (documents and their 催交 schedule, 面签, the bank's 3/5 WD clock, the registration, the release and the
release of the developer's guarantee; 贷款被拒 and its remedies) and A8 在建工程抵押解押 (the batch after its approval:
the bank's consent, the deregistration). The actions are services.mortgage_step; this module shows them, reminds and
queues them."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import redirect_with_flash
from app.pipeline import services
from app.pipeline.services import LOAN_METHODS
from app.pipeline.steps import DealPanel
from app.pipeline.tables import Deal

SETTINGS = {
    "mortgage_docs_remind_1": ("按揭资料逾期：第一次催交提醒（逾期第几天）", Decimal("1")),
    "mortgage_docs_remind_2": ("按揭资料逾期：第二次催交提醒（逾期第几天）", Decimal("7")),
    "mortgage_docs_demand": ("按揭资料逾期：转法务发书面催告（逾期第几天）", Decimal("15")),
}

CLOSES = {  # the action → the reminder clocks it completes
    "mortgage.docs": ("docs",),
    "mortgage.appoint": ("meet",),
    "mortgage.attend": ("meet",),
    "mortgage.bank_approve": ("bank",),
    "mortgage.refuse": ("bank",),
    "mortgage.release": ("release",),
    "mortgage.rebank": ("docs", "meet", "bank"),
    "mortgage.switch": ("docs", "meet", "bank", "release"),
}


# ---------------------------------------------------------------- the clocks (pure: a loaded WorkCalendar in, a date out)


def docs_milestones(cal, docs_due: date, limits: dict) -> list[tuple[str, date, str]]:
    """The 催交 schedule of late documents [C]: D+1 and D+7 notices, then the 书面催告 via 法务 (settings). Each is
    counted in calendar days from the deadline; one falling on a rest day moves to the next working day (民法典 203)."""
    n1, n2, nd = (int(limits[k]) for k in ("mortgage_docs_remind_1", "mortgage_docs_remind_2", "mortgage_docs_demand"))
    return [("first", cal.add_calendar_days(docs_due, n1), f"D+{n1} 催交"), ("second", cal.add_calendar_days(docs_due, n2), f"D+{n2} 催交"),
            ("demand", cal.add_calendar_days(docs_due, nd), f"D+{nd} 书面催告")]


def docs_milestone(cal, docs_due: date, today: date, limits: dict) -> tuple[str, date, str] | None:
    """The latest milestone reached on `today` (None before the first)."""
    reached = [m for m in docs_milestones(cal, docs_due, limits) if m[1] <= today]
    return reached[-1] if reached else None


def bank_clock(cal, submitted: date, today: date, limits: dict) -> tuple[str | None, date, date]:
    """("amber" | "red" | None, amber from, due): amber from 3 WD after the submission, red once past 5 WD [S 4.3]."""
    amber = cal.add_working_days(submitted, int(limits["bank_approval_amber_wd"]))
    due = cal.add_working_days(submitted, int(limits["bank_approval_wd"]))
    return ("red" if due < today else "amber" if amber <= today else None), amber, due


def release_due(cal, registered: date, limits: dict) -> date:
    return cal.add_working_days(registered, int(limits["release_wd"]))


# ---------------------------------------------------------------- reminders


async def _docs_reminders(ctx) -> int:
    rows = await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number, Deal.docs_due, Deal.mortgage_status, Deal.docs_demand_on).where(
        Deal.mortgage_status.is_in(list(services.DOCS_OPEN)) & (Deal.docs_due < ctx.today) & Deal.stage.not_in(["已作废", "已退订"]))
    if not rows:
        return 0
    cal = await ctx.calendar(min(r["docs_due"] for r in rows), ctx.today + timedelta(days=60))
    sent = 0
    for d in rows:
        if d["mortgage_status"] == "资料收集中":  # the deadline has passed: 资料逾期(催交)
            async with write_transaction():
                moved = await Deal.update({Deal.mortgage_status: "资料逾期", Deal.version: Deal.version + 1}).where(
                    (Deal.id == d["id"]) & (Deal.mortgage_status == "资料收集中")).returning(Deal.id)
                if moved:
                    await audit.record(actor=None, action="pipeline.mortgage.overdue", entity="pl_deal", entity_id=d["id"],
                                       summary=f"{d['number']} 按揭资料逾期未交齐（期限 {d['docs_due']}）",
                                       before={"mortgage_status": "资料收集中"}, after={"mortgage_status": "资料逾期"})
        m = docs_milestone(cal, d["docs_due"], ctx.today, ctx.limits)
        if not m:
            continue
        key, _, label = m
        if key == "demand":
            sent += await ctx.send("legal", d, f"{d['number']} 按揭资料逾期未交（期限 {d['docs_due']}）已到{label}：请按合同违约条款向客户发出书面催告",
                                   "docs")
            sent += await ctx.send("mortgage", d, f"{d['number']} 按揭资料{label}：已转法务发书面催告", "docs")
            async with write_transaction():
                marked = await Deal.update({Deal.docs_demand_on: ctx.today}).where(
                    (Deal.id == d["id"]) & Deal.docs_demand_on.is_null()).returning(Deal.id)
                if marked:
                    await audit.record(actor=None, action="pipeline.mortgage.demand", entity="pl_deal", entity_id=d["id"],
                                       summary=f"{d['number']} 按揭资料{label}：已通知法务发出书面催告")
        else:
            sent += await ctx.send("mortgage", d, f"{d['number']} 按揭资料逾期未交（期限 {d['docs_due']}）{label}：请拟订按揭资料催交通知书报部门经理批准",
                                   "docs")
    return sent


async def _meet_reminders(ctx) -> int:
    """面签: a missed appointment is chased (a new appointment); a past one without a result is to be recorded."""
    from app.pipeline.tables_mortgage import MortgageAppointment as A

    rows = await A.select(A.id.as_alias("appt_id"), A.person, A.name, A.day, A.result, A.deal.as_alias("id"), A.deal.unit.as_alias("unit"),
                          A.deal.project.as_alias("project"), A.deal.number.as_alias("number")).where(
        (A.deal.mortgage_status == "待面签") & (A.day < ctx.today)).order_by(A.day)
    pending = {(r["id"], r["person"]) for r in rows if r["result"] == ""}
    future = {(r["deal"], r["person"]) for r in await A.select(A.deal, A.person).where(
        (A.deal.mortgage_status == "待面签") & (A.result == "") & (A.day >= ctx.today))}
    attended = {(r["deal"], r["person"]) for r in await A.select(A.deal, A.person).where(
        (A.deal.mortgage_status == "待面签") & (A.result == "已到场"))}
    sent = 0
    for r in rows:
        key = (r["id"], r["person"])
        if r["result"] == "":
            sent += await ctx.send("mortgage", r, f"{r['number']} {r['person']}{r['name']} {r['day']} 的面签预约已过，请登记是否到场", "meet")
        elif r["result"] == "未到场" and key not in pending and key not in future and key not in attended:
            sent += await ctx.send("mortgage", r, f"{r['number']} {r['person']}{r['name']} 未按 {r['day']} 的预约面签，请联系客户重新预约", "meet")
    return sent


async def _bank_reminders(ctx) -> int:
    rows = await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number, Deal.mortgage_status, Deal.bank_submitted_on, Deal.registered_on).where(
        Deal.mortgage_status.is_in(["银行审批中", "抵押已登记", "放款中"]) & Deal.stage.not_in(["已作废", "已退订"]))
    bases = [d for r in rows for d in (r["bank_submitted_on"], r["registered_on"]) if d]
    if not bases:
        return 0
    cal = await ctx.calendar(min(bases), max(max(bases), ctx.today) + timedelta(days=60))  # one calendar for every deal
    sent = 0
    amber_wd, bank_wd, release_wd = (int(ctx.limits[k]) for k in ("bank_approval_amber_wd", "bank_approval_wd", "release_wd"))
    for d in rows:
        if d["mortgage_status"] == "银行审批中" and d["bank_submitted_on"]:
            state, _, due = bank_clock(cal, d["bank_submitted_on"], ctx.today, ctx.limits)
            if state == "amber":
                sent += await ctx.send("mortgage", d, f"{d['number']} 银行审批已满 {amber_wd} 个工作日，须在 {due} 前批复盖章", "bank")
            elif state == "red":
                text = f"{ctx.today} {d['number']} 银行审批已超过 {bank_wd} 个工作日（应于 {due} 前批复）"
                sent += await ctx.send("mortgage", d, text, "bank")
                sent += await ctx.send("supervisor", d, text, "bank")
        elif d["mortgage_status"] in ("抵押已登记", "放款中") and d["registered_on"]:
            due = release_due(cal, d["registered_on"], ctx.limits)
            if due < ctx.today:  # overdue as in the work queue and on the timeline
                sent += await ctx.send("mortgage", d, f"{ctx.today} {d['number']} 抵押登记后银行放款已超过 {release_wd} 个工作日（应于 {due} 前）",
                                       "release")
    return sent


REMINDERS = [_docs_reminders, _meet_reminders, _bank_reminders]


# ---------------------------------------------------------------- the work queue


TASKS = {"资料收集中": "收集按揭资料", "资料逾期": "按揭资料逾期：催交", "资料齐全": "预约面签", "待面签": "面签", "已面签": "送银行审批",
         "银行审批中": "跟踪银行审批", "银行已批": "办理抵押登记", "抵押登记中": "跟进抵押登记", "抵押已登记": "提交放款",
         "放款中": "跟踪银行放款", "贷款被拒": "贷款被拒：选择处理方式", "已放款": "解除阶段性担保及保证金"}


async def queue_rows(user, limits: dict, cols: list, scope, today: date) -> list[dict]:
    """One query for the deals in an open 按揭 state (and 已放款 ones whose title is delivered), one calendar, one
    query for the 面签 appointments; the due follows the state (services.mortgage_due)."""
    from app.core.workdays import calendar_for
    from app.pipeline.queries import QUEUE_LIMIT
    from app.pipeline.tables_mortgage import MortgageAppointment as A

    q = Deal.select(*cols, Deal.mortgage_status, Deal.docs_due, Deal.bank_submitted_on, Deal.bank_approved_on, Deal.registered_on,
                    Deal.loan_bank, Deal.loan_amount, Deal.released_amount).where(
        (Deal.mortgage_status.is_in(services.MORTGAGE_OPEN) | ((Deal.mortgage_status == "已放款") & (Deal.title_status == "已交付业主")))
        & Deal.stage.not_in(["已作废", "已退订"]))
    if scope is not None:
        q = q.where(scope)
    rows = await q.order_by(Deal.docs_due).limit(QUEUE_LIMIT)
    if not rows:
        return []
    bases = [d for r in rows for d in (r["docs_due"], r["bank_submitted_on"], r["bank_approved_on"], r["registered_on"]) if d] or [today]
    cal = await calendar_for(min(bases), max(max(bases), today) + timedelta(days=120))
    meets: dict[int, date] = {}
    waiting = [r["id"] for r in rows if r["mortgage_status"] == "待面签"]
    if waiting:
        for a in await A.select(A.deal, A.day).where(A.deal.is_in(waiting) & (A.result == "")).order_by(A.day):
            meets.setdefault(a["deal"], a["day"])
    out = []
    for r in rows:
        ms = r["mortgage_status"]
        due, _, _ = await services.mortgage_due(r, limits, cal)
        if ms == "待面签":
            due = meets.get(r["id"])
        out.append({**r, "stage": "按揭", "task": TASKS[ms], "due": due, "overdue": bool(due and due < today)})
    return out


def count_specs(today: date, cal, limits: dict, cutoff) -> list[tuple]:
    """The same tasks as queue_rows, as (stage, task, open condition, overdue condition) for the home page's COUNTs
    (app/dashboard/figures.py; `cutoff(due_of, today)`: the latest base date that is overdue)."""
    from app.pipeline.tables_mortgage import MortgageAppointment as A

    live = Deal.stage.not_in(["已作废", "已退订"])
    never = Deal.id < 0
    bank_wd, release_wd, register_days = int(limits["bank_approval_wd"]), int(limits["release_wd"]), int(limits["mortgage_register_days"])
    registered_late = Deal.registered_on <= cutoff(lambda b: cal.add_working_days(b, release_wd), today)
    approved_late = Deal.bank_approved_on <= cutoff(lambda b: cal.add_calendar_days(b, register_days), today)
    late = {
        "资料收集中": Deal.docs_due < today, "资料逾期": Deal.docs_due < today,
        "待面签": Deal.id.is_in(A.select(A.deal).where((A.result == "") & (A.day < today))),
        "银行审批中": Deal.bank_submitted_on <= cutoff(lambda b: cal.add_working_days(b, bank_wd), today),
        "银行已批": approved_late, "抵押登记中": approved_late, "抵押已登记": registered_late, "放款中": registered_late,
    }
    out = [("按揭", TASKS[ms], (Deal.mortgage_status == ms) & live, late.get(ms, never)) for ms in services.MORTGAGE_OPEN]
    out.append(("按揭", TASKS["已放款"], (Deal.mortgage_status == "已放款") & (Deal.title_status == "已交付业主") & live, never))
    return out


# ---------------------------------------------------------------- the unit page


async def _panel(user, deal: dict, page: dict) -> dict | None:
    ms = deal["mortgage_status"]
    loan = deal["payment_method"] in LOAN_METHODS
    if not (loan and page["acts"]["按揭"] and deal["stage"] not in ("已作废", "已退订") and ms in (*services.MORTGAGE_OPEN, "已放款")):
        return None
    from app.pipeline.tables import Buyer
    from app.pipeline.tables_mortgage import MortgageAppointment as A

    buyer = await Buyer.select(Buyer.name, Buyer.marital, Buyer.spouse_name).where(Buyer.id == deal["buyer"]).first()
    appts = await A.select().where(A.deal == deal["id"]).order_by(A.id)
    taken = {a["person"] for a in appts if a["result"] in ("", "已到场")}
    people = [("买受人", buyer["name"], "buyer")] + ([("配偶", buyer["spouse_name"], "spouse")] if buyer["marital"] == "已婚" else [])
    agreement = None
    if deal["payment_method"] in ("公积金", "组合") and ms == "已面签":
        agreement = await services.provident_agreement(deal["project"], today_local()) or False
    return {"appointments": appts, "to_appoint": [p for p in people if p[0] not in taken], "married": buyer["marital"] == "已婚",
            "buyer": buyer, "agreement": agreement, "ratio": services.down_payment_ratio(deal), "label": services.mortgage_state_label(ms),
            "repayment_methods": [(m, m) for m in services.REPAYMENT_METHODS], "attendance": [("", "未登记"), *[(a, a) for a in services.ATTENDANCE]]}


PANELS = [DealPanel("mortgage", 30, "pipeline/panels/mortgage.html", _panel)]


# ---------------------------------------------------------------- A8 解押 after the approval


def _may_release(user) -> bool:
    return services.may_act(user, "按揭")


async def _batch_step(request: Request, batch_id: int, src: str, dst: str) -> Response:
    from app.pipeline.tables import ReleaseBatch

    b = await ReleaseBatch.select().where(ReleaseBatch.id == batch_id).first()
    if not b:
        raise NotFoundException("解押批次不存在")
    user = request.user
    if not _may_release(user):
        raise PermissionDeniedException("只有按揭专员可以登记解押进度")
    if not user.sees_project(b["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    back = f"/workflow/requests/{b['request']}"
    p = Parser(await request.form())
    on = p.date("on", "日期")
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    if dst == "注销登记中":
        no = p.text("bank_consent_no", "银行同意部分解除抵押函编号", max_len=50)
        changes = {ReleaseBatch.status: dst, ReleaseBatch.bank_consent_no: no, ReleaseBatch.consent_on: on}
        summary = f"银行同意部分解除抵押（函号 {no}，{on}），还款 {Decimal(b['repayment']):,.2f} 元，办理注销登记"
    else:
        no = p.text("dereg_no", "注销登记回执号", max_len=50)
        changes = {ReleaseBatch.status: dst, ReleaseBatch.dereg_no: no, ReleaseBatch.dereg_on: on}
        summary = f"在建工程抵押已注销（回执 {no}，{on}）"
    if p.errors:
        return redirect_with_flash(back, "；".join(p.errors.values()), "danger", request)
    from app.estate.tables import Unit

    async with write_transaction():
        rows = await ReleaseBatch.update(changes).where((ReleaseBatch.id == batch_id) & (ReleaseBatch.status == src)).returning(ReleaseBatch.id)
        if not rows:
            return redirect_with_flash(back, "该解押批次的状态已变化，请刷新页面", "danger", request)
        after: dict = {"status": dst}
        if dst == "已解押":  # each unit's mortgaged flag clears only now (SPEC A8 step 5)
            ids = [int(x) for x in b["unit_ids"].split(",") if x]
            cleared = await Unit.update({Unit.mortgaged: False}).where(Unit.id.is_in(ids or [0]) & (Unit.mortgaged == True)).returning(Unit.id)  # noqa: E712
            after["units"] = [r["id"] for r in cleared]
            summary += f"，{len(cleared)} 套解除抵押"
        if dst == "注销登记中":
            await audit.record(actor=user, action="pipeline.release.consent", entity="pl_release_batch", entity_id=batch_id, summary=summary,
                               before={"status": src}, after=after)
        else:
            await audit.record(actor=user, action="pipeline.release.deregister", entity="pl_release_batch", entity_id=batch_id, summary=summary,
                               before={"status": src}, after=after)
    return redirect_with_flash(back, summary, "success", request)


@post("/releases/{batch_id:int}/consent", guards=[requires(Perm.PIPELINE)], status_code=200)
async def release_consent(request: Request, batch_id: int) -> Response:
    return await _batch_step(request, batch_id, "还款/同意函", "注销登记中")


@post("/releases/{batch_id:int}/deregister", guards=[requires(Perm.PIPELINE)], status_code=200)
async def release_deregister(request: Request, batch_id: int) -> Response:
    return await _batch_step(request, batch_id, "注销登记中", "已解押")


ROUTES = [release_consent, release_deregister]
