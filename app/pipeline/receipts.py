"""Money on a deal (SPEC A1–A3, A5, A6, B): 收款登记 by finance against the deal's instalments (partial payments, no
over-payment), customer refunds paid through the 付款 request type and recorded when it is approved, and the voiding
close-out (the bureau's and the bank's cancellations, then the unit released).

An instalment's `received` is always the sum of its receipts; it is 已结清 when that sum reaches the amount due
(for a refund due to the buyer — a negative amount — when the refund has gone out)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from piccolo.engine import engine_finder

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser, pick_id
from app.core.listing import Col, Filter, Listing
from app.core.numbering import next_number
from app.core.scope import project_clause, scoped
from app.core.timeutil import now, today_local
from app.core.workdays import add_working_days
from app.estate.tables import Project, Unit
from app.pipeline.services import LOAN_METHODS, PipelineError, may_act, setting
from app.pipeline.tables import Deal, DealRefund, Instalment, Receipt, VoidStep

ZERO = Decimal("0.00")
RECEIPT_METHODS = ["现金", "转账", "POS", "支票", "按揭放款"]
FINANCE_ROLES = ("accountant", "cashier", "finance_manager")
REFUND_KINDS = ["作废退款", "面积差退款", "定金退款"]
OPEN_REQUEST = ("审批中", "已退回")
CLOSED_STAGES = ("已作废", "已退订")


def may_record(user) -> bool:
    """收款登记 is the finance department's: 会计, 出纳, 财务经理."""
    return user.role in FINANCE_ROLES


def outstanding(inst: dict) -> Decimal:
    """What is still to be received (> 0) or still to be refunded (< 0) on an instalment."""
    return Decimal(str(inst["amount_due"])) - Decimal(str(inst["received"] or 0))


def inst_state(inst: dict, today: date | None = None) -> str:
    left = outstanding(inst)
    if left == 0:
        return "已结清"
    if left < 0:
        return "待退款"
    return "逾期" if inst["due_on"] and inst["due_on"] < (today or today_local()) else "未结清"


def settled_clause():
    """SQL: the instalment is fully received (or, for a refund due, fully refunded)."""
    return ((Instalment.amount_due >= 0) & (Instalment.received >= Instalment.amount_due)) | (
        (Instalment.amount_due < 0) & (Instalment.received <= Instalment.amount_due))


def open_clause():
    return ((Instalment.amount_due >= 0) & (Instalment.received < Instalment.amount_due)) | (
        (Instalment.amount_due < 0) & (Instalment.received > Instalment.amount_due))


def _locked(q):
    return q.lock_rows() if engine_finder().engine_type == "postgres" else q  # SQLite: the write transaction already serialises


async def _add_to_instalment(inst_id: int, amount: Decimal, on: date) -> dict:
    """received += amount (computed here in Decimal, inside the caller's write transaction, with the row locked)."""
    inst = await _locked(Instalment.select().where(Instalment.id == inst_id)).first()
    new = Decimal(str(inst["received"] or 0)) + amount
    last = max(on, inst["received_on"]) if inst["received_on"] else on
    await Instalment.update({Instalment.received: new, Instalment.received_on: last}).where(Instalment.id == inst_id)
    return {**inst, "received": new, "received_on": last}


async def auto_receipt(deal_id: int, inst_id: int | None, kind: str, amount: Decimal, on: date, method: str, note: str,
                       employee_id: int | None = None) -> None:
    """A receipt written by another step (the bank's loan release), numbered SK-YYYYMMDD-####,
    inside the caller's transaction; the instalment has already been updated by that step or is updated here."""
    await Receipt.insert(Receipt(deal=deal_id, instalment=inst_id, kind=kind, amount=amount, received_on=on, method=method,
                                 voucher_no=await next_number("SK"), note=note, recorded_by=employee_id, created_at=now()))


# ---------------------------------------------------------------- 收款登记


