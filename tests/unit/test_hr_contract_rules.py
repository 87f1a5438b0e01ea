"""The labour-contract rules at their legal boundaries (SPEC §E4): probation by term (art. 19), probation pay (art. 20),
signing within a month (art. 10, 82), renewal reminders across a holiday, the open-ended entitlement (art. 14) and
severance with and without the cap (art. 47, 46 (5))."""
from datetime import date
from decimal import Decimal

import chinese_calendar
import pytest

from app.hr_contract import rules
from app.hr_contract.rules import FIXED, OPEN, SIGNED, TASK, PastContract

pytestmark = pytest.mark.unit

S = date(2025, 1, 1)


@pytest.mark.parametrize(("end", "months"), [
    (date(2025, 3, 30), 0),   # one day short of 3 months
    (date(2025, 3, 31), 1),   # exactly 3 months
    (date(2025, 12, 30), 1),  # one day short of a year
    (date(2025, 12, 31), 2),  # exactly 1 year
    (date(2027, 12, 30), 2),  # one day short of 3 years
    (date(2027, 12, 31), 6),  # exactly 3 years
])
def test_probation_maximum_at_the_term_boundaries(end, months):
    assert rules.probation_max_months(FIXED, S, end) == months


def test_probation_for_open_ended_and_task_contracts():
    assert rules.probation_max_months(OPEN, S, None) == 6
    assert rules.probation_max_months(TASK, S, date(2030, 1, 1)) == 0
    assert "不得约定试用期" in rules.check_probation(TASK, S, None, date(2025, 1, 10))


def test_probation_check_messages_name_article_19():
    end = date(2025, 12, 31)  # 1 year: at most 2 months, to 2025-02-28
    assert rules.check_probation(FIXED, S, end, date(2025, 2, 28)) == ""
    msg = rules.check_probation(FIXED, S, end, date(2025, 3, 1))
    assert "2 个月" in msg and "2025-02-28" in msg and "第十九条" in msg
    assert "不得约定试用期" in rules.check_probation(FIXED, S, date(2025, 3, 30), date(2025, 1, 15))
    assert rules.check_probation(FIXED, S, end, None) == ""
    assert "早于" in rules.check_probation(FIXED, S, end, date(2024, 12, 31))
    # a month-end start: one month from 31 Jan ends on the last day of February
    assert rules.probation_latest_end(FIXED, date(2025, 1, 31), date(2026, 1, 30)) == date(2025, 3, 30)


def test_probation_pay_at_eighty_percent():
    assert rules.check_probation_pay(Decimal("10000"), Decimal("8000"), 80) == ""
    msg = rules.check_probation_pay(Decimal("10000"), Decimal("7999.99"), 80)
    assert "80%" in msg and "8000.00" in msg and "第二十条" in msg
    assert rules.check_probation_pay(Decimal("10000"), Decimal("8999"), 90) != ""


def test_signing_within_one_month_then_double_pay_risk():
    assert rules.signing_risk(S, None, date(2025, 1, 30)) is None  # day 30
    risk = rules.signing_risk(S, None, date(2025, 1, 31))  # day 31
    assert risk is not None and risk.days == 31 and "第八十二条" in risk.text and "二倍" in risk.text
    assert rules.signing_risk(S, date(2025, 1, 20), date(2025, 6, 1)) is None
    late = rules.signing_risk(S, date(2025, 2, 14), date(2025, 6, 1))
    assert late is not None and late.days == 45
    assert "视为已订立无固定期限" in rules.signing_risk(S, None, date(2026, 1, 1)).text


def test_renewal_reminders_move_before_the_national_day_holiday():
    # 2026-10-31 − 30 days = 2026-10-01 (国庆), the previous working day is 2026-09-30; −60 days = 2026-09-01 (a Tuesday)
    days = rules.reminder_days(date(2026, 10, 31), (60, 30), chinese_calendar.is_workday)
    assert days == [(60, date(2026, 9, 1)), (30, date(2026, 9, 30))]
    # −30 days on 2026-10-07 (last holiday day) → still 2026-09-30; on a Sunday → the Friday
    assert rules.reminder_days(date(2026, 11, 6), (30,), chinese_calendar.is_workday) == [(30, date(2026, 9, 30))]
    assert rules.reminder_days(date(2026, 12, 15), (30,), chinese_calendar.is_workday) == [(30, date(2026, 11, 13))]


def test_open_ended_entitlement():
    c = lambda y, kind=FIXED: PastContract(kind, date(y, 1, 1), date(y + 2, 12, 31), SIGNED)  # noqa: E731
    assert rules.open_ended_entitlement(date(2020, 1, 1), [c(2020)], date(2023, 1, 1)) == ""
    two = rules.open_ended_entitlement(date(2020, 1, 1), [c(2020), c(2023)], date(2026, 1, 1))
    assert "二次固定期限" in two and "第十四条" in two
    assert rules.open_ended_entitlement(date(2016, 1, 2), [c(2023)], date(2026, 1, 1)) == ""  # 9 years 364 days
    ten = rules.open_ended_entitlement(date(2016, 1, 1), [c(2023)], date(2026, 1, 1))
    assert "满 10 年" in ten
    # an open-ended contract between breaks the run of fixed-term ones
    assert rules.open_ended_entitlement(date(2020, 1, 1), [c(2020), c(2021, OPEN), c(2023)], date(2024, 1, 1)) == ""


@pytest.mark.parametrize(("until", "n"), [
    (date(2025, 12, 31), Decimal("1")),     # exactly a year
    (date(2026, 6, 30), Decimal("2")),      # 1 year 6 months → 2
    (date(2026, 6, 29), Decimal("1.5")),    # 1 year and one day short of 6 months → 1.5
    (date(2025, 2, 1), Decimal("0.5")),     # a month → half
])
def test_severance_months(until, n):
    assert rules.severance_months(S, until) == n


def test_severance_without_and_with_the_cap():
    plain = rules.severance(date(2010, 1, 1), date(2024, 12, 31), Decimal("9000"), Decimal("10000"))
    assert plain.months == Decimal(15) and plain.amount == Decimal("135000.00") and not plain.capped
    capped = rules.severance(date(2010, 1, 1), date(2024, 12, 31), Decimal("40000"), Decimal("10000"))
    assert capped.capped and capped.base == Decimal("30000") and capped.months == Decimal(12)
    assert capped.amount == Decimal("360000.00") and "第四十七条" in capped.text
    at_cap = rules.severance(date(2020, 1, 1), date(2024, 12, 31), Decimal("30000"), Decimal("10000"))
    assert not at_cap.capped and at_cap.amount == Decimal("150000.00")


def test_expiry_compensation():
    assert rules.expiry_compensation_due(False, False)[0]
    assert rules.expiry_compensation_due(True, False)[0]
    due, text = rules.expiry_compensation_due(True, True)
    assert not due and "第四十六条" in text
