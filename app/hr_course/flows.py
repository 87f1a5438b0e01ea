"""内部培训 (SPEC §E6, 71p 第十二章) as declarations on the one engine.

培训计划 `training_plan` (annual or monthly, with lines topic/trainer/audience/planned month/hours/budget):
申（客服主管/部门负责人/人事） → 部门负责人 → 人事. 培训申请 `training_session`: 申 → 部门负责人 → 人事, plus 分管副总
when the budget is ≥ `vp_from` (默认 5,000 元). The materials are the request's attachments. Approval makes the session
a course: /hr/courses/{id} (sign-in, scores, evaluations)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core.fields import Parser, pick_id
from app.core.timeutil import today_local
from app.hr_course import rules, services
from app.hr_course.tables import ANNUAL, APPROVED, CLOSED, MONTHLY, PENDING, CoursePlan, CoursePlanLine, CourseSession
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, FormResult, Setting, StepSpec, positions, register

DEPT_HEAD = StepSpec("dept_head", "部门负责人审批", Approvers.of_role("dept_head"))
HR = StepSpec("hr", "人事审核", Approvers.of_role("hr"))
VP = StepSpec("vp", "分管副总审批", Approvers.of_role("vp"))
MAX_LINES = 30
PLAN_KINDS = (ANNUAL, MONTHLY)
LINE_FIELDS = ("topic", "trainer", "audience", "month", "hours", "budget")


def _pad(lists: list[list[str]]) -> tuple[int, list[list[str]]]:
    n = max((len(x) for x in lists), default=0)
    return n, [x + [""] * (n - len(x)) for x in lists]


def _s(v: Any) -> str:
    return "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))


# ---------------------------------------------------------------- 培训计划


class PlanForm:
    fields_template = "hr_course/_plan_fields.html"
    detail_template = "hr_course/_plan_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"kinds": [(k, k) for k in PLAN_KINDS], "this_year": today_local().year, "rows": 5, "legal": rules.LEGAL_TRAINING}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        kind = p.choice("kind", "计划类型", PLAN_KINDS)
        this_year = today_local().year
        year = p.integer("year", "年份", minimum=this_year - 1, maximum=this_year + 1)
        month = p.integer("month", "月份", minimum=1, maximum=12, required=kind == MONTHLY) if kind == MONTHLY else None
        note = p.text("note", "说明", required=False, max_len=1000)
        n, cols = _pad([p.getall(f"line_{f}") for f in LINE_FIELDS])
        if n > MAX_LINES:
            p.fail("line_topic_0", f"每份计划最多 {MAX_LINES} 行")
            n = MAX_LINES
        lines: list[dict] = []
        total = Decimal("0.00")
        for i in range(n):
            topic, trainer, audience, m, hours, budget = (c[i] for c in cols)
            if not any((topic, trainer, audience, m, hours, budget)):
                continue
            key = lambda f: f"line_{f}_{i}"  # noqa: E731
            if not topic:
                p.fail(key("topic"), "请填写培训主题")
            elif len(topic) > 120:
                p.fail(key("topic"), "培训主题最多 120 个字")
            if len(trainer) > 60:
                p.fail(key("trainer"), "讲师最多 60 个字")
            if len(audience) > 120:
                p.fail(key("audience"), "培训对象最多 120 个字")
            mm = p.integer(key("month"), "计划月份", minimum=1, maximum=12, raw=m)
            if mm is not None and month and mm != month and key("month") not in p.errors:
                p.fail(key("month"), f"月度计划的培训月份应为 {month} 月")
            h = p.money(key("hours"), "课时", raw=hours)
            if h is not None and rules.hours_error(h, rules.MAX_PLAN_HOURS):
                p.fail(key("hours"), rules.hours_error(h, rules.MAX_PLAN_HOURS))
            b = p.money(key("budget"), "预算", allow_zero=True, raw=budget)
            if b is not None and b > rules.MAX_BUDGET:
                p.fail(key("budget"), "预算超出范围，请核对")
            elif b is not None:
                total += b
            lines.append({"topic": topic, "trainer": trainer, "audience": audience, "month": mm, "hours": h, "budget": b})
        if not lines:
            p.fail("line_topic_0", "请至少填写一行培训项目")
        title = rules.plan_label(kind, year, month) if year else "培训计划"
        return FormResult(errors=p.errors, cleaned={"kind": kind, "year": year, "month": month, "note": note, "lines": lines},
                          title=title, amount=total if not p.errors else None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        existing = await CoursePlan.select(CoursePlan.id).where(CoursePlan.request == request_id).first()
        data = {"kind": cleaned["kind"], "year": cleaned["year"], "month": cleaned["month"], "note": cleaned["note"], "status": PENDING}
        if existing:
            plan_id = existing["id"]
            await CoursePlan.update({getattr(CoursePlan, k): v for k, v in data.items()}).where(CoursePlan.id == plan_id)
            await CoursePlanLine.delete().where(CoursePlanLine.plan == plan_id)
        else:
            rows = await CoursePlan.insert(CoursePlan(request=request_id, employee=user.employee_id, **data)).returning(CoursePlan.id)
            plan_id = rows[0]["id"]
        await CoursePlanLine.insert(*[CoursePlanLine(plan=plan_id, line_no=i + 1, **ln) for i, ln in enumerate(cleaned["lines"])])

    async def load(self, request_id: int) -> dict:
        plan = await CoursePlan.select().where(CoursePlan.request == request_id).first()
        if not plan:
            return {"form_values": {}}
        lines = await CoursePlanLine.select().where(CoursePlanLine.plan == plan["id"]).order_by(CoursePlanLine.line_no)
        values: dict[str, Any] = {"kind": plan["kind"], "year": str(plan["year"]), "month": _s(plan["month"]), "note": plan["note"]}
        for f in LINE_FIELDS:
            values[f"line_{f}"] = [_s(ln[f]) for ln in lines]
        return {"plan": plan, "lines": lines, "label": rules.plan_label(plan["kind"], plan["year"], plan["month"]),
                "total": sum((ln["budget"] for ln in lines), Decimal("0")), "hours": sum((ln["hours"] for ln in lines), Decimal("0")),
                "legal": rules.LEGAL_TRAINING, "form_values": values}


def plan_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → 人."""
    return [DEPT_HEAD, HR]


