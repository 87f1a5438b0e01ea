"""Customer care (SPEC §D): cases (every contact — 咨询, 建议, 表扬, 投诉, 报修, 索赔), their SLA clocks and timeline,
repairs, callbacks, compensation (a request on the engine), the customer-file accuracy audit, and the settings.

A case's clocks are stored as their current due moments (`response_due`, `plan_due`, `close_due`), moved on when a pause
ends, so lists, the reminder worker and the KPI board compare them in SQL. `CareClockMark` makes each amber/breach notice
go out once across processes (a unique row per case, clock and mark)."""
from decimal import Decimal

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.estate.tables import Project, Unit
from app.org.tables import Employee
from app.pipeline.tables import Buyer, Deal
from app.workflow.tables import Request

ZERO = Decimal("0.00")


class CareSetting(Table, tablename="care_setting"):
    """Every limit of customer care (SPEC §D: severity thresholds, SLA clocks, windows, compensation bands, warranty
    periods, repair clocks, callback rules, KPI targets), edited in the admin; loaded into app.care.rules.CareLimits."""

    key = Varchar(length=60, unique=True)
    label = Varchar(length=120, default="")
    value = Varchar(length=40, help_text="数值；采暖期/供冷期写作 起-止 月日，例如 11-15~03-15")
    tag = Varchar(length=10, default="", help_text="来源：[S] 规章原文 / [L] 国家规定 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class Contractor(Table, tablename="care_contractor"):
    """维修单位 (repair contractors) a repair is dispatched to, kept in the admin."""

    name = Varchar(length=100, unique=True)
    trade = Varchar(length=50, default="", help_text="专业，例如 防水、水电、门窗")
    contact = Varchar(length=50, default="")
    phone = Varchar(length=20, default="")
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class CareCase(Table, tablename="care_case"):
    number = Varchar(length=30, unique=True)  # KF-YYYYMMDD-#### (报修: BX-…)
    kind = Varchar(length=10, index=True)  # 咨询 建议 表扬 投诉 报修 索赔
    channel = Varchar(length=20)  # 电话 来访 信函 电子邮件 微信 短信 网站在线 销售转介 物业转介 12345工单 网络舆情
    category = Varchar(length=20, default="", index=True)  # complaint category (SPEC D1), "" for 咨询/表扬
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    buyer = ForeignKey(Buyer, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    deal = ForeignKey(Deal, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    caller_name = Varchar(length=50, default="")  # a caller who is not (yet) a buyer
    caller_phone = Varchar(length=20, default="", index=True)  # masked on every page unless revealed
    title = Varchar(length=100, default="")
    content = Text(default="")
    demand = Text(default="")  # 诉求
    claim_amount = Numeric(digits=(15, 2), null=True, default=None)
    group_complaint = Boolean(default=False)
    households = Integer(default=1)
    media_risk = Boolean(default=False)  # 媒体/上访风险
    safety_risk = Boolean(default=False)
    lawsuit_risk = Boolean(default=False)  # 诉讼或上访威胁
    unusable = Boolean(default=False)  # the home cannot be used
    repeat = Boolean(default=False, index=True)
    repeat_of = ForeignKey("self", null=True, default=None, on_delete=OnDelete.set_null, index=True)
    # D2 severity: the computed level, the level in force (after an override) and why
    level = Varchar(length=2, default="P3", index=True)
    level_computed = Varchar(length=2, default="P3")
    level_reasons = Text(default="")  # the rules that decided the computed level, joined by "；"
    override_reason = Text(default="")
    override_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    status = Varchar(length=12, index=True)  # D2 / D3 states, see app.care.states
    handler_role = Varchar(length=40, default="", index=True)  # the role that owns the case now
    handler = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    received_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    received_at = Timestamptz(index=True)
    assigned_at = Timestamptz(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None)  # first response to the customer
    plan_at = Timestamptz(null=True, default=None)  # plan given to the customer
    plan_text = Text(default="")
    closed_at = Timestamptz(null=True, default=None, index=True)
    close_note = Text(default="")
    # the clocks' current due moments (None: no such clock for this level/kind); moved on when a pause ends
    response_due = Timestamptz(null=True, default=None, index=True)
    plan_due = Timestamptz(null=True, default=None, index=True)
    close_due = Timestamptz(null=True, default=None, index=True)
    paused_since = Timestamptz(null=True, default=None)  # waiting on the customer since
    pause_reason = Varchar(length=200, default="")
    escalations = Integer(default=0)  # how many times a missed clock raised it one level
    on_time = Boolean(null=True, default=None)  # closed within its close clock (None until closed, or no close clock)
    gm_informed = Boolean(default=False)
    not_accepted_reason = Text(default="")
    transfer_reason = Text(default="")  # 转物业
    reopen_count = Integer(default=0)
    reopened_at = Timestamptz(null=True, default=None)
    compensation_amount = Numeric(digits=(15, 2), null=True, default=None)
    compensation_request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)
    payment_request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)
    callback_due = Timestamptz(null=True, default=None, index=True)  # set when the case is closed (待回访)
    version = Integer(default=0)

    @classmethod
    def get_readable(cls):
        return readable(cls.number)


class CaseEvent(Table, tablename="care_case_event"):
    """The case's timeline: every action (state change, note, daily P1 update, pause, escalation) with who and when."""

    case = ForeignKey(CareCase, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(index=True)
    actor = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)  # None: the system (reminder worker)
    action = Varchar(length=30)
    from_status = Varchar(length=12, default="")
    to_status = Varchar(length=12, default="")
    note = Text(default="")


class CasePause(Table, tablename="care_case_pause"):
    """A span while the case waited on the customer; its clocks give that time back (app.care.rules.clock_status)."""

    case = ForeignKey(CareCase, on_delete=OnDelete.cascade, index=True)
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=200, default="")


