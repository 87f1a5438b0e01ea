"""合同作废 (A5) as a declaration on the approval engine: 客服主管 → 客服副经理 → 销售经理 → 财务经理 → 总经理, plus 总裁
when the penalty waived is ≥ 50,000 (a setting). On approval the contract is void; the unit is released (可售, or 保留
for a 换房) once the bureau's and the bank's cancellations are recorded; the refund goes out through 付款."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core import audit
from app.core.fields import Parser
from app.core.listing import like_text
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline.services import FILING_LODGED, LOAN_METHODS, VOID_REASONS, PipelineError
from app.pipeline.tables import Deal
from app.estate.pickers import project_picker
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, RecordPicker, Setting, StepSpec, positions, register
from app.workflow.engine import WorkflowError
from app.workflow.tables import Request

role = Approvers.of_role
PIPELINE_DESK = (Perm.REQUEST, Perm.PIPELINE)


def deal_picker(label: str, state) -> RecordPicker:
    """Contracts the user's project scope reaches and whose state allows the type (`state()` → a where clause)."""

    def where(user):
        cond = state()
        return cond if user.all_projects else cond & Deal.project.is_in(list(user.project_ids) or [0])

    async def search(user, q: str, limit: int) -> list[tuple[str, str]]:
        cond = where(user)
        q = like_text(q)
        if q:
            cond &= (Deal.contract_no.like(f"{q}%") | Deal.number.like(f"{q}%") | Deal.buyer.name.like(f"%{q}%") | Deal.unit.room_no.like(f"{q}%"))
        rows = await Deal.select(Deal.contract_no, Deal.number, Deal.unit.building.name, Deal.unit.room_no, Deal.buyer.name, Deal.stage).where(
            cond).order_by(Deal.contract_no).limit(limit)
        return [(r["contract_no"] or r["number"], f"{r['unit.building.name']}{r['unit.room_no']} {r['buyer.name']}（{r['stage']}）") for r in rows]

    async def reaches(user, value: str) -> bool:
        value = (value or "").strip()
        return bool(value) and await Deal.exists().where(where(user) & ((Deal.contract_no == value) | (Deal.number == value)))

    return RecordPicker(field="deal_ref", label=label, search=search, reaches=reaches, placeholder="输入合同编号、房号或客户姓名查找")


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
    """Approved: the contract is void (作废台账, the daily report) and its clocks stop; the bureau's cancellations (网签注销,
    备案注销, 预告登记注销) and the bank's (贷款注销) are opened for the 房管局专员 and the 按揭专员 (SPEC A5 steps 5–6), each due
    within `void_bureau_wd` working days. The unit is released when the last one is recorded (可售, or 保留 for a 换房)."""
    from app.pipeline import receipts
    from app.pipeline.tables import DealVoid

    v = await DealVoid.select().where(DealVoid.request == req["id"]).first()
    deal = await Deal.select().where(Deal.id == v["deal"]).first()
    filing = deal["filing_status"] if deal["filing_status"] in FILING_LODGED else "已撤销"  # nothing lodged: nothing to cancel
    mortgage = "注销中" if deal["mortgage_status"] and deal["payment_method"] in LOAN_METHODS else deal["mortgage_status"]
    rows = await Deal.update({Deal.stage: "已作废", Deal.voided_on: today_local(), Deal.version: Deal.version + 1, Deal.void_status: "撤销中",
                              Deal.filing_status: filing, Deal.mortgage_status: mortgage, Deal.handover_status: "", Deal.title_status: ""}).where(
        (Deal.id == v["deal"]) & Deal.stage.is_in(["已签约", "已备案"])).returning(Deal.id, Deal.unit, Deal.number)
    if not rows:
        raise WorkflowError("该合同的状态已变化，不能作废")
    steps = await receipts.start_voiding(deal, actor)
    from app.pipeline.remind import step_done

    await step_done(v["deal"], "void")  # the void contract's signing, filing and bank clocks stop
    await audit.record(actor=actor, action="pipeline.void", entity="pl_deal", entity_id=v["deal"],
                       summary=f"{rows[0]['number']} 合同作废（{v['reason']}，审批单 {req['number']}），待办理：{'、'.join(steps)}",
                       before={"stage": deal["stage"]}, after={"stage": "已作废", "void_status": "撤销中", "steps": steps})


async def void_closed(req: dict, actor) -> None:
    await Deal.update({Deal.void_request: None}).where(Deal.void_request == req["id"])


VOID = register(FlowDef(
    code="contract_void", name="合同作废", prefix="ZF", group="客服业务",
    description="已签约或已备案合同的作废：审批通过后由房管局专员注销网签、备案和预告登记（有贷款的由按揭专员注销贷款），办结后房源恢复可售（换房则保留），退款走付款流程。",
    chain=void_chain, form=VoidForm(),
    starters=positions("contract", "supervisor", "dept_head", perms=PIPELINE_DESK),
    record=deal_picker("合同", lambda: Deal.stage.is_in(["已签约", "已备案"])),
    settings=(Setting("president_from", "减免违约金达到此数（含）需总裁审批（元）", Decimal("50000.00")),),
    clause=("kf-71p", "ch2-5.4", "房管局专员 5.4 合同作废"),
    on_approved=void_approved, on_closed=void_closed,
))


