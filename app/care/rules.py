"""Customer-care rules (SPEC §D1–D5): pure, synchronous, no database.

Every configurable value arrives in a `CareLimits` (the later session loads it from an admin table; the defaults
here are the SPEC's). Money is a two-place Decimal (app/core/money.py); times are timezone-aware; the working-day
calendar is a `WorkCalendar` (app/core/workdays.py) loaded by the caller. Phones are validated with
app/core/validators.py (`validate_phone`), not here.

Decisions where the SPEC is silent (each one a parameter where it is a number):

- Hour clocks (P1 1 h / 24 h, P2 4 h, P3 24 h, repair 2 h / 24 h) are *calendar* hours, 24×7: the department keeps
  a 24-hour hotline and duty roster (SPEC D1, §G 值班), and the SPEC gives no office-hours schedule to count in.
- A day clock (working or calendar days) does not count the start day: the due moment is the end (24:00,
  Asia/Shanghai) of the n-th working day / calendar day after the day the clock started, like
  `WorkCalendar.add_working_days`. Calendar-day clocks do not move off rest days (the case desk is staffed 24×7;
  民法典 第二百零三条 is for legal periods, and `CareLimits.calendar_days_roll_to_workday` switches it on).
- A pause (waiting on the customer) gives back the time it covered, measured the way the clock counts: all of it
  for hour and calendar-day clocks, only the part that falls on working days for a working-day clock (a pause over
  the Spring Festival gives nothing back). An open pause runs until "now".
- A clock is 已超时 only once the due moment has passed (a reply exactly at the due moment is in time); a breached
  clock stays 已超时 while paused; otherwise a paused clock is 已暂停; 将到期 from 80 % used.
- A group complaint means households ≥ `group_min_households`, whether or not the 群诉 box was ticked.
- Warranty periods in years end on the day corresponding to the handover date (民法典 第二百零一条、第二百零二条: the
  start day is not counted, the corresponding day is the last day, the month's end when there is none); that last
  day is in warranty, the next day is not; they do not move off rest days. Seasons: see `warranty` (heating
  11-15 to 03-15 by default — a local rule; only seasons starting on or after the handover day count).
- A claim ≥ 100,000.00 is handled by the 总经理 (SPEC D2 [C]); P1 or a claim ≥ 10,000.00 by the 部门经理, who is the
  existing "dept_head" role (客服副经理; §0.1 maps the CSC names onto the same roles).
- A breached P1 stays P1 and goes to the 总经理; "overdue by 2× the limit" (§0.2) is read as time used ≥ 2× the
  limit, when the 客服副经理 is told as well as the 客服主管.
- A callback answer of 4–5 counts as satisfied; 2 (不满意) or below reopens the case for the 投诉主管; 3 does neither.
- KPI counts that contradict each other (more answered than offered, more wrong fields than audited) raise
  ValueError rather than show a rate over 100 %; the renovation-efficiency improvement may be negative.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from app.core.timeutil import SHANGHAI
from app.core.workdays import WorkCalendar

# ------------------------------------------------------------------ roles
# Existing codes (app/core/permissions.py) are reused: the CSC 部门经理/客户关系经理 is the department head
# (客服副经理, "dept_head") — SPEC §0.1 maps both naming schemes onto the same roles.
ROLE_CR_OFFICER = "cr_officer"  # 客户关系专员 (new, issue 9)
ROLE_CR_SUPERVISOR = "cr_supervisor"  # 客户关系主管 (new, issue 9): designs the surveys
ROLE_COMPLAINT_OFFICER = "complaint_officer"  # 投诉管理专员 (new, issue 9)
ROLE_COMPLAINT_SUPERVISOR = "complaint_supervisor"  # 投诉主管 (new, issue 9)
ROLE_SUPERVISOR = "supervisor"  # 客服主管 (exists): told of every red clock (SPEC §0.2)
ROLE_DEPT_MANAGER = "dept_head"  # 部门经理 = 客服副经理 (exists)
ROLE_GM = "gm"  # 总经理 (exists)
ROLE_PRESIDENT = "president"  # 总裁 (exists)
ROLE_PROPERTY = "物业"  # not a portal role: the property company a case or repair is transferred to

ROLE_NAMES = {
    ROLE_CR_OFFICER: "客户关系专员",
    ROLE_CR_SUPERVISOR: "客户关系主管",
    ROLE_COMPLAINT_OFFICER: "投诉管理专员",
    ROLE_COMPLAINT_SUPERVISOR: "投诉主管",
    ROLE_SUPERVISOR: "客服主管",
    ROLE_DEPT_MANAGER: "部门经理",
    ROLE_GM: "总经理",
    ROLE_PRESIDENT: "总裁",
}

P1, P2, P3 = "P1", "P2", "P3"
LEVELS = (P1, P2, P3)
LEVEL_NAMES = {P1: "P1 重大", P2: "P2 较重", P3: "P3 一般"}

# Clock states
NORMAL, AMBER, BREACHED, PAUSED = "正常", "将到期", "已超时", "已暂停"

# Units of a clock
HOURS, WORKING_DAYS, CALENDAR_DAYS = "hours", "working_days", "calendar_days"

# Satisfaction (SPEC D4), 5 points
SATISFACTION_SCALE = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}

# Warranty elements (SPEC D3)
WATERPROOF_ROOF = "waterproof_roof"
WATERPROOF_WET_ROOM = "waterproof_wet_room"
WATERPROOF_EXTERIOR_WALL = "waterproof_exterior_wall"
HEATING = "heating"
COOLING = "cooling"
ELECTRICAL = "electrical"
PLUMBING = "plumbing"
EQUIPMENT = "equipment"
FINISHES = "finishes"
STRUCTURE = "structure"
WARRANTY_ELEMENTS = {
    WATERPROOF_ROOF: "屋面防水",
    WATERPROOF_WET_ROOM: "有防水要求的卫生间、房间",
    WATERPROOF_EXTERIOR_WALL: "外墙面防渗漏",
    HEATING: "供热系统",
    COOLING: "供冷系统",
    ELECTRICAL: "电气管线",
    PLUMBING: "给排水管道",
    EQUIPMENT: "设备安装",
    FINISHES: "装修工程",
    STRUCTURE: "地基基础和主体结构",
}

# Repair priorities (SPEC D3)
URGENT, NORMAL_REPAIR, COMPLEX = "urgent", "normal", "complex"
REPAIR_PRIORITIES = {URGENT: "紧急", NORMAL_REPAIR: "一般", COMPLEX: "复杂"}

LEGAL_BASIS = "《建设工程质量管理条例》第四十条；《商品房销售管理办法》第三十三条（保修期从交付之日起计算）"
PERIOD_BASIS = "《民法典》第二百零一条、第二百零二条（开始当日不计入，到期对应日为最后一日）"


@dataclass(frozen=True)
class KpiTargets:
    """D5 targets [S KPI-T] (percent; renovation efficiency is the improvement percent)."""
    answer_rate: Decimal = Decimal("100.00")  # [S] 客服电话接听率
    satisfaction_rate: Decimal = Decimal("95.00")  # [S] 满意率 ≥ 95 %
    on_time_rate: Decimal = Decimal("100.00")  # [S] 投诉处理及时率
    complaint_satisfaction_rate: Decimal = Decimal("90.00")  # [S] 投诉满意率 ≥ 90 %
    record_accuracy: Decimal = Decimal("100.00")  # [S] 业主档案管理准确率
    follow_up_rate: Decimal = Decimal("100.00")  # [C] 回访率
    renovation_efficiency: Decimal = Decimal("20.00")  # [S] 装修手续办理效率 ≥ 20 % improvement
    survey_satisfaction: Decimal = Decimal("95.00")  # [C] 问卷满意度: the survey's 1–5 answers, held to the 满意率 target


@dataclass(frozen=True)
class CareLimits:
    """Every configurable value of the care rules, with the SPEC's defaults. Tags: [S] source text, [C] customary,
    [L] national rule (local rules differ), [P] public page."""
    # D2 severity
    group_min_households: int = 5  # [C] a group complaint (P1) from this many households
    p1_claim: Decimal = Decimal("10000.00")  # [S CSC] claim ≥ this → P1 and the 部门经理
    p2_claim: Decimal = Decimal("1000.00")  # [C] claim ≥ this (and below p1_claim) → P2
    gm_claim: Decimal = Decimal("100000.00")  # [C] claim ≥ this → the 总经理 handles
    # D2 clocks: (first response hours, plan, close); P1 close is "per plan" (no fixed clock)
    p1_response_hours: int = 1  # [C] 24×7
    p1_plan_hours: int = 24  # [C] 24×7
    p2_response_hours: int = 4  # [C] calendar hours (see module doc)
    p2_plan_working_days: int = 3  # [C]
    p2_close_calendar_days: int = 7  # [C]
    p3_response_hours: int = 24  # [P]
    p3_plan_working_days: int = 5  # [C]
    p3_close_calendar_days: int = 15  # [C]
    amber_fraction: Decimal = Decimal("0.80")  # [C §0.2] amber at 80 % of the limit
    second_escalation_multiple: Decimal = Decimal("2")  # [C §0.2] overdue by 2× → also the 客服副经理
    calendar_days_roll_to_workday: bool = False  # [C] decision: CD clocks do not move off rest days
    # D1 repeat, D2 states
    repeat_window_days: int = 90  # [C] same unit and category within this many days → repeat complaint
    reopen_window_days: int = 30  # [C] 重开 allowed up to this many days after closing
    # D2 compensation approval (amount < limit → that approver)
    comp_supervisor_below: Decimal = Decimal("1000.00")  # [C] < → 投诉主管
    comp_manager_below: Decimal = Decimal("10000.00")  # [S] < → 部门经理
    comp_gm_below: Decimal = Decimal("100000.00")  # [C] < → 总经理; else 总裁
    # D3 warranty [L 建设工程质量管理条例 第四十条 — minimums; local rules and contracts may be longer]
    waterproof_years: int = 5  # [L]
    electrical_plumbing_years: int = 2  # [L] 电气管线、给排水管道、设备安装
    finishes_years: int = 2  # [L] 装修工程
    design_life_years: int = 50  # [L] 地基基础和主体结构: 设计文件规定的合理使用年限 (per project)
    heating_seasons: int = 2  # [L] 2 个采暖期
    cooling_seasons: int = 2  # [L] 2 个供冷期
    heating_season: tuple[tuple[int, int], tuple[int, int]] = ((11, 15), (3, 15))  # [L local] (start, end) month-day
    cooling_season: tuple[tuple[int, int], tuple[int, int]] = ((6, 1), (9, 30))  # [C] (start, end) month-day
    partial_season_counts: bool = False  # [C] a season already under way at handover does not count
    # D3 repair SLA
    repair_urgent_on_site_hours: int = 2  # [C/P] 24×7
    repair_normal_on_site_hours: int = 24  # [C/P] on site or appointment
    repair_normal_fix_working_days: int = 7  # [C/P]
    repair_complex_plan_working_days: int = 5  # [C/P]
    # D4 callback
    callback_working_days: int = 3  # [C] within 3 WD of closure
    callback_reopen_at_or_below: int = 2  # [S D4] 不满意 (2) or worse reopens and goes to the 投诉主管
    # D5
    abandoned_seconds: int = 5  # [C] calls abandoned within this many seconds leave the denominator
    targets: KpiTargets = field(default_factory=KpiTargets)


DEFAULT_LIMITS = CareLimits()


def limits_errors(limits: CareLimits) -> list[str]:
    """What is wrong with a set of limits (for the admin's settings form), in Chinese; empty when usable."""
    L, errors = limits, []
    ints = {"群诉户数": L.group_min_households, "重复投诉天数": L.repeat_window_days, "重开天数": L.reopen_window_days,
            "P1 首次响应": L.p1_response_hours, "P1 答复方案": L.p1_plan_hours, "P2 首次响应": L.p2_response_hours,
            "P2 答复方案": L.p2_plan_working_days, "P2 结案": L.p2_close_calendar_days, "P3 首次响应": L.p3_response_hours,
            "P3 答复方案": L.p3_plan_working_days, "P3 结案": L.p3_close_calendar_days, "回访工作日": L.callback_working_days,
            "防水保修年限": L.waterproof_years, "电气给排水保修年限": L.electrical_plumbing_years,
            "装修保修年限": L.finishes_years, "设计使用年限": L.design_life_years, "采暖期数": L.heating_seasons,
            "供冷期数": L.cooling_seasons, "紧急报修到场小时": L.repair_urgent_on_site_hours,
            "一般报修到场小时": L.repair_normal_on_site_hours, "一般报修修复工作日": L.repair_normal_fix_working_days,
            "复杂报修方案工作日": L.repair_complex_plan_working_days}
    errors += [f"{name}必须为正整数" for name, v in ints.items() if not isinstance(v, int) or v < 1]
    if not L.p2_claim < L.p1_claim <= L.gm_claim:
        errors.append("索赔金额门槛应满足：P2 门槛 < P1 门槛 ≤ 总经理门槛")
    if not 0 < L.comp_supervisor_below < L.comp_manager_below < L.comp_gm_below:
        errors.append("补偿审批金额门槛应逐级递增")
    if not Decimal("0") < L.amber_fraction < Decimal("1"):
        errors.append("预警比例应在 0 与 1 之间（例如 0.80）")
    if L.second_escalation_multiple <= 1:
        errors.append("再次升级倍数应大于 1")
    if not 1 <= L.callback_reopen_at_or_below <= 5:
        errors.append("回访重开分数应在 1 到 5 之间")
    for name, season in (("采暖期", L.heating_season), ("供冷期", L.cooling_season)):
        try:
            (sm, sd), (em, ed) = season
            date(2024, sm, sd), date(2024, em, ed)  # raises on a day that does not exist
            if (sm, sd) == (em, ed) or (2, 29) in ((sm, sd), (em, ed)):
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{name}起止日期不正确（月-日，不可为 02-29，起止不能相同）")
    return errors


def _money(value) -> Decimal:
    d = Decimal(str(value))
    if not d.is_finite() or d.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("金额最多保留两位小数")
    return d


# ------------------------------------------------------------------ D2 severity

@dataclass(frozen=True)
class CaseFacts:
    """What intake records that decides the level."""
    claim_amount: Decimal | None = None
    households: int = 1  # 群诉: how many households
    safety_risk: bool = False
    media: bool = False  # 媒体 (press, online opinion)
    lawsuit_threatened: bool = False
    petition_threatened: bool = False  # 上访
    repeat: bool = False  # see is_repeat_complaint
    home_unusable: bool = False


def is_group(facts: CaseFacts, limits: CareLimits = DEFAULT_LIMITS) -> bool:
    return facts.households >= limits.group_min_households


def severity(facts: CaseFacts, limits: CareLimits = DEFAULT_LIMITS) -> tuple[str, list[str]]:
    """(level, reasons in Chinese). P1 reasons win; P2 reasons are listed only when no P1 reason applies."""
    claim = _money(facts.claim_amount) if facts.claim_amount is not None else None
    p1: list[str] = []
    if is_group(facts, limits):
        p1.append(f"群诉（{facts.households} 户，{limits.group_min_households} 户及以上）")
    if facts.safety_risk:
        p1.append("存在安全隐患")
    if facts.media:
        p1.append("涉及媒体")
    if claim is not None and claim >= limits.p1_claim:
        p1.append(f"索赔金额 {claim:,.2f} 元，达到 {limits.p1_claim:,.2f} 元")
    if facts.lawsuit_threatened:
        p1.append("客户表示将起诉")
    if facts.petition_threatened:
        p1.append("客户表示将上访")
    if p1:
        return P1, p1
    p2: list[str] = []
    if claim is not None and claim >= limits.p2_claim:
        p2.append(f"索赔金额 {claim:,.2f} 元（{limits.p2_claim:,.2f}–{limits.p1_claim - Decimal('0.01'):,.2f} 元）")
    if facts.repeat:
        p2.append(f"重复投诉（{limits.repeat_window_days} 天内同一房号同一类别）")
    if facts.home_unusable:
        p2.append("房屋无法正常使用")
    if p2:
        return P2, p2
    return P3, ["一般投诉"]


def override_severity(computed: str, new_level: str, reason: str) -> tuple[str, str | None]:
    """The supervisor's override: (level, error). Without a reason (or with an unknown level) the computed level stays
    and the error says why."""
    if new_level not in LEVELS:
        return computed, "请选择 P1、P2 或 P3"
    if not (reason or "").strip():
        return computed, "调整投诉等级必须填写原因"
    if len(reason.strip()) > 500:
        return computed, "原因最多 500 个字符"
    return new_level, None


# ------------------------------------------------------------------ D2 handlers and approvers

def handler_roles(level: str, claim_amount: Decimal | None = None, limits: CareLimits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """Who may handle: P3 客户关系专员 or 投诉管理专员; P2 投诉主管; P1 and any claim ≥ 10,000.00 the 部门经理;
    a claim ≥ 100,000.00 the 总经理 [C]."""
    claim = _money(claim_amount) if claim_amount is not None else None
    if claim is not None and claim >= limits.gm_claim:
        return (ROLE_GM,)
    if level == P1 or (claim is not None and claim >= limits.p1_claim):
        return (ROLE_DEPT_MANAGER,)
    if level == P2:
        return (ROLE_COMPLAINT_SUPERVISOR,)
    if level == P3:
        return (ROLE_CR_OFFICER, ROLE_COMPLAINT_OFFICER)
    raise ValueError(f"未知的投诉等级：{level}")


def inform_gm_at_intake(facts: CaseFacts, limits: CareLimits = DEFAULT_LIMITS) -> bool:
    """The 总经理 is informed at intake of every group or media case [C D2] and of every P1 (a claim ≥ the P1 threshold,
    a safety risk, a lawsuit or petition threatened: issue 9 — "a P1 claim of 10,000.00 … and the 总经理 is informed")."""
    return is_group(facts, limits) or facts.media or severity(facts, limits)[0] == P1


def gm_takes_over(facts: CaseFacts, plan_breached: bool, limits: CareLimits = DEFAULT_LIMITS) -> bool:
    """Group or media cases the department cannot settle within the plan go to the 总经理 [C D2]."""
    return (is_group(facts, limits) or facts.media) and plan_breached


def compensation_approver(amount: Decimal, limits: CareLimits = DEFAULT_LIMITS) -> str:
    """< 1,000 投诉主管; < 10,000 部门经理; < 100,000 总经理; ≥ 100,000 总裁 (thresholds are `amount >= X`, §0.2)."""
    a = _money(amount)
    if a <= 0:
        raise ValueError("补偿金额必须大于 0")
    if a < limits.comp_supervisor_below:
        return ROLE_COMPLAINT_SUPERVISOR
    if a < limits.comp_manager_below:
        return ROLE_DEPT_MANAGER
    if a < limits.comp_gm_below:
        return ROLE_GM
    return ROLE_PRESIDENT


# ------------------------------------------------------------------ D2 clocks

@dataclass(frozen=True)
class ClockSpec:
    kind: str  # first_response / plan / close / on_site / fix / callback
    label: str
    amount: int
    unit: str  # HOURS / WORKING_DAYS / CALENDAR_DAYS

    @property
    def text(self) -> str:
        unit = {HOURS: "小时", WORKING_DAYS: "个工作日", CALENDAR_DAYS: "个自然日"}[self.unit]
        return f"{self.label} {self.amount} {unit}"


def sla_specs(level: str, limits: CareLimits = DEFAULT_LIMITS) -> list[ClockSpec]:
    """The clocks of a level. P1 has no fixed close clock: it closes per its plan, with daily updates."""
    L = limits
    if level == P1:
        return [ClockSpec("first_response", "首次响应", L.p1_response_hours, HOURS),
                ClockSpec("plan", "答复方案", L.p1_plan_hours, HOURS)]
    if level == P2:
        return [ClockSpec("first_response", "首次响应", L.p2_response_hours, HOURS),
                ClockSpec("plan", "答复方案", L.p2_plan_working_days, WORKING_DAYS),
                ClockSpec("close", "结案", L.p2_close_calendar_days, CALENDAR_DAYS)]
    if level == P3:
        return [ClockSpec("first_response", "首次响应", L.p3_response_hours, HOURS),
                ClockSpec("plan", "答复方案", L.p3_plan_working_days, WORKING_DAYS),
                ClockSpec("close", "结案", L.p3_close_calendar_days, CALENDAR_DAYS)]
    raise ValueError(f"未知的投诉等级：{level}")


P1_CLOSE_TEXT = "P1 按方案结案，每日向客户通报进展"


def sla_deadlines(level: str, start: datetime, cal: WorkCalendar, limits: CareLimits = DEFAULT_LIMITS) -> dict[str, datetime | None]:
    """The due moments without pauses: first_response, plan, close (P1: close None — per its plan, P1_CLOSE_TEXT)."""
    out: dict[str, datetime | None] = {"first_response": None, "plan": None, "close": None}
    for spec in sla_specs(level, limits):
        out[spec.kind] = base_due(spec, start, cal, limits)
    return out


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{what} 必须带时区")
    return value.astimezone(SHANGHAI)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def _counted(a: datetime, b: datetime, unit: str, cal: WorkCalendar) -> timedelta:
    """Time between a and b that the clock counts: all of it, or (working days) only the part on working days."""
    if b <= a:
        return timedelta(0)
    if unit != WORKING_DAYS:
        return b - a
    total = timedelta(0)
    day = a.date()
    while _midnight(day) < b:
        lo, hi = max(a, _midnight(day)), min(b, _midnight(day + timedelta(days=1)))
        if hi > lo and cal.is_workday(day):
            total += hi - lo
        day += timedelta(days=1)
    return total


def _advance(a: datetime, amount: timedelta, unit: str, cal: WorkCalendar) -> datetime:
    """The moment after a when the clock has counted `amount`."""
    if unit != WORKING_DAYS:
        return a + amount
    left = amount
    day = a.date()
    cursor = a
    while True:
        end = _midnight(day + timedelta(days=1))
        if cal.is_workday(day):
            if end - cursor >= left:
                return cursor + left
            left -= end - cursor
        day += timedelta(days=1)
        cursor = end


def base_due(spec: ClockSpec, start: datetime, cal: WorkCalendar, limits: CareLimits = DEFAULT_LIMITS) -> datetime:
    """The due moment without pauses (module doc: day clocks end at 24:00 of the n-th day after the start day)."""
    s = _aware(start, "开始时间")
    if spec.unit == HOURS:
        return s + timedelta(hours=spec.amount)
    if spec.unit == WORKING_DAYS:
        return _midnight(cal.add_working_days(s.date(), spec.amount) + timedelta(days=1))
    last = s.date() + timedelta(days=spec.amount)
    if limits.calendar_days_roll_to_workday:
        last = cal.next_workday(last)
    return _midnight(last + timedelta(days=1))


def _merged_pauses(start: datetime, pauses, now: datetime) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for ps, pe in sorted(((_aware(p, "暂停开始"), _aware(e, "暂停结束") if e is not None else None) for p, e in pauses),
                         key=lambda x: x[0]):
        pe = now if pe is None else pe
        if pe < ps:
            raise ValueError("暂停结束早于暂停开始")
        ps = max(ps, start)
        if pe <= ps:
            continue
        if out and ps <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], pe))
        else:
            out.append((ps, pe))
    return out


