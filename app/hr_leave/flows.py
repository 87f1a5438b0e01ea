"""请假申请 (SPEC §G 考勤) as a declaration on the one engine: every employee files it; ONE approval step chosen by the
leave's length (defaults [C]: ≤ 1 day 客服主管, ≤ 3 days 客服副经理, longer 分管副总), the thresholds and the annual-leave
entitlement ([L] 职工带薪年休假条例 art. 3) being the flow's settings, editable in the admin. 年休假 beyond the year's
remaining balance and a leave overlapping another pending or approved one of the same person are refused on the form
(and again inside the engine's transaction)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core.fields import Parser
from app.core.timeutil import today_local
from app.hr_leave import rules, services
from app.hr_leave.rules import fmt_days
from app.hr_leave.tables import LeaveRequest
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, FormResult, Setting, StepSpec, register
from app.workflow.engine import WorkflowError

STEPS = {
    "supervisor": StepSpec("supervisor", "客服主管审批", Approvers.of_role("supervisor")),
    "dept_head": StepSpec("dept_head", "客服副经理审批", Approvers.of_role("dept_head")),
    "vp": StepSpec("vp", "分管副总审批", Approvers.of_role("vp")),
}
PAST_DAYS = 30  # a leave may be filed afterwards (e.g. 病假) up to this many days back
AHEAD_DAYS = 730
MAX_SPAN_DAYS = 400  # 产假 with its extensions stays well inside


def leave_chain(c: ChainContext) -> list[StepSpec]:
    """申 → ONE step by the leave's days: 主 / 经 / 副."""
    days = c.data.get("days")
    days = Decimal(str(days)) if days is not None else Decimal("0")
    return [STEPS[rules.approver_step(days, c.settings)]]


def annual_message(b: services.Balance, asked: Decimal | None = None) -> str:
    head = f"超出 {b.year} 年剩余年休假（本次 {fmt_days(asked)} 天）：" if asked is not None else ""
    return (head + f"累计工作 {b.years} 年，应休 {fmt_days(b.entitlement)} 天，已休 {fmt_days(b.taken)} 天，"
            f"审批中 {fmt_days(b.pending)} 天，剩余 {fmt_days(b.remaining)} 天（{rules.LEGAL_ANNUAL_SHORT}）")


def overlap_message(r: dict) -> str:
    return f"与您已有的请假 {r['request.number']}（{r['kind']}，{services.period_text(r)}，{r['request.status']}）时间重叠"


async def check_holds(employee_id: int, c: dict, request_id: int | None) -> dict[str, str]:
    """The checks against the person's other leaves: overlap, and for 年休假 the year's remaining balance."""
    errors: dict[str, str] = {}
    clash = await services.overlapping(employee_id, c["start_on"], c["start_half"], c["end_on"], c["end_half"], request_id)
    if clash:
        errors["start_on"] = overlap_message(clash)
    if c["kind"] == rules.ANNUAL:
        b = await services.balance(employee_id, c["start_on"].year, c["start_on"], exclude_request=request_id)
        if b.work_start is None:
            errors["kind"] = f"人事尚未登记您的参加工作日期，暂不能申请年休假，请联系人事专员（{rules.LEGAL_ANNUAL_SHORT}）"
        elif c["days"] > b.remaining:
            errors["kind"] = annual_message(b, c["days"])
    if c["kind"] == rules.TIME_OFF:  # 调休 only against the days credited by rostered weekend duty (app/hr_attend)
        from app.hr_attend.services import time_off

        t = await time_off(employee_id, exclude_request=request_id)
        if c["days"] > t.balance:
            errors["kind"] = (f"调休余额不足（本次 {fmt_days(c['days'])} 天）：加班记入 {fmt_days(t.credited)} 天，已调休 "
                              f"{fmt_days(t.taken)} 天，审批中 {fmt_days(t.pending)} 天，余额 {fmt_days(max(t.balance, 0))} 天")
    return errors


