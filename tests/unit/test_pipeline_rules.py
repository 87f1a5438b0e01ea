"""Pipeline rules: area-difference settlement (SPEC A6 examples and the ±3% boundaries), deposit, shares, loan, deed tax."""
from datetime import date
from decimal import Decimal as D

import pytest

from app.pipeline.rules import PER_UNIT_TEXT, area_settlement, settle_by_basis, taxable_price, deed_tax, deposit_error, filing_due, filing_reminder_days, loan_error, loan_split_error, shares_error, title_due

pytestmark = pytest.mark.unit


def test_spec_a6_examples():
    minus5 = area_settlement(D("100.00"), D("95.00"), D("10000.00"))
    assert minus5.ratio == D("-5.00") and minus5.amount == D("-70000.00") and minus5.may_return
    plus4 = area_settlement(D("100.00"), D("104.00"), D("10000.00"))
    assert plus4.ratio == D("4.00") and plus4.amount == D("30000.00") and plus4.may_return


@pytest.mark.parametrize("surveyed, amount, may_return", [
    ("103.00", "30000.00", False),   # exactly +3%: settled on the actual area
    ("97.00", "-30000.00", False),   # exactly −3%
    ("103.01", "30000.00", True),    # just above: the buyer pays for 3% only
    ("96.99", "-30200.00", True),    # just below: 3% + double for the 0.01 ㎡ beyond
    ("101.50", "15000.00", False),
    ("100.00", "0.00", False),
])
def test_three_percent_boundaries(surveyed, amount, may_return):
    s = area_settlement(D("100.00"), D(surveyed), D("10000.00"))
    assert s.amount == D(amount) and s.may_return is may_return


def test_per_unit_pricing_is_not_adjusted():
    s = area_settlement(D("100.00"), D("90.00"), D("10000.00"), per_unit_pricing=True)
    assert s.amount == D("0.00") and not s.may_return


def test_deposit_at_most_20_percent():
    assert deposit_error(D("200000.00"), D("1000000.00")) is None
    assert deposit_error(D("200000.01"), D("1000000.00")) == "定金不能超过总价的 20%（最多 200,000.00 元）"
    assert deposit_error(D("0"), D("1000000.00")) == "定金必须大于 0"


def test_shares_must_sum_to_100():
    assert shares_error([D("50.00"), D("50.00")]) is None
    assert shares_error([D("33.33"), D("33.33"), D("33.34")]) is None
    assert shares_error([D("50.00"), D("49.99")]) == "共有份额合计应为 100%，现为 99.99%"
    assert shares_error([D("100.00"), D("0")]) == "每位共有人的份额必须大于 0"


def test_loan_equals_total_minus_down_payment():
    assert loan_error(D("1500000.00"), D("450000.00"), D("1050000.00")) is None
    assert "1,050,000.00" in loan_error(D("1500000.00"), D("450000.00"), D("1000000.00"))
    assert loan_error(D("100"), D("200"), D("0")) == "首付款不能超过总价"
    assert loan_split_error(D("1050000.00"), D("650000.00"), D("400000.00")) is None
    assert loan_split_error(D("1050000.00"), D("650000.00"), D("300000.00")) is not None


@pytest.mark.parametrize("area, homes, rate, tax", [
    ("140.00", "首套", "1", "15000.00"),
    ("140.01", "首套", "1.5", "22500.00"),
    ("120.00", "二套", "1", "15000.00"),
    ("150.00", "二套", "2", "30000.00"),
    ("90.00", "三套及以上", "3", "45000.00"),
    ("150.00", "三套及以上", "3", "45000.00"),
])
def test_deed_tax_by_home_count(area, homes, rate, tax):
    assert deed_tax(D("1500000.00"), D(area), homes=homes) == (D(rate), D(tax))


def test_deed_tax_on_the_price_after_the_area_settlement():
    assert taxable_price(D("1500000.00"), D("30000.00")) == D("1530000.00")
    assert taxable_price(D("1500000.00"), D("-70000.00")) == D("1430000.00")
    assert taxable_price(D("1500000.00"), None) == D("1500000.00")
    assert deed_tax(taxable_price(D("1500000.00"), D("30000.00")), D("150.00"), homes="二套") == (D("2"), D("30600.00"))