@dataclass(frozen=True)
class ClockStatus:
    spec: ClockSpec
    start: datetime
    budget: timedelta  # the counted time the clock allows
    elapsed: timedelta  # counted time used (pauses excluded)
    remaining: timedelta  # ≥ 0
    overdue: timedelta  # ≥ 0
    paused: timedelta  # counted time given back by pauses up to now
    due: datetime  # the due moment, shifted by the pauses (an open pause counted up to now)
    fraction: Decimal  # elapsed ÷ budget, 4 places
    state: str  # 正常 / 将到期 / 已超时 / 已暂停
    is_paused: bool


def clock_status(spec: ClockSpec, start: datetime, pauses, now: datetime, cal: WorkCalendar,
                 limits: CareLimits = DEFAULT_LIMITS) -> ClockStatus:
    """A clock at `now`. `pauses`: (pause_start, pause_end or None while still waiting on the customer)."""
    s, n = _aware(start, "开始时间"), _aware(now, "当前时间")
    unit = spec.unit
    budget = _counted(s, base_due(spec, s, cal, limits), unit, cal)
    merged = _merged_pauses(s, pauses, max(n, s))
    is_paused = any(_aware(ps, "暂停开始") <= n and (pe is None or n < _aware(pe, "暂停结束")) for ps, pe in pauses)
    paused_now = sum((_counted(ps, min(pe, n), unit, cal) for ps, pe in merged if ps < n), timedelta(0))
    elapsed = _counted(s, n, unit, cal) - paused_now
    # The due moment: walk the active stretches between the pauses until the budget is used.
    left, cursor, due = budget, s, None
    for ps, pe in merged:
        seg = _counted(cursor, ps, unit, cal)
        if seg >= left:
            due = _advance(cursor, left, unit, cal)
            break
        left -= seg
        cursor = max(cursor, pe)
    if due is None:
        due = _advance(cursor, left, unit, cal)
    fraction = (Decimal(elapsed.total_seconds()) / Decimal(budget.total_seconds())).quantize(
        Decimal("0.0001"), ROUND_HALF_UP) if budget else Decimal("1.0000")
    if elapsed > budget:
        state = BREACHED
    elif is_paused:
        state = PAUSED
    elif fraction >= limits.amber_fraction:
        state = AMBER
    else:
        state = NORMAL
    return ClockStatus(spec, s, budget, elapsed, max(budget - elapsed, timedelta(0)), max(elapsed - budget, timedelta(0)),
                       paused_now, due, fraction, state, is_paused)


