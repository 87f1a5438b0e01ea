"""The working-day calendar over real 2025–2026 holidays and 调休 make-up workdays."""
from datetime import date

import pytest

from app.core.workdays import WorkCalendar, builtin_covers

pytestmark = pytest.mark.unit
cal = WorkCalendar()


@pytest.mark.parametrize(
    "day, workday",
    [
        (date(2025, 1, 1), False),  # 元旦
        (date(2025, 1, 26), True),  # Sunday, make-up day before 春节
        (date(2025, 1, 28), False),  # 除夕
        (date(2025, 2, 4), False),  # 春节 holiday
        (date(2025, 2, 8), True),  # Saturday make-up day
        (date(2025, 4, 27), True),  # Sunday make-up day before 劳动节
        (date(2025, 5, 5), False),  # 劳动节
        (date(2025, 9, 28), True),  # Sunday make-up day before 国庆
        (date(2025, 10, 8), False),  # 国庆/中秋
        (date(2025, 10, 11), True),  # Saturday make-up day
        (date(2026, 2, 14), True),  # Saturday make-up day before 春节 2026
        (date(2026, 2, 16), False),  # 春节 2026
        (date(2026, 2, 28), True),  # Saturday make-up day
        (date(2026, 10, 1), False),  # 国庆
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 11, 27), True),  # an ordinary Friday
    ],
)
def test_real_holidays_and_makeup_days(day, workday):
    assert cal.is_workday(day) is workday


def test_add_working_days_across_national_day_2025():
    # 2025-09-30 (Tue) + 1 WD: 10-01..10-08 are holidays, so 10-09.
    assert cal.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # Crossing the Saturday make-up day 10-11: 10-09, 10-10, 10-11 → 3 WD after 09-30 is 10-11.
    assert cal.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_add_working_days_across_spring_festival_2026():
    # Friday 2026-02-13 + 1 WD is the make-up Saturday 02-14; + 2 WD skips the holiday to 02-24.
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_add_zero_and_negative():
    assert cal.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)  # Saturday → Monday
    assert cal.add_working_days(date(2026, 11, 30), -1) == date(2026, 11, 27)


def test_working_days_between():
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert cal.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == 0
    # Inverse of add_working_days
    start = date(2026, 1, 20)
    for n in (1, 5, 22, 60):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_year_without_builtin_data_never_raises_and_uses_overrides():
    assert not builtin_covers(2027)
    assert cal.is_workday(date(2027, 1, 4)) is True  # a Monday: weekends only
    cal2027 = WorkCalendar({date(2027, 1, 1): False, date(2027, 1, 4): False, date(2027, 1, 9): True})
    assert cal2027.is_workday(date(2027, 1, 4)) is False
    assert cal2027.is_workday(date(2027, 1, 9)) is True  # a Saturday entered as make-up day
    assert cal2027.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 5)
    # A 30-WD deadline from today reaches into 2027 without error
    assert cal.add_working_days(date(2026, 11, 28), 30).year == 2027


def test_override_beats_builtin():
    c = WorkCalendar({date(2026, 10, 8): True})
    assert c.is_workday(date(2026, 10, 8)) is True
