"""学历/资格证书培训 rules at their boundaries: eligibility at exactly one year and a day short; the service-period
penalty ([L] 劳动合同法 第二十二条) on day 0, half-way, the last day, after the end, and its cap."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.hr_training import rules

pytestmark = pytest.mark.unit

START = date(2026, 1, 1)  # 2 years: 730 days (2026, 2027 are common years)


def test_eligible_at_exactly_one_year():
    assert rules.eligibility(active=True, hired_on=date(2025, 3, 10), on=date(2026, 3, 10), min_years=1).ok


def test_not_eligible_a_day_short():
    e = rules.eligibility(active=True, hired_on=date(2025, 3, 10), on=date(2026, 3, 9), min_years=1)
    assert not e.ok and "司龄未满 1 年" in e.reason and "2026-03-10" in e.reason and "[C]" in e.reason


def test_leap_day_hire():
    assert not rules.eligibility(active=True, hired_on=date(2024, 2, 29), on=date(2025, 2, 27), min_years=1).ok
    assert rules.eligibility(active=True, hired_on=date(2024, 2, 29), on=date(2025, 2, 28), min_years=1).ok


def test_not_eligible_inactive_unknown_hire_or_probation():
    assert not rules.eligibility(active=False, hired_on=date(2020, 1, 1), on=START, min_years=1).ok
    assert "入职日期" in rules.eligibility(active=True, hired_on=None, on=START, min_years=1).reason
    e = rules.eligibility(active=True, hired_on=date(2020, 1, 1), on=START, min_years=1, probation_end=START)
    assert not e.ok and "试用期" in e.reason


def test_share():
    assert rules.company_share(Decimal("12345.67"), Decimal("50")) == Decimal("6172.84")
    assert rules.company_share(Decimal("8000"), Decimal("100")) == Decimal("8000.00")
    assert rules.share_error(Decimal("49.99"), Decimal("50"), Decimal("100"))
    assert not rules.share_error(Decimal("50"), Decimal("50"), Decimal("100"))
    assert rules.share_error(Decimal("100.01"), Decimal("50"), Decimal("100"))
    assert rules.period_error(6, Decimal("1"), Decimal("5")) and not rules.period_error(5, Decimal("1"), Decimal("5"))


def pen(leave_on: date, paid="7300", cost="7300", start=START, years=2):
    return rules.penalty(cost=Decimal(cost), paid=Decimal(paid), start=start, years=years, leave_on=leave_on)


def test_penalty_day_0_is_the_whole_amount():
    p = pen(START)
    assert p.total_days == 730 and p.unserved_days == 730 and p.amount == Decimal("7300.00")


def test_penalty_half_way():
    assert pen(START + timedelta(days=365)).amount == Decimal("3650.00")


def test_penalty_last_day_is_one_days_share():
    last = rules.service_end(START, 2)
    assert last == date(2027, 12, 31)
    p = pen(last)
    assert p.unserved_days == 1 and p.amount == Decimal("10.00")


def test_penalty_after_the_end_is_zero():
    assert pen(date(2028, 1, 1)).amount == Decimal("0.00")
    assert pen(date(2030, 6, 1)).amount == Decimal("0.00")
    assert "届满" in rules.penalty_text(pen(date(2028, 1, 1)))


def test_penalty_capped_at_what_the_company_paid():
    # paid above the cost (a data error) → capped at the cost; before the period starts → never above what was paid
    assert pen(START, paid="9000", cost="7300").amount == Decimal("7300.00")
    assert pen(START - timedelta(days=100)).amount == Decimal("7300.00")
    assert pen(START, paid="0").amount == Decimal("0.00")
    assert pen(START + timedelta(days=1), paid="1000", cost="1000").amount <= Decimal("1000")


def test_penalty_no_service_period_yet():
    p = rules.penalty(cost=Decimal("5000"), paid=Decimal("0"), start=None, years=3, leave_on=START)
    assert p.amount == 0 and "尚未开始服务期" in rules.penalty_text(p)


def test_penalty_text_names_the_law():
    assert "劳动合同法 第二十二条" in rules.penalty_text(pen(START + timedelta(days=10)))