async def record_receipt(user, deal_id: int, values) -> dict:
    if not may_record(user):
        raise PipelineError("只有会计、出纳或财务经理可以登记收款")
    deal = await Deal.select(Deal.id, Deal.number, Deal.project, Deal.stage, Deal.subscribed_on).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if not user.sees_project(deal["project"]):
        raise PipelineError("该项目不在您的数据范围内")
    p = Parser(values)
    inst_id = pick_id(p, "instalment", "款项")
    amount = p.money("amount", "收款金额")
    on = p.date("received_on", "收款日期")
    method = p.choice("method", "收款方式", RECEIPT_METHODS)
    voucher = p.text("voucher_no", "收据/凭证号", max_len=50)
    note = p.text("note", "备注", required=False, max_len=200)
    if deal["stage"] in CLOSED_STAGES:
        p.fail("__all__", f"该交易已{deal['stage'][1:]}，不能再登记收款")
    if on and on > today_local():
        p.fail("received_on", "收款日期不能晚于今天")
    elif on and deal["subscribed_on"] and on < deal["subscribed_on"]:
        p.fail("received_on", f"收款日期不能早于认购日期 {deal['subscribed_on']:%Y-%m-%d}")
    inst = None
    if inst_id:
        inst = await Instalment.select().where((Instalment.id == inst_id) & (Instalment.deal == deal_id)).first()
        if not inst:
            p.fail("instalment", "款项的选项无效")
        elif Decimal(str(inst["amount_due"])) < 0:
            p.fail("instalment", "该款项为应退客户的金额，请通过付款审批办理退款")
        elif amount is not None and amount > outstanding(inst):
            left = outstanding(inst)
            p.fail("amount", f"超过该款项的未收金额：{inst['kind']}还应收 {left:,.2f} 元" if left > 0 else f"{inst['kind']}已结清，不能再收款")
    if voucher and await Receipt.exists().where(Receipt.voucher_no == voucher):
        p.fail("voucher_no", "该收据/凭证号已登记过")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    try:
        async with write_transaction():
            after = await _add_to_instalment(inst_id, amount, on)
            if outstanding(after) < 0:  # a concurrent receipt got there first
                raise PipelineError("超过该款项的未收金额（可能已被他人登记），请刷新页面", "amount")
            await Receipt.insert(Receipt(deal=deal_id, instalment=inst_id, kind=inst["kind"], amount=amount, received_on=on, method=method,
                                         voucher_no=voucher, note=note, recorded_by=user.employee_id, created_at=now()))
            left = outstanding(after)
            await audit.record(actor=user, action="pipeline.receipt", entity="pl_deal", entity_id=deal_id,
                               summary=f"{deal['number']} 收款登记 {inst['kind']} {amount:,.2f} 元（{method}，凭证 {voucher}）"
                                       + ("，该款项已结清" if left == 0 else f"，尚欠 {left:,.2f} 元"),
                               before={"received": f"{Decimal(str(inst['received'])):.2f}"}, after={"received": f"{after['received']:.2f}"})
            if inst["kind"] == "定金" and left == 0:  # A1: the whole 定金 is in → 待收定金 becomes 已认购 (unit 保留 → 已认购)
                from app.pipeline.services import deposit_received

                await deposit_received(user, deal_id, on)
    except PipelineError:
        raise
    except Exception as e:  # the unique voucher number, taken by a simultaneous request
        if "unique" in f"{type(e).__name__} {e}".lower():
            raise PipelineError("该收据/凭证号已登记过", "voucher_no") from None
        raise
    return {"instalment": after, "left": left}


# ---------------------------------------------------------------- reading


async def money_of(deal_id: int) -> dict[str, Any]:
    """The deal's instalments (with state), receipts, refunds through 付款 (with their time limit) and balance."""
    today = today_local()
    dues = await Instalment.select().where(Instalment.deal == deal_id).order_by(Instalment.due_on).order_by(Instalment.id)
    for i in dues:
        i["left"] = outstanding(i)
        i["state"] = inst_state(i, today)
    receipts = await Receipt.select(Receipt.all_columns(), Receipt.recorded_by.name, Receipt.refund_request.number).where(
        Receipt.deal == deal_id).order_by(Receipt.received_on).order_by(Receipt.id)
    refunds = await DealRefund.select(DealRefund.all_columns(), DealRefund.request.number, DealRefund.request.status).where(
        DealRefund.deal == deal_id).order_by(DealRefund.id)
    for r in refunds:
        r["overdue"] = r["request.status"] != "已通过" and r["due_on"] is not None and r["due_on"] < today
    balance = sum((Decimal(str(r["amount"])) for r in receipts), ZERO)
    return {"dues": dues, "receipts": receipts, "refunds": refunds, "balance": balance}


async def _refunds(deal_id: int, kind: str, statuses: tuple[str, ...], exclude_request: int | None = None) -> Decimal:
    """The sum of the deal's refunds of this kind whose 付款 request is in one of `statuses`."""
    rows = await DealRefund.select(DealRefund.amount, DealRefund.request).where(
        (DealRefund.deal == deal_id) & (DealRefund.kind == kind) & DealRefund.request.status.is_in(list(statuses)))
    return sum((Decimal(str(r["amount"])) for r in rows if r["request"] != exclude_request), ZERO)


