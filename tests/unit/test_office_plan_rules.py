"""The monthly supplies plan's computations (SPEC E1): months, the deadline (clamped), lateness, the reminder window,
the plan's remaining quantities."""
from datetime import date

import pytest

from app.office import rules

pytestmark = pytest.mark.unit


def test_months():
    assert rules.add_months(date(2026, 12, 15), 1) == date(2027, 1, 1)
    assert rules.add_months(date(2027, 1, 31), -1) == date(2026, 12, 1)
    assert rules.month_text(date(2027, 3, 9)) == "2027-03"
    assert rules.parse_month("2027-3") == date(2027, 3, 1) and rules.parse_month("2027-13") is None
    assert rules.parse_month("2027/01") is None and rules.parse_month("") is None


def test_deadline_is_the_day_of_the_month_before_clamped():
    assert rules.plan_deadline(date(2027, 1, 1), 25) == date(2026, 12, 25)
    assert rules.plan_deadline(date(2026, 12, 1), 31) == date(2026, 11, 30)
    assert rules.plan_deadline(date(2027, 3, 1), 30) == date(2027, 2, 28)


def test_late_after_the_deadline_day_itself_on_time():
    jan = date(2027, 1, 1)
    assert not rules.plan_is_late(jan, date(2026, 12, 25), 25)
    assert rules.plan_is_late(jan, date(2026, 12, 26), 25)
    assert rules.plan_is_late(date(2026, 12, 1), date(2026, 12, 2), 25)  # this month's supplementary plan


def test_plan_month_window():
    today = date(2026, 12, 2)
    assert rules.plan_month_error(date(2027, 1, 1), today) is None
    assert rules.plan_month_error(date(2026, 12, 1), today) is None
    assert rules.plan_month_error(date(2026, 11, 1), today) == "不能为已过去的月份提交计划"
    assert "只能提交本月（补报）或下月（2027-01）" in rules.plan_month_error(date(2027, 2, 1), today)


def test_reminder_window_before_the_deadline():
    assert rules.remind_due(date(2026, 12, 21), 25, 3) is None
    assert rules.remind_due(date(2026, 12, 22), 25, 3) == date(2027, 1, 1)
    assert rules.remind_due(date(2026, 12, 25), 25, 3) == date(2027, 1, 1)
    assert rules.remind_due(date(2026, 12, 26), 25, 3) is None
    assert rules.remind_due(date(2027, 2, 28), 31, 0) == date(2027, 3, 1)  # clamped deadline


def test_plan_remaining():
    assert rules.plan_remaining({1: 10, 2: 4}, {1: 3, 3: 9}) == {1: {"planned": 10, "taken": 3, "left": 7}, 2: {"planned": 4, "taken": 0, "left": 4}}
    assert rules.plan_remaining({1: 2}, {1: 5})[1]["left"] == -3
