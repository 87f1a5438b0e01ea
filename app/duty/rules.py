"""The duty roster's pure rules (SPEC §G 值班: 24-hour duty, two shifts a day): the shift windows in Asia/Shanghai with
the night shift crossing midnight, who is on duty at a moment, the shift that follows, the month's rotation, and the
conflicts a plan is refused for. No I/O: app/duty/services.py reads the settings and the roster and calls these."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from app.core.months import add_months, month_days  # noqa: F401  (re-exported: one set of month helpers)
from app.core.months import month_text as month_key  # noqa: F401
from app.core.timeutil import SHANGHAI

DAY = "白班"
NIGHT = "夜班"
SHIFTS = (DAY, NIGHT)

# swap states (DutySwap.status)
PENDING = "待批准"
APPROVED = "已批准"
REJECTED = "已拒绝"
WITHDRAWN = "已撤回"


@dataclass(frozen=True)
class ShiftTimes:
    """白班 from `day_start` to `night_start`; 夜班 from `night_start` to the next day's `day_start` (both [C] defaults
    08:30 and 17:30, admin settings)."""

    day_start: time = time(8, 30)
    night_start: time = time(17, 30)

    def label(self, shift: str) -> str:
        a, b = (self.day_start, self.night_start) if shift == DAY else (self.night_start, self.day_start)
        return f"{a:%H:%M}–{'次日' if shift == NIGHT else ''}{b:%H:%M}"


def parse_clock(text: str) -> time:
    """"08:30" → time(8, 30); raises ValueError (Chinese) for anything else."""
    raw = (text or "").strip()
    try:
        h, m = raw.split(":")
        return time(int(h), int(m))
    except (ValueError, TypeError):
        raise ValueError(f"时间应写作 时:分，例如 08:30（现为「{raw}」）") from None


def times_error(times: ShiftTimes) -> str:
    if not times.day_start < times.night_start:
        return "白班开始时间应早于夜班开始时间"
    return ""


def window(day: date, shift: str, times: ShiftTimes) -> tuple[datetime, datetime]:
    """The shift's start and end as Asia/Shanghai moments; the night shift ends on the next day."""
    if shift == DAY:
        return (datetime.combine(day, times.day_start, tzinfo=SHANGHAI), datetime.combine(day, times.night_start, tzinfo=SHANGHAI))
    if shift == NIGHT:
        return (datetime.combine(day, times.night_start, tzinfo=SHANGHAI),
                datetime.combine(day + timedelta(days=1), times.day_start, tzinfo=SHANGHAI))
    raise ValueError(shift)


def shift_at(moment: datetime, times: ShiftTimes) -> tuple[date, str]:
    """The (roster day, shift) that covers `moment`: before the day shift starts it is still the previous day's night
    shift (so 00:10 on 1 January belongs to 31 December's 夜班)."""
    local = moment.astimezone(SHANGHAI) if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    t, d = local.time(), local.date()
    if t < times.day_start:
        return d - timedelta(days=1), NIGHT
    if t < times.night_start:
        return d, DAY
    return d, NIGHT


def next_shift(day: date, shift: str) -> tuple[date, str]:
    """The shift that takes over: 白班 → the same day's 夜班; 夜班 → the next day's 白班."""
    return (day, NIGHT) if shift == DAY else (day + timedelta(days=1), DAY)


def previous_shift(day: date, shift: str) -> tuple[date, str]:
    return (day - timedelta(days=1), NIGHT) if shift == DAY else (day, DAY)


def has_ended(day: date, shift: str, moment: datetime, times: ShiftTimes) -> bool:
    return window(day, shift, times)[1] <= moment


def month_of(text: str | None, today: date) -> date:
    """"2026-12" → date(2026, 12, 1); empty or unreadable → the first of today's month."""
    raw = (text or "").strip()
    try:
        y, m = raw.split("-")
        first = date(int(y), int(m), 1)
        return first if 2000 <= first.year <= 2100 else today.replace(day=1)
    except (ValueError, TypeError):
        return today.replace(day=1)


def rotation(days: Sequence[date], people: Sequence[int], start: int = 0, shifts: Sequence[str] = SHIFTS) -> list[tuple[date, str, int]]:
    """Fill `days` shift by shift, taking `people` in the chosen order and starting again at the top: nobody is
    skipped, and each person's turns differ by at most one. `start` continues a rotation (e.g. from last month)."""
    return fill_slots([(d, s) for d in days for s in shifts], people, start)


def fill_slots(slots: Sequence[tuple[date, str]], people: Sequence[int], start: int = 0) -> list[tuple[date, str, int]]:
    """The rotation over given (day, shift) slots, in their order (e.g. the month's shifts that have not ended yet)."""
    if not people:
        return []
    return [(d, s, people[(start + i) % len(people)]) for i, (d, s) in enumerate(slots)]


def order_error(people: Sequence[int]) -> str:
    if not people:
        return "请至少选择一位值班人员，并按轮值顺序填写序号"
    if len(set(people)) != len(people):
        return "同一人只能在轮值顺序中出现一次"
    return ""


def past_error(day: date, shift: str, *, ended: bool, correction: bool, may_correct: bool) -> str:
    """A new plan is for a shift that has not ended yet (the night shift that began yesterday evening is still running
    until this morning); an ended shift only as a correction, by the department manager."""
    if not ended:
        return ""
    if not may_correct:
        return f"{day:%Y-%m-%d} {shift}已经结束，不能再排班；如需更正，请由部门经理（客服副经理）操作"
    if not correction:
        return f"{day:%Y-%m-%d} {shift}已经结束：如确需更正，请勾选「更正已过日期」并填写原因"
    return ""


def conflict_error(day: date, shift: str, employee_id: int, taken: Iterable[tuple[date, str, int]], name: str = "") -> str:
    """The same person twice on one day's shift is refused."""
    if (day, shift, employee_id) in set(taken):
        return f"{name or '该员工'}已在 {day:%Y-%m-%d} {shift}的值班表中"
    return ""


def swap_error(*, requester_id: int | None, shift_employee_id: int, substitute_id: int, substitute_taken: bool,
               ended: bool, pending: bool) -> str:
    """Why a swap request is refused ("" when it may be filed)."""
    if requester_id is None or requester_id != shift_employee_id:
        return "只有本班次的值班人可以申请换班"
    if ended:
        return "该班次已经结束，不能再申请换班"
    if substitute_id == requester_id:
        return "请选择另一位同事代班"
    if substitute_taken:
        return "该同事在这个班次已有值班安排"
    if pending:
        return "该班次已有待批准的换班申请"
    return ""


def receive_error(*, writer_id: int, receiver_id: int | None, already: bool) -> str:
    """The incoming person's confirmation is the second signature: someone other than the writer, once."""
    if receiver_id is None:
        return "您的账号没有对应的员工档案，不能签收"
    if already:
        return "该交接班记录已有人确认接班"
    if receiver_id == writer_id:
        return "交班人不能自己确认接班，请由接班人确认"
    return ""
