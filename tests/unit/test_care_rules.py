"""Care rules (SPEC D1–D5): severity and handler boundaries, compensation approvers, SLA clocks with pauses across
the 2026 Spring Festival and its make-up workdays, repeat/reopen windows, warranty boundary days, callbacks, KPIs."""
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest

from app.care import rules as r
from app.care.rules import CareLimits, CaseFacts
from app.core.permissions import ROLES
from app.core.timeutil import SHANGHAI
from app.core.workdays import WorkCalendar

pytestmark = pytest.mark.unit
cal = WorkCalendar()  # built-in 2026 schedule: 春节 02-15..02-23 off, 02-14 and 02-28 (Saturdays) worked


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


# ------------------------------------------------------------------ severity

@pytest.mark.parametrize("facts, level", [
    (CaseFacts(claim_amount=D("9999.99")), "P2"),
    (CaseFacts(claim_amount=D("10000.00")), "P1"),
    (CaseFacts(claim_amount=D("999.99")), "P3"),
    (CaseFacts(claim_amount=D("1000.00")), "P2"),
    (CaseFacts(households=4), "P3"),
    (CaseFacts(households=5), "P1"),
    (CaseFacts(safety_risk=True), "P1"),
    (CaseFacts(media=True), "P1"),
    (CaseFacts(lawsuit_threatened=True), "P1"),
    (CaseFacts(petition_threatened=True), "P1"),
    (CaseFacts(repeat=True), "P2"),
    (CaseFacts(home_unusable=True), "P2"),
    (CaseFacts(), "P3"),
])
def test_severity_boundaries(facts, level):
    got, reasons = r.severity(facts)
    assert got == level and reasons and all(isinstance(x, str) for x in reasons)


def test_severity_reasons_and_configurable_households():
    level, reasons = r.severity(CaseFacts(households=6, claim_amount=D("10000.00"), repeat=True))
    assert level == "P1" and len(reasons) == 2 and "群诉" in reasons[0] and "10,000.00" in reasons[1]
    assert r.severity(CaseFacts(households=4), CareLimits(group_min_households=4))[0] == "P1"
    with pytest.raises(ValueError):
        r.severity(CaseFacts(claim_amount=D("1000.001")))


def test_override_needs_a_reason():
    assert r.override_severity("P3", "P1", "  ") == ("P3", "调整投诉等级必须填写原因")
    assert r.override_severity("P3", "P4", "x")[1] == "请选择 P1、P2 或 P3"
    assert r.override_severity("P3", "P1", "客户情绪激动，有扩大风险") == ("P1", None)


def test_handlers_and_gm_information():
    assert r.handler_roles("P3") == ("cr_officer", "complaint_officer")
    assert r.handler_roles("P2", D("9999.99")) == ("complaint_supervisor",)
    assert r.handler_roles("P1") == ("dept_head",)
    assert r.handler_roles("P3", D("10000.00")) == ("dept_head",)  # overridden down, the claim still decides
    assert r.handler_roles("P1", D("100000.00")) == ("gm",)
    assert r.inform_gm_at_intake(CaseFacts(households=5)) and r.inform_gm_at_intake(CaseFacts(media=True))
    assert not r.inform_gm_at_intake(CaseFacts(households=4, claim_amount=D("9999.99")))  # P2: the department settles it
    assert r.inform_gm_at_intake(CaseFacts(claim_amount=D("10000.00")))  # every P1 (issue 9 acceptance: a P1 claim)
    assert r.inform_gm_at_intake(CaseFacts(safety_risk=True)) and r.inform_gm_at_intake(CaseFacts(lawsuit_threatened=True))
    assert r.gm_takes_over(CaseFacts(media=True), plan_breached=True) and not r.gm_takes_over(CaseFacts(media=True), False)
    for role in ("dept_head", "gm", "president", "supervisor"):  # reused codes exist
        assert role in ROLES


@pytest.mark.parametrize("amount, approver", [
    ("0.01", "complaint_supervisor"), ("999.99", "complaint_supervisor"), ("1000.00", "dept_head"),
    ("9999.99", "dept_head"), ("10000.00", "gm"), ("99999.99", "gm"), ("100000.00", "president"),
])
def test_compensation_approver_boundaries(amount, approver):
    assert r.compensation_approver(D(amount)) == approver


