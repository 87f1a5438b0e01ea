"""The office chains as pure functions: the purchase threshold boundary ("X以上" includes X), over budget, and the
vehicle chain's 副 for out-of-town or overnight trips."""
from decimal import Decimal

import pytest

from app.office.flows import issue_chain, purchase_chain, vehicle_chain
from app.workflow.definitions import Applicant, ChainContext

pytestmark = pytest.mark.unit

APPLICANT = Applicant(employee_id=1, user_id=1, name="测试", role="data", company_id=1, department_id=1, manager_user_id=2, senior=False)
SETTINGS = {"limit_days": Decimal("2"), "vp_from": Decimal("2000.00")}


def keys(steps) -> list[str]:
    return [s.key for s in steps]


def ctx(amount=None, **data) -> ChainContext:
    return ChainContext(applicant=APPLICANT, amount=None if amount is None else Decimal(amount), data=data, settings=SETTINGS)


def test_purchase_threshold_boundary():
    assert keys(purchase_chain(ctx("1999.99"))) == ["dept_head", "admin_staff"]
    assert keys(purchase_chain(ctx("2000.00"))) == ["dept_head", "vp", "admin_staff"]
    assert keys(purchase_chain(ctx("2000.01"))) == ["dept_head", "vp", "admin_staff"]


def test_purchase_over_budget_adds_vp_whatever_the_amount():
    assert keys(purchase_chain(ctx("10.00", over_budget=True))) == ["dept_head", "vp", "admin_staff"]
    assert keys(purchase_chain(ctx("10.00", over_budget=False))) == ["dept_head", "admin_staff"]


def test_purchase_threshold_follows_the_setting():
    c = ChainContext(applicant=APPLICANT, amount=Decimal("1500.00"), data={}, settings={**SETTINGS, "vp_from": Decimal("1500.00")})
    assert keys(purchase_chain(c)) == ["dept_head", "vp", "admin_staff"]


def test_issue_and_vehicle_chains():
    assert keys(issue_chain(ctx())) == ["supervisor", "admin_staff"]
    assert keys(vehicle_chain(ctx())) == ["dept_head", "admin_staff"]
    assert keys(vehicle_chain(ctx(out_of_town=True))) == ["dept_head", "vp", "admin_staff"]
    assert keys(vehicle_chain(ctx(overnight=True))) == ["dept_head", "vp", "admin_staff"]
