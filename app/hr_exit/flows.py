"""离职申请 (SPEC §E5, 71p 第十一章) and 辞退 (§E8, 第十四章) as declarations on the one engine.

离职申请: the employee files the notice (notice date, last day, reason); the notice period is 30 days, 3 in probation
(《劳动合同法》第三十七条; settings notice_days / probation_notice_days); chain 部门负责人 → 人事 → 分管副总 (主管 and
above). 辞退: the 客服副经理 proposes with evidence → 人事（合法性审核）→ 工会通知 (第四十三条; no union role exists in
the portal, so 人事 records the date the union was notified) → 分管副总 → 总经理. Approval of either opens the sweep
(/hr/exit/{id})."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core import attachments
from app.core.fields import Parser, parse_id
from app.hr_exit import rules, services
from app.hr_exit.tables import Dismissal, ExitCase
from app.org.tables import Employee
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, FormResult, Setting, StepSpec, positions, register

DEPT = StepSpec("dept_head", "部门负责人审批", Approvers.of_role("dept_head"))
HR = StepSpec("hr", "人事审核", Approvers.of_role("hr"))
HR_LEGAL = StepSpec("hr", "人事合法性审核", Approvers.of_role("hr"))
UNION = StepSpec("union", "通知工会（人事登记通知日期）", Approvers.of_role("hr"))
VP = StepSpec("vp", "分管副总审批", Approvers.of_role("vp"))
GM = StepSpec("gm", "总经理审批", Approvers.of_role("gm"))


async def _settings(code: str) -> dict[str, Decimal]:
    from app.workflow.definitions import get_flow
    from app.workflow.engine import flow_settings

    return await flow_settings(get_flow(code))


class ResignationForm:
    fields_template = "hr_exit/_resign_fields.html"
    detail_template = "hr_exit/_resign_detail.html"

    async def context(self, user) -> dict[str, Any]:
        s = await _settings("resignation")
        return {"notice_days": int(s["notice_days"]), "probation_days": int(s["probation_notice_days"]), "ART_37": rules.ART_37,
                "ART_37_TEXT": rules.ART_37_TEXT}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        notice_on = p.date("notice_on", "提出日期")
        last_day = p.date("last_day", "最后工作日")
        reason = p.text("reason", "离职原因", max_len=1000)
        probation = False
        if not user.employee_id:
            p.fail("__all__", "您的账号没有员工档案，不能提交离职申请")
        elif await services.open_exit(user.employee_id, request_id):
            p.fail("__all__", "您已有办理中的离职申请")
        if notice_on and last_day and user.employee_id:
            s = await _settings("resignation")
            probation = await services.in_probation(user.employee_id, notice_on)
            problem = rules.check_notice(notice_on, last_day, probation, int(s["notice_days"]), int(s["probation_notice_days"]))
            if problem:
                p.fail("last_day", problem)
        title = f"离职申请（最后工作日 {last_day:%Y-%m-%d}）" if last_day else "离职申请"
        return FormResult(errors=p.errors, title=title, cleaned={"notice_on": notice_on, "last_day": last_day, "reason": reason,
                                                                 "in_probation": probation})

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.create_resignation(request_id, cleaned, user)

    async def load(self, request_id: int) -> dict:
        row = await ExitCase.select().where(ExitCase.request == request_id).first()
        if not row:
            return {"form_values": {}}
        return {"exit": row, "form_values": {"notice_on": row["notice_on"].isoformat(), "last_day": row["last_day"].isoformat(),
                                             "reason": row["reason"]}}


def resignation_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 部门负责人 → 人事 → 分管副总（主管及以上）."""
    return [DEPT, HR, VP] if c.applicant.senior else [DEPT, HR]


async def _approved(req: dict, actor) -> None:
    await services.start_sweep(req["id"], actor)


async def _closed(req: dict, actor) -> None:
    await services.close_request(req["id"])


RESIGNATION = register(FlowDef(
    code="resignation", name="离职申请", prefix="LZ", group="人事",
    description="员工提前三十日（试用期内提前三日）书面提出离职（《劳动合同法》第三十七条），部门负责人、人事审批，主管及以上还需分管副总审批；"
                "通过后进入离职交接：名下待办、资产、借款、印章、借阅资料及钥匙、网签账号等逐项转交或归还，各方确认后由人事办结。",
    chain=resignation_chain, form=ResignationForm(), has_amount=False, starters=STAFF,
    settings=(Setting("notice_days", "员工提出离职应提前通知的天数（劳动合同法第三十七条）", Decimal("30")),
              Setting("probation_notice_days", "试用期内提出离职应提前通知的天数（劳动合同法第三十七条）", Decimal("3"))),
    clause=("kf-71p", "toc", "第十一章 客服部员工离职交接流程"),
    on_approved=_approved, on_closed=_closed,
))