def test_compensation_rejects_zero_and_three_decimals():
    for bad in (D("0"), D("-1.00"), D("10.001")):
        with pytest.raises(ValueError):
            r.compensation_approver(bad)


# ------------------------------------------------------------------ SLA clocks

def test_working_day_plan_clock_across_spring_festival_with_pauses():
    plan = r.sla_specs("P2")[1]
    assert (plan.amount, plan.unit) == (3, r.WORKING_DAYS)
    start = at(2026, 2, 12, 10)  # Thursday
    # 3 WD after 02-12: 02-13, 02-14 (make-up Saturday), 02-24 (after 春节) → due at 24:00 of 02-24
    assert r.base_due(plan, start, cal) == at(2026, 2, 25)
    pauses = [(at(2026, 2, 13, 18), at(2026, 2, 14, 6)),  # 6 h + 6 h on working days: given back
              (at(2026, 2, 16, 9), at(2026, 2, 20, 9))]  # inside the holiday: gives nothing back
    s = r.clock_status(plan, start, pauses, at(2026, 2, 24, 12), cal)
    assert s.budget == timedelta(hours=86)  # 14 h of 02-12 + 3 whole working days
    assert s.paused == timedelta(hours=12)
    assert s.elapsed == timedelta(hours=62) and s.remaining == timedelta(hours=24)
    assert s.due == at(2026, 2, 25, 12) and s.state == "正常" and s.fraction == D("0.7209")
    amber = r.clock_status(plan, start, pauses, at(2026, 2, 25, 6), cal)
    assert amber.state == "将到期" and amber.remaining == timedelta(hours=6)
    assert r.clock_status(plan, start, pauses, at(2026, 2, 25, 12), cal).state == "将到期"  # at the due moment: in time
    late = r.clock_status(plan, start, pauses, at(2026, 2, 25, 12, 1), cal)
    assert late.state == "已超时" and late.overdue == timedelta(minutes=1) and late.remaining == timedelta(0)
    assert r.met_in_time(plan, start, pauses, at(2026, 2, 25, 12), cal)
    assert not r.met_in_time(plan, start, pauses, at(2026, 2, 25, 12, 1), cal)


def test_open_pause_and_the_second_make_up_saturday():
    plan = r.sla_specs("P2")[1]
    start = at(2026, 2, 12, 10)
    pauses = [(at(2026, 2, 13, 18), at(2026, 2, 14, 6)), (at(2026, 2, 24, 8), None)]  # still waiting on the customer
    s = r.clock_status(plan, start, pauses, at(2026, 2, 24, 20), cal)
    assert s.state == "已暂停" and s.is_paused
    assert s.elapsed == timedelta(hours=14 + 24 + 24 + 8 - 12) and s.paused == timedelta(hours=24)
    assert s.due == at(2026, 2, 26)  # as if the customer answered now: 4 h of 02-24 + all of 02-25
    # A breached clock stays 已超时 while paused
    breached = r.clock_status(plan, start, [(at(2026, 2, 25, 1), None)], at(2026, 2, 26, 9), cal)
    assert breached.state == "已超时"
    # P3 plan 5 WD from Tue 02-24: 02-25, 26, 27, 28 (make-up Saturday), 03-02
    p3plan = r.sla_specs("P3")[1]
    assert r.base_due(p3plan, at(2026, 2, 24, 10), cal) == at(2026, 3, 3)