def met_in_time(spec: ClockSpec, start: datetime, pauses, done_at: datetime, cal: WorkCalendar,
                limits: CareLimits = DEFAULT_LIMITS) -> bool:
    """Whether a clock stopped at `done_at` (response given, plan sent, case closed) was in time."""
    return clock_status(spec, start, pauses, done_at, cal, limits).state != BREACHED


def escalation(level: str) -> tuple[str, str]:
    """A breached clock escalates one level: (new level, role that now handles or is told).
    P3 → P2 (投诉主管), P2 → P1 (部门经理), P1 → stays P1 and goes to the 总经理."""
    if level == P3:
        return P2, ROLE_COMPLAINT_SUPERVISOR
    if level == P2:
        return P1, ROLE_DEPT_MANAGER
    if level == P1:
        return P1, ROLE_GM
    raise ValueError(f"未知的投诉等级：{level}")


def notify_roles(status: ClockStatus, limits: CareLimits = DEFAULT_LIMITS) -> tuple[str, ...]:
    """Who is told besides the case owner (§0.2): red → 客服主管; once the time used reaches 2× the limit (read as
    "overdue by 2× the limit") → also the 客服副经理."""
    if status.state != BREACHED:
        return ()
    if status.elapsed >= status.budget * float(limits.second_escalation_multiple):
        return (ROLE_SUPERVISOR, ROLE_DEPT_MANAGER)
    return (ROLE_SUPERVISOR,)


