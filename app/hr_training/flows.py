"""学历/资格证书培训 (SPEC §E7) as a declaration on the one engine: every employee files it; 申 → 部门负责人 → 人事 →
分管副总, plus 总经理 when the company's share is ≥ `gm_from` (默认 10,000 元). An applicant who is not eligible
([C] regular employee with ≥ 1 year of service) is refused on the field with the reason and the rule. Approval makes
the request a service-period agreement waiting for the certificate (app/hr_training/routes.py)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core.fields import Parser
from app.core.timeutil import today_local
from app.hr_training import rules, services
from app.hr_training.tables import AWAITING, CLOSED, PENDING, TrainingAgreement
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, FormResult, Setting, StepSpec, register
from app.workflow.engine import WorkflowError

KINDS = ("资格证书", "学历")
DEPT_HEAD = StepSpec("dept_head", "部门负责人审批", Approvers.of_role("dept_head"))
HR = StepSpec("hr", "人事审核", Approvers.of_role("hr"))
VP = StepSpec("vp", "分管副总审批", Approvers.of_role("vp"))
GM = StepSpec("gm", "总经理审批", Approvers.of_role("gm"))
MAX_COST = Decimal("10000000")
FIELDS = ("kind", "program", "related_post", "cost", "share_pct", "period_years", "start_on", "end_on", "reason")


def training_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → 人 → 副; the company's share ≥ gm_from: + 总."""
    steps = [DEPT_HEAD, HR, VP]
    if c.amount_at_least("gm_from"):
        steps.append(GM)
    return steps


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}"


class TrainingForm:
    fields_template = "hr_training/_flow_fields.html"
    detail_template = "hr_training/_flow_detail.html"

    async def context(self, user) -> dict[str, Any]:
        cfg = await services.settings()
        elig = await services.eligibility_of(user.employee_id, today_local(), cfg) if getattr(user, "employee_id", None) else None
        return {"kinds": [(k, k) for k in KINDS], "eligibility": elig, "legal": rules.LEGAL_22, "basis": rules.ELIGIBILITY_BASIS,
                "min_years": _fmt(cfg["min_service_years"]), "share_min": _fmt(cfg["share_min_pct"]), "share_max": _fmt(cfg["share_max_pct"]),
                "period_min": _fmt(cfg["period_min_years"]), "period_max": _fmt(cfg["period_max_years"]), "gm_from": f"{cfg['gm_from']:,.2f}"}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        cfg = await services.settings()
        p = Parser(values)
        kind = p.choice("kind", "培训类别", KINDS)
        program = p.text("program", "学校及专业 / 证书名称", max_len=200)
        related_post = p.text("related_post", "相关岗位", max_len=100)
        cost = p.money("cost", "培训费用（元）")
        pct = p.money("share_pct", "公司承担比例（%）")
        years = p.integer("period_years", "服务期（年）", minimum=1, maximum=50)
        start = p.date("start_on", "培训开始日期")
        end = p.date("end_on", "培训结束日期")
        reason = p.text("reason", "申请理由", required=False, max_len=1000)
        today = today_local()
        if cost is not None and cost > MAX_COST:
            p.fail("cost", "培训费用超出范围，请核对")
        if pct is not None and "share_pct" not in p.errors:
            msg = rules.share_error(pct, cfg["share_min_pct"], cfg["share_max_pct"])
            if msg:
                p.fail("share_pct", msg)
        if years is not None and "period_years" not in p.errors:
            msg = rules.period_error(years, cfg["period_min_years"], cfg["period_max_years"])
            if msg:
                p.fail("period_years", msg)
        if start and (start < today - timedelta(days=366) or start > today + timedelta(days=730)):
            p.fail("start_on", "培训开始日期应在前后两年以内")
        if start and end and end < start:
            p.fail("end_on", "培训结束日期不能早于开始日期")
        elif start and end and (end - start).days > 366 * 6:
            p.fail("end_on", "培训时间不能超过 6 年")
        if getattr(user, "employee_id", None):
            elig = await services.eligibility_of(user.employee_id, today, cfg)
            if not elig.ok:
                p.fail("kind", elig.reason)
        share = rules.company_share(cost, pct) if cost is not None and pct is not None and not p.errors.get("share_pct") else None
        cleaned = {"kind": kind, "program": program, "related_post": related_post, "cost": cost, "share_pct": pct, "share_amount": share,
                   "period_years": years, "start_on": start, "end_on": end, "reason": reason}
        title = f"{kind or '培训'}：{program}"[:200] if program else "学历/资格证书培训"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=share)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        elig = await services.eligibility_of(user.employee_id, today_local())
        if not elig.ok:
            raise WorkflowError(elig.reason, "kind")
        data = {k: cleaned[k] for k in (*FIELDS, "share_amount")}
        existing = await TrainingAgreement.select(TrainingAgreement.id).where(TrainingAgreement.request == request_id).first()
        if existing:
            await TrainingAgreement.update({**{getattr(TrainingAgreement, k): v for k, v in data.items()}, TrainingAgreement.status: PENDING}).where(
                TrainingAgreement.id == existing["id"])
        else:
            await TrainingAgreement.insert(TrainingAgreement(request=request_id, employee=user.employee_id, status=PENDING, **data))

    async def load(self, request_id: int) -> dict:
        r = await TrainingAgreement.select().where(TrainingAgreement.request == request_id).first() or {}
        values = {k: (r[k].isoformat() if isinstance(r.get(k), date) else str(r.get(k) if r.get(k) is not None else "")) for k in FIELDS} if r else {}
        return {"t": r, "legal": rules.LEGAL_22_SHORT, "form_values": values}


async def training_approved(req: dict, actor) -> None:
    """The request becomes the service-period agreement, waiting for the certificate (HR records it)."""
    await TrainingAgreement.update({TrainingAgreement.status: AWAITING}).where(TrainingAgreement.request == req["id"])


async def training_closed(req: dict, actor) -> None:
    await TrainingAgreement.update({TrainingAgreement.status: CLOSED}).where(TrainingAgreement.request == req["id"])


CERT_TRAINING = register(FlowDef(
    code="cert_training", name="学历/资格证书培训", prefix="XP", group="人事",
    description="转正后、司龄满 1 年的员工可申请与岗位相关的学历教育或资格证书培训。公司承担 50%–100% 的培训费用，取得证书后通过日常费用报销；"
                "须签订 1–5 年的服务期协议，提前离职按未履行的服务期比例支付违约金，且不超过公司承担的培训费用（劳动合同法 第二十二条）。"
                "审批：部门负责人 → 人事 → 分管副总；公司承担金额达到 10,000 元加总经理审批。",
    chain=training_chain, form=TrainingForm(), starters=STAFF,
    settings=(Setting("gm_from", "公司承担金额达到此数（含）需总经理审批（元）", rules.DEFAULTS["gm_from"]),
              Setting("min_service_years", "申请资格：司龄满此年数（年）[C]", rules.DEFAULTS["min_service_years"]),
              Setting("share_min_pct", "公司承担比例下限（%）", rules.DEFAULTS["share_min_pct"]),
              Setting("share_max_pct", "公司承担比例上限（%）", rules.DEFAULTS["share_max_pct"]),
              Setting("period_min_years", "服务期下限（年）[L] 劳动合同法第二十二条", rules.DEFAULTS["period_min_years"]),
              Setting("period_max_years", "服务期上限（年）", rules.DEFAULTS["period_max_years"])),
    clause=("kf-71p", "toc", "第十三章 学历或资格证书培训流程"),
    on_approved=training_approved, on_closed=training_closed,
))
