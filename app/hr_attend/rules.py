"""考勤 (SPEC §G: "be on time; no lateness or leaving early" [S]): the pure rules — reading a punch's time and day from
a cell, and one employee's month from their punches, the working-day calendar and their approved leaves. No I/O: the
schedule (start, end, grace, in minutes after midnight) comes from the settings (app/hr_attend/settings.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Iterable, Protocol

MORNING, AFTERNOON = "上午", "下午"
OCCASIONS = ("开盘", "交房", "集中签约")
RULE_TEXT = "[S] 71页制度 第六章 考勤：按时上下班，不迟到、不早退，请假须提前办理。"
TIME_OFF_TEXT = ("开盘、交房、集中签约等非工作日安排加班的，按排班记入调休天数，以调休假抵补"
                 "（[L] 劳动法 第四十四条：休息日安排劳动者工作又不能安排补休的，支付不低于工资的百分之二百的工资报酬）。")


class Calendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


class CellError(ValueError):
    pass


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_TIME = re.compile(r"(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")
_DAY = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def fmt_minutes(m: int | None) -> str:
    return "" if m is None else f"{m // 60:02d}:{m % 60:02d}"


def parse_time(v: Any, label: str) -> int | None:
    """A punch's time as minutes after midnight; None for an empty cell. Accepts 09:03, 9:03:27, an Excel time (a
    fraction of a day), a datetime or "2026-11-02 09:03"."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, datetime):
        return v.hour * 60 + v.minute
    if isinstance(v, time):
        return v.hour * 60 + v.minute
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1:
        return min(1439, int(round(v * 86400)) // 60)
    text = cell_text(v)
    m = _TIME.search(text)
    if not m or len(text) > 40:
        raise CellError(f"{label}「{text[:20]}」不是时间，应为 时:分，例如 08:56")
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 23 or mi > 59 or (m.group(3) and int(m.group(3)) > 59):
        raise CellError(f"{label}「{text[:20]}」不是有效的时间")
    return h * 60 + mi


def parse_day(v: Any, label: str) -> date | None:
    """The day of a punch: 2026-11-02, 2026/11/2, 2026年11月2日, 20261102 or a date cell; None for an empty cell."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = cell_text(v)
    m = _DAY.search(text)
    try:
        if m:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif re.fullmatch(r"\d{8}", text):
            d = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        else:
            raise ValueError
    except ValueError:
        raise CellError(f"{label}「{text[:20]}」不是日期，应为 年-月-日，例如 2026-11-02") from None
    if d.year < 2000 or d.year > 2100:
        raise CellError(f"{label}「{text[:20]}」的年份不对")
    return d


def split_punches(punches: list[int], start: int, end: int) -> tuple[int | None, int | None]:
    """A day's punches → (first in, last out). One punch alone counts as 上班 before the middle of the working day and
    as 下班 after it (the other one is then missing)."""
    if not punches:
        return None, None
    if len(punches) == 1:
        p = punches[0]
        return (p, None) if p < (start + end) / 2 else (None, p)
    return min(punches), max(punches)


def merge(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    """Two records of one day (a re-import, or two rows): the earliest 上班 and the latest 下班."""
    ins = [x for x in (a[0], b[0]) if x is not None]
    outs = [x for x in (a[1], b[1]) if x is not None]
    return (min(ins) if ins else None, max(outs) if outs else None)


@dataclass
class DayStatus:
    day: date
    first_in: int | None
    last_out: int | None
    late: int = 0  # minutes after the start, when beyond the grace
    early: int = 0  # minutes before the end, when beyond the grace
    missing: int = 0  # punches missing (0, 1 or 2)
    absent: bool = False  # a working day with no punch and no leave
    leave: str = ""  # "全天" / "上午" / "下午" when an approved leave covers it
    workday: bool = True

    @property
    def text(self) -> str:
        parts = []
        if not self.workday:
            parts.append("休息日")
        if self.leave:
            parts.append(f"请假（{self.leave}）")
        if self.absent:
            parts.append("无打卡记录")
        if self.late:
            parts.append(f"迟到 {self.late} 分钟")
        if self.early:
            parts.append(f"早退 {self.early} 分钟")
        if self.missing and not self.absent:
            parts.append("缺卡" + ("（上班）" if self.first_in is None else "（下班）"))
        return "，".join(parts) or "正常"


def day_status(day: date, punches: tuple[int | None, int | None] | None, workday: bool, leave_halves: frozenset[str],
               start: int, end: int, grace: int) -> DayStatus:
    """One day: late when the first punch is MORE than `grace` minutes after the start (arriving at start + grace is on
    time), early when the last punch is more than `grace` minutes before the end; a half-day leave excuses that half."""
    first_in, last_out = punches or (None, None)
    leave = "全天" if leave_halves >= {MORNING, AFTERNOON} else (next(iter(leave_halves)) if leave_halves else "")
    s = DayStatus(day, first_in, last_out, leave=leave, workday=workday)
    if not workday or leave == "全天":
        return s
    if first_in is None and last_out is None:
        s.absent = True
        s.missing = 2
        return s
    if first_in is None:
        s.missing += 1
    elif MORNING not in leave_halves and first_in > start + grace:
        s.late = first_in - start
    if last_out is None:
        s.missing += 1
    elif AFTERNOON not in leave_halves and last_out < end - grace:
        s.early = end - last_out
    return s


@dataclass
class MonthSummary:
    late_days: int = 0
    late_minutes: int = 0
    early_days: int = 0
    early_minutes: int = 0
    missing: int = 0  # punches missing on days with at least one punch
    absent_days: int = 0
    days: list[DayStatus] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.late_days or self.early_days or self.missing or self.absent_days)


def month_summary(days: Iterable[date], punches: dict[date, tuple[int | None, int | None]], cal: Calendar,
                  leaves: dict[date, frozenset[str]], start: int, end: int, grace: int) -> MonthSummary:
    """The month of one employee over `days` (the month up to today): one pass over the days."""
    out = MonthSummary()
    for d in days:
        s = day_status(d, punches.get(d), cal.is_workday(d), leaves.get(d, frozenset()), start, end, grace)
        out.days.append(s)
        if s.absent:
            out.absent_days += 1
            continue
        if s.late:
            out.late_days += 1
            out.late_minutes += s.late
        if s.early:
            out.early_days += 1
            out.early_minutes += s.early
        out.missing += s.missing
    return out


def leave_halves(rows: Iterable[dict], first: date, last: date) -> dict[date, frozenset[str]]:
    """Approved leaves (start_on, start_half, end_on, end_half) → the halves they cover on each day of [first, last]."""
    out: dict[date, set[str]] = {}
    for r in rows:
        d = max(r["start_on"], first)
        while d <= min(r["end_on"], last):
            halves = {MORNING, AFTERNOON}
            if d == r["start_on"] and r["start_half"] == AFTERNOON:
                halves.discard(MORNING)
            if d == r["end_on"] and r["end_half"] == MORNING:
                halves.discard(AFTERNOON)
            out.setdefault(d, set()).update(halves)
            d += timedelta(days=1)
    return {d: frozenset(h) for d, h in out.items()}


def fmt_days(v: Decimal | int | float | None) -> str:
    if v is None:
        return "0"
    d = Decimal(str(v)).quantize(Decimal("0.1"))
    return str(d.normalize()) if d != d.to_integral() else str(int(d))
