"""A1 认购: 草稿 → 优惠待批 → 待收定金 → 已认购 → 已转签约 | 逾期未签 | 已退订 (Deal.subscription_status; "" on old rows = 已认购).

- The 置业顾问 fills in the 认购书 (services.subscribe): saved as a 草稿 or submitted. The unit is 保留 until the 定金 is in.
- A 优惠 beyond the price list (a price below the list price, or a 优惠 written on the form) goes to the 销售经理 on the
  approval engine (认购优惠, below); above the setting `discount_manager_max_pct` % of the list price (特殊优惠) on to the
  营销副总 and the 总经理. Approved → 待收定金. 驳回 or 撤回 → back to 草稿: the 置业顾问 corrects the terms and submits again,
  or 放弃 the draft (then 已退订, the unit 可售).
- 待收定金 → 已认购 when finance's 收款登记 completes the 定金 (receipts.record_receipt → services.deposit_received); the
  unit 保留 → 已认购 and the signing deadline runs `sign_days` from that day.
- The reminders tell the 置业顾问 at D−1 and D0; after D0 the reminder run marks the subscription 逾期未签 (as the system).
- 退订 / 没收定金 (below): proposed by the 销售经理 for a 逾期未签 subscription, or one the customer withdraws before its
  deadline; approved by the 客服副经理 and the 财务经理. 退订 refunds the 定金 (required when neither side caused the
  failure, 商品房买卖合同司法解释 第四条; paid through 付款 with 退款类型 定金退款); 没收定金 only when the buyer caused it.
  Approved → 已退订, the unit 可售 again. 驳回 → the subscription stays as it was."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.fields import Parser
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline import rules, services
from app.pipeline.flows import deal_picker  # noqa: E402 (flows imports the step modules at its end, after deal_picker)
from app.pipeline.steps import DealPanel
from app.pipeline.tables import Deal, Instalment
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, RecordPicker, StepSpec, positions, register
from app.workflow.engine import WorkflowError

role = Approvers.of_role
PIPELINE_DESK = (Perm.REQUEST, Perm.PIPELINE)

SETTINGS = {
    "discount_manager_max_pct": ("销售经理审批优惠上限（占表价的 %，超过为特殊优惠，需营销副总、总经理审批）", Decimal("3")),
    "subscription_refund_days": ("退订批准后退还定金的期限（天）", Decimal("30")),
}


def _discount_of(deal: dict, list_total: Decimal, limits: dict) -> rules.Discount:
    return rules.discount_of(list_total, Decimal(deal["total_price"]), deal["discount_note"], limits["discount_manager_max_pct"])


# ---------------------------------------------------------------- 认购优惠 (on the approval engine)


class DiscountForm:
    fields_template = "pipeline/_subscription_discount_fields.html"
    detail_template = "pipeline/_subscription_discount_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        ref = p.text("deal_ref", "认购书编号", max_len=50)
        deal = None
        if ref:
            deal = await Deal.select(Deal.all_columns(), Deal.unit.total_price, Deal.unit.room_no, Deal.unit.building.name).where(Deal.number == ref).first()
            from app.pipeline.tables_subscription import SubscriptionDiscount

            mine = request_id and await SubscriptionDiscount.exists().where(
                (SubscriptionDiscount.request == request_id) & (SubscriptionDiscount.deal == (deal or {}).get("id", 0)))
            if not deal:
                p.fail("deal_ref", "没有找到该认购书")
            elif not user.sees_project(deal["project"]):
                p.fail("deal_ref", "该项目不在您的数据范围内")
            elif not (deal["subscription_status"] == "草稿" or (mine and deal["subscription_status"] == "优惠待批")):
                p.fail("deal_ref", f"该认购书当前为「{deal['subscription_status'] or '已认购'}」，只有草稿可以送优惠审批")
        cleaned: dict[str, Any] = {"deal": None}
        title = "认购优惠"
        amount = None
        if deal and not p.errors:
            limits = await services.all_settings()
            d = _discount_of(deal, Decimal(deal["unit.total_price"]), limits)
            if not d.needs_approval:
                p.fail("deal_ref", "该认购书按表价成交、没有优惠，无需审批")
            cleaned = {"deal": deal["id"], "list_total": Decimal(deal["unit.total_price"]), "total_price": Decimal(deal["total_price"]),
                       "discount_amount": d.amount, "discount_pct": d.pct, "special": d.special, "needs": d.needs_approval,
                       "note": deal["discount_note"]}
            amount = d.amount
            title = f"认购{'特殊' if d.special else ''}优惠：{deal['unit.building.name']}{deal['unit.room_no']} 优惠 {d.amount:,.2f} 元（{d.pct}%）"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=amount)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        from app.pipeline.tables_subscription import SubscriptionDiscount

        rows = await Deal.update({Deal.subscription_status: "优惠待批", Deal.version: Deal.version + 1}).where(
            (Deal.id == cleaned["deal"]) & Deal.subscription_status.is_in(["草稿", "优惠待批"])).returning(Deal.id)
        if not rows:
            raise WorkflowError("该认购书的状态已变化，请刷新后重试", "deal_ref")
        await SubscriptionDiscount.delete().where(SubscriptionDiscount.request == request_id)
        await SubscriptionDiscount.insert(SubscriptionDiscount(
            request=request_id, deal=cleaned["deal"], list_total=cleaned["list_total"], total_price=cleaned["total_price"],
            discount_amount=cleaned["discount_amount"], discount_pct=cleaned["discount_pct"], special=cleaned["special"], note=cleaned["note"]))

    async def load(self, request_id: int) -> dict:
        from app.pipeline.tables_subscription import SubscriptionDiscount

        x = await SubscriptionDiscount.select(SubscriptionDiscount.all_columns(), SubscriptionDiscount.deal.number, SubscriptionDiscount.deal.unit,
                                              SubscriptionDiscount.deal.unit.room_no, SubscriptionDiscount.deal.unit.building.name,
                                              SubscriptionDiscount.deal.buyer.name, SubscriptionDiscount.deal.subscription_status,
                                              SubscriptionDiscount.deal.deposit, SubscriptionDiscount.deal.payment_method).where(
            SubscriptionDiscount.request == request_id).first() or {}
        return {"discount": x, "form_values": {"deal_ref": x.get("deal.number", "")}}


_STEP_NAMES = {"sales_manager": "销售经理审批优惠", "marketing_vp": "营销副总审批特殊优惠", "gm": "总经理审批特殊优惠"}


def discount_chain(c: ChainContext) -> list[StepSpec]:
    d = rules.Discount(c.data.get("discount_amount") or Decimal(0), c.data.get("discount_pct") or Decimal(0), bool(c.data.get("needs", True)),
                       bool(c.data.get("special")))
    return [StepSpec(r, _STEP_NAMES[r], role(r)) for r in rules.discount_chain(d)] or [StepSpec("sales_manager", _STEP_NAMES["sales_manager"], role("sales_manager"))]


async def discount_approved(req: dict, actor) -> None:
    from app.pipeline.tables_subscription import SubscriptionDiscount

    x = await SubscriptionDiscount.select().where(SubscriptionDiscount.request == req["id"]).first()
    rows = await Deal.update({Deal.subscription_status: "待收定金", Deal.version: Deal.version + 1}).where(
        (Deal.id == x["deal"]) & (Deal.subscription_status == "优惠待批")).returning(*Deal.all_columns())
    if not rows:
        raise WorkflowError("该认购书的状态已变化，不能批准优惠")
    await services._open_deposit(rows[0])
    await services._audit(actor, rows[0], "subscription.discount", f"优惠已批准（{req['number']}，优惠 {Decimal(x['discount_amount']):,.2f} 元），"
                          f"待财务收取定金 {Decimal(rows[0]['deposit']):,.2f} 元", {"subscription_status": "优惠待批"}, {"subscription_status": "待收定金"})


async def discount_closed(req: dict, actor) -> None:
    """驳回 or 撤回: the 认购书 goes back to 草稿 (the 置业顾问 corrects the terms and submits again, or 放弃 it)."""
    from app.pipeline.tables_subscription import SubscriptionDiscount

    x = await SubscriptionDiscount.select().where(SubscriptionDiscount.request == req["id"]).first()
    rows = await Deal.update({Deal.subscription_status: "草稿", Deal.version: Deal.version + 1}).where(
        (Deal.id == x["deal"]) & (Deal.subscription_status == "优惠待批")).returning(Deal.id, Deal.number)
    if rows:
        await services._audit(actor, rows[0], "subscription.discount", f"优惠未获批准（{req['number']} {req['status']}），认购书退回草稿",
                              {"subscription_status": "优惠待批"}, {"subscription_status": "草稿"})


DISCOUNT = register(FlowDef(
    code="subscription_discount", name="认购优惠", prefix="YH", group="客服业务",
    description="认购价低于表价或另有优惠时，由销售经理审批；超过销售经理审批权限（占表价的比例，管理员设置）的特殊优惠，再经营销副总、总经理审批。批准后待财务收取定金。",
    chain=discount_chain, form=DiscountForm(),
    starters=positions("sales", "sales_manager", perms=PIPELINE_DESK),
    record=deal_picker("认购书", lambda: Deal.subscription_status == "草稿"),
    clause=("kf-71p", "toc", "SPEC A1 认购 第 2 步 优惠审批"),
    on_approved=discount_approved, on_closed=discount_closed,
))


# ---------------------------------------------------------------- 退订 / 没收定金 (on the approval engine)


CANCELLABLE = ("已认购", "逾期未签", "")


def _cancellable():
    return (Deal.stage == "已认购") & Deal.subscription_status.is_in(list(CANCELLABLE)) & Deal.signed_on.is_null()


class CancelForm:
    fields_template = "pipeline/_subscription_cancel_fields.html"
    detail_template = "pipeline/_subscription_cancel_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"outcomes": rules.CANCEL_OUTCOMES, "causes": rules.CANCEL_CAUSES}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        from app.pipeline.tables_subscription import SubscriptionCancel

        p = Parser(values)
        ref = p.text("deal_ref", "认购书编号", max_len=50)
        outcome = p.choice("outcome", "处理方式", list(rules.CANCEL_OUTCOMES))
        cause = p.choice("cause", "未签约的原因", list(rules.CANCEL_CAUSES))
        note = p.text("note", "情况说明", max_len=500)
        if outcome and cause:
            err = rules.cancel_error(outcome, cause)
            if err:
                p.fail("outcome", err)
        deal = None
        if ref:
            deal = await Deal.select(Deal.all_columns(), Deal.unit.room_no, Deal.unit.building.name).where(Deal.number == ref).first()
            if not deal:
                p.fail("deal_ref", "没有找到该认购书")
            elif not user.sees_project(deal["project"]):
                p.fail("deal_ref", "该项目不在您的数据范围内")
            elif not (deal["stage"] == "已认购" and deal["subscription_status"] in CANCELLABLE and deal["signed_on"] is None):
                p.fail("deal_ref", f"该认购书当前为「{deal['subscription_status'] or deal['stage']}」，只有已认购、逾期未签且未签约的可以退订")
            else:
                pending = await SubscriptionCancel.select(SubscriptionCancel.request.number).where(
                    (SubscriptionCancel.deal == deal["id"]) & SubscriptionCancel.request.status.is_in(["审批中", "已退回"])
                    & (SubscriptionCancel.request != (request_id or 0))).first()
                if pending:
                    p.fail("deal_ref", f"该认购书已有退订申请 {pending['request.number']} 在审批中")
        received = Decimal("0.00")
        if deal:
            for i in await Instalment.select(Instalment.received).where((Instalment.deal == deal["id"]) & (Instalment.kind == "定金")):
                received += Decimal(str(i["received"] or 0))
        refund = received if outcome == "退订" else Decimal("0.00")
        cleaned = {"deal": deal["id"] if deal else None, "outcome": outcome, "cause": cause, "note": note, "deposit_received": received, "refund": refund}
        title = f"认购{outcome or '退订'}：{deal['unit.building.name']}{deal['unit.room_no']}（{deal['number']}）" if deal else "认购退订"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=received)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        from app.pipeline.tables_subscription import SubscriptionCancel

        if not await Deal.exists().where((Deal.id == cleaned["deal"]) & _cancellable()):
            raise WorkflowError("该认购书的状态已变化，请刷新后重试", "deal_ref")
        await SubscriptionCancel.delete().where(SubscriptionCancel.request == request_id)
        await SubscriptionCancel.insert(SubscriptionCancel(request=request_id, deal=cleaned["deal"], outcome=cleaned["outcome"], cause=cleaned["cause"],
                                                           deposit_received=cleaned["deposit_received"], refund=cleaned["refund"], note=cleaned["note"]))

    async def load(self, request_id: int) -> dict:
        from app.pipeline.tables_subscription import SubscriptionCancel

        x = await SubscriptionCancel.select(SubscriptionCancel.all_columns(), SubscriptionCancel.deal.number, SubscriptionCancel.deal.unit,
                                            SubscriptionCancel.deal.unit.room_no, SubscriptionCancel.deal.unit.building.name,
                                            SubscriptionCancel.deal.buyer.name, SubscriptionCancel.deal.subscription_status,
                                            SubscriptionCancel.deal.sign_deadline).where(SubscriptionCancel.request == request_id).first() or {}
        return {"cancel": x, "form_values": {"deal_ref": x.get("deal.number", ""), "outcome": x.get("outcome", ""), "cause": x.get("cause", ""),
                                             "note": x.get("note", "")}}


async def cancel_approved(req: dict, actor) -> None:
    """Approved: 已退订; the unit is 可售 again; the signing reminders stop. A 退订 leaves the 定金 to refund through 付款
    (退款类型 定金退款, within `subscription_refund_days`); a 没收定金 keeps it (recorded on the request and in the audit log)."""
    from app.pipeline.remind import step_done
    from app.pipeline.tables_subscription import SubscriptionCancel

    x = await SubscriptionCancel.select().where(SubscriptionCancel.request == req["id"]).first()
    rows = await Deal.update({Deal.subscription_status: "已退订", Deal.stage: "已退订", Deal.version: Deal.version + 1}).where(
        (Deal.id == x["deal"]) & _cancellable()).returning(Deal.id, Deal.number, Deal.unit, Deal.subscription_status)
    if not rows:
        raise WorkflowError("该认购书的状态已变化（可能已签约），不能退订")
    await SubscriptionCancel.update({SubscriptionCancel.decided_on: today_local()}).where(SubscriptionCancel.id == x["id"])
    units = await Unit.update({Unit.status: "可售"}).where((Unit.id == rows[0]["unit"]) & (Unit.status == "已认购")).returning(Unit.id)
    if not units:
        raise WorkflowError("房源当前状态不允许恢复可售，请刷新页面")
    await step_done(x["deal"], "subscription.cancel")
    money = (f"定金 {Decimal(x['refund']):,.2f} 元须退还客户（经付款审批，退款类型“定金退款”）" if x["outcome"] == "退订"
             else f"定金 {Decimal(x['deposit_received']):,.2f} 元没收（买受人原因）")
    await services._audit(actor, rows[0], "subscription.cancel", f"{x['outcome']}已批准（{req['number']}，{x['cause']}）：{money}；房源恢复可售",
                          {"subscription_status": "已认购/逾期未签", "unit_status": "已认购"}, {"subscription_status": "已退订", "unit_status": "可售"})


CANCEL = register(FlowDef(
    code="subscription_cancel", name="认购退订/没收定金", prefix="TD", group="客服业务",
    description="认购逾期未签（或客户在签约截止日前退订）时，由销售经理提出退订或没收定金，经客服副经理、财务经理审批。双方均无过错的，定金必须退还；批准后房源恢复可售。",
    chain=lambda c: [StepSpec("dept_head", "客服副经理审批", role("dept_head")), StepSpec("finance_manager", "财务审批", role("finance_manager"))],
    form=CancelForm(), starters=positions("sales_manager", perms=PIPELINE_DESK),
    record=deal_picker("认购书", _cancellable),
    clause=("kf-71p", "toc", "SPEC A1 认购 逾期未签"), on_approved=cancel_approved,
))


# ---------------------------------------------------------------- the unit page


async def _panel(user, deal: dict, page: dict) -> dict | None:
    ss = deal["subscription_status"]
    if ss == "草稿" and page["acts"]["认购"]:
        from app.core.web import Form

        return {"mode": "draft", "form": Form(values={"unit_price": f"{deal['unit_price']:.2f}", "total_price": f"{deal['total_price']:.2f}",
                                                      "discount_note": deal["discount_note"], "deposit": f"{deal['deposit']:.2f}",
                                                      "payment_method": deal["payment_method"], "down_payment": f"{deal['down_payment']:.2f}"})}
    if ss in ("已认购", "逾期未签", "") and deal["stage"] == "已认购" and deal["signed_on"] is None and CANCEL.starters.allows(user):
        info = await services.subscription_info(deal["id"])
        return {"mode": "cancel", "open_cancel": info["open_cancel"], "outcomes": rules.CANCEL_OUTCOMES, "causes": rules.CANCEL_CAUSES}
    return None


async def _card(user, deal: dict, page: dict) -> dict | None:
    return {"info": await services.subscription_info(deal["id"])}


PANELS = [DealPanel("subscription", 10, "pipeline/panels/subscription.html", _panel),
          DealPanel("subscription-card", 10, "pipeline/panels/subscription_card.html", _card, place="card")]


async def _deal_unit(request: Request, deal_id: int) -> dict:
    d = await Deal.select(Deal.id, Deal.unit, Deal.project).where(Deal.id == deal_id).first()
    if not d:
        raise NotFoundException("记录不存在")
    if not request.user.sees_project(d["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    return d


@post("/deals/{deal_id:int}/subscription/submit", guards=[requires(Perm.PIPELINE)], status_code=200)
async def subscription_submit(request: Request, deal_id: int) -> Response:
    from app.pipeline.routes import _act

    return await _act(request, deal_id, "subscription.submit", lambda d: services.submit_draft(request.user, deal_id, d))


@post("/deals/{deal_id:int}/subscription/abandon", guards=[requires(Perm.PIPELINE)], status_code=200)
async def subscription_abandon(request: Request, deal_id: int) -> Response:
    from app.pipeline.routes import _act

    return await _act(request, deal_id, "subscription.abandon", lambda d: services.abandon_draft(request.user, deal_id))


@post("/deals/{deal_id:int}/subscription/cancel", guards=[requires(Perm.PIPELINE)], status_code=200)
async def subscription_cancel(request: Request, deal_id: int) -> Response:
    from app.pipeline.routes import _act

    return await _act(request, deal_id, "subscription.cancel", lambda d: services.propose_cancel(request.user, deal_id, d))


@get("/deals/{deal_id:int}/subscription/print", guards=[requires(Perm.PIPELINE)])
async def subscription_print(request: Request, deal_id: int) -> Response:
    """The printed 认购书 (A4). The buyer's ID number is masked: the paper is the office's copy, kept in the file."""
    from app.core.printing import print_context
    from app.core.web import render
    from app.estate.tables import Project
    from app.pipeline.tables import DealParty

    d0 = await _deal_unit(request, deal_id)
    deal = await Deal.select(Deal.all_columns(), Deal.buyer.name, Deal.buyer.id_type, Deal.buyer.id_number, Deal.buyer.mobile, Deal.buyer.address,
                             Deal.salesperson.name, Deal.unit.room_no, Deal.unit.building.name, Deal.unit.area_build, Deal.unit.layout,
                             Deal.unit.total_price, Deal.unit.unit_price, Deal.unit.pricing_basis).where(Deal.id == deal_id).first()
    project = await Project.select(Project.name, Project.company_name).where(Project.id == d0["project"]).first()
    parties = await DealParty.select(DealParty.role, DealParty.share, DealParty.buyer.name, DealParty.buyer.id_number).where(
        (DealParty.deal == deal_id) & (DealParty.role != "买受人"))
    limits = await services.all_settings()
    down_due = None
    if deal["signed_on"] is None:
        down_due = deal["sign_deadline"] + timedelta(days=int(limits["down_payment_due_days"]))
    else:
        first = await Instalment.select(Instalment.due_on).where((Instalment.deal == deal_id) & (Instalment.kind == "首付款")).first()
        down_due = first["due_on"] if first else None
    await audit.record(actor=request.user, action="pipeline.subscription.print", entity="pl_deal", entity_id=deal_id,
                       summary=f"{deal['number']} 打印认购书（证件号已遮蔽）")
    ctx = {"deal": deal, "project": project, "parties": parties, "info": await services.subscription_info(deal_id), "down_due": down_due,
           "sign_days": int(limits["sign_days"]), "list_discount": max(Decimal(deal["unit.total_price"]) - Decimal(deal["total_price"]), Decimal("0.00")),
           **print_context(request, f"/pipeline/units/{deal['unit']}")}
    return render(request, "pipeline/print_subscription.html", ctx)


ROUTES = [subscription_submit, subscription_abandon, subscription_cancel, subscription_print]


# ---------------------------------------------------------------- reminders, the queue


async def _sign_reminders(ctx) -> int:
    """After D0 → 逾期未签 (as the system); D−1 and D0 reminders to the 置业顾问; the 销售经理 is told of each 逾期未签
    once, the day it expires, to propose 退订 or 没收定金."""
    sent = 0
    for r in await services.expire_subscriptions(ctx.today):
        d = await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number).where(Deal.id == r["id"]).first()
        sent += await ctx.send("sales_manager", d, f"{ctx.today} {d['number']} 认购逾期未签（截止 {r['sign_deadline']}），请提出退订或没收定金", "sign")
    for d in await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number, Deal.sign_deadline).where(
            (Deal.stage == "已认购") & Deal.subscription_status.is_in(list(services.SUB_SIGNED)) & Deal.signed_on.is_null()
            & (Deal.sign_deadline >= ctx.today) & (Deal.sign_deadline <= ctx.today + timedelta(days=1))):
        label = rules.sign_reminder(d["sign_deadline"], ctx.today)
        if label:
            sent += await ctx.send("sales", d, f"{ctx.today} {d['number']} 签约期限{label}（{d['sign_deadline']}）", "sign")
    return sent


REMINDERS = [_sign_reminders]
CLOSES = {"subscription.cancel": ("sign",)}

QUEUE_LIMIT = 200


async def _queue(user, limits) -> list[dict]:
    from app.core.scope import project_clause

    today = today_local()
    cols = [Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name,
            Deal.subscription_status, Deal.sign_deadline, Deal.subscribed_on]
    scope = project_clause(Deal.project, user)
    wanted = []
    if services.may_act(user, "认购"):
        wanted += ["草稿", "待收定金", "已认购", ""]
    if CANCEL.starters.allows(user):
        wanted.append("逾期未签")
    if not wanted:
        return []
    q = Deal.select(*cols).where(Deal.subscription_status.is_in(wanted) & Deal.stage.is_in([services.SUB_STAGE, "已认购"]) & Deal.signed_on.is_null())
    if scope is not None:
        q = q.where(scope)
    tasks = {"草稿": "提交认购书", "待收定金": "待财务收定金", "已认购": "催客户签约", "": "催客户签约", "逾期未签": "逾期未签：提出退订或没收定金"}
    out = []
    for r in await q.order_by(Deal.sign_deadline).limit(QUEUE_LIMIT):
        ss = r["subscription_status"]
        due = r["sign_deadline"] if ss in ("已认购", "", "逾期未签") else r["subscribed_on"]
        out.append({**r, "stage": "认购", "task": tasks[ss], "due": due, "overdue": ss == "逾期未签" or bool(due and due < today and ss in ("已认购", ""))})
    return out


QUEUE = [_queue]


def dashboard_counts(user, today) -> list[tuple]:
    """The home page's queue counts (app/dashboard/figures.py), one per task of `_queue`: (stage, task, open clause,
    overdue clause), the same conditions as the queue rows above."""
    base = Deal.stage.is_in([services.SUB_STAGE, "已认购"]) & Deal.signed_on.is_null()
    never = Deal.id < 0
    out = []
    if services.may_act(user, "认购"):
        out += [("认购", "提交认购书", base & (Deal.subscription_status == "草稿"), never),
                ("认购", "待财务收定金", base & (Deal.subscription_status == "待收定金"), never),
                ("认购", "催客户签约", base & Deal.subscription_status.is_in(["已认购", ""]), Deal.sign_deadline < today)]
    if CANCEL.starters.allows(user):
        out.append(("认购", "逾期未签：提出退订或没收定金", base & (Deal.subscription_status == "逾期未签"), Deal.id > 0))
    return out
