"""晋升 and 调动 rules (SPEC §E9, §E10) at their boundaries: the 公示 of 3 working days across National Day (the
holiday and its 调休 Saturday, app/core/workdays.py's calendar), the day the appointment takes effect, the 总经理 step for a
主管-and-above TARGET post (the engine's SENIOR_ROLES), tenure in whole months, what counts as a promotion, and the chain
declarations."""
from datetime import date
from decimal import Decimal

import pytest

from app.core.workdays import WorkCalendar
from app.hr_move import rules
from app.hr_move.flows import promotion_chain, transfer_chain
from app.workflow.definitions import Applicant, ChainContext, Mode
from app.workflow.engine import SENIOR_ROLES

pytestmark = pytest.mark.unit

CAL = WorkCalendar({}, frozenset())  # the built-in Chinese holiday calendar, no admin overrides


def test_publication_skips_national_day_2025():
    # approved Tue 30 Sep 2025: 1–8 Oct are holidays; Thu 9, Fri 10, Sat 11 Oct (a 调休 working day) are the 3 days
    assert rules.publication_end(date(2025, 9, 30), 3, CAL.is_workday) == date(2025, 10, 11)


def test_publication_counts_the_weekend_workday_before_the_holiday():
    # approved Fri 26 Sep 2025: Sun 28 Sep is a 调休 working day → 28, 29, 30 Sep
    assert rules.publication_end(date(2025, 9, 26), 3, CAL.is_workday) == date(2025, 9, 30)


def test_publication_ordinary_week_and_setting():
    assert rules.publication_end(date(2025, 11, 14), 3, CAL.is_workday) == date(2025, 11, 19)  # Fri → Mon, Tue, Wed
    assert rules.publication_end(date(2025, 11, 14), 5, CAL.is_workday) == date(2025, 11, 21)


def test_appointment_takes_effect_the_day_after_the_publication():
    until = date(2025, 10, 11)
    assert not rules.publication_over(until, date(2025, 10, 11))
    assert rules.publication_over(until, date(2025, 10, 12))
    assert not rules.publication_over(None, date(2030, 1, 1))


def ctx(**data) -> ChainContext:
    a = Applicant(employee_id=1, user_id=1, name="x", role="contract", company_id=1, department_id=1, manager_user_id=2, senior=False)
    return ChainContext(applicant=a, amount=None, data=data, settings={"publish_days": Decimal("3")})


def test_senior_target_adds_the_gm():
    assert rules.senior_target("supervisor", SENIOR_ROLES) and rules.senior_target("dept_head", SENIOR_ROLES)
    assert not rules.senior_target("contract", SENIOR_ROLES)
    assert [s.key for s in promotion_chain(ctx(target_senior=False))] == ["hr", "vp"]
    assert [s.key for s in promotion_chain(ctx(target_senior=True))] == ["hr", "vp", "gm"]


def test_transfer_chain_both_companies():
    steps = transfer_chain(ctx(recv_head=[7], recv_hr=[8], gms=[3, 9]))
    assert [s.key for s in steps] == ["release_head", "release_hr", "receive_head", "receive_hr", "gm_both"]
    assert steps[2].approvers.user_ids == (7,) and steps[3].approvers.user_ids == (8,)
    assert steps[4].approvers.user_ids == (3, 9) and steps[4].mode == Mode.ALL


def test_tenure_in_whole_months():
    assert rules.tenure_months(date(2024, 3, 15), date(2026, 3, 14)) == 23
    assert rules.tenure_months(date(2024, 3, 15), date(2026, 3, 15)) == 24
    assert rules.tenure_months(None, date(2026, 3, 15)) == 0
    assert rules.tenure_months(date(2027, 1, 1), date(2026, 3, 15)) == 0
    assert rules.tenure_text(25) == "2 年1 个月" and rules.tenure_text(0) == "0 个月"


def test_what_counts_as_a_promotion():
    assert rules.is_promotion(2, 3, same_position=True) == ""
    assert rules.is_promotion(3, 3, same_position=True)
    assert rules.is_promotion(2, 2, same_position=False) == ""
    assert rules.is_promotion(3, 2, same_position=False)