# ---- 辞退 -------------------------------------------------------------------------------------------------------

async def employee_choices(user, company_id: int | None = None) -> list[tuple[str, str]]:
    """The active employees of a company (the user's by default): the 辞退 form's employee, the sweep's reassign-to and
    receiver (the leaver's company)."""
    rows = await Employee.select(Employee.id, Employee.name, Employee.employee_no, Employee.department.name).where(
        (Employee.active == True) & (Employee.id != ((user.employee_id or 0) if company_id is None else 0))
        & (Employee.company == (company_id or user.company_id or 0))  # noqa: E712
    ).order_by(Employee.employee_no).limit(2000)
    return [(str(r["id"]), f"{r['name']}（{r['employee_no']} · {r['department.name']}）") for r in rows]


async def severance_for(employee_id: int, last_day) -> tuple[Decimal, str]:
    """N months by 第四十七条 (app/hr_contract/rules.py severance, with the high-earner cap settings). The pay is not
    stored or shown here (salary is masked): only N and how it was counted."""
    from app.hr_contract import rules as crules
    from app.hr_contract import services as contracts
    from app.hr_contract import settings as csettings

    history = await contracts.history(employee_id)
    first, last = (history[0], history[-1]) if history else (None, None)
    since = (first and first["hired_on"]) or (first and first["start"])
    if not since or since > last_day:
        return Decimal("0"), f"没有劳动合同或入职日期，无法计算经济补偿（{rules.ART_47}）"
    cfg = await csettings.read()
    s = crules.severance(since, last_day, Decimal(last["pay"] if last and last["pay"] else 0), Decimal(cfg["local_average_wage"]),
                         cfg["severance_cap_times"], cfg["severance_cap_years"])
    text = f"工作年限自 {since:%Y-%m-%d} 至 {last_day:%Y-%m-%d}，经济补偿 N = {s.months.normalize():f} 个月工资"
    if s.capped:
        text += f"（月工资高于本地区职工月平均工资 {cfg['severance_cap_times']} 倍，按 {cfg['severance_cap_times']} 倍计，年限最高 {cfg['severance_cap_years']} 年）"
    return s.months, f"{text}（{rules.ART_47}）"


