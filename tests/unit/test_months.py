"""The one set of month helpers (app/core/months.py) the chapters' month filters, rosters and plans use."""
from datetime import date

import pytest

from app.core import months

pytestmark = pytest.mark.unit


def test_parse_and_write_a_month():
    assert months.parse_month("2027-01") == date(2027, 1, 1) and months.parse_month(" 2027-1 ") == date(2027, 1, 1)
    for bad in ("", None, "2027-13", "2027-00", "1999-12", "２０２７-01", "٢٠٢٧-01", "2027/01", "9" * 400, "2027-01-01"):
        assert months.parse_month(bad) is None, bad
    assert months.month_text(date(2027, 1, 31)) == "2027-01" and months.month_label(date(2027, 1, 5)) == "2027年1月"


def test_month_arithmetic_and_days():
    assert months.add_months(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert months.add_months(date(2027, 1, 15), -13) == date(2025, 12, 1)
    assert len(months.month_days(date(2028, 2, 10))) == 29 and months.month_days(date(2027, 2, 1))[-1] == date(2027, 2, 28)
    assert months.month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31)) and months.month_bounds("x") is None
