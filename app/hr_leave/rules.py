"""考勤 (SPEC §G): the pure rules of leave — how many days a leave takes, the annual-leave entitlement by cumulative
years of work, overlap, and which one approval step a leave needs. No I/O: the calendar and the thresholds are passed in
(the thresholds are the `leave` flow's settings, editable in the admin; these are their defaults)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

ANNUAL, PERSONAL, SICK, MARRIAGE, MATERNITY, BEREAVEMENT, TIME_OFF = "年休假", "事假", "病假", "婚假", "产假", "丧假", "调休"
KINDS = (ANNUAL, PERSONAL, SICK, MARRIAGE, MATERNITY, BEREAVEMENT, TIME_OFF)
# counted in calendar days (every day of the period); every other kind in working days on the holiday calendar
CALENDAR_DAY_KINDS = frozenset({MARRIAGE, MATERNITY})
MORNING, AFTERNOON = "上午", "下午"
HALVES = (MORNING, AFTERNOON)

LEGAL_ANNUAL = ("[L] 职工带薪年休假条例 第三条：职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；"
                "已满20年的，年休假15天。国家法定休假日、休息日不计入年休假的假期。")
LEGAL_ANNUAL_SHORT = "[L] 职工带薪年休假条例 第三条"
LEGAL_MATERNITY = "[L] 女职工劳动保护特别规定 第七条：产假按自然日计算（含休息日、法定节假日）"

# the settings' defaults (SPEC §G [C] chain by length; [L] entitlement by years of work)
DEFAULTS = {
    "supervisor_max_days": Decimal("1"),
    "dept_head_max_days": Decimal("3"),
    "annual_years_1": Decimal("1"),
    "annual_years_2": Decimal("10"),
    "annual_years_3": Decimal("20"),
    "annual_days_1": Decimal("5"),
    "annual_days_2": Decimal("10"),
    "annual_days_3": Decimal("15"),
}


class Calendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


class LeaveError(ValueError):
    def __init__(self, message: str, field: str = "end_on"):
        super().__init__(message)
        self.message, self.field = message, field


def counts_in(kind: str) -> str:
    """How a kind is counted, as the form says it."""
    return "自然日" if kind in CALENDAR_DAY_KINDS else "工作日"


def _counts(kind: str, cal: Calendar, day: date) -> bool:
    return kind in CALENDAR_DAY_KINDS or cal.is_workday(day)


def leave_days(kind: str, start: date, start_half: str, end: date, end_half: str, cal: Calendar) -> Decimal:
    """Days the leave takes: from `start` (上午 = the whole day, 下午 = from noon) to `end` (上午 = until noon, 下午 = the
    whole day), counting every day for 婚假/产假 and only working days (weekends and public holidays skipped, 调休
    working Saturdays counted) for the others. Raises LeaveError for an empty or reversed period."""
    if start_half not in HALVES or end_half not in HALVES:
        raise LeaveError("请选择上午或下午", "start_half" if start_half not in HALVES else "end_half")
    if end < start or (end == start and start_half == AFTERNOON and end_half == MORNING):
        raise LeaveError("结束时间不能早于开始时间")
    total = Decimal("0")
    d = start
    while d <= end:
        if _counts(kind, cal, d):
            total += 1
        d += timedelta(days=1)
    if start_half == AFTERNOON and _counts(kind, cal, start):
        total -= Decimal("0.5")
    if end_half == MORNING and _counts(kind, cal, end):
        total -= Decimal("0.5")
    if total <= 0:
        raise LeaveError("所选时间都是休息日或法定节假日，不需要请假")
    return total


def slot(day: date, half: str, *, end: bool) -> tuple[date, int]:
    """A half-day as a comparable point: (day, 0) the morning, (day, 1) the afternoon."""
    return (day, 0 if half == MORNING else 1) if end else (day, 1 if half == AFTERNOON else 0)


def overlaps(a: tuple[date, str, date, str], b: tuple[date, str, date, str]) -> bool:
    """Two leaves (start, start half, end, end half) share at least one half day."""
    a0, a1 = slot(a[0], a[1], end=False), slot(a[2], a[3], end=True)
    b0, b1 = slot(b[0], b[1], end=False), slot(b[2], b[3], end=True)
    return a0 <= b1 and b0 <= a1


def years_of_work(work_start: date | None, on: date) -> int:
    """Whole years of cumulative work from `work_start` (参加工作日期) up to `on`; the anniversary completes a year
    (29 February counts on 28 February in other years)."""
    if work_start is None or on < work_start:
        return 0
    years = on.year - work_start.year
    try:
        anniversary = work_start.replace(year=on.year)
    except ValueError:  # 29 February
        anniversary = date(on.year, 2, 28)
    return years - (1 if on < anniversary else 0)


@dataclass(frozen=True)
class AnnualRule:
    """职工带薪年休假条例 art. 3: ≥ years_1 and < years_2 → days_1; ≥ years_2 and < years_3 → days_2; ≥ years_3 → days_3;
    under years_1 → none."""

    years_1: int = 1
    years_2: int = 10
    years_3: int = 20
    days_1: Decimal = Decimal("5")
    days_2: Decimal = Decimal("10")
    days_3: Decimal = Decimal("15")

    @staticmethod
    def of(settings: dict[str, Decimal]) -> "AnnualRule":
        s = {**DEFAULTS, **{k: v for k, v in settings.items() if k in DEFAULTS}}
        return AnnualRule(int(s["annual_years_1"]), int(s["annual_years_2"]), int(s["annual_years_3"]),
                          Decimal(s["annual_days_1"]), Decimal(s["annual_days_2"]), Decimal(s["annual_days_3"]))

    def entitlement(self, years: int) -> Decimal:
        if years >= self.years_3:
            return self.days_3
        if years >= self.years_2:
            return self.days_2
        if years >= self.years_1:
            return self.days_1
        return Decimal("0")

    def bracket(self, years: int) -> str:
        """The clause's line that applies, for the page."""
        if years >= self.years_3:
            return f"已满 {self.years_3} 年：{fmt_days(self.days_3)} 天"
        if years >= self.years_2:
            return f"已满 {self.years_2} 年不满 {self.years_3} 年：{fmt_days(self.days_2)} 天"
        if years >= self.years_1:
            return f"已满 {self.years_1} 年不满 {self.years_2} 年：{fmt_days(self.days_1)} 天"
        return f"累计工作不满 {self.years_1} 年：不享受年休假"


def entitlement_on(work_start: date | None, on: date, rule: AnnualRule) -> Decimal:
    return rule.entitlement(years_of_work(work_start, on))


def fmt_days(value: Decimal | int | float | None) -> str:
    """3 → "3", 2.5 → "2.5"."""
    if value is None:
        return "0"
    d = Decimal(str(value)).quantize(Decimal("0.1"))
    return f"{d:.0f}" if d == d.to_integral_value() else f"{d:.1f}"


def approver_step(days: Decimal, settings: dict[str, Decimal]) -> str:
    """The ONE step a leave needs by its length (SPEC §G): ≤ supervisor_max_days 客服主管, ≤ dept_head_max_days
    客服副经理, longer 分管副总."""
    s = {**DEFAULTS, **settings}
    if days <= s["supervisor_max_days"]:
        return "supervisor"
    if days <= s["dept_head_max_days"]:
        return "dept_head"
    return "vp"
