"""招聘 (SPEC §E12, 71p 第十八章) as two declarations on the one engine.

用人申请 (staffing): the 客服副经理 or 客服主管 asks for people in a position: 申 → 人事 → 分管副总, plus 总经理 when the
request is outside the approved headcount — computed when it is filed (在职 + 在途 + 本次 > 核定编制, table hr_headcount),
never typed. Approval opens it for candidates (/hr/recruit).

面试审批 (interview): HR files it on a candidate whose interview rounds (≥ 招聘设置 min_rounds) are recorded (the record
picker offers only those); its detail shows every round and the background check. 人事 → 经 (the staffing request's
department head) → 分管副总 only when the TARGET post is 主管 and above (the engine's SENIOR_ROLES). Approved: 面试通过;
驳回: 未录用; 撤回: back to 面试中.

录用审批 (offer): about a candidate of an approved 用人申请 whose 面试审批 is approved and background check passed (the
record picker offers only those): position, monthly pay, start date, probation; 申 → 人事 → 分管副总. Approval makes the
candidate 已录用, and HR does 办理入职."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core.fields import Parser, parse_id, pick_id
from app.core.timeutil import today_local
from app.hr_recruit import rules, services
from app.hr_recruit import settings as recruit_settings
from app.hr_recruit.tables import APPROVED, CLOSED, DROPPED, PASSED, SCREENING
from app.org.tables import Position
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, RecordPicker, StepSpec, positions, register
from app.workflow.engine import REJECTED, SENIOR_ROLES

CLAUSE = ("kf-71p", "toc", "第十八章 客服部招聘流程")
HR = StepSpec("hr", "人事审核", Approvers.of_role("hr"))
VP = StepSpec("vp", "分管副总审批", Approvers.of_role("vp"))
GM = StepSpec("gm", "总经理审批（超出编制）", Approvers.of_role("gm"))
MAX_SALARY = Decimal("1000000")
HIRING = positions("dept_head", "supervisor")  # 经: the department head, or the supervisor for their team


# ---- 用人申请 ---------------------------------------------------------------------------------------------------

class StaffingForm:
    fields_template = "hr_recruit/_staffing_fields.html"
    detail_template = "hr_recruit/_staffing_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"positions": await services.position_choices(), "org": await services.applicant_org(user)}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        pos_id = pick_id(p, "position", "岗位")
        headcount = p.integer("headcount", "需求人数", minimum=1, maximum=rules.MAX_HEADCOUNT)
        requirements = p.text("requirements", "任职要求", max_len=2000)
        start_on = p.date("start_on", "期望到岗日期")
        reason = p.text("reason", "申请理由", max_len=1000)
        today = today_local()
        if start_on is not None and not (today - timedelta(days=30) <= start_on <= today + timedelta(days=730)):
            p.fail("start_on", "期望到岗日期应在近 30 天至两年以内")
        pos = await Position.select(Position.id, Position.name).where(Position.id == pos_id).first() if pos_id else None
        if pos_id and pos is None:
            p.fail("position", "岗位的选项无效")
        org = await services.applicant_org(user)
        if org is None:
            p.fail("position", "您的账号没有员工档案，不能提交用人申请")
        cleaned: dict[str, Any] = {"position": pos["id"] if pos else None, "headcount": headcount, "requirements": requirements,
                                   "start_on": start_on, "reason": reason, "outside": False, "approved": 0, "employed": 0, "pending": 0,
                                   "company": org["company"] if org else None, "department": org["department"] if org else None}
        if pos and org and headcount:
            state = await services.headcount_state(org["company"], pos["id"], exclude_request=request_id)
            cleaned.update(approved=state.approved, employed=state.employed, pending=state.pending, outside=state.outside(headcount))
        title = f"用人申请：{pos['name']} {headcount or ''} 人" if pos else "用人申请"
        if cleaned["outside"]:
            title += "（超编）"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title[:200])

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.save_staffing(request_id, cleaned, user)

    async def load(self, request_id: int) -> dict:
        st = await services.staffing_of_request(request_id)
        if not st:
            return {"form_values": {}}
        return {"s": st, "headcount_text": rules.headcount_text(st["approved"], st["employed"], st["pending"], st["headcount"]),
                "form_values": {"position": str(st["position"]), "headcount": str(st["headcount"]), "requirements": st["requirements"],
                                "start_on": st["start_on"].isoformat(), "reason": st["reason"]}}


def staffing_chain(c: ChainContext) -> list[StepSpec]:
    """申（经） → 人 → 副; outside the approved headcount: + 总."""
    steps = [HR, VP]
    if c.data.get("outside"):
        steps.append(GM)
    return steps


async def staffing_approved(req: dict, actor) -> None:
    await services.set_staffing_status(req["id"], APPROVED, actor)


async def staffing_closed(req: dict, actor) -> None:
    await services.set_staffing_status(req["id"], CLOSED, actor)


STAFFING = register(FlowDef(
    code="staffing", name="用人申请", prefix="YR", group="人事",
    description="客服副经理或客服主管提出用人需求：岗位、人数、任职要求、期望到岗日期和理由。系统按核定编制（在职人数 + 在途用人申请 + 本次人数）"
                "判断是否超编：编制内 人事 → 分管副总，超出编制另加总经理审批。审批通过后人事登记候选人、面试和背景调查。",
    chain=staffing_chain, form=StaffingForm(), has_amount=False, starters=HIRING, clause=CLAUSE,
    on_approved=staffing_approved, on_closed=staffing_closed,
))


# ---- 面试审批 ---------------------------------------------------------------------------------------------------

def candidate_picker(rows_of, label_of, placeholder: str) -> RecordPicker:
    """A picker over the candidates `rows_of(user)` offers (面试审批: interviewed enough; 录用审批: interview approved and
    the background check passed): search by the label, and the server's check that a posted id is one of them."""
    async def search(user, q: str, limit: int) -> list[tuple[str, str]]:
        return [(str(r["id"]), label_of(r)) for r in await rows_of(user) if not q or q in label_of(r)][:limit]

    async def reaches(user, value: str) -> bool:
        cid = parse_id(value)
        return cid is not None and any(r["id"] == cid for r in await rows_of(user))

    return RecordPicker(field="candidate", label="候选人", search=search, reaches=reaches, placeholder=placeholder)


