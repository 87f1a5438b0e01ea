"""A7 rules: the 登记费, the certificate deadline and the pre-registration's lapse."""
from datetime import date
from decimal import Decimal

import pytest

from app.pipeline import rules

pytestmark = pytest.mark.unit
FEE = {"per_case": Decimal("80"), "per_extra_copy": Decimal("10"), "free_copies": 1}


def test_registration_fee_one_certificate_is_included():
    assert rules.registration_fee(1, **FEE) == Decimal("80.00")


def test_registration_fee_three_certificates_pay_two_extra_copies():
    assert rules.registration_fee(3, **FEE) == Decimal("100.00")


def test_registration_fee_follows_the_settings_and_refuses_zero_copies():
    assert rules.registration_fee(2, per_case=Decimal("100"), per_extra_copy=Decimal("5"), free_copies=2) == Decimal("100.00")
    with pytest.raises(ValueError):
        rules.registration_fee(0, **FEE)


def test_title_deadline_is_the_contracts_else_90_days_from_handover_else_from_signing():
    contract = date(2027, 3, 31)
    assert rules.title_deadline(contract, date(2026, 12, 1), date(2026, 6, 1)) == contract
    assert rules.title_deadline(None, date(2026, 12, 1), date(2026, 6, 1)) == date(2027, 3, 1)  # presale: from handover
    assert rules.title_deadline(None, None, date(2026, 6, 1)) == date(2026, 8, 30)  # completed unit: from signing
    assert rules.title_deadline(None, date(2026, 12, 1), date(2026, 6, 1), days=60) == date(2027, 1, 30)
    assert rules.title_deadline(None, None, None) is None


def test_pre_registration_lapses_90_days_after_the_first_registration():
    assert rules.prereg_lapse(date(2026, 10, 1)) == date(2026, 12, 30)
    assert rules.prereg_lapse(None) is None
