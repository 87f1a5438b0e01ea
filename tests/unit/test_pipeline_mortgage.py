"""A3 按揭 clocks over the real 2026 holidays (chinese-calendar; the 国庆 2026 holiday is 10-01..10-07 and Saturday
10-10 is a 调休 working day): the document 催交 schedule and the bank's amber/red working-day clock."""
from datetime import date
from decimal import Decimal

import pytest

from app.core.workdays import WorkCalendar
from app.pipeline.services import down_payment_ratio, mortgage_state_label
from app.pipeline.steps.mortgage import bank_clock, docs_milestone, docs_milestones, release_due

pytestmark = pytest.mark.unit
cal = WorkCalendar()
LIMITS = {"mortgage_docs_remind_1": Decimal("1"), "mortgage_docs_remind_2": Decimal("7"), "mortgage_docs_demand": Decimal("15"),
          "bank_approval_amber_wd": Decimal("3"), "bank_approval_wd": Decimal("5"), "release_wd": Decimal("2")}


def test_docs_schedule_moves_a_notice_off_the_national_day_holiday():
    due = date(2026, 9, 29)
    assert [(k, d) for k, d, _ in docs_milestones(cal, due, LIMITS)] == [
        ("first", date(2026, 9, 30)), ("second", date(2026, 10, 8)), ("demand", date(2026, 10, 14))]
    assert docs_milestone(cal, due, date(2026, 9, 29), LIMITS) is None
    assert docs_milestone(cal, due, date(2026, 10, 6), LIMITS)[0] == "first"  # D+7 falls in the holiday: not yet
    assert docs_milestone(cal, due, date(2026, 10, 8), LIMITS)[2] == "D+7 催交"
    assert docs_milestone(cal, due, date(2026, 10, 20), LIMITS)[2] == "D+15 书面催告"


def test_docs_schedule_follows_the_settings_and_the_spring_festival():
    limits = {**LIMITS, "mortgage_docs_remind_1": Decimal("2")}
    # 2026-02-13 (Fri) + 2 = 02-15 (Sun, 春节 holiday 02-15..02-23) → the next working day 02-24; 02-14 Saturday is a 调休 workday
    assert docs_milestones(cal, date(2026, 2, 13), limits)[0][1] == date(2026, 2, 24)
    assert docs_milestones(cal, date(2026, 2, 13), LIMITS)[0][1] == date(2026, 2, 14)


@pytest.mark.parametrize("today, state", [
    (date(2026, 10, 8), None),  # WD 2
    (date(2026, 10, 9), "amber"),  # WD 3
    (date(2026, 10, 10), "amber"),  # WD 4: Saturday 调休
    (date(2026, 10, 12), "amber"),  # WD 5: the due day itself is not late
    (date(2026, 10, 13), "red"),
])
def test_bank_clock_amber_at_3_red_after_5_working_days(today, state):
    got, amber, due = bank_clock(cal, date(2026, 9, 29), today, LIMITS)
    assert (got, amber, due) == (state, date(2026, 10, 9), date(2026, 10, 12))


def test_release_within_2_working_days_over_a_weekend_and_a_holiday():
    assert release_due(cal, date(2026, 9, 30), LIMITS) == date(2026, 10, 9)
    assert release_due(cal, date(2026, 11, 27), LIMITS) == date(2026, 12, 1)  # Friday → Tuesday


def test_down_payment_ratio_and_state_labels():
    assert down_payment_ratio({"total_price": Decimal("3000000.00"), "down_payment": Decimal("900000.00")}) == Decimal("30.00")
    assert down_payment_ratio({"total_price": Decimal("0"), "down_payment": Decimal("0")}) is None
    assert mortgage_state_label("资料逾期") == "资料逾期(催交)" and mortgage_state_label("待面签") == "待面签"
