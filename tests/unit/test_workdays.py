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


# ---------------------------------------------------------------- calendar days (民法典 第二百零三条)


def test_a_calendar_day_period_ending_on_a_holiday_moves_to_the_next_working_day():
    # 2026-09-01 + 30 days = 2026-10-01 (国庆, holidays 10-01..10-07): the period ends on 2026-10-08
    assert cal.add_calendar_days(date(2026, 9, 1), 30) == date(2026, 10, 8)
    assert cal.add_calendar_days(date(2026, 9, 1), 29) == date(2026, 9, 30)  # a working day stays
    # ending on an ordinary Saturday (2026-11-28) → Monday 2026-11-30
    assert cal.add_calendar_days(date(2026, 10, 29), 30) == date(2026, 11, 28 + 2)
    # ending on a Saturday 调休 working day (2026-02-28) stays
    assert cal.add_calendar_days(date(2026, 1, 29), 30) == date(2026, 2, 28)


def test_an_uncovered_year_is_weekends_only_until_entered():
    from app.core import workdays

    workdays.begin_request()
    assert cal.add_calendar_days(date(2026, 12, 2), 30) == date(2027, 1, 1)  # Friday, 元旦 unknown
    assert workdays.touched_uncovered_years() == [2027]
    entered = WorkCalendar({date(2027, 1, 1): False}, frozenset({2027}))
    workdays.begin_request()
    assert entered.add_calendar_days(date(2026, 12, 2), 30) == date(2027, 1, 4)
    assert workdays.touched_uncovered_years() == []


def test_parse_a_pasted_state_council_schedule():
    from app.core.workdays import parse_schedule

    days = parse_schedule("2027-01-01 元旦\n2027-02-06 至 2027-02-08 春节，2027/4/5、5月1日至3日 劳动节", 2027)
    assert days[date(2027, 1, 1)] == "元旦" and days[date(2027, 2, 7)] == "春节" and days[date(2027, 5, 2)] == "劳动节"
    assert len(days) == 1 + 3 + 1 + 3
    assert len(parse_schedule("2027年10月1日至7日 国庆节", 2027)) == 7


@pytest.mark.parametrize("holidays, workdays, field, message", [
    ("", "", "holidays", "请填写当年的法定节假日"),
    ("2026-12-31", "", "holidays", "2026-12-31 不在 2027 年内"),
    ("2027-02-30", "", "holidays", "日期不存在"),
    ("元旦放假", "", "holidays", "无法识别的日期"),
    ("2027-02-10 至 2027-02-06", "", "holidays", "结束早于开始"),
    ("2027-02-06 至 2027-02-13", "2027-02-06", "workdays", "同时出现在放假和调休上班两个列表中：2027-02-06"),
    ("2027-01-01", "2027-02-09", "workdays", "调休上班日应为周六或周日"),
])
def test_schedule_validation_messages(holidays, workdays, field, message):
    from app.core.workdays import validate_schedule

    schedule, errors = validate_schedule("2027", holidays, workdays, "")
    assert schedule is None and message in errors[field]


def test_schedule_year_must_be_sensible():
    from app.core.workdays import validate_schedule

    assert validate_schedule("27", "2027-01-01", "", "")[1] == {"year": "请填写 2000 到 2100 之间的年份"}
    schedule, errors = validate_schedule("2027", "2027-01-01 至 2027-01-03", "2027-01-09", "国办发明电〔2026〕")
    assert not errors and len(schedule.holidays) == 3 and list(schedule.workdays) == [date(2027, 1, 9)]