class DismissalForm:
    fields_template = "hr_exit/_dismiss_fields.html"
    detail_template = "hr_exit/_dismiss_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"employee_choices": await employee_choices(user), "grounds": rules.GROUNDS, "items": rules.ITEMS,
                "notice_how": rules.NOTICE_HOW, "ground_choices": [(k, v[0]) for k, v in rules.GROUNDS.items()],
                "notice_choices": [(h, h) for h in rules.NOTICE_HOW], "ART_43_TEXT": rules.ART_43_TEXT, "ART_43": rules.ART_43}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        emp_id = parse_id(p.raw("employee"))
        ground = p.choice("ground", "法定解除事由", list(rules.GROUNDS))
        item = p.choice("ground_item", "项", [str(i) for i in range(1, 7)], required=False)
        facts = p.text("facts", "事实与证据说明", max_len=3000)
        how = p.choice("notice_how", "通知方式", rules.NOTICE_HOW)
        notice_on = p.date("notice_on", "通知日期")
        last_day = p.date("last_day", "最后工作日")
        in_lieu = p.flag("in_lieu")
        emp = None
        if not p.raw("employee"):
            p.fail("employee", "请选择被辞退的员工")
        elif emp_id is None or emp_id == user.employee_id:
            p.fail("employee", "请从列表中选择员工")
        else:
            emp = await Employee.select(Employee.id, Employee.name).where(
                (Employee.id == emp_id) & (Employee.active == True) & (Employee.company == (user.company_id or 0))).first()  # noqa: E712
            if emp is None:
                p.fail("employee", "没有这名本公司的在职员工")
            elif await services.open_exit(emp_id, request_id) or await Dismissal.exists().where(
                    (Dismissal.employee == emp_id) & Dismissal.request.status.is_in(["审批中", "已退回"]) & (Dismissal.request != (request_id or 0))):
                p.fail("employee", "这名员工已有办理中的离职或辞退")
        if ground and item and int(item) > rules.ITEMS[ground]:
            p.fail("ground_item", f"{rules.GROUNDS[ground][0]}只有 {rules.ITEMS[ground]} 项")
        if ground and notice_on and last_day:
            problem = rules.check_dismissal(ground, notice_on, last_day, in_lieu)
            if problem:
                p.fail("in_lieu" if "代通知" in problem else "last_day", problem)
        has_files = bool(attachments.parse_ids(values.getall("attachment_ids", []) if hasattr(values, "getall") else [])) or bool(
            attachments.files_of(values))
        if not has_files and request_id:
            has_files = bool(await attachments.list_for("wf_request", request_id))
        if not has_files:
            p.fail("attachments", "请上传辞退事实的证据（附件必填）")
        months, text = Decimal("0"), f"过失性辞退不支付经济补偿（{rules.ART_39}）"
        if emp and ground and last_day and rules.severance_due(ground):
            months, text = await severance_for(emp["id"], last_day)
        title = f"辞退 {emp['name']}（{rules.GROUNDS[ground][0]}）" if emp and ground else "辞退"
        return FormResult(errors=p.errors, title=title, cleaned={
            "employee": emp_id, "ground": ground, "ground_item": item, "facts": facts, "notice_how": how, "notice_on": notice_on,
            "last_day": last_day, "in_lieu": in_lieu and ground == "40", "severance_months": months, "severance_text": text})

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        values = {"employee": cleaned["employee"], "ground": cleaned["ground"], "ground_item": cleaned["ground_item"],
                  "facts": cleaned["facts"], "notice_how": cleaned["notice_how"], "notice_on": cleaned["notice_on"],
                  "in_lieu": "是" if cleaned["in_lieu"] else "否", "last_day": cleaned["last_day"],
                  "severance_months": cleaned["severance_months"], "severance_text": cleaned["severance_text"]}
        existing = await Dismissal.select(Dismissal.id).where(Dismissal.request == request_id).first()
        if existing:
            await Dismissal.update({getattr(Dismissal, k): v for k, v in values.items()}).where(Dismissal.id == existing["id"])
        else:
            await Dismissal.insert(Dismissal(request=request_id, **values))

    async def load(self, request_id: int) -> dict:
        d = await Dismissal.select(*Dismissal.all_columns(), Dismissal.employee.name.as_alias("employee_name")).where(
            Dismissal.request == request_id).first()
        if not d:
            return {"form_values": {}}
        return {"dismissal": d, "ground_name": rules.GROUNDS.get(d["ground"], ("", ""))[0], "ground_text": rules.GROUNDS.get(d["ground"], ("", ""))[1],
                "ART_43": rules.ART_43, "form_values": {
                    "employee": str(d["employee"]), "ground": d["ground"], "ground_item": d["ground_item"], "facts": d["facts"],
                    "notice_how": d["notice_how"], "notice_on": d["notice_on"].isoformat(), "last_day": d["last_day"].isoformat(),
                    "in_lieu": "1" if d["in_lieu"] == "是" else ""}}


def dismissal_chain(c: ChainContext) -> list[StepSpec]:
    """经（提出） → 人事合法性审核 → 通知工会 → 分管副总 → 总经理."""
    return [HR_LEGAL, UNION, VP, GM]


async def _dismissal_approved(req: dict, actor) -> None:
    from app.workflow.engine import WorkflowError

    d = await Dismissal.select(Dismissal.union_notified_on).where(Dismissal.request == req["id"]).first()
    if d is None:
        return
    if d["union_notified_on"] is None:
        raise WorkflowError(f"尚未登记通知工会的日期，不能审批通过（{rules.ART_43}：{rules.ART_43_TEXT}）")
    await services.start_sweep(req["id"], actor)


DISMISSAL = register(FlowDef(
    code="dismissal", name="辞退", prefix="CT", group="人事",
    description="部门负责人提出辞退并上传证据，写明法定事由（《劳动合同法》第三十九条、第四十条或第四十一条）、通知方式与日期；人事审核合法性，"
                "事先将理由通知工会（第四十三条），分管副总、总经理审批；第四十条、第四十一条按第四十七条支付经济补偿。通过后进入离职交接。",
    chain=dismissal_chain, form=DismissalForm(), has_amount=False, starters=positions("dept_head"),
    clause=("kf-71p", "toc", "第十四章 客服部员工辞退流程"),
    on_approved=_dismissal_approved,
))