REVIEW_PICKER = candidate_picker(services.reviewable, lambda r: f"{r['name']} · {r['position_name']}（已面试 {r['rounds']} 轮）",
                                 "选择面试轮数已达要求的候选人")


class InterviewForm:
    fields_template = "hr_recruit/_interview_fields.html"
    detail_template = "hr_recruit/_interview_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"cfg": await recruit_settings.read(), "art8": rules.ART_8}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        cid = parse_id(p.raw("candidate"))
        rows = await services.reviewable(user, request_id)
        row = next((r for r in rows if r["id"] == cid), None) if cid is not None else None
        heads: list[int] = []
        if not p.raw("candidate"):
            p.fail("candidate", "请选择候选人")
        elif row is None:
            p.fail("candidate", "没有找到面试轮数已达要求、尚未提交面试审批的该候选人")
        else:
            heads = await services.department_heads(row["company"], row["department"], row["manager_user"])
            if not heads:
                p.fail("candidate", "找不到用人部门负责人，请联系系统管理员")
        cleaned = {"candidate": row["id"] if row else None, "rounds": row["rounds"] if row else 0,
                   "target_senior": bool(row and row["position_role"] in SENIOR_ROLES), "dept_heads": heads}
        title = f"面试审批：{row['name']} · {row['position_name']}" if row else "面试审批"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title[:200])

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.save_review(request_id, cleaned)

    async def load(self, request_id: int) -> dict:
        r = await services.review_of_request(request_id)
        if not r:
            return {"form_values": {}}
        return {"r": r, "art8": rules.ART_8, "form_values": {"candidate": str(r["candidate"])}}


def interview_chain(c: ChainContext) -> list[StepSpec]:
    """人 → 经 (the staffing request's department head) → 副 (only when the target post is 主管 and above)."""
    steps = [HR, StepSpec("dept_head", "用人部门负责人审批", Approvers.users(*c.data.get("dept_heads", ())))]
    if c.data.get("target_senior"):
        steps.append(StepSpec("vp", "分管副总审批（主管及以上岗位）", Approvers.of_role("vp")))
    return steps


async def interview_approved(req: dict, actor) -> None:
    await services.set_review_outcome(req["id"], PASSED, actor)


