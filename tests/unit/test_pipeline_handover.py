"""A6 交房 rules: the notice deadline (N calendar days before the handover date, across month and year ends) and the
developer's late-delivery penalty."""
from datetime import date
from decimal import Decimal

import pytest

from app.pipeline import rules

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("handover_on, days, last", [
    (date(2026, 3, 10), 15, date(2026, 2, 23)),  # across February (28 days)
    (date(2028, 3, 10), 15, date(2028, 2, 24)),  # a leap year
    (date(2027, 1, 5), 15, date(2026, 12, 21)),  # across the year end
    (date(2026, 5, 31), 30, date(2026, 5, 1)),
    (date(2026, 7, 1), 15, date(2026, 6, 16)),
])
def test_notice_deadline_counts_calendar_days(handover_on, days, last):
    assert rules.notice_deadline(handover_on, days) == last
    assert rules.notice_error(last, handover_on, days) is None
    late = rules.notice_error(date.fromordinal(last.toordinal() + 1), handover_on, days)
    assert late and f"最晚发出日为 {last.isoformat()}" in late and f"{days} 天前" in late


def test_late_delivery_penalty():
    paid = Decimal("1000000.00")
    assert rules.late_delivery_penalty(date(2026, 6, 30), date(2026, 6, 30), paid, Decimal("0.05")) == (0, Decimal("0.00"))
    assert rules.late_delivery_penalty(date(2026, 6, 30), date(2026, 6, 1), paid, Decimal("0.05")) == (0, Decimal("0.00"))
    assert rules.late_delivery_penalty(None, date(2026, 6, 1), paid, Decimal("0.05")) == (0, Decimal("0.00"))
    # 10 days late (across the month end) at 0.05 % a day of 1,000,000.00 paid = 5,000.00
    assert rules.late_delivery_penalty(date(2026, 6, 25), date(2026, 7, 5), paid, Decimal("0.05")) == (10, Decimal("5000.00"))
    # rounded half up to the cent: 1 day × 0.05 % × 12,345.67 = 6.172835 → 6.17; 3 days → 18.52 (18.518505)
    assert rules.late_delivery_penalty(date(2026, 1, 1), date(2026, 1, 2), Decimal("12345.67"), Decimal("0.05")) == (1, Decimal("6.17"))
    assert rules.late_delivery_penalty(date(2026, 1, 1), date(2026, 1, 4), Decimal("12345.67"), Decimal("0.05")) == (3, Decimal("18.52"))