async def plan_approved(req: dict, actor) -> None:
    await CoursePlan.update({CoursePlan.status: APPROVED}).where(CoursePlan.request == req["id"])


async def plan_closed(req: dict, actor) -> None:
    await CoursePlan.update({CoursePlan.status: CLOSED}).where(CoursePlan.request == req["id"])


TRAINING_PLAN = register(FlowDef(
    code="training_plan", name="培训计划", prefix="PX", group="人事",
    description="客服主管、部门负责人或人事编制年度或月度内部培训计划（培训主题、讲师、对象、计划月份、课时、预算），部门负责人审批、人事审核。"
                "批准后，计划中的项目可在“培训申请”中选用。",
    chain=plan_chain, form=PlanForm(), starters=positions("supervisor", "dept_head", "hr"),
    clause=("kf-71p", "toc", "第十二章 客服部内部培训流程"),
    on_approved=plan_approved, on_closed=plan_closed,
))


# ---------------------------------------------------------------- 培训申请

SESSION_FIELDS = ("topic", "trainer", "trainer_emp", "audience", "held_on", "start_time", "hours", "budget", "plan_line")


class SessionForm:
    fields_template = "hr_course/_session_fields.html"
    detail_template = "hr_course/_session_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.workflow.engine import flow_settings

        cfg = await flow_settings(TRAINING_SESSION)
        return {"plan_lines": await services.plan_line_choices(), "trainers": await services.trainer_choices(user),
                "vp_from": cfg["vp_from"], "legal": rules.LEGAL_TRAINING, "legal_22": rules.LEGAL_NO_SERVICE_PERIOD,
                "new_hire_basis": rules.NEW_HIRE_BASIS}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        topic = p.text("topic", "培训主题", max_len=120)
        trainer = p.text("trainer", "讲师", max_len=60)
        trainer_emp = pick_id(p, "trainer_emp", "内部讲师", required=False)
        if trainer_emp is not None and "trainer_emp" not in p.errors and trainer_emp not in {int(v) for v, _ in await services.trainer_choices(user)}:
            p.fail("trainer_emp", "内部讲师的选项无效")
        audience = p.text("audience", "培训对象", max_len=120)
        held_on = p.date("held_on", "培训日期")
        today = today_local()
        if held_on and not (today - timedelta(days=60) <= held_on <= today + timedelta(days=400)):
            p.fail("held_on", "培训日期应在 60 天前至 400 天后之间")
        start_time = p.raw("start_time") or "09:00"
        if not rules.valid_time(start_time):
            p.fail("start_time", "开始时间格式应为 时:分，例如 09:30")
        hours = p.money("hours", "课时")
        if hours is not None and rules.hours_error(hours):
            p.fail("hours", rules.hours_error(hours))
        budget = p.money("budget", "培训预算（元）", allow_zero=True)
        if budget is not None and budget > rules.MAX_BUDGET:
            p.fail("budget", "培训预算超出范围，请核对")
        plan_line = pick_id(p, "plan_line", "培训计划项目", required=False)
        if plan_line is not None and "plan_line" not in p.errors and plan_line not in {int(v) for v, _ in await services.plan_line_choices()}:
            p.fail("plan_line", "所选培训计划项目不存在或计划未批准")
        new_hire = p.flag("new_hire")
        cleaned = {"topic": topic, "trainer": trainer, "trainer_emp": trainer_emp, "audience": audience, "held_on": held_on,
                   "start_time": start_time[:5], "hours": hours, "budget": budget, "plan_line": plan_line, "new_hire": new_hire}
        title = (f"{'新员工入职培训：' if new_hire else '培训：'}{topic}")[:200] if topic else "培训申请"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=budget)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        data = {k: cleaned[k] for k in (*SESSION_FIELDS, "new_hire")}
        existing = await CourseSession.select(CourseSession.id).where(CourseSession.request == request_id).first()
        if existing:
            await CourseSession.update({**{getattr(CourseSession, k): v for k, v in data.items()}, CourseSession.status: PENDING}).where(
                CourseSession.id == existing["id"])
        else:
            await CourseSession.insert(CourseSession(request=request_id, employee=user.employee_id, status=PENDING, **data))

    async def load(self, request_id: int) -> dict:
        s = await CourseSession.select(*CourseSession.all_columns(), CourseSession.trainer_emp.name, CourseSession.plan_line.topic,
                                       CourseSession.plan_line.plan.request.number).where(CourseSession.request == request_id).first()
        if not s:
            return {"form_values": {}}
        values = {k: _s(s[k]) for k in SESSION_FIELDS}
        if s["new_hire"]:
            values["new_hire"] = "1"
        return {"s": s, "legal": rules.LEGAL_TRAINING, "form_values": values}


