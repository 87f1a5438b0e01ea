"""The duty roster's pure rules: who is on duty at a moment (the night shift across midnight, month end, year end), the
shift that follows, the rotation fill (nobody skipped), and the conflicts a plan, a swap or a receipt is refused for."""
from datetime import date, datetime, time, timezone

import pytest

from app.core.timeutil import SHANGHAI
from app.duty import rules
from app.duty.rules import DAY, NIGHT, ShiftTimes

pytestmark = pytest.mark.unit

T = ShiftTimes()  # 08:30 / 17:30


def at(y, m, d, hh, mm) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def test_day_and_night_shift_boundaries():
    assert rules.shift_at(at(2026, 12, 2, 8, 30), T) == (date(2026, 12, 2), DAY)
    assert rules.shift_at(at(2026, 12, 2, 17, 29), T) == (date(2026, 12, 2), DAY)
    assert rules.shift_at(at(2026, 12, 2, 17, 30), T) == (date(2026, 12, 2), NIGHT)
    assert rules.shift_at(at(2026, 12, 2, 23, 59), T) == (date(2026, 12, 2), NIGHT)


def test_night_shift_crosses_midnight_month_end_and_year_end():
    assert rules.shift_at(at(2026, 12, 3, 0, 10), T) == (date(2026, 12, 2), NIGHT)
    assert rules.shift_at(at(2026, 12, 3, 8, 29), T) == (date(2026, 12, 2), NIGHT)
    assert rules.shift_at(at(2026, 12, 1, 3, 0), T) == (date(2026, 11, 30), NIGHT)  # month end
    assert rules.shift_at(at(2027, 1, 1, 0, 0), T) == (date(2026, 12, 31), NIGHT)  # year end
    assert rules.shift_at(at(2028, 3, 1, 6, 0), T) == (date(2028, 2, 29), NIGHT)  # leap day


def test_moment_in_utc_is_read_in_shanghai():
    # 2026-12-02 16:30 UTC = 2026-12-03 00:30 in Shanghai: still the 2nd's night shift
    assert rules.shift_at(datetime(2026, 12, 2, 16, 30, tzinfo=timezone.utc), T) == (date(2026, 12, 2), NIGHT)
    # 01:00 UTC = 09:00 Shanghai: the day shift
    assert rules.shift_at(datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc), T) == (date(2026, 12, 2), DAY)


def test_windows_and_labels_follow_the_settings():
    start, end = rules.window(date(2026, 12, 31), NIGHT, T)
    assert start == at(2026, 12, 31, 17, 30) and end == at(2027, 1, 1, 8, 30)
    other = ShiftTimes(day_start=time(9, 0), night_start=time(18, 0))
    assert rules.shift_at(at(2026, 12, 2, 8, 45), other) == (date(2026, 12, 1), NIGHT)
    assert other.label(DAY) == "09:00–18:00" and other.label(NIGHT) == "18:00–次日09:00"
    assert rules.times_error(ShiftTimes(day_start=time(18, 0), night_start=time(8, 0)))
    assert rules.parse_clock("08:30") == time(8, 30)
    with pytest.raises(ValueError, match="时:分"):
        rules.parse_clock("8点半")
    assert rules.has_ended(date(2026, 12, 2), DAY, at(2026, 12, 2, 17, 30), T)
    assert not rules.has_ended(date(2026, 12, 2), NIGHT, at(2026, 12, 3, 8, 29), T)


def test_next_and_previous_shift():
    assert rules.next_shift(date(2026, 12, 31), DAY) == (date(2026, 12, 31), NIGHT)
    assert rules.next_shift(date(2026, 12, 31), NIGHT) == (date(2027, 1, 1), DAY)
    assert rules.previous_shift(date(2027, 1, 1), DAY) == (date(2026, 12, 31), NIGHT)
    assert rules.previous_shift(date(2027, 1, 1), NIGHT) == (date(2027, 1, 1), DAY)


