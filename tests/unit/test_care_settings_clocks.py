"""Care limits read back from the admin's settings, and a case's stored clocks (app/care/settings.py, clocks.py)."""
from datetime import datetime, timedelta
from decimal import Decimal

from app.care import clocks, rules, settings
from app.core.timeutil import SHANGHAI
from app.core.workdays import WorkCalendar

CAL = WorkCalendar()  # the built-in 2026 calendar: 春节 02-15..02-23 off, 02-14 and 02-28 (Saturdays) worked


def test_every_limit_is_a_setting_and_the_defaults_read_back():
    d = settings.defaults()
    assert set(d) == set(settings.LABELS)
    limits, problems = settings.build(d)
    assert problems == [] and limits == rules.DEFAULT_LIMITS
    assert d["heating_season"] == "11-15~03-15" and d["target_satisfaction_rate"] == "95.00" and d["p1_claim"] == "10000.00"


def test_an_admin_value_changes_the_rule():
    limits, problems = settings.build({**settings.defaults(), "group_min_households": "4", "p1_claim": "20000.00",
                                       "heating_season": "11-01~03-31", "target_answer_rate": "98.5"})
    assert problems == []
    assert limits.group_min_households == 4 and limits.p1_claim == Decimal("20000.00")
    assert limits.heating_season == ((11, 1), (3, 31)) and limits.targets.answer_rate == Decimal("98.5")
    assert rules.severity(rules.CaseFacts(households=4), limits)[0] == rules.P1
    assert rules.severity(rules.CaseFacts(claim_amount=Decimal("10000.00")), limits)[0] == rules.P2


def test_an_unreadable_or_inconsistent_value_falls_back_and_is_reported():
    limits, problems = settings.build({"p1_claim": "一万", "heating_season": "11-15~02-30"})
    assert limits.p1_claim == Decimal("10000.00") and limits.heating_season == ((11, 15), (3, 15))
    assert len(problems) == 2 and all("默认值" in p for p in problems)
    limits, problems = settings.build({"p2_claim": "50000.00"})  # P2 threshold above P1: every value falls back
    assert limits == rules.DEFAULT_LIMITS and any("P2 门槛" in p for p in problems)


def _case(level="P3", kind="投诉", at=datetime(2026, 2, 13, 10, 0, tzinfo=SHANGHAI)):
    return {"kind": kind, "level": level, "received_at": at, "responded_at": None, "plan_at": None, "closed_at": None}


def test_stored_dues_across_the_spring_festival_give_back_an_ended_pause():
    case = _case()
    start = case["received_at"]
    pause = [{"started_at": start + timedelta(hours=2), "ended_at": start + timedelta(hours=5)}]
    vals, repair = clocks.due_columns(case, None, [], CAL, rules.DEFAULT_LIMITS)
    # 5 WD after Fri 02-13: Sat 02-14 (make-up workday), then 02-24..02-27 → 24:00 of 02-27
    assert vals["plan_due"] == datetime(2026, 2, 28, 0, 0, tzinfo=SHANGHAI)
    assert vals["response_due"] == start + timedelta(hours=24)
    assert vals["close_due"] == datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI)  # 15 CD, calendar days do not skip holidays
    assert repair == {}
    paused, _ = clocks.due_columns(case, None, pause, CAL, rules.DEFAULT_LIMITS)
    assert {k: v - vals[k] for k, v in paused.items()} == {k: timedelta(hours=3) for k in vals}
    # an open pause is not counted in the stored dues (the worker skips paused cases)
    open_pause, _ = clocks.due_columns(case, None, [{"started_at": pause[0]["started_at"], "ended_at": None}], CAL,
                                       rules.DEFAULT_LIMITS)
    assert open_pause == vals


def test_clocks_by_kind_and_a_stopped_clock_is_measured_when_it_stopped():
    assert [s.kind for s in clocks.specs_for(_case("P1"), None, rules.DEFAULT_LIMITS)] == ["first_response", "plan"]
    assert [s.kind for s in clocks.specs_for(_case(kind="咨询"), None, rules.DEFAULT_LIMITS)] == ["first_response"]
    assert clocks.specs_for(_case(kind="表扬"), None, rules.DEFAULT_LIMITS) == []
    repair_case = _case(kind="报修")
    vals, repair = clocks.due_columns(repair_case, {"priority": "urgent"}, [], CAL, rules.DEFAULT_LIMITS)
    assert repair == {"on_site_due": repair_case["received_at"] + timedelta(hours=2), "fix_due": None}
    assert vals == {"response_due": None, "plan_due": None, "close_due": None}
    case = {**_case(), "responded_at": datetime(2026, 2, 14, 9, 59, tzinfo=SHANGHAI)}
    later = datetime(2026, 3, 10, tzinfo=SHANGHAI)
    st = {s["kind"]: s for s in clocks.statuses(case, None, [], later, CAL, rules.DEFAULT_LIMITS)}
    assert st["first_response"]["in_time"] is True  # answered within 24 h, however late it is now
    assert st["plan"]["in_time"] is None and st["plan"]["status"].state == rules.BREACHED


def test_survey_satisfaction_formula_and_its_target():
    from decimal import Decimal as D

    import pytest

    assert rules.survey_satisfaction(19, 20) == D("95.00") and rules.survey_satisfaction(0, 0) is None  # an empty month: —
    assert rules.meets_target("survey_satisfaction", D("95.00")) and not rules.meets_target("survey_satisfaction", D("94.99"))
    with pytest.raises(ValueError):
        rules.survey_satisfaction(3, 2)
    assert settings.defaults()["target_survey_satisfaction"] == "95.00"
