"""内部培训 pure rules (SPEC §E6): the 分管副总 step from 5,000.00 (and not at 4,999.99), the chains, hours, time and
the new-hire cut-off."""
from datetime import date
from decimal import Decimal

import pytest

from app.hr_course import rules
from app.hr_course.flows import TRAINING_PLAN, TRAINING_SESSION, plan_chain, session_chain
from app.workflow.definitions import Applicant, ChainContext

pytestmark = pytest.mark.unit

APPLICANT = Applicant(employee_id=1, user_id=1, name="甲", role="sales", company_id=1, department_id=1, manager_user_id=2, senior=False)


def keys(chain, amount) -> list[str]:
    settings = {"vp_from": rules.VP_FROM, "limit_days": Decimal("2")}
    return [s.key for s in chain(ChainContext(applicant=APPLICANT, amount=amount, data={}, settings=settings))]


def test_vp_step_from_the_threshold_inclusive():
    assert keys(session_chain, Decimal("4999.99")) == ["dept_head", "hr"]
    assert keys(session_chain, Decimal("5000.00")) == ["dept_head", "hr", "vp"]
    assert keys(session_chain, Decimal("0")) == ["dept_head", "hr"]
    assert rules.needs_vp(Decimal("5000"), rules.VP_FROM) and not rules.needs_vp(None, rules.VP_FROM)


def test_plan_chain_and_settings_declared():
    assert keys(plan_chain, Decimal("99999")) == ["dept_head", "hr"]
    assert {s.key: s.value for s in TRAINING_SESSION.settings} == {"vp_from": Decimal("5000")}
    assert TRAINING_PLAN.group == TRAINING_SESSION.group == "人事"


def test_hours_time_and_new_hire_cutoff():
    assert rules.hours_error(Decimal("1.5")) == ""
    assert rules.hours_error(Decimal("0")) and rules.hours_error(Decimal("40.1")) and rules.hours_error(Decimal("1.25"))
    assert rules.valid_time("09:30") and rules.valid_time("23:59")
    assert not rules.valid_time("24:00") and not rules.valid_time("9:30") and not rules.valid_time("０９:３０")
    assert rules.new_hire_since(date(2026, 3, 31), 30) == date(2026, 3, 2)
    assert rules.new_hire_since(date(2026, 3, 31), 1) == date(2026, 3, 31)