def test_months():
    assert len(rules.month_days(date(2026, 2, 1))) == 28 and len(rules.month_days(date(2028, 2, 1))) == 29
    assert rules.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1) and rules.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    today = date(2026, 12, 2)
    assert rules.month_of("2027-01", today) == date(2027, 1, 1)
    assert rules.month_of("nonsense", today) == date(2026, 12, 1) and rules.month_of("2026-13", today) == date(2026, 12, 1)
    assert rules.month_of("", today) == date(2026, 12, 1) and rules.month_key(date(2027, 1, 1)) == "2027-01"


def test_rotation_takes_everyone_in_order_and_skips_nobody():
    days = rules.month_days(date(2026, 12, 1))
    plan = rules.rotation(days, [7, 3, 5])
    assert len(plan) == 62
    assert plan[:4] == [(date(2026, 12, 1), DAY, 7), (date(2026, 12, 1), NIGHT, 3), (date(2026, 12, 2), DAY, 5), (date(2026, 12, 2), NIGHT, 7)]
    turns = {p: sum(1 for _, _, e in plan if e == p) for p in (7, 3, 5)}
    assert max(turns.values()) - min(turns.values()) <= 1 and sum(turns.values()) == 62
    # the same order continued: next month starts where this one stopped
    nxt = rules.rotation(rules.month_days(date(2027, 1, 1)), [7, 3, 5], start=len(plan))
    assert nxt[0][2] == [7, 3, 5][62 % 3]
    assert rules.rotation(days, []) == []
    # one person keeps both shifts (a 24-hour duty), never the same shift twice
    solo = rules.rotation(days[:2], [9])
    assert len({(d, s) for d, s, _ in solo}) == 4


def test_order_and_conflict_errors():
    assert rules.order_error([]) and rules.order_error([1, 2, 1]) and not rules.order_error([1, 2])
    taken = {(date(2026, 12, 5), DAY, 4)}
    assert "已在 2026-12-05 白班" in rules.conflict_error(date(2026, 12, 5), DAY, 4, taken, "张三")
    assert not rules.conflict_error(date(2026, 12, 5), NIGHT, 4, taken)
    assert not rules.conflict_error(date(2026, 12, 5), DAY, 5, taken)


def test_an_ended_shift_only_as_a_manager_correction():
    d = date(2026, 12, 1)
    assert not rules.past_error(d, NIGHT, ended=False, correction=False, may_correct=False)
    assert "部门经理" in rules.past_error(d, DAY, ended=True, correction=True, may_correct=False)
    assert "更正已过日期" in rules.past_error(d, DAY, ended=True, correction=False, may_correct=True)
    assert not rules.past_error(d, DAY, ended=True, correction=True, may_correct=True)
    # the night shift dated yesterday is still running at 03:00 today: not ended, so it may still be planned
    assert not rules.has_ended(d, NIGHT, at(2026, 12, 2, 3, 0), T)


def test_fill_slots_starts_with_the_first_person_on_the_first_open_slot():
    slots = [(date(2026, 12, 2), NIGHT), (date(2026, 12, 3), DAY), (date(2026, 12, 3), NIGHT)]
    assert rules.fill_slots(slots, [5, 6]) == [(date(2026, 12, 2), NIGHT, 5), (date(2026, 12, 3), DAY, 6), (date(2026, 12, 3), NIGHT, 5)]
    assert rules.fill_slots(slots, [5, 6], start=1)[0][2] == 6 and rules.fill_slots(slots, []) == []


def test_swap_and_receive_errors():
    ok = dict(requester_id=1, shift_employee_id=1, substitute_id=2, substitute_taken=False, ended=False, pending=False)
    assert rules.swap_error(**ok) == ""
    assert "本班次的值班人" in rules.swap_error(**{**ok, "requester_id": 3})
    assert "已经结束" in rules.swap_error(**{**ok, "ended": True})
    assert "另一位同事" in rules.swap_error(**{**ok, "substitute_id": 1})
    assert "已有值班安排" in rules.swap_error(**{**ok, "substitute_taken": True})
    assert "待批准" in rules.swap_error(**{**ok, "pending": True})
    assert rules.receive_error(writer_id=1, receiver_id=2, already=False) == ""
    assert "不能自己确认" in rules.receive_error(writer_id=1, receiver_id=1, already=False)
    assert "已有人确认" in rules.receive_error(writer_id=1, receiver_id=2, already=True)