def test_deed_tax_table_is_a_parameter_and_a_missing_band_is_an_error():
    from app.pipeline.rules import DeedTaxRate

    table = [DeedTaxRate("首套", None, D("1")), DeedTaxRate("三套及以上", None, D("4"))]
    assert deed_tax(D("1000000.00"), D("200"), homes="三套及以上", table=table) == (D("4"), D("40000.00"))
    with pytest.raises(ValueError, match="没有「二套」"):
        deed_tax(D("1000000.00"), D("100"), homes="二套", table=table)


def test_time_limits():
    assert filing_due(date(2026, 11, 2)) == date(2026, 12, 2)
    assert filing_reminder_days(date(2026, 11, 1), date(2026, 11, 21)) == (20, "提醒")
    assert filing_reminder_days(date(2026, 11, 1), date(2026, 12, 2)) == (31, "逾期")
    assert filing_reminder_days(date(2026, 11, 1), date(2026, 11, 10)) == (9, "")
    assert title_due(date(2026, 6, 30), date(2025, 1, 1), presale=True) == date(2026, 9, 28)
    assert title_due(None, date(2026, 1, 1), presale=False) == date(2026, 4, 1)
    assert title_due(None, date(2026, 1, 1), presale=True) is None


def test_working_day_clocks_cross_holidays_and_makeup_days():
    from app.core.workdays import WorkCalendar
    from app.pipeline.rules import clock_level, working_day_due

    cal = WorkCalendar()
    # Submitted to the bank on Friday 2026-02-13: 02-14 is a make-up Saturday (counts), 02-15..02-23 春节 (don't).
    assert working_day_due(date(2026, 2, 13), 5, cal) == date(2026, 2, 27)
    # Registered on 2026-09-30: release within 2 WD skips 国庆 (10-01..10-07) → 10-09.
    assert working_day_due(date(2026, 9, 30), 2, cal) == date(2026, 10, 9)
    # The make-up Saturday 2026-10-10 is a working day.
    assert working_day_due(date(2026, 10, 9), 1, cal) == date(2026, 10, 10)
    assert clock_level(date(2026, 2, 13), date(2026, 2, 24), 3, 5, cal) == ""  # 02-14, 02-24: 2 WD
    assert clock_level(date(2026, 2, 13), date(2026, 2, 25), 3, 5, cal) == "amber"
    assert clock_level(date(2026, 2, 13), date(2026, 2, 27), 3, 5, cal) == "red"


def test_area_settlement_follows_the_pricing_basis():
    common = dict(contract_build=D("100.00"), contract_inner=D("80.00"), unit_price=D("10000.00"))
    # 建筑面积: the building areas are compared (surveyed inner area ignored)
    b = settle_by_basis("建筑面积", surveyed_build=D("104.00"), surveyed_inner=D("80.00"), **common)
    assert b.ratio == D("4.00") and b.amount == D("30000.00")
    # 套内面积: the inner areas are compared (+1% of 80 ㎡ = 0.80 ㎡ × 10,000), the building area does not matter
    i = settle_by_basis("套内面积", surveyed_build=D("110.00"), surveyed_inner=D("80.80"), **common)
    assert i.ratio == D("1.00") and i.amount == D("8000.00") and "按套内面积计价" in i.explanation
    i5 = settle_by_basis("套内面积", surveyed_build=D("100.00"), surveyed_inner=D("76.00"), **common)  # −5% of 80: 3% back, 2% double
    assert i5.amount == -(D("2.40") * 10000 + D("1.60") * 10000 * 2)
    # 按套: no settlement, whatever the areas
    w = settle_by_basis("按套", surveyed_build=None, surveyed_inner=None, **common)
    assert w.amount == D("0.00") and w.ratio is None and not w.may_return and w.explanation == PER_UNIT_TEXT == "按套计价，不结算面积差"
    with pytest.raises(ValueError):
        settle_by_basis("套内面积", surveyed_build=D("100.00"), surveyed_inner=None, **common)


def test_area_tolerance_is_a_parameter():
    s = settle_by_basis("建筑面积", contract_build=D("100.00"), contract_inner=D("80.00"), surveyed_build=D("104.00"), surveyed_inner=None,
                        unit_price=D("10000.00"), tolerance=D("5"))
    assert s.amount == D("40000.00") and not s.may_return  # within ±5%: settled on the actual area
