"""合同作废 (A5) as a declaration on the approval engine: 客服主管 → 客服副经理 → 销售经理 → 财务经理 → 总经理, plus 总裁
when the penalty waived is ≥ 50,000 (a setting). On approval the contract is void and the unit is 可售 again."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core import audit
from app.core.fields import Parser
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline.services import VOID_REASONS, PipelineError
from app.pipeline.tables import Deal
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, Setting, StepSpec, register
from app.workflow.engine import WorkflowError
from app.workflow.tables import Request

role = Approvers.of_role


class VoidForm:
    fields_template = "pipeline/_void_fields.html"
    detail_template = "pipeline/_void_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"reasons": VOID_REASONS}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        ref = p.text("deal_ref", "合同编号或认购书编号", max_len=50)
        reason = p.choice("reason", "作废原因", VOID_REASONS)
        waived = p.money("penalty_waived", "减免违约金", allow_zero=True)
        refund = p.money("refund", "应退金额", allow_zero=True)
        note = p.text("note", "情况说明", max_len=500)
        deal = None
        if ref:
            deal = await Deal.select(Deal.id, Deal.number, Deal.contract_no, Deal.stage, Deal.project, Deal.void_request, Deal.unit.room_no,
                                     Deal.unit.building.name, Deal.total_price).where(
                (Deal.contract_no == ref) | (Deal.number == ref)).first()
            if not deal:
                p.fail("deal_ref", "没有找到该合同")
            elif deal["stage"] not in ("已签约", "已备案"):
                p.fail("deal_ref", f"该合同当前为「{deal['stage']}」，只有已签约或已备案的合同可以申请作废")
            elif not user.sees_project(deal["project"]):
                p.fail("deal_ref", "该项目不在您的数据范围内")
            elif deal["void_request"] and deal["void_request"] != request_id:
                pending = await Request.select(Request.number, Request.status).where(Request.id == deal["void_request"]).first()
                if pending and pending["status"] in ("审批中", "已退回"):
                    p.fail("deal_ref", f"该合同已有作废申请 {pending['number']} 在审批中")
        if refund is not None and deal and refund > Decimal(deal["total_price"]):
            p.fail("refund", "应退金额不能超过合同总价")
        cleaned = {"deal": deal["id"] if deal else None, "reason": reason, "penalty_waived": waived, "refund": refund, "note": note}
        title = f"合同作废：{deal['unit.building.name']}{deal['unit.room_no']}（{deal['contract_no'] or deal['number']}）" if deal else "合同作废"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=refund)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        rows = await Deal.update({Deal.void_request: request_id, Deal.void_reason: cleaned["reason"]}).where(
            (Deal.id == cleaned["deal"]) & Deal.stage.is_in(["已签约", "已备案"])).returning(Deal.id)
        if not rows:
            raise WorkflowError("该合同的状态已变化，请刷新后重试", "deal_ref")
        from app.pipeline.tables import DealVoid

        await DealVoid.delete().where(DealVoid.request == request_id)
        await DealVoid.insert(DealVoid(request=request_id, deal=cleaned["deal"], reason=cleaned["reason"], penalty_waived=cleaned["penalty_waived"],
                                       refund=cleaned["refund"], note=cleaned["note"]))

    async def load(self, request_id: int) -> dict:
        from app.pipeline.tables import DealVoid

        v = await DealVoid.select(DealVoid.all_columns(), DealVoid.deal.number, DealVoid.deal.contract_no, DealVoid.deal.unit,
                                  DealVoid.deal.unit.room_no, DealVoid.deal.unit.building.name, DealVoid.deal.buyer.name,
                                  DealVoid.deal.stage).where(DealVoid.request == request_id).first() or {}
        values = {"deal_ref": v.get("deal.contract_no") or v.get("deal.number", ""), "reason": v.get("reason", ""),
                  "penalty_waived": f"{Decimal(v['penalty_waived']):.2f}" if v else "", "refund": f"{Decimal(v['refund']):.2f}" if v else "",
                  "note": v.get("note", "")}
        return {"void": v, "form_values": values}


def void_chain(c: ChainContext) -> list[StepSpec]:
    steps = [StepSpec("supervisor", "客服主管审核", role("supervisor")), StepSpec("dept_head", "客服副经理审批", role("dept_head")),
             StepSpec("sales_manager", "销售经理审批", role("sales_manager")), StepSpec("finance_manager", "财务经理核算", role("finance_manager")),
             StepSpec("gm", "总经理审批", role("gm"))]
    if c.data.get("penalty_waived") is not None and c.data["penalty_waived"] >= c.setting("president_from"):
        steps.append(StepSpec("president", "总裁审批", role("president")))
    return steps


async def void_approved(req: dict, actor) -> None:
    from app.pipeline.tables import DealVoid

    v = await DealVoid.select().where(DealVoid.request == req["id"]).first()
    rows = await Deal.update({Deal.stage: "已作废", Deal.voided_on: today_local(), Deal.version: Deal.version + 1}).where(
        (Deal.id == v["deal"]) & Deal.stage.is_in(["已签约", "已备案"])).returning(Deal.id, Deal.unit, Deal.number)
    if not rows:
        raise WorkflowError("该合同的状态已变化，不能作废")
    units = await Unit.update({Unit.status: "可售"}).where((Unit.id == rows[0]["unit"]) & Unit.status.is_in(["已签约", "已备案"])).returning(Unit.id)
    if not units:
        raise WorkflowError("房源状态已变化，不能作废")
    await audit.record(actor=actor, action="pipeline.void", entity="pl_deal", entity_id=v["deal"],
                       summary=f"{rows[0]['number']} 合同作废（{v['reason']}，审批单 {req['number']}），房源恢复可售",
                       before={"unit_status": "已签约/已备案"}, after={"stage": "已作废", "unit_status": "可售"})


async def void_closed(req: dict, actor) -> None:
    await Deal.update({Deal.void_request: None}).where(Deal.void_request == req["id"])


VOID = register(FlowDef(
    code="contract_void", name="合同作废", prefix="ZF", group="客服业务",
    description="已签约或已备案合同的作废：审批通过后撤销网签/备案，房源恢复可售，退款走付款流程。",
    chain=void_chain, form=VoidForm(),
    settings=(Setting("president_from", "减免违约金达到此数（含）需总裁审批（元）", Decimal("50000.00")),),
    clause=("kf-71p", "ch2-5.4", "房管局专员 5.4 合同作废"),
    on_approved=void_approved, on_closed=void_closed,
))
