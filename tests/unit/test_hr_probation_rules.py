"""转正 rules (SPEC §E11) at their boundaries: the reminder 15 days before the probation's end moved back over a
holiday, 不予录用 on the last day of probation and refused the day after or without evidence, probation once and
within the legal maximum (《劳动合同法》第十九条 via app/hr_contract/rules.py), no extension."""
from datetime import date, timedelta

import pytest

from app.hr_contract.rules import FIXED, TASK
from app.hr_probation import rules

pytestmark = pytest.mark.unit


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_reminder_is_15_days_before_on_a_working_day():
    end = date(2026, 6, 30)  # 15 days before: Mon 15 June
    assert rules.reminder_day(end, 15, weekdays) == date(2026, 6, 15)


def test_reminder_moves_back_over_a_holiday_and_a_weekend():
    holidays = {date(2026, 10, d) for d in range(1, 8)}  # 国庆 1–7 Oct; 30 Sep is a Wednesday

    def is_workday(d: date) -> bool:
        return weekdays(d) and d not in holidays

    end = date(2026, 10, 19)  # 15 days before: Sun 4 Oct, in the holiday → Wed 30 Sep
    assert rules.reminder_day(end, 15, is_workday) == date(2026, 9, 30)
    assert rules.reminder_day(date(2026, 10, 18), 15, weekdays) == date(2026, 10, 2)  # Sat 3 Oct → Fri 2 Oct without it


def test_last_day_of_probation_is_in_probation_the_day_after_is_not():
    end = date(2026, 3, 31)
    assert rules.in_probation(end, end)
    assert not rules.in_probation(end, end + timedelta(days=1))
    assert not rules.in_probation(None, end)


def test_not_hired_allowed_on_the_last_day_with_evidence():
    end = date(2026, 3, 31)
    assert rules.check_not_hired(end, end, 1) == ""
    assert rules.check_not_hired(end, end - timedelta(days=30), 2) == ""


def test_not_hired_refused_the_day_after_the_end():
    end = date(2026, 3, 31)
    msg = rules.check_not_hired(end, end + timedelta(days=1), 3)
    assert "已于 2026-03-31 结束" in msg and "第二十一条" in msg and "第三十九条" in msg


def test_not_hired_refused_without_evidence():
    end = date(2026, 3, 31)
    msg = rules.check_not_hired(end, end, 0)
    assert "材料" in msg and "第三十九条" in msg


def test_contract_probation_within_the_legal_maximum_and_only_once():
    start, end = date(2026, 1, 1), date(2028, 12, 31)  # three years: at most 6 months
    assert rules.check_contract(FIXED, start, end, date(2026, 6, 30), []) == ""
    assert "第十九条" in rules.check_contract(FIXED, start, end, date(2026, 7, 1), [])
    assert rules.check_contract(FIXED, start, end, date(2026, 6, 30), [None, None]) == ""
    assert rules.check_contract(FIXED, start, end, date(2026, 6, 30), [date(2020, 3, 31)]) == rules.ONCE_TEXT
    assert "只能约定一次" in rules.ONCE_TEXT
    assert "未约定试用期" in rules.check_contract(FIXED, start, end, None, [])
    assert "不得约定试用期" in rules.check_contract(TASK, start, None, date(2026, 2, 1), [])


def test_only_confirm_or_not_hired_no_extension():
    assert rules.check_outcome(rules.CONFIRM) == "" and rules.check_outcome(rules.NOT_HIRED) == ""
    assert "不得延长" in rules.check_outcome("延长试用期")


def test_status_after():
    end = date(2026, 3, 31)
    assert rules.status_after(rules.CONFIRM, end, date(2026, 3, 20)) == (rules.REGULAR, date(2026, 4, 1))
    assert rules.status_after(rules.NOT_HIRED, end, date(2026, 3, 20)) == (rules.NOT_HIRED, date(2026, 3, 20))


def test_score_range():
    assert rules.check_score(0) == "" and rules.check_score(100) == ""
    assert rules.check_score(101) and rules.check_score(-1) and rules.check_score(None)