class CareClockMark(Table, tablename="care_clock_mark"):
    """One row per notice the reminder worker sent (case, clock, mark): amber / breach / breach2 / callback / daily.
    Unique, so two workers racing insert it once and only the one that inserted sends the notice."""

    case = ForeignKey(CareCase, on_delete=OnDelete.cascade, index=True)
    clock = Varchar(length=20)  # response | plan | close | on_site | fix | callback
    mark = Varchar(length=20)  # amber | breach | breach2 | due
    key = Varchar(length=80, unique=True)  # f"{case}:{clock}:{mark}[:{day}]"
    at = Timestamptz()


class CareRepair(Table, tablename="care_repair"):
    """D3: the repair side of a 报修 case (one row per case)."""

    case = ForeignKey(CareCase, on_delete=OnDelete.cascade, unique=True)
    element = Varchar(length=30)  # app.care.rules.WARRANTY_ELEMENTS key
    location = Varchar(length=100, default="")  # 部位 in the home, e.g. 主卧外墙
    priority = Varchar(length=10, default="normal")  # urgent | normal | complex
    needs_inspection = Boolean(default=False)  # serious or difficult: the 安全质量监督中心 inspects and issues the plan
    handover_on = Date(null=True, default=None)  # the 交付日 the warranty was computed from
    in_warranty = Boolean(null=True, default=None)
    warranty_until = Date(null=True, default=None)
    warranty_basis = Text(default="")  # the rule and legal basis shown with the result
    out_of_warranty_reason = Text(default="")
    inspected_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    inspected_at = Timestamptz(null=True, default=None)
    inspection_finding = Text(default="")
    repair_plan = Text(default="")
    contractor = ForeignKey(Contractor, null=True, default=None, on_delete=OnDelete.set_null)
    dispatched_at = Timestamptz(null=True, default=None)
    on_site_due = Timestamptz(null=True, default=None, index=True)
    on_site_at = Timestamptz(null=True, default=None)
    fix_due = Timestamptz(null=True, default=None, index=True)
    planned_done_on = Date(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    materials = Text(default="")
    check_materials = Boolean(default=False)  # the 客服中心's checks during the repair
    check_quality = Boolean(default=False)
    check_safety = Boolean(default=False)
    check_note = Text(default="")
    cost_bearer = Varchar(length=10, default="")  # 施工单位 | 公司 | 业主
    cost = Numeric(digits=(15, 2), null=True, default=None)
    signature = Varchar(length=64, default="")  # sha256 of the signature image, stored as an attachment (kind care_signature)
    signed_at = Timestamptz(null=True, default=None)
    signed_name = Varchar(length=50, default="")


class Callback(Table, tablename="care_callback"):
    """D4: a follow-up call after closing, by someone other than the handler, on the 5-point scale."""

    case = ForeignKey(CareCase, on_delete=OnDelete.cascade, index=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    due_at = Timestamptz(index=True)
    caller = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    called_at = Timestamptz(null=True, default=None, index=True)
    reached = Boolean(default=False)  # a successful callback (the customer answered)
    score = Integer(null=True, default=None)  # 1–5 (app.care.rules.SATISFACTION_SCALE)
    note = Text(default="")
    reopened = Boolean(default=False)  # this answer reopened the case
    attempts = Integer(default=0)  # calls tried (a call not answered keeps the callback due and counts here)


class Compensation(Table, tablename="care_compensation"):
    """The payload of a 客诉补偿 request on the engine: the amount decides the approver (SPEC D2)."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    case = ForeignKey(CareCase, on_delete=OnDelete.restrict, index=True)
    amount = Numeric(digits=(15, 2))
    reason = Text(default="")
    payee = Varchar(length=50, default="")
    approved = Boolean(default=False)


class RecordAudit(Table, tablename="care_record_audit"):
    """档案准确率: a supervisor samples a customer file and marks each field right or wrong (SPEC D5)."""

    buyer = ForeignKey(Buyer, on_delete=OnDelete.restrict, index=True)
    project = ForeignKey(Project, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    auditor = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(index=True)
    fields_audited = Integer(default=0)
    fields_wrong = Integer(default=0)
    note = Text(default="")


class RecordAuditItem(Table, tablename="care_record_audit_item"):
    audit = ForeignKey(RecordAudit, on_delete=OnDelete.cascade, index=True)
    field = Varchar(length=40)  # e.g. name, id_number, mobile, address, unit, contract_no
    ok = Boolean(default=True)
    note = Varchar(length=200, default="")


__all__ = ["CareSetting", "Contractor", "CareCase", "CaseEvent", "CasePause", "CareClockMark", "CareRepair", "Callback",
           "Compensation", "RecordAudit", "RecordAuditItem"]
