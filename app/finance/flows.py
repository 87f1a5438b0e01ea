"""Finance request types as declarations on the one engine (SPEC §E13–E15). Thresholds are FlowSettings
("X以上" means amount ≥ X), editable in the admin; these are the defaults."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Awaitable, Callable

from app.core import audit
from app.core.timeutil import now
from app.finance import services
from app.finance.forms import AdvanceForm, EntertainmentForm, ExpenseForm, PaymentForm
from app.finance.tables import Advance, ExpenseClaim, ExpenseTrip, Invoice, Payment
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, Mode, RecordPicker, Setting, StepSpec, register

role = Approvers.of_role

DEPT_HEAD = StepSpec("dept_head", "部门负责人审批", role("dept_head"))
ACCOUNTING = StepSpec("accountant", "会计审核", role("accountant"))
FIN_MANAGER = StepSpec("finance_manager", "财务经理审核", role("finance_manager"))
VP = StepSpec("vp", "分管副总审批", role("vp"))
GM = StepSpec("gm", "总经理审批", role("gm"))
PRESIDENT = StepSpec("president", "总裁审批", role("president"))
CASHIER = StepSpec("cashier", "出纳付款", role("cashier"), mode=Mode.ANY)


# ---------------------------------------------------------------- E13 日常费用报销


def expense_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → 财审 (会计 → 财务经理) → amount ≥ vp_from: 副 → amount ≥ gm_from: 总 → 出.
    Expenses (1,000 / 5,000) and advances (2,000 / 5,000) differ only in their thresholds."""
    steps = [DEPT_HEAD, ACCOUNTING, FIN_MANAGER]
    if c.amount_at_least("vp_from") or c.data.get("over_tolerance"):  # 业务招待费 above its prior approval + tolerance: 副
        steps.append(VP)
    if c.amount_at_least("gm_from"):
        steps.append(GM)
    return steps + [CASHIER]


async def expense_approved(req: dict, actor) -> None:
    claim = await ExpenseClaim.select().where(ExpenseClaim.request == req["id"]).first()
    if claim and claim["offset_advance"] and Decimal(claim["offset_amount"]) > 0:
        balance = await services.add_entry(claim["offset_advance"], "冲账", -Decimal(claim["offset_amount"]), request_id=req["id"],
                                           note=f"报销单 {req['number']} 冲账")
        await audit.record(actor=actor, action="finance.offset", entity="fin_advance", entity_id=claim["offset_advance"],
                           summary=f"{req['number']} 冲抵借款 {Decimal(claim['offset_amount']):,.2f} 元", after={"balance": balance})


async def expense_closed(req: dict, actor) -> None:
    await Invoice.update({Invoice.active: False}).where(Invoice.request == req["id"])  # the invoices may be claimed again
    await ExpenseTrip.delete().where(ExpenseTrip.request == req["id"])  # so may the trip
    await ExpenseClaim.update({ExpenseClaim.entertainment: None}).where(ExpenseClaim.request == req["id"])  # and the prior approval


async def _trip_search(user, q: str, limit: int) -> list[tuple[str, str]]:
    from app.office.services import claimable_trips

    return await claimable_trips(user, q, limit)


async def _trip_reaches(user, value: str) -> bool:
    from app.office.services import reaches_trip

    return await reaches_trip(user, value)


async def expense_prefill(user, params) -> dict[str, str]:
    """报销本次出车费用 from a trip's page: ?trip_ref=<用车单号> (only the user's own trip)."""
    ref = (params.get("trip_ref") or "")[:30]
    return {"trip_ref": ref} if ref and await _trip_reaches(user, ref) else {}


# A claim may pull one logged trip of the applicant's own (fuel and tolls, or the private-car allowance): the picker
# lists only their trips not yet claimed.
TRIP_PICKER = RecordPicker(field="trip_ref", label="出车记录（用车单号）", search=_trip_search, reaches=_trip_reaches,
                           placeholder="选填：输入用车单号或目的地，选择本人已登记、未报销的出车")


EXPENSE = register(FlowDef(
    code="expense", name="日常费用报销", prefix="BX", group="财务",
    description="发票报销，可冲抵本人借款。同一张发票在全公司只能报销一次。出车的油费、路桥费和私车公用补贴从行车记录报销，每次出车只报销一次；"
                "业务招待费须先经招待申请审批。",
    chain=expense_chain, form=ExpenseForm(), starters=STAFF, record=TRIP_PICKER,
    settings=(Setting("vp_from", "报销金额达到此数（含）需分管副总审批（元）", Decimal("1000.00")),
              Setting("gm_from", "报销金额达到此数（含）需总经理审批（元）", Decimal("5000.00")),
              Setting("invoice_max_age_days", "开票后可报销的期限（天）", Decimal("60")),
              Setting("private_car_rate", "私车公用补贴标准（元/公里）", Decimal("0.80")),
              Setting("entertainment_tolerance_pct", "业务招待费可超出事前批准金额的比例（%），超出需分管副总审批", Decimal("10"))),
    clause=("kf-71p", "toc", "第十九章 日常费用报销流程"),
    on_approved=expense_approved, on_closed=expense_closed, prefill=expense_prefill,
    bulk_approve=True,  # small daily claims: approvers may approve several at once from 我的待办
))


