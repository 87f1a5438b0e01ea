"""客诉补偿 (SPEC D2) as a declaration on the one engine: a compensation offered in a case's plan waits for ONE approval by the
role its amount calls for — < 1,000 投诉主管, < 10,000 部门经理, < 100,000 总经理, else 总裁. The thresholds are CareSettings
(客服时限与目标 in the admin), read when the form is parsed; the chain takes the role from the parsed form. Submitting moves the
case to 方案待批; approval → 方案待客户确认; 驳回 or 撤回 → back to 处理中."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.care import core, rules, states
from app.care.core import CareError
from app.care.settings import load_limits
from app.care.tables import CareCase, Compensation
from app.core import notify
from app.core.fields import Parser
from app.core.listing import like_text
from app.core.permissions import Perm
from app.core.timeutil import now
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, RecordPicker, StepSpec, positions, register
from app.workflow.engine import WorkflowError

STARTER_ROLES = (rules.ROLE_CR_OFFICER, rules.ROLE_COMPLAINT_OFFICER, rules.ROLE_COMPLAINT_SUPERVISOR, rules.ROLE_CR_SUPERVISOR,
                 rules.ROLE_SUPERVISOR, rules.ROLE_DEPT_MANAGER, "reception")


def _where(user):
    cond = CareCase.kind.is_in(sorted(states.COMPLAINT_KINDS)) & (CareCase.status == states.HANDLING)
    clause = core.scope(user)
    return cond if clause is None else cond & clause


async def _search(user, q: str, limit: int) -> list[tuple[str, str]]:
    cond = _where(user)
    text = like_text(q)
    if text:
        cond &= CareCase.number.like(f"%{text}%") | CareCase.title.like(f"%{text}%")
    rows = await CareCase.select(CareCase.number, CareCase.title, CareCase.level).where(cond).order_by(CareCase.id, ascending=False).limit(limit)
    return [(r["number"], f"{r['level']} {r['title']}") for r in rows]


async def _reaches(user, value: str) -> bool:
    value = (value or "").strip()
    return bool(value) and await CareCase.exists().where(_where(user) & (CareCase.number == value))


CASE_PICKER = RecordPicker(field="case_ref", label="客服案件", search=_search, reaches=_reaches, placeholder="输入案件号或标题查找（处理中的投诉、索赔）")


class CompensationForm:
    fields_template = "care/_compensation_fields.html"
    detail_template = "care/_compensation_detail.html"

    async def context(self, user) -> dict[str, Any]:
        limits = await load_limits()
        return {"bands": [(f"< {limits.comp_supervisor_below:,.2f}", "投诉主管"), (f"< {limits.comp_manager_below:,.2f}", "部门经理"),
                          (f"< {limits.comp_gm_below:,.2f}", "总经理"), (f"≥ {limits.comp_gm_below:,.2f}", "总裁")]}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        ref = p.text("case_ref", "客服案件", max_len=30)
        amount = p.money("amount", "补偿金额")
        reason = p.text("reason", "补偿原因", max_len=1000)
        payee = p.text("payee", "收款人", max_len=50)
        case = None
        if ref:
            case = await CareCase.select(CareCase.id, CareCase.number, CareCase.title, CareCase.project, CareCase.status, CareCase.kind,
                                         CareCase.compensation_request, CareCase.handler, CareCase.handler_role).where(CareCase.number == ref).first()
            from app.care.services import may_work

            if not case:
                p.fail("case_ref", "没有找到该案件")
            elif not user.sees_project(case["project"]):
                p.fail("case_ref", "该案件不在您的数据范围内")
            elif not may_work(user, case):
                p.fail("case_ref", "只有该案件的处理人（或其岗位、客服管理人员）可以为它提交补偿方案")
            elif case["kind"] not in states.COMPLAINT_KINDS:
                p.fail("case_ref", "只有投诉、索赔案件可以申请补偿")
            elif not (case["status"] == states.HANDLING or (request_id and case["compensation_request"] == request_id)):
                p.fail("case_ref", f"该案件当前为「{case['status']}」，处理中的案件才能提交补偿方案")
        role = ""
        if amount is not None:
            role = rules.compensation_approver(amount, await load_limits())
        cleaned = {"case": case["id"] if case else None, "amount": amount, "reason": reason, "payee": payee, "approver_role": role}
        title = f"客诉补偿：{case['number']} {case['title']}" if case else "客诉补偿"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title[:200], amount=amount)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        case = await CareCase.select().where(CareCase.id == cleaned["case"]).first()
        await Compensation.delete().where(Compensation.request == request_id)
        await Compensation.insert(Compensation(request=request_id, case=cleaned["case"], amount=cleaned["amount"], reason=cleaned["reason"],
                                               payee=cleaned["payee"]))
        changes = {CareCase.compensation_amount: cleaned["amount"], CareCase.compensation_request: request_id}
        try:
            if case["status"] == states.PLAN_APPROVAL and case["compensation_request"] == request_id:  # resubmitted after 退回
                await core.move(user, case, "plan_compensation", changes, f"补偿 {cleaned['amount']:,.2f} 元（重新提交）", to=states.PLAN_APPROVAL)
            else:
                await core.move(user, case, "plan_compensation", changes, f"补偿 {cleaned['amount']:,.2f} 元，{cleaned['reason']}")
        except CareError as e:
            raise WorkflowError(e.message, "case_ref") from None

    async def load(self, request_id: int) -> dict:
        c = await Compensation.select(Compensation.all_columns(), Compensation.case.number, Compensation.case.title,
                                      Compensation.case.level).where(Compensation.request == request_id).first() or {}
        values = {"case_ref": c.get("case.number", ""), "amount": f"{Decimal(c['amount']):.2f}" if c else "",
                  "reason": c.get("reason", ""), "payee": c.get("payee", "")}
        return {"comp": c, "form_values": values}


def compensation_chain(c: ChainContext) -> list[StepSpec]:
    """ONE step: the role the amount calls for (decided from the CareSettings when the form was parsed)."""
    role = c.data.get("approver_role") or rules.ROLE_PRESIDENT
    return [StepSpec(f"care_{role}", f"{rules.ROLE_NAMES.get(role, role)}审批", Approvers.of_role(role))]


async def _case_of(req: dict) -> tuple[dict | None, dict | None]:
    comp = await Compensation.select().where(Compensation.request == req["id"]).first()
    if not comp:
        return None, None
    return comp, await CareCase.select().where(CareCase.id == comp["case"]).first()


async def _tell_handler(case: dict, text: str) -> None:
    from app.org.tables import Employee

    if case.get("handler"):
        e = await Employee.select(Employee.user).where(Employee.id == case["handler"]).first()
        if e and e["user"]:
            await notify.notify(e["user"], text, f"/care/cases/{case['id']}", "care", ref=f"case:{case['id']}:handle")


async def compensation_approved(req: dict, actor) -> None:
    comp, case = await _case_of(req)
    if not case:
        return
    await Compensation.update({Compensation.approved: True}).where(Compensation.id == comp["id"])
    changes = {CareCase.plan_at: case["plan_at"] or now()}
    try:
        await core.move(actor, case, "plan_approved", changes, f"补偿 {Decimal(comp['amount']):,.2f} 元获批（{req['number']}）")
    except CareError as e:
        raise WorkflowError(e.message) from None
    await _tell_handler(case, f"补偿方案已获批：{case['number']}，请与客户确认方案并发起付款")


async def compensation_closed(req: dict, actor) -> None:
    comp, case = await _case_of(req)
    if not case or case["status"] != states.PLAN_APPROVAL:
        return
    try:
        await core.move(actor, case, "plan_rejected", {}, f"补偿审批 {req['number']} {req['status']}")
    except CareError as e:
        raise WorkflowError(e.message) from None
    await _tell_handler(case, f"补偿方案未获批（{req['status']}）：{case['number']}，请重新拟定方案")


COMPENSATION = register(FlowDef(
    code="care_compensation", name="客诉补偿", prefix="BC", group="客服",
    description="投诉、索赔的答复方案含补偿时提交；按补偿金额由投诉主管、部门经理、总经理或总裁审批（金额分档在客服时限与目标中设置）。获批后通过「付款」支付。",
    chain=compensation_chain, form=CompensationForm(), record=CASE_PICKER,
    starters=positions(*STARTER_ROLES, perms=(Perm.CARE,)),
    clause=("doc-05", "art13", "投诉处理 第十三条"),
    on_approved=compensation_approved, on_closed=compensation_closed,
))


async def payment_values(user, raw: str) -> dict[str, str]:
    """The 付款 form for an approved compensation (?care_case=<id>): payee, amount and the case in the 事由; the case number
    stands as the 合同编号 with the approved amount as its total, so the payments on a case can never exceed it. {} when
    the case is out of the user's reach or has nothing approved left to pay."""
    from app.care import services
    from app.core.fields import parse_id

    cid = parse_id(raw)
    case = await core.get_case(user, cid) if cid is not None else None
    comp = await services.compensation_of(case["id"]) if case else None
    if not case or not comp or not comp["approved"] or case["payment_request"] or not services.may_work(user, case):
        return {}
    amount = f"{Decimal(comp['amount']):.2f}"
    return {"payee": comp["payee"] or (case.get("buyer.name") or case["caller_name"]), "amount": amount,
            "contract_no": case["number"], "contract_total": amount,
            "purpose": f"客诉补偿：案件 {case['number']}「{case['title']}」，补偿审批 {comp['request.number']}"}


def _register_payment_source() -> None:
    from app.finance.flows import PAYMENT_SOURCES

    PAYMENT_SOURCES["care_case"] = payment_values


_register_payment_source()
