"""晋升申请 (SPEC §E9, 71p 第十五章) and 跨公司调动 (§E10, 第十六章) as declarations on the one engine.

晋升: the person (申) or their direct manager (经) names them — the record picker lists only the starter and their direct
reports; chain 人事 → 分管副总, plus 总经理 when the TARGET post is 主管 and above (the engine's own SENIOR_ROLES, the set
behind Applicant.senior). The final approval starts a 公示 of `publish_days` working days; when it is over (the
reminder job, or opening the page) the Employee's position changes and a 任命通知 is printable.

调动: to another company of the group. The engine resolves role steps in the applicant's (= releasing) company, so the
receiving side cannot be addressed by role; its approvers are resolved on the form by role in the RECEIVING company
(app.workflow.engine.users_with_role, read-only) and declared as explicit-user steps: 调出部门负责人 → 调出公司人事 →
调入部门负责人 → 调入公司人事 → 调出、调入公司总经理会签. The last approval needs the handover checklist done."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core.fields import Parser, parse_id, pick_id
from app.core.timeutil import today_local
from app.hr_move import rules, services
from app.hr_move.tables import Grade, Promotion, Transfer
from app.org.tables import Company, Department, Position
from app.workflow.definitions import (
    STAFF, Approvers, ChainContext, FlowDef, FormResult, Mode, RecordPicker, Setting, StepSpec, register,
)
from app.workflow.engine import SENIOR_ROLES, flow_settings, users_with_role

MAX_SALARY = Decimal("10000000")

HR = StepSpec("hr", "人事审核（考核与评议）", Approvers.of_role("hr"))
VP = StepSpec("vp", "分管副总审批", Approvers.of_role("vp"))
GM = StepSpec("gm", "总经理审批（主管及以上）", Approvers.of_role("gm"))
RELEASE_HEAD = StepSpec("release_head", "调出部门负责人审批", Approvers.of_role("dept_head"))
RELEASE_HR = StepSpec("release_hr", "调出公司人事审核", Approvers.of_role("hr"))


def _label(r: dict) -> str:
    return f"{r['name']}（{r['employee_no']}）· {r['department_name']} · {r['position_name']}"


def _picker(table, label: str, placeholder: str) -> RecordPicker:
    async def search(user, q: str, limit: int) -> list[tuple[str, str]]:
        rows = await services.pickable(user)
        return [(str(r["id"]), _label(r)) for r in rows if not q or q in _label(r)][:limit]

    async def reaches(user, value: str) -> bool:
        eid = parse_id(value)
        return eid is not None and any(r["id"] == eid for r in await services.pickable(user))

    return RecordPicker(field="employee", label=label, search=search, reaches=reaches, placeholder=placeholder)


async def _person(p: Parser, user, table, request_id: int | None, what: str) -> dict | None:
    raw = p.raw("employee")
    eid = parse_id(raw)
    row = next((r for r in await services.pickable(user) if r["id"] == eid), None) if eid else None
    if not raw:
        p.fail("employee", "请选择人员")
    elif row is None:
        p.fail("employee", "只能为本人或您的直接下属提出申请")
    elif await services.busy(table, row["id"], request_id):
        p.fail("employee", f"该员工已有审批中或尚未生效的{what}")
        return None
    return row


async def _people_context(user) -> list[dict]:
    rows = await services.pickable(user)
    grades = await services.current_grades([r["id"] for r in rows])
    today = today_local()
    return [{**r, "grade": grades.get(r["id"]), "tenure": rules.tenure_text(rules.tenure_months(r["hired_on"], today))} for r in rows]


# ---- 晋升 ---------------------------------------------------------------------------------------------------------

class PromotionForm:
    fields_template = "hr_move/_promotion_fields.html"
    detail_template = "hr_move/_promotion_detail.html"

    async def context(self, user) -> dict[str, Any]:
        cfg = await flow_settings(PROMOTION)
        return {"people": await _people_context(user), "positions": await services.position_choices(),
                "grades": await services.grade_choices(), "trial_months": int(cfg["trial_months"]),
                "publish_days": int(cfg["publish_days"]), "SENIOR_TEXT": rules.SENIOR_TEXT}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        person = await _person(p, user, Promotion, request_id, "晋升申请")
        pos_id = pick_id(p, "to_position", "目标岗位")
        grade_id = pick_id(p, "to_grade", "目标职级")
        score = p.integer("score", "考核得分", minimum=0, maximum=100)
        appraisal = p.text("appraisal", "考核评价", max_len=2000)
        salary = p.money("salary_change", "月薪调整", allow_zero=True)
        if salary is not None and salary > MAX_SALARY:
            p.fail("salary_change", "月薪调整金额过大，请核对")
        pos = await Position.select(Position.id, Position.name, Position.role).where(Position.id == pos_id).first() if pos_id else None
        if pos_id and pos is None:
            p.fail("to_position", "目标岗位的选项无效")
        grade = await Grade.select(Grade.id, Grade.code, Grade.rank).where(Grade.id == grade_id).first() if grade_id else None
        if grade_id and grade is None:
            p.fail("to_grade", "目标职级的选项无效")
        current = (await services.current_grades([person["id"]])).get(person["id"]) if person else None
        if person and pos and grade:
            problem = rules.is_promotion(current["rank"] if current else None, grade["rank"], pos["id"] == person["position"])
            if problem:
                p.fail("to_grade", problem)
        cfg = await flow_settings(PROMOTION)
        cleaned = {
            "employee": person["id"] if person else None, "from_position": person["position"] if person else None,
            "from_grade": current["grade"] if current else None, "to_position": pos["id"] if pos else None,
            "to_grade": grade["id"] if grade else None, "score": score, "appraisal": appraisal,
            "tenure_months": rules.tenure_months(person["hired_on"], today_local()) if person else 0,
            "group_lead": bool(person and person["is_group_lead"]), "trial_months": int(cfg["trial_months"]),
            "salary_change": salary, "target_senior": bool(pos and rules.senior_target(pos["role"], SENIOR_ROLES)),
        }
        title = f"{person['name']} 晋升为 {pos['name']}" if person and pos else "晋升申请"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title[:200])

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.save_promotion(request_id, cleaned)

    async def load(self, request_id: int) -> dict:
        p = await services.promotion_of(request_id)
        if not p:
            return {"form_values": {}}
        today = today_local()
        if await services.complete_promotion(p, today):  # opening the page after the publication completes it
            p = await services.promotion_of(request_id)
        from app.hr_people.services import rewards_of  # 奖惩 (§G) shown to the 晋升 approvers, as to 转正's

        return {"promotion": p, "rewards": await rewards_of(p["employee"]), "state": services.promotion_state(p, today),
                "tenure": rules.tenure_text(p["tenure_months"]),
                "form_values": {"employee": str(p["employee"]), "to_position": str(p["to_position"]),
                                "to_grade": str(p["to_grade"] or ""), "score": str(p["score"]), "appraisal": p["appraisal"],
                                "salary_change": f"{p['salary_change']:.2f}"}}


def promotion_chain(c: ChainContext) -> list[StepSpec]:
    """申/经 → 人事 → 分管副总 (→ 总经理 when the target post is 主管 and above)."""
    steps = [HR, VP]
    if c.data.get("target_senior"):
        steps.append(GM)
    return steps


async def promotion_approved(req: dict, actor) -> None:
    cfg = await flow_settings(PROMOTION)
    await services.promotion_approved(req, actor, int(cfg["publish_days"]), today_local())


PROMOTION = register(FlowDef(
    code="promotion", name="晋升申请", prefix="JS", group="人事",
    description="本人申请或直属上级提名；人事审核考核结果，分管副总审批，目标岗位为主管及以上的还需总经理审批。"
                "审批通过后公示（工作日），公示期满岗位与职级变更，可打印任命通知；新岗位的审批权限自其下次提交或登录起生效。",
    chain=promotion_chain, form=PromotionForm(), record=_picker(Promotion, "晋升人员", "选择本人或您的直接下属"),
    has_amount=False, starters=STAFF,
    settings=(Setting("publish_days", "晋升公示期（工作日）", Decimal("3")),
              Setting("trial_months", "新岗位试岗期（月）", Decimal("3"))),
    clause=("kf-71p", "toc", "第十五章 客服部员工晋升流程"),
    on_approved=promotion_approved,
))


# ---- 跨公司调动 ---------------------------------------------------------------------------------------------------

async def _first(role: str, company_id: int) -> list[int]:
    return (await users_with_role(role, company_id))[:1]


class TransferForm:
    fields_template = "hr_move/_transfer_fields.html"
    detail_template = "hr_move/_transfer_detail.html"

    async def context(self, user) -> dict[str, Any]:
        emp = getattr(user, "employee_id", None)
        companies = await Company.select(Company.id, Company.name).where(Company.is_group == False).order_by(Company.sort)  # noqa: E712
        depts = await Department.select(Department.id, Department.name, Department.company.short_name.as_alias("co")).order_by(
            Department.company.sort).order_by(Department.sort)
        return {"people": await _people_context(user) if emp else [], "companies": [(str(c["id"]), c["name"]) for c in companies],
                "departments": [(str(d["id"]), f"{d['co']} · {d['name']}") for d in depts],
                "positions": await services.position_choices(), "CONTINUOUS_TEXT": rules.CONTINUOUS_TEXT,
                "handover_items": rules.HANDOVER_ITEMS}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        person = await _person(p, user, Transfer, request_id, "调动申请")
        co_id = pick_id(p, "to_company", "调入公司")
        dept_id = pick_id(p, "to_department", "调入部门")
        pos_id = pick_id(p, "to_position", "调入岗位")
        effective = p.date("effective_on", "生效日期")
        salary = p.money("salary", "调动后月薪", allow_zero=False)
        if salary is not None and salary > MAX_SALARY:
            p.fail("salary", "月薪金额过大，请核对")
        si_done = p.flag("si_done")
        si_date = p.date("si_date", "社保转移日期", required=si_done)
        note = p.text("note", "说明", required=False, max_len=1000)
        today = today_local()
        if effective and effective < today:
            p.fail("effective_on", "生效日期不能早于今天")
        co = await Company.select(Company.id, Company.name, Company.is_group).where(Company.id == co_id).first() if co_id else None
        if co_id and (co is None or co["is_group"]):
            p.fail("to_company", "调入公司的选项无效（集团内的子公司）")
            co = None
        if co and person and co["id"] == person["company"]:
            p.fail("to_company", "跨公司调动须调往集团内另一家公司（同一公司内调岗请走调整）")
        dept = await Department.select(Department.id, Department.company, Department.name).where(Department.id == dept_id).first() if dept_id else None
        if dept_id and (dept is None or (co and dept["company"] != co["id"])):
            p.fail("to_department", "调入部门不属于所选的调入公司")
        pos = await Position.select(Position.id, Position.name).where(Position.id == pos_id).first() if pos_id else None
        if pos_id and pos is None:
            p.fail("to_position", "调入岗位的选项无效")
        recv_head, recv_hr, gms = [], [], []
        if co and person and not p.errors:
            recv_head = await _first("dept_head", co["id"])
            recv_hr = await _first("hr", co["id"])
            gms = list(dict.fromkeys(await _first("gm", person["company"]) + await _first("gm", co["id"])))
            if not (recv_head and recv_hr and gms):
                p.fail("to_company", "调入公司缺少部门负责人、人事或总经理，无法确定审批人，请联系系统管理员")
        cleaned = {
            "employee": person["id"] if person else None, "from_company": person["company"] if person else None,
            "from_department": person["department"] if person else None, "from_position": person["position"] if person else None,
            "to_company": co["id"] if co else None, "to_department": dept["id"] if dept else None, "to_position": pos["id"] if pos else None,
            "effective_on": effective, "salary": salary, "si_done": si_done, "si_date": si_date if si_done else None, "note": note,
            "recv_head": recv_head, "recv_hr": recv_hr, "gms": gms,
        }
        title = f"{person['name']} 调动至 {co['name']}" if person and co else "跨公司调动"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title[:200])

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.save_transfer(request_id, cleaned)

    async def load(self, request_id: int) -> dict:
        t = await services.transfer_of(request_id)
        if not t:
            return {"form_values": {}}
        today = today_local()
        if await services.complete_transfer(t, today):
            t = await services.transfer_of(request_id)
        return {"transfer": t, "state": services.transfer_state(t), "CONTINUOUS_TEXT": rules.CONTINUOUS_TEXT,
                "form_values": {"employee": str(t["employee"]), "to_company": str(t["to_company"]), "to_department": str(t["to_department"]),
                                "to_position": str(t["to_position"]), "effective_on": t["effective_on"].isoformat(),
                                "salary": f"{t['salary']:.2f}", "si_done": "1" if t["si_done"] else "",
                                "si_date": t["si_date"].isoformat() if t["si_date"] else "", "note": t["note"]}}


def transfer_chain(c: ChainContext) -> list[StepSpec]:
    """调出部门负责人 → 调出公司人事 → 调入部门负责人 → 调入公司人事 → 双方总经理会签."""
    return [RELEASE_HEAD, RELEASE_HR,
            StepSpec("receive_head", "调入部门负责人审批", Approvers.users(*c.data.get("recv_head", ()))),
            StepSpec("receive_hr", "调入公司人事审核（接收确认）", Approvers.users(*c.data.get("recv_hr", ()))),
            StepSpec("gm_both", "调出、调入公司总经理会签", Approvers.users(*c.data.get("gms", ())), Mode.ALL)]


async def transfer_approved(req: dict, actor) -> None:
    await services.transfer_approved(req, actor)


TRANSFER = register(FlowDef(
    code="transfer", name="跨公司调动", prefix="DD", group="人事",
    description="调往集团内另一家公司：调出部门负责人、调出公司人事、调入部门负责人、调入公司人事审批，双方总经理会签；"
                "人事完成交接清单后方可最终审批。生效日起公司、部门、岗位变更，工作年限合并计算（《劳动合同法实施条例》第十条）。",
    chain=transfer_chain, form=TransferForm(), record=_picker(Transfer, "调动人员", "选择本人或您的直接下属"),
    has_amount=False, starters=STAFF,
    clause=("kf-71p", "toc", "第十六章 客服部员工跨公司调动流程"),
    on_approved=transfer_approved,
))