async def _balance(deal_id: int) -> Decimal:
    return sum((Decimal(str(r["amount"])) for r in await Receipt.select(Receipt.amount).where(Receipt.deal == deal_id)), ZERO)


async def _void_refund_amount(deal_id: int) -> Decimal:
    """The refund the approved 合同作废 settled (财务核算 in the void request)."""
    from app.pipeline.tables import DealVoid

    v = await DealVoid.select(DealVoid.refund).where((DealVoid.deal == deal_id) & (DealVoid.request.status == "已通过")).order_by(
        DealVoid.id, ascending=False).first()
    return Decimal(str(v["refund"])) if v else ZERO


async def void_refund_due(deal: dict) -> dict | None:
    """A voided deal's refund clock (SPEC A5: paid within `void_refund_days` calendar days of the approval, default 30):
    the refund the voiding approved, less what has gone out or is being approved through 付款."""
    if deal["stage"] != "已作废" or not deal["voided_on"]:
        return None
    days = int(await setting("void_refund_days"))
    total = await _void_refund_amount(deal["id"])
    done = await _refunds(deal["id"], "作废退款", ("已通过",))
    pending = await _refunds(deal["id"], "作废退款", OPEN_REQUEST)
    left = max(total - done - pending, ZERO)
    due = deal["voided_on"] + timedelta(days=days)
    return {"due_on": due, "total": total, "paid": done, "pending": pending, "left": left, "days": days,
            "overdue": (total - done) > 0 and due < today_local()}


# ---------------------------------------------------------------- refunds through 付款 (E15)


async def refund_target(user, p: Parser, request_id: int | None, amount: Decimal | None) -> dict | None:
    """The optional customer-refund part of a 付款 form: 客户交易 (合同编号 or 认购书编号) and 退款类型.
    Field messages go on `p`; returns the link to save, or None when the payment is not a customer refund."""
    ref = p.raw("deal_ref")
    kind = p.raw("refund_kind")
    if not ref and not kind:
        return None
    if not ref:
        p.fail("deal_ref", "退款须填写客户的合同编号或认购书编号")
        return None
    kind = p.choice("refund_kind", "退款类型", REFUND_KINDS)
    if len(ref) > 50:
        p.fail("deal_ref", "合同编号最多 50 个字")
        return None
    deal = await Deal.select(Deal.id, Deal.number, Deal.contract_no, Deal.project, Deal.stage, Deal.voided_on).where(
        (Deal.contract_no == ref) | (Deal.number == ref)).first()
    if not deal:
        p.fail("deal_ref", "没有找到该合同")
        return None
    if not user.sees_project(deal["project"]):
        p.fail("deal_ref", "该项目不在您的数据范围内")
        return None
    if not kind:
        return None
    link: dict[str, Any] = {"deal": deal["id"], "kind": kind, "instalment": None, "due_on": None, "amount": amount}
    if kind == "作废退款":
        if deal["stage"] != "已作废":
            p.fail("refund_kind", "该合同尚未作废（作废审批通过后才能退款）")
            return None
        taken = await _refunds(deal["id"], kind, (*OPEN_REQUEST, "已通过"), request_id)
        room = min(await _void_refund_amount(deal["id"]) - taken, await _balance(deal["id"]) - await _refunds(deal["id"], kind, OPEN_REQUEST, request_id))
        link["due_on"] = deal["voided_on"] + timedelta(days=int(await setting("void_refund_days")))
    elif kind == "定金退款":  # A1: a 退订 approved → the 定金 goes back to the customer (商品房买卖合同司法解释 第四条)
        from app.pipeline.tables_subscription import SubscriptionCancel

        c = await SubscriptionCancel.select(SubscriptionCancel.refund, SubscriptionCancel.decided_on).where(
            (SubscriptionCancel.deal == deal["id"]) & (SubscriptionCancel.request.status == "已通过") & (SubscriptionCancel.refund > 0)).first()
        if deal["stage"] != "已退订" or not c:
            p.fail("refund_kind", "该认购书没有经批准应退还的定金（退订审批通过后才能退款）")
            return None
        room = Decimal(str(c["refund"])) - await _refunds(deal["id"], kind, (*OPEN_REQUEST, "已通过"), request_id)
        link["due_on"] = c["decided_on"] + timedelta(days=int(await setting("subscription_refund_days"))) if c["decided_on"] else None
    else:
        inst = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "面积差") & (Instalment.amount_due < 0)).first()
        if not inst:
            p.fail("refund_kind", "该合同没有应退客户的面积差")
            return None
        room = -outstanding(inst) - await _refunds(deal["id"], kind, OPEN_REQUEST, request_id)
        link["instalment"], link["due_on"] = inst["id"], inst["due_on"]
    if amount is not None and amount > room:
        p.fail("amount", f"超过可退金额：该客户最多还可退 {max(room, ZERO):,.2f} 元（已扣除审批中的退款）")
    return link