def test_calendar_day_and_hour_clocks():
    close = r.sla_specs("P2")[2]
    start = at(2026, 2, 12, 10)
    assert r.base_due(close, start, cal) == at(2026, 2, 20)  # 7 CD, not moved off the holiday
    assert r.base_due(close, start, cal, CareLimits(calendar_days_roll_to_workday=True)) == at(2026, 2, 25)
    assert r.clock_status(close, start, [(at(2026, 2, 13, 18), at(2026, 2, 14, 6))], start, cal).due == at(2026, 2, 20, 12)
    assert [c.kind for c in r.sla_specs("P1")] == ["first_response", "plan"]  # P1 closes per plan
    resp = r.sla_specs("P1")[0]  # 1 h, 24×7: a night in the holiday counts
    s0 = at(2026, 2, 17, 23, 30)
    assert r.clock_status(resp, s0, [], at(2026, 2, 18, 0, 17), cal).state == "正常"
    a = r.clock_status(resp, s0, [], at(2026, 2, 18, 0, 18), cal)
    assert a.state == "将到期" and a.fraction == D("0.8000") and a.due == at(2026, 2, 18, 0, 30)
    assert r.clock_status(resp, s0, [], at(2026, 2, 18, 0, 18), cal, CareLimits(amber_fraction=D("0.90"))).state == "正常"
    assert r.clock_status(resp, s0, [], at(2026, 2, 18, 0, 31), cal).state == "已超时"
    assert r.sla_specs("P2")[0].amount == 4 and r.sla_specs("P3")[0].amount == 24
    with pytest.raises(ValueError):
        r.clock_status(resp, datetime(2026, 2, 17, 23, 30), [], at(2026, 2, 18), cal)  # naive time


def test_escalation_and_notifications():
    assert r.escalation("P3") == ("P2", "complaint_supervisor")
    assert r.escalation("P2") == ("P1", "dept_head")
    assert r.escalation("P1") == ("P1", "gm")
    resp = r.sla_specs("P3")[0]
    s0 = at(2026, 3, 2, 9)
    assert r.notify_roles(r.clock_status(resp, s0, [], at(2026, 3, 3, 8), cal)) == ()
    assert r.notify_roles(r.clock_status(resp, s0, [], at(2026, 3, 3, 10), cal)) == ("supervisor",)
    assert r.notify_roles(r.clock_status(resp, s0, [], at(2026, 3, 4, 9), cal)) == ("supervisor", "dept_head")


# ------------------------------------------------------------------ repeat, reopen, not accepted

def test_repeat_window_boundary():
    earlier = [(date(2026, 4, 1), "工程质量"), (date(2026, 6, 1), "物业")]
    assert r.is_repeat_complaint(date(2026, 6, 30), "工程质量", earlier)  # day 90
    assert not r.is_repeat_complaint(date(2026, 7, 1), "工程质量", earlier)  # day 91
    assert not r.is_repeat_complaint(date(2026, 6, 30), "配套", earlier)
    assert r.is_repeat_complaint(date(2026, 7, 1), "工程质量", earlier, CareLimits(repeat_window_days=91))
    assert not r.is_repeat_complaint(date(2026, 3, 1), "工程质量", earlier)  # a later complaint is not "earlier"


def test_reopen_window_and_not_accepted_reason():
    assert r.reopen_error(date(2026, 3, 1), date(2026, 3, 31)) is None  # day 30
    assert "30 天" in r.reopen_error(date(2026, 3, 1), date(2026, 4, 1))  # day 31
    assert r.reopen_error(date(2026, 3, 1), date(2026, 4, 1), CareLimits(reopen_window_days=31)) is None
    assert r.not_accepted_error(" ") == "不予受理必须填写原因"
    assert r.not_accepted_error("非本公司开发项目") is None


# ------------------------------------------------------------------ warranty

@pytest.mark.parametrize("element, last_day", [
    (r.WATERPROOF_ROOF, date(2031, 3, 1)), (r.WATERPROOF_WET_ROOM, date(2031, 3, 1)),
    (r.WATERPROOF_EXTERIOR_WALL, date(2031, 3, 1)), (r.ELECTRICAL, date(2028, 3, 1)), (r.PLUMBING, date(2028, 3, 1)),
    (r.EQUIPMENT, date(2028, 3, 1)), (r.FINISHES, date(2028, 3, 1)), (r.STRUCTURE, date(2076, 3, 1)),
    (r.HEATING, date(2028, 3, 15)), (r.COOLING, date(2027, 9, 30)),
])
def test_warranty_boundary_day(element, last_day):
    handover = date(2026, 3, 1)
    inside = r.warranty(element, handover, last_day)
    assert inside == (True, last_day, inside.basis) and "第四十条" in inside.basis and "第三十三条" in inside.basis
    assert r.out_of_warranty_route(inside) is None
    outside = r.warranty(element, handover, last_day + timedelta(days=1))
    assert not outside.in_warranty and outside.until == last_day
    route, reason = r.out_of_warranty_route(outside)
    assert route == "物业" and "已过保修期" in reason and "有偿" in reason