class LeaveForm:
    fields_template = "hr_leave/_flow_fields.html"
    detail_template = "hr_leave/_flow_detail.html"

    async def context(self, user) -> dict[str, Any]:
        cfg = await services.settings()
        today = today_local()
        b = await services.balance(user.employee_id, today.year, today, cfg) if getattr(user, "employee_id", None) else None
        from app.hr_attend.services import time_off

        t = await time_off(user.employee_id) if getattr(user, "employee_id", None) else None
        return {"kinds": [(k, f"{k}（按{rules.counts_in(k)}计）") for k in rules.KINDS], "halves": [(h, h) for h in rules.HALVES],
                "balance": b, "time_off": t, "legal": rules.LEGAL_ANNUAL, "legal_maternity": rules.LEGAL_MATERNITY, "fmt_days": fmt_days,
                "supervisor_max": fmt_days(cfg["supervisor_max_days"]), "dept_head_max": fmt_days(cfg["dept_head_max_days"]),
                "calendar_kinds": "、".join(k for k in rules.KINDS if k in rules.CALENDAR_DAY_KINDS),
                "working_kinds": "、".join(k for k in rules.KINDS if k not in rules.CALENDAR_DAY_KINDS)}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        kind = p.choice("kind", "请假类型", rules.KINDS)
        start = p.date("start_on", "开始日期")
        start_half = p.choice("start_half", "开始时段", rules.HALVES)
        end = p.date("end_on", "结束日期")
        end_half = p.choice("end_half", "结束时段", rules.HALVES)
        reason = p.text("reason", "请假事由", max_len=500)
        today = today_local()
        if start and start < today - timedelta(days=PAST_DAYS):
            p.fail("start_on", f"只能补请 {PAST_DAYS} 天以内的请假")
        elif start and start > today + timedelta(days=AHEAD_DAYS):
            p.fail("start_on", "只能申请两年以内的请假")
        days: Decimal | None = None
        if start and end and start_half and end_half and "start_on" not in p.errors:
            if (end - start).days > MAX_SPAN_DAYS:
                p.fail("end_on", f"单次请假不能超过 {MAX_SPAN_DAYS} 天，请分次申请")
            elif kind == rules.ANNUAL and end.year != start.year:
                p.fail("end_on", "年休假按年度计算，跨年请分两次申请")
            else:
                try:
                    days = await services.count_days(kind or rules.PERSONAL, start, start_half, end, end_half)
                except rules.LeaveError as e:
                    p.fail(e.field, e.message)
        cleaned = {"kind": kind, "start_on": start, "start_half": start_half, "end_on": end, "end_half": end_half, "days": days,
                   "reason": reason}
        if kind and days is not None and not p.errors and getattr(user, "employee_id", None):
            for fld, msg in (await check_holds(user.employee_id, cleaned, request_id)).items():
                p.fail(fld, msg)
        title = f"请假：{kind or '请假'} {fmt_days(days)} 天" + (f"（{start:%Y-%m-%d} 起）" if start else "") if days else "请假申请"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        """Inside the engine's transaction: the checks again (two tabs filing at once), then the payload."""
        for fld, msg in (await check_holds(user.employee_id, cleaned, request_id)).items():
            raise WorkflowError(msg, fld)
        data = {k: cleaned[k] for k in ("kind", "start_on", "start_half", "end_on", "end_half", "days", "reason")}
        existing = await LeaveRequest.select(LeaveRequest.id).where(LeaveRequest.request == request_id).first()
        if existing:
            await LeaveRequest.update({**{getattr(LeaveRequest, k): v for k, v in data.items()}, LeaveRequest.holds: True}).where(
                LeaveRequest.id == existing["id"])
        else:
            await LeaveRequest.insert(LeaveRequest(request=request_id, employee=user.employee_id, holds=True, **data))

    async def load(self, request_id: int) -> dict:
        r = await LeaveRequest.select().where(LeaveRequest.request == request_id).first() or {}
        values = {k: (r[k].isoformat() if isinstance(r.get(k), date) else str(r.get(k) or ""))
                  for k in ("kind", "start_on", "start_half", "end_on", "end_half", "reason")} if r else {}
        annual = ""
        if r and r["kind"] == rules.ANNUAL:  # the approver sees the year's balance (this request included while it holds)
            b = await services.balance(r["employee"], r["start_on"].year, r["start_on"])
            annual = (f"{b.year} 年累计工作 {b.years} 年，应休 {fmt_days(b.entitlement)} 天，已休 {fmt_days(b.taken)} 天，"
                      f"审批中 {fmt_days(b.pending)} 天（{rules.LEGAL_ANNUAL_SHORT}）")
        return {"leave": r, "days_text": fmt_days(r.get("days")) if r else "", "counts_in": rules.counts_in(r["kind"]) if r else "",
                "period": services.period_text(r) if r else "", "annual": annual, "form_values": values}


async def leave_closed(req: dict, actor) -> None:
    """驳回 or 撤回: the leave no longer holds its days."""
    await LeaveRequest.update({LeaveRequest.holds: False}).where(LeaveRequest.request == req["id"])


LEAVE = register(FlowDef(
    code="leave", name="请假申请", prefix="QJ", group="人事",
    description="员工请假须提前申请。年休假、事假、病假、丧假、调休按工作日计算（扣除周末和法定节假日），婚假、产假按自然日计算；"
                "可请半天（上午/下午）。按天数由一人审批：1 天以内客服主管，3 天以内客服副经理，超过 3 天分管副总。"
                "年休假不能超过本年度剩余天数（职工带薪年休假条例 第三条）；调休不能超过加班排班记入的调休余额；与本人其他审批中或已批准的请假时间不能重叠。",
    chain=leave_chain, form=LeaveForm(), starters=STAFF, has_amount=False,
    settings=(Setting("supervisor_max_days", "请假天数不超过此数（含）由客服主管审批（天）", rules.DEFAULTS["supervisor_max_days"]),
              Setting("dept_head_max_days", "请假天数不超过此数（含）由客服副经理审批，超过由分管副总审批（天）", rules.DEFAULTS["dept_head_max_days"]),
              Setting("annual_years_1", "年休假：累计工作满此年数起享受第一档（年）[L] 职工带薪年休假条例第三条", rules.DEFAULTS["annual_years_1"]),
              Setting("annual_days_1", "年休假第一档天数（天）", rules.DEFAULTS["annual_days_1"]),
              Setting("annual_years_2", "年休假：累计工作满此年数起享受第二档（年）", rules.DEFAULTS["annual_years_2"]),
              Setting("annual_days_2", "年休假第二档天数（天）", rules.DEFAULTS["annual_days_2"]),
              Setting("annual_years_3", "年休假：累计工作满此年数起享受第三档（年）", rules.DEFAULTS["annual_years_3"]),
              Setting("annual_days_3", "年休假第三档天数（天）", rules.DEFAULTS["annual_days_3"])),
    clause=("kf-71p", "toc", "第六章 管理制度及工作规范"),
    on_closed=leave_closed,
))