async def link_refund(request_id: int, link: dict | None) -> None:
    await DealRefund.delete().where(DealRefund.request == request_id)
    if link:
        await DealRefund.insert(DealRefund(request=request_id, deal=link["deal"], kind=link["kind"], instalment=link["instalment"],
                                           amount=link["amount"], due_on=link["due_on"]))


async def refund_of(request_id: int) -> dict | None:
    return await DealRefund.select(DealRefund.all_columns(), DealRefund.deal.number, DealRefund.deal.contract_no, DealRefund.deal.unit,
                                   DealRefund.deal.buyer.name).where(DealRefund.request == request_id).first()


async def refund_paid(req: dict, actor) -> None:
    """The 付款 request's on_approved: a customer refund is recorded as a negative receipt (inside the approving transaction)."""
    link = await DealRefund.select().where(DealRefund.request == req["id"]).first()
    if not link:
        return
    amount = Decimal(str(link["amount"]))
    today = today_local()
    deal = await Deal.select(Deal.id, Deal.number).where(Deal.id == link["deal"]).first()
    if link["instalment"]:
        await _add_to_instalment(link["instalment"], -amount, today)
    await Receipt.insert(Receipt(deal=link["deal"], instalment=link["instalment"], kind="面积差" if link["instalment"] else "退款", amount=-amount,
                                 received_on=today, method="退款", voucher_no=req["number"], refund_request=req["id"],
                                 note=f"{link['kind']}（付款审批 {req['number']}）", created_at=now()))
    await audit.record(actor=actor, action="pipeline.refund", entity="pl_deal", entity_id=link["deal"],
                       summary=f"{deal['number']} {link['kind']} {amount:,.2f} 元已付出（付款审批 {req['number']}）", after={"refund": f"{amount:.2f}"})


# ---------------------------------------------------------------- A5 作废: cancellations and close-out

STEP_OWNER = {"网签注销": "bureau", "备案注销": "bureau", "预告登记注销": "bureau", "贷款注销": "mortgage"}
STEP_STAGE = {"bureau": "备案", "mortgage": "按揭"}  # whose stage rights record it (may_act)


async def start_voiding(deal: dict, actor) -> list[str]:
    """Called when the 合同作废 is approved: the cancellations still to do, each due within `void_bureau_wd` working days."""
    due = await add_working_days(today_local(), int(await setting("void_bureau_wd")))
    steps = ["网签注销"]
    from app.pipeline.services import FILING_LODGED

    if deal["filing_status"] in FILING_LODGED:
        steps.append("备案注销")
    if deal["prereg_no"]:
        steps.append("预告登记注销")
    if deal["payment_method"] in LOAN_METHODS and deal["mortgage_status"]:
        steps.append("贷款注销")
    await VoidStep.insert(*[VoidStep(deal=deal["id"], step=s, owner=STEP_OWNER[s], due_on=due) for s in steps])
    return steps


def may_cancel(user, step: str) -> bool:
    return may_act(user, STEP_STAGE[STEP_OWNER[step]])


async def void_steps(deal_id: int) -> list[dict]:
    today = today_local()
    rows = await VoidStep.select().where(VoidStep.deal == deal_id).order_by(VoidStep.id)
    for r in rows:
        r["overdue"] = r["done_on"] is None and r["due_on"] is not None and r["due_on"] < today
    return rows