def test_heating_seasons_counted_from_handover():
    # Handed over in summer: the seasons 2026/27 and 2027/28
    assert r.warranty(r.HEATING, date(2026, 6, 1), date(2028, 3, 15)).until == date(2028, 3, 15)
    # Handed over on a season's first day: that season counts
    assert r.warranty(r.HEATING, date(2026, 11, 15), date(2027, 1, 1)).until == date(2028, 3, 15)
    # Handed over mid-season: by default the season under way does not count
    assert r.warranty(r.HEATING, date(2026, 12, 1), date(2029, 3, 15)) [:2] == (True, date(2029, 3, 15))
    assert r.warranty(r.HEATING, date(2026, 12, 1), date(2029, 3, 16)).in_warranty is False
    assert r.warranty(r.HEATING, date(2026, 12, 1), date(2027, 1, 1), CareLimits(partial_season_counts=True)).until == date(2028, 3, 15)
    # A local season and the design life are parameters
    local = CareLimits(heating_season=((10, 15), (4, 15)), design_life_years=70)
    assert r.warranty(r.HEATING, date(2026, 6, 1), date(2028, 4, 15), local).until == date(2028, 4, 15)
    assert r.warranty(r.STRUCTURE, date(2026, 6, 1), date(2026, 6, 2), local).until == date(2096, 6, 1)
    assert "采暖期" in r.warranty(r.HEATING, date(2026, 6, 1), date(2026, 7, 1)).basis


def test_warranty_edge_cases():
    # 29 February: no corresponding day → the month's last day
    assert r.warranty(r.FINISHES, date(2024, 2, 29), date(2026, 2, 28)) [:2] == (True, date(2026, 2, 28))
    assert not r.warranty(r.FINISHES, date(2024, 2, 29), date(2026, 3, 1)).in_warranty
    assert "第二百零二条" in r.warranty(r.FINISHES, date(2024, 2, 29), date(2026, 2, 28)).basis
    no_handover = r.warranty(r.FINISHES, None, date(2026, 3, 1))
    assert no_handover[:2] == (False, None) and "交付日期" in no_handover.basis
    assert not r.warranty(r.FINISHES, date(2026, 3, 1), date(2026, 2, 28)).in_warranty
    with pytest.raises(ValueError):
        r.warranty("roof", date(2026, 3, 1), date(2026, 3, 1))


def test_repair_sla():
    urgent = r.repair_specs("urgent")[0]
    s0 = at(2026, 2, 16, 22)  # 春节 night: 24×7
    assert r.base_due(urgent, s0, cal) == at(2026, 2, 17, 0)
    on_site, fix = r.repair_specs("normal")
    assert (on_site.amount, on_site.unit, fix.amount, fix.unit) == (24, r.HOURS, 7, r.WORKING_DAYS)
    # 7 WD after 02-13: 02-14, 24, 25, 26, 27, 28, 03-02
    assert r.base_due(fix, at(2026, 2, 13, 10), cal) == at(2026, 3, 3)
    assert r.base_due(r.repair_specs("complex")[0], at(2026, 2, 13, 10), cal) == at(2026, 2, 28)  # 14, 24, 25, 26, 27
    with pytest.raises(ValueError):
        r.repair_specs("asap")


# ------------------------------------------------------------------ callbacks

