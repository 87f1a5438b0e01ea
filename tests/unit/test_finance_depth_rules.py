"""A trip's claim (fuel + tolls, or the private-car allowance km × rate), the entertainment ceiling and the payroll
deduction schedule (SPEC E2, E13, E14)."""
from datetime import date
from decimal import Decimal as D

import pytest

from app.finance.rules import DEDUCTION_BASIS, deduction_schedule, entertainment_ceiling, parse_month, trip_claim

pytestmark = pytest.mark.unit


def test_company_car_pays_the_logs_fuel_and_tolls():
    assert trip_claim(private=False, distance=300, fuel=D("320.50"), toll=D("45.00"), rate=D("0.80")) == {
        "fuel": D("320.50"), "toll": D("45.00"), "allowance": D("0.00"), "amount": D("365.50")}


def test_private_car_pays_km_times_rate_plus_tolls_not_fuel():
    line = trip_claim(private=True, distance=87, fuel=D("99.00"), toll=D("20.00"), rate=D("1.15"))
    assert line == {"fuel": D("0.00"), "toll": D("20.00"), "allowance": D("100.05"), "amount": D("120.05")}
    assert trip_claim(private=True, distance=3, fuel=D(0), toll=D(0), rate=D("0.835"))["allowance"] == D("2.51")  # half-up


def test_entertainment_ceiling():
    assert entertainment_ceiling(D("800.00"), D("5")) == D("840.00")
    assert entertainment_ceiling(D("999.99"), D("0")) == D("999.99")
    assert entertainment_ceiling(D("333.33"), D("10")) == D("366.66")


def test_deduction_schedule_sums_exactly_and_rolls_the_year():
    s = deduction_schedule(D("1000.00"), 3, date(2026, 11, 1))
    assert s == [("2026-11", D("333.33")), ("2026-12", D("333.33")), ("2027-01", D("333.34"))]
    assert sum(a for _, a in s) == D("1000.00")
    assert deduction_schedule(D("0.05"), 2, date(2027, 1, 1)) == [("2027-01", D("0.02")), ("2027-02", D("0.03"))]
    assert deduction_schedule(D("50.00"), 1, date(2027, 6, 1)) == [("2027-06", D("50.00"))]


def test_month_parse_and_the_legal_basis():
    assert parse_month("2027-02") == date(2027, 2, 1) and parse_month("2027-00") is None
    assert "《工资支付暂行规定》第十五条" in DEDUCTION_BASIS and "《劳动合同法》第三十条" in DEDUCTION_BASIS and "书面同意" in DEDUCTION_BASIS