# ---------------------------------------------------------------- E14 借款


advance_chain = expense_chain  # 申 → 经 → 财审 → 2,000–4,999.99 副; ≥5,000 副 + 总 → 出


async def advance_approved(req: dict, actor) -> None:
    adv = await Advance.select(Advance.id, Advance.amount).where(Advance.request == req["id"]).first()
    await Advance.update({Advance.status: "未结清", Advance.paid_out_at: now()}).where(Advance.id == adv["id"])
    await services.add_entry(adv["id"], "借出", Decimal(adv["amount"]), request_id=req["id"], note="借款付出")


async def advance_closed(req: dict, actor) -> None:
    await Advance.update({Advance.status: "已作废"}).where(Advance.request == req["id"])


ADVANCE = register(FlowDef(
    code="advance", name="借款", prefix="JK", group="财务",
    description="备用金、业务借款、差旅借款。在规定期限内（默认 30 天）以还款或报销冲账结清；有未结清的借款（含审批中）时不能再借。",
    chain=advance_chain, form=AdvanceForm(), starters=STAFF,
    settings=(Setting("vp_from", "借款金额达到此数（含）需分管副总审批（元）", Decimal("2000.00")),
              Setting("gm_from", "借款金额达到此数（含）需总经理审批（元）", Decimal("5000.00")),
              Setting("settle_days", "借款结清期限（天）", Decimal("30")),
              Setting("deduction_max_instalments", "逾期借款经书面同意从工资扣回的最多分期数", Decimal("12"))),
    clause=("kf-71p", "toc", "第二十章 借款流程"),
    on_approved=advance_approved, on_closed=advance_closed,
))


# ---------------------------------------------------------------- E15 付款


def payment_chain(c: ChainContext) -> list[StepSpec]:
    """经办 → 经 → 预算/合同审核（会计）→ 财务经理 → 副; ≥50,000 总; ≥500,000 裁 → 出."""
    steps = [DEPT_HEAD, StepSpec("accountant", "预算及合同审核", role("accountant")), FIN_MANAGER, VP]
    if c.amount_at_least("gm_from"):
        steps.append(GM)
    if c.amount_at_least("president_from"):
        steps.append(PRESIDENT)
    return steps + [CASHIER]


async def payment_approved(req: dict, actor) -> None:
    await Payment.update({Payment.paid: True}).where(Payment.request == req["id"])
    from app.pipeline.receipts import refund_paid

    await refund_paid(req, actor)  # a customer refund linked to a deal: recorded on the deal as a negative receipt


# What a 付款 form may start from (a query parameter → the values it fills in): other domains add theirs, e.g. the care
# domain's approved 客诉补偿 (?care_case=12). Each source returns {} for a record the user does not reach.
PAYMENT_SOURCES: dict[str, Callable[[Any, str], Awaitable[dict[str, str]]]] = {}


async def payment_prefill(user, params) -> dict[str, str]:
    for key, source in PAYMENT_SOURCES.items():
        if params.get(key):
            return await source(user, params.get(key))
    return {}


PAYMENT = register(FlowDef(
    code="payment", name="付款", prefix="FK", group="财务",
    description="按合同付款，显示合同总额、已付金额和累计付款比例；也用于客户退款。",
    chain=payment_chain, form=PaymentForm(), starters=STAFF,
    settings=(Setting("gm_from", "付款金额达到此数（含）需总经理审批（元）", Decimal("50000.00")),
              Setting("president_from", "付款金额达到此数（含）需总裁审批（元）", Decimal("500000.00"))),
    clause=("kf-71p", "toc", "第二十一章 付款流程"),
    on_approved=payment_approved,
    prefill=payment_prefill,
))


# ---------------------------------------------------------------- E13 业务招待申请 (the prior approval)


def entertainment_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经; expected amount ≥ vp_from: 副."""
    steps = [DEPT_HEAD]
    if c.amount_at_least("vp_from"):
        steps.append(VP)
    return steps


ENTERTAINMENT = register(FlowDef(
    code="entertainment", name="业务招待申请", prefix="ZD", group="财务",
    description="业务招待须在招待前申请（事由、来宾、预计金额）；批准后凭发票走日常费用报销（类别选“业务招待费”），每次批准只能报销一次。",
    chain=entertainment_chain, form=EntertainmentForm(), starters=STAFF,
    settings=(Setting("vp_from", "预计招待金额达到此数（含）需分管副总审批（元）", Decimal("2000.00")),),
    clause=("kf-71p", "toc", "第十九章 日常费用报销流程"),
))