def session_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → 人; 预算 ≥ vp_from: + 副."""
    steps = [DEPT_HEAD, HR]
    if c.amount_at_least("vp_from"):
        steps.append(VP)
    return steps


async def session_approved(req: dict, actor) -> None:
    await CourseSession.update({CourseSession.status: APPROVED}).where(CourseSession.request == req["id"])


async def session_closed(req: dict, actor) -> None:
    await CourseSession.update({CourseSession.status: CLOSED}).where(CourseSession.request == req["id"])


TRAINING_SESSION = register(FlowDef(
    code="training_session", name="培训申请", prefix="PS", group="人事",
    description="组织一次内部培训（主题、讲师、对象、时间、课时、预算，培训资料作为附件上传），可关联已批准的培训计划项目，可标记为新员工入职培训。"
                "审批：部门负责人 → 人事；培训预算达到 5,000 元（含）加分管副总审批。批准后在培训页面签到、录入成绩、评价。",
    chain=session_chain, form=SessionForm(), starters=STAFF,
    settings=(Setting("vp_from", "培训预算达到此数（含）需分管副总审批（元）", rules.VP_FROM),),
    clause=("kf-71p", "toc", "第十二章 客服部内部培训流程"),
    on_approved=session_approved, on_closed=session_closed,
))