async def record_cancellation(user, deal_id: int, step_id: int, values) -> dict:
    step = await VoidStep.select().where((VoidStep.id == step_id) & (VoidStep.deal == deal_id)).first()
    if not step:
        raise PipelineError("注销事项不存在")
    if not may_cancel(user, step["step"]):
        raise PipelineError(f"您的岗位不能办理「{step['step']}」")
    deal = await Deal.select(Deal.id, Deal.number, Deal.unit, Deal.void_reason, Deal.voided_on, Deal.void_status).where(Deal.id == deal_id).first()
    p = Parser(values)
    on = p.date("on", "办理日期")
    no = p.text("receipt_no", "回执号", max_len=50)
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    elif on and deal["voided_on"] and on < deal["voided_on"]:
        p.fail("on", f"日期不能早于作废批准日期 {deal['voided_on']:%Y-%m-%d}")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        rows = await VoidStep.update({VoidStep.done_on: on, VoidStep.receipt_no: no}).where(
            (VoidStep.id == step_id) & VoidStep.done_on.is_null()).returning(VoidStep.id)
        if not rows:
            raise PipelineError("该注销事项已办理（可能已被他人办理），请刷新页面")
        from app.pipeline.remind import cancellation_done

        await cancellation_done(deal_id, step_id)
        if step["step"] == "备案注销":
            await Deal.update({Deal.filing_status: "已撤销"}).where(Deal.id == deal_id)
        elif step["step"] == "贷款注销":
            await Deal.update({Deal.mortgage_status: "已注销"}).where(Deal.id == deal_id)
        await audit.record(actor=user, action="pipeline.void_step", entity="pl_deal", entity_id=deal_id,
                           summary=f"{deal['number']} {step['step']}已办理（{on}，回执号 {no}）")
        released = None
        if not await VoidStep.exists().where((VoidStep.deal == deal_id) & VoidStep.done_on.is_null()):
            released = "保留" if deal["void_reason"] == "换房" else "可售"
            moved = await Deal.update({Deal.void_status: "已撤销", Deal.filing_status: "已撤销", Deal.version: Deal.version + 1}).where(
                (Deal.id == deal_id) & (Deal.void_status == "撤销中")).returning(Deal.id)
            if not moved:
                raise PipelineError("该记录的状态已经变化，请刷新页面")
            units = await Unit.update({Unit.status: released}).where((Unit.id == deal["unit"]) & Unit.status.is_in(["已签约", "已备案"])).returning(Unit.id)
            if not units:
                raise PipelineError(f"房源当前状态不允许变为「{released}」，请刷新页面")
            await audit.record(actor=user, action="pipeline.void_closed", entity="pl_deal", entity_id=deal_id,
                               summary=f"{deal['number']} 注销手续已全部办结，房源{'保留（换房）' if released == '保留' else '恢复可售'}",
                               before={"unit_status": "已签约/已备案"}, after={"unit_status": released, "void_status": "已撤销"})
    return {"released": released}


# ---------------------------------------------------------------- the finance page: find a deal

async def _project_choices(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.name).order_by(Project.code)
    q = scoped(q, Project.id, user)
    return [(str(r["id"]), r["name"]) for r in await q]


def _scope(user):
    return project_clause(Deal.project, user)


DEALS = Listing(
    table=Deal,
    select=[Deal.id, Deal.number, Deal.contract_no, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no, Deal.buyer.name,
            Deal.total_price, Deal.payment_method, Deal.stage],
    columns=[
        Col("ref", "合同编号/认购书", sort=Deal.contract_no, link="/pipeline/receipts/{id}", testid="receipt-deal-link"),
        Col("project.name", "项目"),
        Col("room", "房号", sort=Deal.unit.room_no),
        Col("buyer.name", "买受人", sort=Deal.buyer.name),
        Col("total_price", "总价", sort=Deal.total_price, fmt="money"),
        Col("payment_method", "付款方式"),
        Col("open_amount", "未收金额", fmt="money"),
        Col("stage", "状态", sort=Deal.stage, fmt="badge"),
    ],
    filters=[
        Filter("project", "项目", "select", columns=[Deal.project], choices=_project_choices),
        Filter("stage", "状态", "select", columns=[Deal.stage], choices=[(s, s) for s in ("认购中", "已认购", "已签约", "已备案", "已交付", "已办证", "已作废", "已退订")]),
        Filter("sub", "认购", "select", columns=[Deal.subscription_status], choices=[("待收定金", "待收定金")]),  # A1: finance's deposits to collect
        Filter("q", "合同编号/买受人/房号", "text", columns=[Deal.contract_no, Deal.number, Deal.buyer.name, Deal.unit.room_no],
               placeholder="合同编号、认购书编号、买受人或房号"),
    ],
    default_sort="ref", default_desc=True, base_url="/pipeline/receipts", target_id="receipt-deals", scope=_scope,
)


async def decorate_deals(rows: list[dict]) -> None:
    """The page's rows only: one grouped query for what is still owed on each."""
    ids = [r["id"] for r in rows]
    owed: dict[int, Decimal] = {}
    if ids:
        for r in await Instalment.select(Instalment.deal, Instalment.amount_due, Instalment.received).where(
                Instalment.deal.is_in(ids) & (Instalment.amount_due > 0)):
            owed[r["deal"]] = owed.get(r["deal"], ZERO) + max(outstanding(r), ZERO)
    for r in rows:
        r["ref"] = r["contract_no"] or r["number"]
        r["room"] = f"{r['unit.building.name']}{r['unit.room_no']}"
        r["open_amount"] = owed.get(r["id"], ZERO)
