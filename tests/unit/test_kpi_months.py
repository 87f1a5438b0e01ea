"""The KPI board's month arithmetic (app/kpi/measures.py): the picker's value, the month's bounds in Asia/Shanghai."""
from datetime import date, datetime

from app.core.timeutil import SHANGHAI
from app.kpi.measures import KPIS, bounds, month_text, parse_month, shift


def test_parse_month_defaults_to_this_month():
    today = date(2026, 12, 2)
    assert parse_month("2026-03", today) == (2026, 3)
    for bad in ("", None, "abc", "2026-13", "2027-01", "1999-12", "2026-1-1"):
        assert parse_month(bad, today) == (2026, 12), bad


def test_shift_and_bounds_across_the_year():
    assert shift(2026, 1, -1) == (2025, 12) and shift(2025, 12, 1) == (2026, 1) and shift(2026, 5, -12) == (2025, 5)
    start, end = bounds((2025, 12))
    assert start == datetime(2025, 12, 1, tzinfo=SHANGHAI) and end == datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert month_text((2026, 3)) == "2026-03"


def test_every_kpi_names_its_measures():
    for k in KPIS.values():
        assert k.numerator in k.measures and k.denominator in k.measures
        zero = {m: 0 for m in k.measures}
        assert k.rate(zero) is None  # an empty month is "—", never a division by zero