# ------------------------------------------------------------------ D1/D2 repeat, reopen, not accepted

def is_repeat_complaint(on: date, category: str, earlier, limits: CareLimits = DEFAULT_LIMITS) -> bool:
    """Same unit (the caller passes that unit's earlier complaints) and same category within N days: `earlier` is
    (date, category) pairs; day N is in, day N+1 is out; later dates are ignored."""
    for d, cat in earlier:
        if cat == category and 0 <= (on - d).days <= limits.repeat_window_days:
            return True
    return False


def reopen_error(closed_on: date, today: date, limits: CareLimits = DEFAULT_LIMITS) -> str | None:
    """重开 up to N days after closing (day N allowed, day N+1 not)."""
    if today < closed_on:
        return "重开日期早于结案日期"
    if (today - closed_on).days > limits.reopen_window_days:
        return f"结案已超过 {limits.reopen_window_days} 天，不能重开，请新建投诉"
    return None


def not_accepted_error(reason: str) -> str | None:
    """不予受理 needs a reason."""
    text = (reason or "").strip()
    if not text:
        return "不予受理必须填写原因"
    if len(text) > 500:
        return "原因最多 500 个字符"
    return None


# ------------------------------------------------------------------ D3 warranty and repair SLA

class Warranty(NamedTuple):
    in_warranty: bool
    until: date | None
    basis: str


