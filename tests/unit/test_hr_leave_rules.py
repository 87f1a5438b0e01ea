"""考勤 rules at their boundaries: leave days in working days over a public holiday (and the 调休 Saturday), in calendar
days for 婚假/产假, half days; the annual-leave entitlement at exactly 1, 10 and 20 years of work and a day under
(职工带薪年休假条例 art. 3); overlap by half days; the one approval step by length."""
from datetime import date
from decimal import Decimal

import pytest

from app.core.workdays import WorkCalendar
from app.hr_leave import rules
from app.hr_leave.flows import LEAVE, leave_chain
from app.workflow.definitions import DEFAULT_LIMIT, Applicant, ChainContext

pytestmark = pytest.mark.unit

CAL = WorkCalendar()  # the built-in calendar: 国庆节 2026 is 10-01..10-07, 10-10 (Sat) a 调休 working day
D = Decimal


def days(kind, a, ah, b, bh, cal=CAL):
    return rules.leave_days(kind, a, ah, b, bh, cal)


def test_working_days_skip_the_national_day_holiday():
    # 2026-09-30 (Wed) to 2026-10-09 (Fri): 09-30, 10-08, 10-09 are working days
    assert days("事假", date(2026, 9, 30), "上午", date(2026, 10, 9), "下午") == D(3)
    assert days("年休假", date(2026, 9, 30), "上午", date(2026, 10, 9), "下午") == D(3)


def test_tiaoxiu_saturday_counts_and_plain_weekend_does_not():
    assert days("事假", date(2026, 10, 10), "上午", date(2026, 10, 11), "下午") == D(1)  # Sat worked, Sun rest
    assert days("调休", date(2026, 10, 9), "上午", date(2026, 10, 12), "下午") == D(3)


def test_calendar_days_for_marriage_and_maternity():
    assert days("婚假", date(2026, 9, 30), "上午", date(2026, 10, 9), "下午") == D(10)
    assert days("产假", date(2026, 10, 1), "上午", date(2027, 1, 6), "下午") == D(98)


def test_half_days():
    d = date(2026, 9, 29)
    assert days("事假", d, "上午", d, "上午") == D("0.5")
    assert days("事假", d, "下午", d, "下午") == D("0.5")
    assert days("事假", d, "上午", d, "下午") == D(1)
    assert days("事假", d, "下午", date(2026, 9, 30), "上午") == D(1)
    assert days("事假", d, "下午", date(2026, 9, 30), "下午") == D("1.5")
    # a half day on a holiday is not deducted twice
    assert days("事假", date(2026, 9, 30), "上午", date(2026, 10, 1), "上午") == D(1)


def test_empty_or_reversed_periods_are_refused():
    with pytest.raises(rules.LeaveError):
        days("事假", date(2026, 10, 2), "上午", date(2026, 10, 1), "下午")
    with pytest.raises(rules.LeaveError):
        days("事假", date(2026, 9, 29), "下午", date(2026, 9, 29), "上午")
    with pytest.raises(rules.LeaveError):  # only holidays
        days("年休假", date(2026, 10, 1), "上午", date(2026, 10, 7), "下午")
    with pytest.raises(rules.LeaveError):
        days("事假", date(2026, 9, 29), "中午", date(2026, 9, 29), "下午")


@pytest.mark.parametrize("start, on, years, entitled", [
    (date(2016, 3, 15), date(2017, 3, 14), 0, 0),    # a day under 1 year
    (date(2016, 3, 15), date(2017, 3, 15), 1, 5),    # exactly 1 year
    (date(2016, 3, 15), date(2026, 3, 14), 9, 5),    # a day under 10 years
    (date(2016, 3, 15), date(2026, 3, 15), 10, 10),  # exactly 10 years
    (date(2006, 3, 15), date(2026, 3, 14), 19, 10),  # a day under 20 years
    (date(2006, 3, 15), date(2026, 3, 15), 20, 15),  # exactly 20 years
    (date(1990, 1, 1), date(2026, 6, 1), 36, 15),
    (None, date(2026, 6, 1), 0, 0),
])
def test_annual_entitlement_at_the_legal_boundaries(start, on, years, entitled):
    rule = rules.AnnualRule.of({})
    assert rules.years_of_work(start, on) == years
    assert rules.entitlement_on(start, on, rule) == D(entitled)


def test_leap_day_start_completes_its_year_on_28_february():
    assert rules.years_of_work(date(2016, 2, 29), date(2017, 2, 27)) == 0
    assert rules.years_of_work(date(2016, 2, 29), date(2017, 2, 28)) == 1


def test_entitlement_thresholds_follow_the_settings():
    rule = rules.AnnualRule.of({"annual_years_2": D(8), "annual_days_1": D(6)})
    assert rule.entitlement(7) == D(6) and rule.entitlement(8) == D(10)


def test_overlap_by_half_days():
    a = (date(2026, 9, 29), "上午", date(2026, 9, 29), "上午")
    b = (date(2026, 9, 29), "下午", date(2026, 9, 30), "下午")
    assert not rules.overlaps(a, b) and not rules.overlaps(b, a)
    c = (date(2026, 9, 28), "上午", date(2026, 9, 29), "下午")
    assert rules.overlaps(a, c) and rules.overlaps(b, c)
    assert not rules.overlaps(c, (date(2026, 9, 30), "上午", date(2026, 9, 30), "下午"))


APPLICANT = Applicant(employee_id=1, user_id=1, name="测试", role="sales", company_id=1, department_id=1, manager_user_id=2, senior=False)


@pytest.mark.parametrize("n, step", [("0.5", "supervisor"), ("1", "supervisor"), ("1.5", "dept_head"), ("3", "dept_head"),
                                     ("3.5", "vp"), ("98", "vp")])
def test_one_step_by_length(n, step):
    settings = {s.key: s.value for s in (DEFAULT_LIMIT, *LEAVE.settings)}
    steps = leave_chain(ChainContext(applicant=APPLICANT, amount=None, data={"days": D(n)}, settings=settings))
    assert [s.key for s in steps] == [step]


def test_fmt_days():
    assert rules.fmt_days(D("3.0")) == "3" and rules.fmt_days(D("2.5")) == "2.5" and rules.fmt_days(None) == "0"


def test_chain_thresholds_follow_the_settings():
    settings = {s.key: s.value for s in (DEFAULT_LIMIT, *LEAVE.settings)} | {"supervisor_max_days": D(2), "dept_head_max_days": D(5)}
    step = lambda n: [s.key for s in leave_chain(ChainContext(applicant=APPLICANT, amount=None, data={"days": D(n)}, settings=settings))]  # noqa: E731
    assert (step("2"), step("2.5"), step("5"), step("5.5")) == (["supervisor"], ["dept_head"], ["dept_head"], ["vp"])
