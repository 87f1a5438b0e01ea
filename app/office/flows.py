"""Office request types on the one engine (SPEC §E1 办公用品申购/领用, §E2 用车). Thresholds are FlowSettings
("X以上" means amount ≥ X), editable in the admin; these are the defaults."""
from __future__ import annotations

from decimal import Decimal

from app.core.timeutil import now
from app.office import services
from app.office.forms import IssueForm, PurchaseForm, VehicleForm
from app.office.tables import DurableHolding, IssueLine, PurchaseLine, VehicleBooking
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, Setting, StepSpec, register

role = Approvers.of_role

DEPT_HEAD = StepSpec("dept_head", "部门负责人审批", role("dept_head"))
SUPERVISOR = StepSpec("supervisor", "客服主管审批", role("supervisor"))
VP = StepSpec("vp", "分管副总审批", role("vp"))
ADMIN_PURCHASE = StepSpec("admin_staff", "行政部集中采购", role("admin_staff"))
ADMIN_ISSUE = StepSpec("admin_staff", "行政部发放", role("admin_staff"))
ADMIN_DISPATCH = StepSpec("admin_staff", "行政部派车", role("admin_staff"))


# ---------------------------------------------------------------- E1 办公用品申购


def purchase_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → (≥ vp_from or over budget: 副) → 行 (central purchasing)."""
    steps = [DEPT_HEAD]
    if c.amount_at_least("vp_from") or bool(c.data.get("over_budget")):
        steps.append(VP)
    return steps + [ADMIN_PURCHASE]


async def purchase_approved(req: dict, actor) -> None:
    """Stock in every line; a new item is created in the register first."""
    lines = await PurchaseLine.select().where(PurchaseLine.request == req["id"]).order_by(PurchaseLine.line_no)
    for line in lines:
        item_id = line["item"]
        if not item_id:
            item_id = await services.find_or_create_item(line["name"], line["spec"], line["unit"], line["durable"], actor=actor, request=req)
            await PurchaseLine.update({PurchaseLine.item: item_id}).where(PurchaseLine.id == line["id"])
        await services.stock_in(item_id, line["qty"], kind="申购入库", actor=actor, request=req, person=req["applicant"],
                                note=f"申购单 {req['number']}")


SUPPLIES_PURCHASE = register(FlowDef(
    code="supplies_purchase", name="办公用品申购", prefix="SG", group="行政",
    description="每月截止日（默认 25 日）前提交下月申购计划，选择当月预算科目，由行政部集中采购；金额达到标准或超出该科目剩余预算需分管副总审批；"
                "截止日后提交的计划标记为“逾期提交”。审批通过后物品入库。",
    chain=purchase_chain, form=PurchaseForm(), starters=STAFF,
    settings=(Setting("vp_from", "申购金额达到此数（含）需分管副总审批（元）", Decimal("2000.00")),
              Setting("plan_deadline_day", "下月申购计划的提交截止日（每月几日）", Decimal("25")),
              Setting("plan_remind_days", "截止日前几天提醒提交计划（天）", Decimal("3"))),
    clause=("kf-71p", "toc", "第七章 办公用品申购领用流程"),
    on_approved=purchase_approved,
))


# ---------------------------------------------------------------- E1 办公用品领用


def issue_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 主 → 行 (issues from stock)."""
    return [SUPERVISOR, ADMIN_ISSUE]


async def issue_approved(req: dict, actor) -> None:
    """Stock out every line (never below zero: a conditional update; a shortfall aborts the approval), and put
    durable items on the applicant's name."""
    lines = await IssueLine.select(IssueLine.item, IssueLine.qty, IssueLine.item.durable).where(IssueLine.request == req["id"]).order_by(
        IssueLine.line_no)
    for line in lines:
        await services.stock_out(line["item"], line["qty"], kind="领用出库", actor=actor, request=req, person=req["applicant"],
                                 note=f"领用单 {req['number']}")
        if line["item.durable"]:
            await DurableHolding.insert(DurableHolding(item=line["item"], employee=req["applicant"], qty=line["qty"], request=req["id"],
                                                       issued_at=now()))


SUPPLIES_ISSUE = register(FlowDef(
    code="supplies_issue", name="办公用品领用", prefix="LY", group="行政",
    description="从库存领用办公用品。领用数量不能超过当前库存；耐用品登记在领用人名下，离职时归还。",
    chain=issue_chain, form=IssueForm(), has_amount=False, starters=STAFF,
    clause=("kf-71p", "toc", "第七章 办公用品申购领用流程"),
    on_approved=issue_approved,
))


# ---------------------------------------------------------------- E2 用车


def vehicle_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → (out of town or overnight: 副) → 行 dispatches."""
    steps = [DEPT_HEAD]
    if c.data.get("out_of_town") or c.data.get("overnight"):
        steps.append(VP)
    return steps + [ADMIN_DISPATCH]


async def vehicle_closed(req: dict, actor) -> None:
    """驳回 or 撤回: the booking frees the vehicle and the driver."""
    await VehicleBooking.update({VehicleBooking.holds: False}).where(VehicleBooking.request == req["id"])


VEHICLE = register(FlowDef(
    code="vehicle", name="用车申请", prefix="YC", group="行政",
    description="预约公司车辆（可派司机或自驾）。同一车辆、同一司机的时间段不能重叠；出城或过夜用车需分管副总审批。",
    chain=vehicle_chain, form=VehicleForm(), has_amount=False, starters=STAFF,
    clause=("kf-71p", "toc", "第八章 用车审批流程"),
    on_closed=vehicle_closed,
))