async def interview_closed(req: dict, actor) -> None:
    await services.set_review_outcome(req["id"], DROPPED if req.get("status") == REJECTED else SCREENING, actor)


INTERVIEW = register(FlowDef(
    code="interview", name="面试审批", prefix="MS", group="人事",
    description="人事对面试轮数已达要求的候选人提交面试审批，附各轮面试评分、面试官评价和背景调查情况。人事审核 → 用人部门负责人审批，"
                "招聘岗位为主管及以上的另加分管副总审批。审批通过后才能提交录用审批；驳回的候选人记为未录用。",
    chain=interview_chain, form=InterviewForm(), record=REVIEW_PICKER, has_amount=False, starters=positions("hr"), clause=CLAUSE,
    on_approved=interview_approved, on_closed=interview_closed,
))


# ---- 录用审批 ---------------------------------------------------------------------------------------------------

def _label(r: dict) -> str:
    return f"{r['name']} · {r['position_name']}"


PICKER = candidate_picker(services.offerable, _label, "选择面试审批已通过、背景调查已通过的候选人")


class OfferForm:
    fields_template = "hr_recruit/_offer_fields.html"
    detail_template = "hr_recruit/_offer_detail.html"

    async def context(self, user) -> dict[str, Any]:
        cfg = await recruit_settings.read()
        return {"cfg": cfg, "art19": rules.ART_19}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        cfg = await recruit_settings.read()
        p = Parser(values)
        cid = parse_id(p.raw("candidate"))
        salary = p.money("salary", "月工资（元）")
        start_on = p.date("start_on", "入职日期")
        months = p.integer("probation_months", "试用期（月）", minimum=0, maximum=6)
        years = cfg["contract_years"]
        if salary is not None and salary > MAX_SALARY:
            p.fail("salary", "金额超出允许范围")
        today = today_local()
        if start_on is not None and not (today - timedelta(days=30) <= start_on <= today + timedelta(days=365)):
            p.fail("start_on", "入职日期应在近 30 天至一年以内")
        if start_on is not None and months is not None and "probation_months" not in p.errors and "start_on" not in p.errors:
            msg = rules.probation_error(start_on, years, months)
            if msg:
                p.fail("probation_months", msg)
        rows = await services.offerable(user, request_id)
        row = next((r for r in rows if r["id"] == cid), None) if cid is not None else None
        if not p.raw("candidate"):
            p.fail("candidate", "请选择候选人")
        elif row is None:
            p.fail("candidate", "没有找到面试审批已通过、背景调查已通过、尚未录用的该候选人")
        cleaned = {"candidate": row["id"] if row else None, "position": row["position"] if row else None, "salary": salary,
                   "start_on": start_on, "probation_months": months, "contract_years": years}
        title = f"录用审批：{_label(row)}" if row else "录用审批"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title[:200])

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.save_offer(request_id, cleaned)

    async def load(self, request_id: int) -> dict:
        o = await services.offer_of_request(request_id)
        if not o:
            return {"form_values": {}}
        start: date = o["start_on"]
        return {"o": o, "contract_end": rules.contract_end(start, o["contract_years"]), "art19": rules.ART_19,
                "form_values": {"candidate": str(o["candidate"]), "salary": f"{o['salary']:.2f}", "start_on": start.isoformat(),
                                "probation_months": str(o["probation_months"])}}


def offer_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 人 → 副."""
    return [HR, VP]


async def offer_approved(req: dict, actor) -> None:
    await services.set_offer_outcome(req["id"], True, actor)


async def offer_closed(req: dict, actor) -> None:
    await services.set_offer_outcome(req["id"], False, actor)


OFFER = register(FlowDef(
    code="offer", name="录用审批", prefix="LY", group="人事",
    description="面试审批通过、背景调查通过后，用人部门对候选人提出录用：岗位、月工资、入职日期、试用期。人事审核 → 分管副总审批。"
                "试用期按劳动合同期限确定上限（《劳动合同法》第十九条）。审批通过后人事办理入职。",
    chain=offer_chain, form=OfferForm(), record=PICKER, has_amount=False, starters=HIRING, clause=CLAUSE,
    on_approved=offer_approved, on_closed=offer_closed,
))