def _add_years(day: date, years: int) -> date:
    """The corresponding day `years` later; the month's last day when there is none (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _season_end(handover: date, season, count: int, partial_counts: bool) -> date:
    """The last day of the `count`-th season counted from handover. A season runs from its start month-day to its
    end month-day (crossing the new year when the end is earlier in the year). A season already under way at
    handover counts only when `partial_counts`."""
    (sm, sd), (em, ed) = season
    crosses = (em, ed) < (sm, sd)
    seasons = []
    for y in range(handover.year - 1, handover.year + count + 2):
        s = date(y, sm, sd)
        e = date(y + 1 if crosses else y, em, ed)
        if e < handover:
            continue
        if s < handover and not partial_counts:
            continue
        seasons.append(e)
    return sorted(seasons)[count - 1]


def warranty(element: str, handover_date: date | None, on_date: date, limits: CareLimits = DEFAULT_LIMITS) -> Warranty:
    """Whether a repair of `element` reported on `on_date` is within warranty [L 建设工程质量管理条例 第四十条;
    for buyers from handover, 商品房销售管理办法 第三十三条]. The last day (`until`) is in warranty.

    Heating/cooling: N seasons counted from handover; a season is the configured month-day span (heating default
    11-15 to 03-15, cooling 06-01 to 09-30); by default only seasons that start on or after the handover day count,
    and the warranty ends on the last day of the N-th.
    """
    if element not in WARRANTY_ELEMENTS:
        raise ValueError(f"未知的部位：{element}")
    name = WARRANTY_ELEMENTS[element]
    if handover_date is None:
        return Warranty(False, None, f"{name}：尚无交付日期，无法判定保修，转物业核实")
    L = limits
    if element in (WATERPROOF_ROOF, WATERPROOF_WET_ROOM, WATERPROOF_EXTERIOR_WALL):
        until, period = _add_years(handover_date, L.waterproof_years), f"{L.waterproof_years} 年"
    elif element in (ELECTRICAL, PLUMBING, EQUIPMENT):
        until, period = _add_years(handover_date, L.electrical_plumbing_years), f"{L.electrical_plumbing_years} 年"
    elif element == FINISHES:
        until, period = _add_years(handover_date, L.finishes_years), f"{L.finishes_years} 年"
    elif element == STRUCTURE:
        until, period = _add_years(handover_date, L.design_life_years), f"设计合理使用年限 {L.design_life_years} 年"
    elif element == HEATING:
        until = _season_end(handover_date, L.heating_season, L.heating_seasons, L.partial_season_counts)
        period = f"{L.heating_seasons} 个采暖期（{_md(L.heating_season)}）"
    else:
        until = _season_end(handover_date, L.cooling_season, L.cooling_seasons, L.partial_season_counts)
        period = f"{L.cooling_seasons} 个供冷期（{_md(L.cooling_season)}）"
    head = f"{name}保修期 {period}，自交付日 {handover_date.isoformat()} 起算，至 {until.isoformat()} 止（含当日）"
    basis = LEGAL_BASIS if element in (HEATING, COOLING) else f"{LEGAL_BASIS}；{PERIOD_BASIS}"
    if on_date < handover_date:
        return Warranty(False, until, f"{head}；报修日早于交付日，尚未交付")
    if on_date <= until:
        return Warranty(True, until, f"{head}。依据：{basis}")
    return Warranty(False, until, f"{head}，已过保修期，转物业有偿维修。依据：{basis}")


def _md(season) -> str:
    (sm, sd), (em, ed) = season
    return f"{sm:02d}-{sd:02d} 至 {em:02d}-{ed:02d}"


def out_of_warranty_route(result: Warranty) -> tuple[str, str] | None:
    """Out of warranty → (物业, reason shown on the case); None when in warranty."""
    if result.in_warranty:
        return None
    return ROLE_PROPERTY, result.basis


def repair_specs(priority: str, limits: CareLimits = DEFAULT_LIMITS) -> list[ClockSpec]:
    """Repair SLA [C/P D3]: urgent on site in 2 h (24×7); normal on site or appointment in 24 h and fixed in 7 WD;
    complex repair plan in 5 WD. Run with `clock_status` like the complaint clocks."""
    L = limits
    if priority == URGENT:
        return [ClockSpec("on_site", "到场", L.repair_urgent_on_site_hours, HOURS)]
    if priority == NORMAL_REPAIR:
        return [ClockSpec("on_site", "到场或预约", L.repair_normal_on_site_hours, HOURS),
                ClockSpec("fix", "修复", L.repair_normal_fix_working_days, WORKING_DAYS)]
    if priority == COMPLEX:
        return [ClockSpec("plan", "维修方案", L.repair_complex_plan_working_days, WORKING_DAYS)]
    raise ValueError(f"未知的报修紧急程度：{priority}")


# ------------------------------------------------------------------ D4 callbacks

def callback_spec(limits: CareLimits = DEFAULT_LIMITS) -> ClockSpec:
    return ClockSpec("callback", "回访", limits.callback_working_days, WORKING_DAYS)


def callback_due(closed_at: datetime, cal: WorkCalendar, limits: CareLimits = DEFAULT_LIMITS) -> datetime:
    """Callback due: 24:00 of the 3rd working day after the day of closure."""
    return base_due(callback_spec(limits), closed_at, cal, limits)


def callback_caller_error(caller_id, handler_ids) -> str | None:
    """The callback is made by someone other than the person(s) who handled the case."""
    if caller_id is None:
        return "请选择回访人"
    if caller_id in set(handler_ids or ()):
        return "回访人不能是该投诉的处理人，请由其他人员回访"
    return None


class CallbackOutcome(NamedTuple):
    label: str
    satisfied: bool  # counts as 满意 in the KPIs (非常满意 or 满意)
    reopen: bool
    route_to: str | None


def callback_outcome(score: int, limits: CareLimits = DEFAULT_LIMITS) -> CallbackOutcome:
    """5-point answer → whether it reopens the case and goes to the 投诉主管 (不满意 or worse)."""
    if score not in SATISFACTION_SCALE:
        raise ValueError("满意度请选择 1 到 5 分")
    reopen = score <= limits.callback_reopen_at_or_below
    return CallbackOutcome(SATISFACTION_SCALE[score], score >= 4, reopen, ROLE_COMPLAINT_SUPERVISOR if reopen else None)


# ------------------------------------------------------------------ D5 KPIs

HUNDRED = Decimal("100")
EMPTY = "—"


def _count(*values: int) -> None:
    for v in values:
        if v is None or int(v) != v or v < 0:
            raise ValueError("统计数必须是非负整数")


def percent(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator as a percent with two places (half up); None for an empty denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def answer_rate(answered: int, inbound: int, abandoned_short: int) -> Decimal | None:
    """客服电话接听率 = answered ÷ (inbound − calls abandoned within 5 s)."""
    _count(answered, inbound, abandoned_short)
    if abandoned_short > inbound or answered > inbound - abandoned_short:
        raise ValueError("接听数与来电数不一致")
    return percent(answered, inbound - abandoned_short)


def satisfaction_rate(very_satisfied: int, satisfied: int, valid_ratings: int) -> Decimal | None:
    """满意率 = (非常满意 + 满意) ÷ valid ratings."""
    _count(very_satisfied, satisfied, valid_ratings)
    if very_satisfied + satisfied > valid_ratings:
        raise ValueError("满意数多于有效评价数")
    return percent(very_satisfied + satisfied, valid_ratings)


def on_time_rate(closed_within_sla: int, due_in_period: int) -> Decimal | None:
    """投诉处理及时率 = closed within SLA ÷ due in the period."""
    _count(closed_within_sla, due_in_period)
    if closed_within_sla > due_in_period:
        raise ValueError("按时办结数多于到期数")
    return percent(closed_within_sla, due_in_period)


def complaint_satisfaction_rate(satisfied: int, successful_callbacks: int) -> Decimal | None:
    """投诉满意率 = satisfied ÷ successful follow-up calls."""
    _count(satisfied, successful_callbacks)
    if satisfied > successful_callbacks:
        raise ValueError("满意数多于成功回访数")
    return percent(satisfied, successful_callbacks)


def record_accuracy(fields_audited: int, fields_wrong: int) -> Decimal | None:
    """业主档案管理准确率 = (fields audited − fields wrong) ÷ fields audited."""
    _count(fields_audited, fields_wrong)
    if fields_wrong > fields_audited:
        raise ValueError("错误字段数多于抽查字段数")
    return percent(fields_audited - fields_wrong, fields_audited)


def follow_up_rate(calls_made: int, calls_due: int) -> Decimal | None:
    """回访率 = calls made ÷ calls due (made counts only calls that were due)."""
    _count(calls_made, calls_due)
    if calls_made > calls_due:
        raise ValueError("已回访数多于应回访数")
    return percent(calls_made, calls_due)


def survey_satisfaction(satisfied: int, valid_answers: int) -> Decimal | None:
    """问卷满意度 = scale answers of 4–5 (满意, 非常满意) ÷ scale answers of the surveys answered in the period."""
    _count(satisfied, valid_answers)
    if satisfied > valid_answers:
        raise ValueError("满意答案数多于有效答案数")
    return percent(satisfied, valid_answers)


def renovation_efficiency(baseline_time, current_time) -> Decimal | None:
    """装修手续办理效率 = (baseline time − current time) ÷ baseline time (negative when slower); None without a
    baseline."""
    b, c = Decimal(str(baseline_time)), Decimal(str(current_time))
    if b < 0 or c < 0:
        raise ValueError("办理时长不能为负数")
    return percent(b - c, b)


KPI_NAMES = {
    "answer_rate": "客服电话接听率",
    "satisfaction_rate": "满意率",
    "on_time_rate": "投诉处理及时率",
    "complaint_satisfaction_rate": "投诉满意率",
    "record_accuracy": "业主档案管理准确率",
    "follow_up_rate": "回访率",
    "renovation_efficiency": "装修手续办理效率",
    "survey_satisfaction": "问卷满意度",
}


def meets_target(kpi: str, value: Decimal | None, limits: CareLimits = DEFAULT_LIMITS) -> bool | None:
    """value ≥ target (every target is a floor); None for an empty period."""
    if kpi not in KPI_NAMES:
        raise ValueError(f"未知的指标：{kpi}")
    if value is None:
        return None
    return value >= getattr(limits.targets, kpi)


def kpi_text(value: Decimal | None) -> str:
    """"95.00%", or "—" for an empty period."""
    return EMPTY if value is None else f"{value}%"