def test_callback_rules():
    # Closed Friday 02-13: 3 WD are 02-14 (make-up), 02-24, 02-25 → due at 24:00 of 02-25
    assert r.callback_due(at(2026, 2, 13, 15), cal) == at(2026, 2, 26)
    assert r.callback_caller_error(7, [7, 9]) == "回访人不能是该投诉的处理人，请由其他人员回访"
    assert r.callback_caller_error(8, [7, 9]) is None and r.callback_caller_error(None, [7]) == "请选择回访人"
    assert r.callback_outcome(2) == ("不满意", False, True, "complaint_supervisor")
    assert r.callback_outcome(1).reopen and r.callback_outcome(1).label == "非常不满意"
    assert r.callback_outcome(3) == ("一般", False, False, None)
    assert r.callback_outcome(4).satisfied and r.callback_outcome(5).satisfied and not r.callback_outcome(5).reopen
    with pytest.raises(ValueError):
        r.callback_outcome(0)


# ------------------------------------------------------------------ KPIs

def test_kpis_on_fixed_data():
    assert r.answer_rate(95, 105, 5) == D("95.00")
    assert r.satisfaction_rate(60, 30, 95) == D("94.74")
    assert r.meets_target("satisfaction_rate", D("94.74")) is False and r.meets_target("satisfaction_rate", D("95.00"))
    assert r.on_time_rate(19, 20) == D("95.00") and r.meets_target("on_time_rate", D("95.00")) is False
    assert r.on_time_rate(20, 20) == D("100.00") and r.meets_target("on_time_rate", D("100.00"))
    assert r.complaint_satisfaction_rate(9, 10) == D("90.00") and r.meets_target("complaint_satisfaction_rate", D("90.00"))
    assert r.record_accuracy(200, 1) == D("99.50")
    assert r.follow_up_rate(2, 3) == D("66.67")
    assert r.renovation_efficiency(10, 8) == D("20.00") and r.meets_target("renovation_efficiency", D("20.00"))
    assert r.renovation_efficiency(D("10.0"), D("12.0")) == D("-20.00")
    assert r.kpi_text(D("94.74")) == "94.74%"


def test_kpis_in_an_empty_month():
    empty = [r.answer_rate(0, 0, 0), r.answer_rate(0, 3, 3), r.satisfaction_rate(0, 0, 0), r.on_time_rate(0, 0),
             r.complaint_satisfaction_rate(0, 0), r.record_accuracy(0, 0), r.follow_up_rate(0, 0),
             r.renovation_efficiency(0, 0)]
    assert empty == [None] * 8
    assert r.kpi_text(None) == "—" and r.meets_target("answer_rate", None) is None


def test_kpi_inputs_are_checked_and_targets_configurable():
    for bad in (lambda: r.answer_rate(10, 5, 0), lambda: r.satisfaction_rate(-1, 0, 5), lambda: r.record_accuracy(3, 4),
                lambda: r.meets_target("nps", D("1"))):
        with pytest.raises(ValueError):
            bad()
    limits = CareLimits(targets=r.KpiTargets(satisfaction_rate=D("90.00")))
    assert r.meets_target("satisfaction_rate", D("94.74"), limits)


def test_sla_deadlines_by_level():
    start = at(2026, 2, 12, 10)
    assert r.sla_deadlines("P1", start, cal) == {"first_response": at(2026, 2, 12, 11), "plan": at(2026, 2, 13, 10), "close": None}
    assert r.sla_deadlines("P2", start, cal) == {"first_response": at(2026, 2, 12, 14), "plan": at(2026, 2, 25), "close": at(2026, 2, 20)}
    # P3 plan 5 WD: 02-13, 02-14, 02-24, 02-25, 02-26; close 15 CD: 02-27 → 24:00
    assert r.sla_deadlines("P3", start, cal) == {"first_response": at(2026, 2, 13, 10), "plan": at(2026, 2, 27), "close": at(2026, 2, 28)}
    with pytest.raises(ValueError):
        r.sla_deadlines("P4", start, cal)


def test_limits_are_checked_for_the_settings_form():
    assert r.limits_errors(CareLimits()) == []
    bad = CareLimits(group_min_households=0, p2_claim=D("20000.00"), comp_manager_below=D("500.00"),
                     amber_fraction=D("1.2"), heating_season=((2, 30), (3, 15)))
    errors = r.limits_errors(bad)
    assert len(errors) == 5 and "群诉户数必须为正整数" in errors and any("采暖期" in e for e in errors)
