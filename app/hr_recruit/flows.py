"""招聘 (SPEC §E12, 71p 第十八章) as two declarations on the one engine.

用人申请 (staffing): the 客服副经理 or 客服主管 asks for people in a position: 申 → 人事 → 分管副总, plus 总经理 when the
request is outside the approved headcount — computed when it is filed (在职 + 在途 + 本次 > 核定编制, table hr_headcount),
never typed. Approval opens it for candidates (/hr/recruit).

录用审批 (offer): about a candidate of an approved 用人申请 whose interviews and background check are done (the record
picker offers only those): position, monthly pay, start date, probation; 申 → 人事 → 分管副总. Approval makes the
candidate 已录用, and HR does 办理入职."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core.fields import Parser, parse_id, pick_id
from app.core.timeutil import today_local
from app.hr_recruit import rules, services
from app.hr_recruit import settings as recruit_settings
from app.hr_recruit.tables import APPROVED, CLOSED
from app.org.tables import Position
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, RecordPicker, StepSpec, positions, register

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


# ---- 录用审批 ---------------------------------------------------------------------------------------------------

def _label(r: dict) -> str:
    return f"{r['name']} · {r['position_name']}"


async def _search(user, q: str, limit: int) -> list[tuple[str, str]]:
    rows = await services.offerable(user)
    return [(str(r["id"]), _label(r)) for r in rows if not q or q in _label(r)][:limit]


async def _reaches(user, value: str) -> bool:
    cid = parse_id(value)
    return cid is not None and any(r["id"] == cid for r in await services.offerable(user))


PICKER = RecordPicker(field="candidate", label="候选人", search=_search, reaches=_reaches,
                      placeholder="选择面试和背景调查已完成的候选人")


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
            p.fail("candidate", "没有找到面试和背景调查已完成、尚未录用的该候选人")
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
    description="面试和背景调查完成后，用人部门对候选人提出录用：岗位、月工资、入职日期、试用期。人事审核 → 分管副总审批。"
                "试用期按劳动合同期限确定上限（《劳动合同法》第十九条）。审批通过后人事办理入职。",
    chain=offer_chain, form=OfferForm(), record=PICKER, has_amount=False, starters=HIRING, clause=CLAUSE,
    on_approved=offer_approved, on_closed=offer_closed,
))