# ---------------------------------------------------------------- A3 按揭资料催交通知书


class NoticeForm:
    fields_template = "pipeline/_notice_fields.html"
    detail_template = "pipeline/_notice_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        from datetime import timedelta

        from app.pipeline.tables import DealDocument

        p = Parser(values)
        ref = p.text("deal_ref", "合同编号", max_len=50)
        deadline = p.date("deadline", "补交截止日期")
        if deadline and deadline <= today_local():
            p.fail("deadline", "补交截止日期应晚于今天")
        deal, missing = None, []
        if ref:
            deal = await Deal.select(Deal.id, Deal.contract_no, Deal.project, Deal.mortgage_status, Deal.buyer.name).where(Deal.contract_no == ref).first()
            if not deal:
                p.fail("deal_ref", "没有找到该合同")
            elif deal["mortgage_status"] not in ("资料收集中", "资料逾期"):
                p.fail("deal_ref", "只有资料收集中或资料逾期的按揭可以催交资料")
            elif not user.sees_project(deal["project"]):
                p.fail("deal_ref", "该项目不在您的数据范围内")
            else:
                missing = [d["name"] for d in await DealDocument.select(DealDocument.name).where(
                    (DealDocument.deal == deal["id"]) & (DealDocument.stage == "按揭") & DealDocument.received_on.is_null())]
                if not missing:
                    p.fail("deal_ref", "该客户的按揭资料已收齐，无需催交")
        cleaned = {"deal": deal["id"] if deal else None, "missing": "、".join(missing), "deadline": deadline}
        return FormResult(errors=p.errors, cleaned=cleaned, title=f"按揭资料催交：{deal['buyer.name']}（合同 {ref}）" if deal else "按揭资料催交", amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        from app.pipeline.tables import MortgageNotice

        await MortgageNotice.delete().where(MortgageNotice.request == request_id)
        await MortgageNotice.insert(MortgageNotice(request=request_id, deal=cleaned["deal"], missing=cleaned["missing"], deadline=cleaned["deadline"]))

    async def load(self, request_id: int) -> dict:
        from app.pipeline.tables import MortgageNotice

        n = await MortgageNotice.select(MortgageNotice.all_columns(), MortgageNotice.deal.contract_no, MortgageNotice.deal.unit,
                                        MortgageNotice.deal.buyer.name).where(MortgageNotice.request == request_id).first() or {}
        return {"notice": n, "form_values": {"deal_ref": n.get("deal.contract_no", ""), "deadline": str(n.get("deadline") or "")}}


async def notice_approved(req: dict, actor) -> None:
    from app.pipeline.tables import MortgageNotice

    n = await MortgageNotice.select(MortgageNotice.deal, MortgageNotice.missing, MortgageNotice.deadline).where(MortgageNotice.request == req["id"]).first()
    await MortgageNotice.update({MortgageNotice.sent: True}).where(MortgageNotice.request == req["id"])
    await audit.record(actor=actor, action="pipeline.mortgage_notice", entity="pl_deal", entity_id=n["deal"],
                       summary=f"按揭资料催交通知书已批准发出（{req['number']}）：缺 {n['missing']}，限 {n['deadline']} 前补交")


NOTICE = register(FlowDef(
    code="mortgage_notice", name="按揭资料催交通知书", prefix="CJ", group="客服业务", has_amount=False,
    description="客户逾期未交齐按揭资料时，按揭专员拟订催交通知书，经部门经理批准后发出并抄送销售部。",
    chain=lambda c: [StepSpec("dept_head", "部门经理审批", role("dept_head"))], form=NoticeForm(),
    starters=positions("mortgage", "supervisor", "dept_head", perms=PIPELINE_DESK),
    record=deal_picker("合同", lambda: Deal.mortgage_status.is_in(["资料收集中", "资料逾期"]) & (Deal.contract_no != "")),
    clause=("kf-71p", "ch2-4.1", "按揭专员 4.1"), finish_cc_roles=("sales_manager",), on_approved=notice_approved,
))


# ---------------------------------------------------------------- A8 在建工程抵押解押


class ReleaseForm:
    fields_template = "pipeline/_release_fields.html"
    detail_template = "pipeline/_release_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.estate.pickers import search_projects

        return {"projects": await search_projects(user, "", 200)}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        from app.estate.tables import Building

        p = Parser(values)
        project = p.integer("project", "项目")
        rooms = [r.strip() for r in p.raw("rooms").replace("，", ",").replace("\n", ",").split(",") if r.strip()]
        repayment = p.money("repayment", "还款金额", allow_zero=True)
        consent = p.text("bank_consent_no", "银行同意函编号", required=False, max_len=50)
        unit_ids = []
        if project is not None and not user.sees_project(project):
            p.fail("project", "该项目不在您的数据范围内")
            project = None
        if not rooms:
            p.fail("rooms", "请填写要解押的房号，例如 3号楼-101, 3号楼-102")
        elif project:
            for i, r in enumerate(rooms[:500], 1):
                if "-" not in r:
                    p.fail("rooms", f"第 {i} 项「{r}」格式应为 楼栋-房号，例如 3号楼-101")
                    break
                b, room = r.split("-", 1)
                u = await Unit.select(Unit.id, Unit.mortgaged).where(
                    (Unit.project == project) & (Unit.building.name == b.strip()) & (Unit.room_no == room.strip())).first()
                if not u:
                    p.fail("rooms", f"第 {i} 项「{r}」在该项目中不存在")
                    break
                if not u["mortgaged"]:
                    p.fail("rooms", f"第 {i} 项「{r}」没有在建工程抵押，无需解押")
                    break
                unit_ids.append(u["id"])
        cleaned = {"project": project, "unit_ids": unit_ids, "repayment": repayment, "bank_consent_no": consent}
        return FormResult(errors=p.errors, cleaned=cleaned, title=f"在建工程抵押解押：{len(unit_ids)} 套", amount=repayment)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        from app.pipeline.tables import ReleaseBatch

        await ReleaseBatch.delete().where(ReleaseBatch.request == request_id)
        await ReleaseBatch.insert(ReleaseBatch(request=request_id, project=cleaned["project"], unit_ids=",".join(map(str, cleaned["unit_ids"])),
                                               repayment=cleaned["repayment"], bank_consent_no=cleaned["bank_consent_no"], status="审批中"))

    async def load(self, request_id: int) -> dict:
        from app.pipeline.tables import ReleaseBatch

        b = await ReleaseBatch.select(ReleaseBatch.all_columns(), ReleaseBatch.project.name).where(ReleaseBatch.request == request_id).first() or {}
        ids = [int(x) for x in (b.get("unit_ids") or "").split(",") if x]
        units = await Unit.select(Unit.id, Unit.building.name, Unit.room_no, Unit.mortgaged).where(Unit.id.is_in(ids or [0]))
        rooms = ", ".join(f"{u['building.name']}-{u['room_no']}" for u in units)
        return {"batch": b, "units": units, "form_values": {"project": str(b.get("project") or ""), "rooms": rooms,
                                                            "repayment": f"{Decimal(b['repayment']):.2f}" if b else "", "bank_consent_no": b.get("bank_consent_no", "")}}


async def release_approved(req: dict, actor) -> None:
    """Approved: 还款/同意函 — the repayment is made and the bank's 同意部分解除抵押函 awaited. The units stay mortgaged
    until the deregistration is recorded (steps/mortgage.py: 注销登记中 → 已解押 clears each unit's flag)."""
    from app.pipeline.tables import ReleaseBatch

    b = await ReleaseBatch.select().where(ReleaseBatch.request == req["id"]).first()
    await ReleaseBatch.update({ReleaseBatch.status: "还款/同意函"}).where((ReleaseBatch.id == b["id"]) & (ReleaseBatch.status == "审批中"))
    await audit.record(actor=actor, action="pipeline.mortgage_release", entity="pl_release_batch", entity_id=b["id"],
                       summary=f"{req['number']} 在建工程抵押解押已批准：还款 {Decimal(b['repayment']):,.2f} 元，待银行同意函",
                       before={"status": "审批中"}, after={"status": "还款/同意函"})


async def release_closed(req: dict, actor) -> None:
    """驳回 or 撤回: the list goes back to a draft (拟解押清单)."""
    from app.pipeline.tables import ReleaseBatch

    await ReleaseBatch.update({ReleaseBatch.status: "拟解押清单"}).where((ReleaseBatch.request == req["id"]) & (ReleaseBatch.status == "审批中"))


def release_chain(c: ChainContext) -> list[StepSpec]:
    """SPEC A8: 财务 computes the repayment, then 客服副经理 → 财务总监 → 总经理 [C]."""
    return [StepSpec("finance_manager", "财务核算还款", role("finance_manager")), StepSpec("dept_head", "客服副经理审批", role("dept_head")),
            StepSpec("finance_director", "财务总监审批", role("finance_director")), StepSpec("gm", "总经理审批", role("gm"))]


RELEASE = register(FlowDef(
    code="mortgage_release", name="在建工程抵押解押", prefix="JY", group="客服业务",
    description="按销售进度分批解除在建工程抵押：按揭专员列出房号，财务核算还款，客服副经理、财务总监、总经理审批；批准后还款并取得银行同意部分解除抵押函，"
                "办理注销登记，登记回执录入后各房源解除抵押。",
    chain=release_chain,
    form=ReleaseForm(), clause=("kf-71p", "ch2-4.7", "按揭专员 4.7"), on_approved=release_approved, on_closed=release_closed,
    starters=positions("mortgage", "supervisor", "dept_head", perms=PIPELINE_DESK), record=project_picker(),
))


from app.pipeline import steps as _steps  # noqa: E402

_steps.step_modules()  # the request types a step module declares register on import (app/pipeline/steps)
