"""Threshold routing at the boundaries ("X以上" includes X), from the declarations alone."""
from decimal import Decimal

import pytest

from app.finance.flows import ADVANCE, EXPENSE, PAYMENT
from app.workflow.definitions import DEFAULT_LIMIT, Applicant, ChainContext

pytestmark = pytest.mark.unit

APPLICANT = Applicant(employee_id=1, user_id=1, name="测试", role="contract", company_id=1, department_id=1, manager_user_id=2, senior=False)


def keys(flow, amount: str) -> list[str]:
    settings = {s.key: s.value for s in (DEFAULT_LIMIT, *flow.settings)}
    ctx = ChainContext(applicant=APPLICANT, amount=Decimal(amount), data={}, settings=settings)
    return [s.key for s in flow.chain(ctx)]


@pytest.mark.parametrize("amount, expected", [
    ("999.99", ["dept_head", "accountant", "finance_manager", "cashier"]),
    ("1000.00", ["dept_head", "accountant", "finance_manager", "vp", "cashier"]),
    ("4999.99", ["dept_head", "accountant", "finance_manager", "vp", "cashier"]),
    ("5000.00", ["dept_head", "accountant", "finance_manager", "vp", "gm", "cashier"]),
])
def test_expense_thresholds(amount, expected):
    assert keys(EXPENSE, amount) == expected


@pytest.mark.parametrize("amount, expected", [
    ("1999.99", ["dept_head", "accountant", "finance_manager", "cashier"]),
    ("2000.00", ["dept_head", "accountant", "finance_manager", "vp", "cashier"]),
    ("4999.99", ["dept_head", "accountant", "finance_manager", "vp", "cashier"]),
    ("5000.00", ["dept_head", "accountant", "finance_manager", "vp", "gm", "cashier"]),
])
def test_advance_thresholds(amount, expected):
    assert keys(ADVANCE, amount) == expected


@pytest.mark.parametrize("amount, extra", [
    ("49999.99", []), ("50000.00", ["gm"]), ("499999.99", ["gm"]), ("500000.00", ["gm", "president"]),
])
def test_payment_thresholds(amount, extra):
    assert keys(PAYMENT, amount) == ["dept_head", "accountant", "finance_manager", "vp", *extra, "cashier"]


def test_thresholds_are_configuration():
    settings = {s.key: s.value for s in (DEFAULT_LIMIT, *EXPENSE.settings)}
    settings["vp_from"] = Decimal("500.00")
    ctx = ChainContext(applicant=APPLICANT, amount=Decimal("600.00"), data={}, settings=settings)
    assert "vp" in [s.key for s in EXPENSE.chain(ctx)]
