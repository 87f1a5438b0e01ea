"""转正申请 (SPEC §E11, 71p 第十七章) as a declaration on the one engine: the employee on probation files it with a
self-appraisal about their own contract in probation; chain 直属上级（客服主管/部门负责人）评分 → 人事审核 → 分管副总
(for 主管 and above). The engine has no per-step fields, so the manager's score and HR's outcome (转正 / 不予录用 —
no extension: 《劳动合同法》第十九条) are recorded on /hr/probation/{request id} by that step's approver; approval
applies the outcome (services.apply_approved), refused without them, and 不予录用 refused after the probation's end or
without evidence (第二十一条、第三十九条第（一）项)."""
from __future__ import annotations

from typing import Any

from app.core.fields import Parser, parse_id
from app.core.timeutil import today_local
from app.hr_probation import services
from app.hr_probation.tables import ProbationReview
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, FormResult, RecordPicker, StepSpec, register

MANAGER = StepSpec(services.SCORE_STEP, "直属上级评分（客服主管/部门负责人）", Approvers.manager())
HR = StepSpec(services.HR_STEP, "人事审核", Approvers.of_role("hr"))
VP = StepSpec("vp", "分管副总审批", Approvers.of_role("vp"))


def _label(r: dict) -> str:
    return f"第 {r['seq']} 份劳动合同 · {r['post']} · 试用期至 {r['probation_end']:%Y-%m-%d}"


async def _search(user, q: str, limit: int) -> list[tuple[str, str]]:
    rows = await services.fileable(user)
    return [(str(r["id"]), _label(r)) for r in rows if not q or q in _label(r)][:limit]


async def _reaches(user, value: str) -> bool:
    cid = parse_id(value)
    return cid is not None and any(r["id"] == cid for r in await services.fileable(user))


PICKER = RecordPicker(field="contract", label="劳动合同", search=_search, reaches=_reaches, placeholder="选择您试用期中的劳动合同")


class ProbationForm:
    fields_template = "hr_probation/_flow_fields.html"
    detail_template = "hr_probation/_flow_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        cid = parse_id(p.raw("contract"))
        text = p.text("self_appraisal", "个人总结", max_len=3000)
        rows = await services.fileable(user, request_id)
        row = next((r for r in rows if r["id"] == cid), None) if cid is not None else None
        if not p.raw("contract"):
            p.fail("contract", "请选择劳动合同")
        elif row is None:
            p.fail("contract", "没有找到您本人试用期中、可申请转正的劳动合同")
        title = f"转正申请（试用期至 {row['probation_end']:%Y-%m-%d}）" if row else "转正申请"
        return FormResult(errors=p.errors, cleaned={"contract": row["id"] if row else None, "self_appraisal": text}, title=title)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.create_review(request_id, cleaned["contract"], cleaned["self_appraisal"], user)

    async def load(self, request_id: int) -> dict:
        review = await ProbationReview.select().where(ProbationReview.request == request_id).first()
        if not review:
            return {"form_values": {}}
        full = await services.review_of(request_id)
        from app.hr_people.services import rewards_of  # 奖惩 (§G) shown to the 转正 approvers

        return {"review": full, "rewards": await rewards_of(review["employee"]),
                "form_values": {"contract": str(review["contract"]), "self_appraisal": review["self_appraisal"]}}


def probation_chain(c: ChainContext) -> list[StepSpec]:
    """申（试用期员工） → 直属上级评分 → 人事 → 分管副总（主管及以上）."""
    steps = [MANAGER, HR]
    if c.applicant.senior:
        steps.append(VP)
    return steps


async def probation_approved(req: dict, actor) -> None:
    await services.apply_approved(req["id"], actor, today_local())


PROBATION = register(FlowDef(
    code="probation", name="转正申请", prefix="ZZ", group="人事",
    description="试用期员工提交个人总结，直属上级（客服主管/部门负责人）评分，人事审核并给出结论（转正或不予录用），主管及以上还需分管副总审批。"
                "试用期不得延长；不予录用须在试用期内作出并有不符合录用条件的证据（《劳动合同法》第十九条、第二十一条、第三十九条第（一）项）。",
    chain=probation_chain, form=ProbationForm(), record=PICKER, has_amount=False, starters=STAFF,
    clause=("kf-71p", "toc", "第十七章 客服部员工转正流程"),
    on_approved=probation_approved,
))
