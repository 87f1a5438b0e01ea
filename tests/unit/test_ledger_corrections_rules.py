"""Pure rules of 台账更正 and the daily report's schedule: typed parsing of a corrected value, the whitelist, clock times."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.ledgers import rules
from app.ledgers.ledgers import LEDGERS

pytestmark = pytest.mark.unit
TODAY = date(2026, 12, 2)


def test_dates_are_iso_and_not_in_the_future():
    assert rules.parse_correction("date", "2026-11-28", today=TODAY) == (date(2026, 11, 28), "")
    assert rules.parse_correction("date", "2026-12-03", today=TODAY)[1] == "日期 2026-12-03 不能晚于今天"
    assert "格式" in rules.parse_correction("date", "2026/11/28", today=TODAY)[1]
    assert "2000" in rules.parse_correction("date", "1999-01-01", today=TODAY)[1]


def test_money_two_decimals_text_and_int():
    assert rules.parse_correction("money", "1,234.50", today=TODAY) == (Decimal("1234.50"), "")
    assert rules.parse_correction("money", "1.234", today=TODAY)[1]  # more than two decimals is refused, not rounded
    assert rules.parse_correction("money", "-1", today=TODAY)[1]
    assert rules.parse_correction("text", "  WQ-1 ", today=TODAY) == ("WQ-1", "")
    assert rules.parse_correction("text", "x" * 51, today=TODAY)[1] == "不能超过 50 个字"
    assert rules.parse_correction("text", "a\x00b", today=TODAY)[1]
    assert rules.parse_correction("text", "", today=TODAY)[1] == "请填写更正后的值"
    assert rules.parse_correction("int", "3", today=TODAY) == (3, "")
    assert rules.parse_correction("int", "-3", today=TODAY)[1]


def test_shown_values():
    assert rules.shown_value("date", date(2026, 1, 5)) == "2026-01-05"
    assert rules.shown_value("money", Decimal("5")) == "5.00"
    assert rules.shown_value("text", None) == "" and rules.shown_value("int", 0) == "0"


def test_the_whitelist_holds_no_computed_money_and_no_state():
    forbidden = {"stage", "filing_status", "mortgage_status", "handover_status", "title_status", "total_price", "unit_price", "loan_amount",
                 "deed_tax", "area_amount", "area_ratio", "released_amount", "deposit", "down_payment"}
    fields = {c.name for lg in LEDGERS.values() for c in lg.corrections}
    assert fields and not fields & forbidden
    assert {"online_no", "filing_no", "prereg_no", "cert_no", "filed_on"} <= fields
    assert not LEDGERS["collections"].corrections and not LEDGERS["voids"].corrections  # money and approvals: never by hand


def test_clock_settings():
    assert rules.parse_clock("17:30") == (17, 30) and rules.parse_clock("8：05") == (8, 5)
    for bad in ("1730", "25:00", "17:60", "", "ab:cd"):
        with pytest.raises(ValueError):
            rules.parse_clock(bad)
    at = datetime(2026, 12, 2, 17, 29)
    assert rules.schedule_due(at, (17, 30), (18, 0)) == (False, False)
    assert rules.schedule_due(at.replace(minute=30), (17, 30), (18, 0)) == (True, False)
    assert rules.schedule_due(at.replace(hour=18, minute=0), (17, 30), (18, 0)) == (True, True)
