"""The roster checks (SPEC §F2): coverage per post and slot, the special days' extra staff, 12 hours at a stretch,
overlaps, a rest day every week — with a night shift crossing midnight at a month's end counted on both days."""
from datetime import date, time

import pytest

from app.site.services import Slot
from app.site_roster import rules
from app.site_roster.rules import Entry, Post

pytestmark = pytest.mark.unit

DAY = Slot(1, 1, "白班", time(8), time(20))
NIGHT = Slot(2, 1, "夜班", time(20), time(8))
EARLY = Slot(3, 2, "早班", time(8), time(16))
LATE = Slot(4, 2, "中班", time(16), time(0))
SMALL = Slot(5, 2, "夜班", time(0), time(8))
SLOTS = [DAY, NIGHT, EARLY, LATE, SMALL]
GATE = Post(10, "门岗", 1)
CCTV = Post(11, "监控", 1, night_only=True)
PEOPLE = {1: "甲", 2: "乙", 3: "丙"}


def kinds(problems):
    return sorted({p.kind for p in problems})


def test_night_slots_are_those_working_between_midnight_and_six():
    assert rules.is_night(NIGHT) and rules.is_night(SMALL)
    assert not rules.is_night(DAY) and not rules.is_night(EARLY) and not rules.is_night(LATE)  # 16–24 ends at midnight
    assert rules.post_slots(GATE, SLOTS) == [DAY] and rules.post_slots(CCTV, SLOTS) == [NIGHT]


def test_a_night_shift_at_the_months_end_counts_on_both_days():
    e = Entry(date(2026, 12, 31), NIGHT.id, CCTV.id, 1)
    hours = rules.hours_by_day([e], SLOTS)
    assert hours == {(1, date(2026, 12, 31)): 4.0, (1, date(2027, 1, 1)): 8.0}
    dec = {r["worker"]: r for r in rules.summary(date(2026, 12, 1), [e], SLOTS, PEOPLE)}
    assert dec[1]["hours"] == 4.0 and dec[1]["shifts"] == 1 and dec[1]["rest"] == 30  # the 31st is worked
    # January: 1 January is a worked day, and a day shift right after the night is 24 hours at a stretch
    after = [Entry(date(2027, 1, 1), DAY.id, GATE.id, 1)]
    problems = rules.check(date(2027, 1, 1), [GATE], SLOTS, after, {1: "甲"}, prior=[e])
    hours_problems = [p for p in problems if p.kind == "工时"]
    assert len(hours_problems) == 1 and "连续工作 24 小时" in hours_problems[0].text and hours_problems[0].day == date(2026, 12, 31)
    # the same night counted in December only (the shift is December's): January's check blames nothing on it alone
    alone = rules.check(date(2027, 1, 1), [], SLOTS, [], {1: "甲"}, prior=[e])
    assert alone == []


def test_a_week_with_no_rest_day_is_named_and_a_night_runs_into_the_rest_day():
    # December 2026: Monday 7 to Sunday 13. Worker 1 works a day shift every day of that week.
    week = [Entry(date(2026, 12, d), DAY.id, GATE.id, 1) for d in range(7, 14)]
    problems = [p for p in rules.check(date(2026, 12, 1), [], SLOTS, week, {1: "甲"}) if p.kind == "休息"]
    assert len(problems) == 1 and "12月7日（周一）至12月13日（周日）这一周没有休息日" in problems[0].text
    # six day shifts and Sunday free: rested
    six = week[:-1]
    assert not [p for p in rules.check(date(2026, 12, 1), [], SLOTS, six, {1: "甲"}) if p.kind == "休息"]
    # six day shifts and a night on Saturday running into Sunday: Sunday is worked, no rest day
    night_sat = six[:-1] + [Entry(date(2026, 12, 12), NIGHT.id, CCTV.id, 1)]
    assert [p for p in rules.check(date(2026, 12, 1), [], SLOTS, night_sat, {1: "甲"}) if p.kind == "休息"]


def test_the_week_across_the_months_start_uses_the_previous_month():
    # January 2027 starts on a Friday: the week 28 December – 3 January
    prior = [Entry(date(2026, 12, d), DAY.id, GATE.id, 1) for d in (28, 29, 30, 31)]
    jan = [Entry(date(2027, 1, d), DAY.id, GATE.id, 1) for d in (1, 2, 3)]
    assert [p for p in rules.check(date(2027, 1, 1), [], SLOTS, jan, {1: "甲"}, prior=prior) if p.kind == "休息"]
    assert not [p for p in rules.check(date(2027, 1, 1), [], SLOTS, jan, {1: "甲"}, prior=prior[1:]) if p.kind == "休息"]
    # no previous roster: that week is not judged on three days
    assert not [p for p in rules.check(date(2027, 1, 1), [], SLOTS, jan, {1: "甲"}) if p.kind == "休息"]


def test_twelve_hours_overlap_and_the_wrong_slot():
    d = date(2026, 12, 2)
    back_to_back = [Entry(d, EARLY.id, 12, 1), Entry(d, LATE.id, 12, 1)]  # 08–16 then 16–24: 16 hours
    three = Post(12, "巡逻", 2)
    problems = [p for p in rules.check(date(2026, 12, 1), [three], SLOTS, back_to_back, PEOPLE) if p.kind not in ("覆盖",)]
    assert kinds(problems) == ["工时"] and "连续工作 16 小时，超过 12 小时" in problems[0].text
    assert not [p for p in rules.check(date(2026, 12, 1), [three], SLOTS, back_to_back, PEOPLE, max_hours=16) if p.kind != "覆盖"]
    twice = [Entry(d, DAY.id, GATE.id, 2), Entry(d, EARLY.id, three.id, 2)]
    assert "重叠" in kinds(rules.check(date(2026, 12, 1), [GATE, three], SLOTS, twice, PEOPLE))
    wrong = [Entry(d, NIGHT.id, GATE.id, 3)]
    assert any(p.kind == "班次" and "门岗只在白天班次设岗" in p.text for p in rules.check(date(2026, 12, 1), [GATE], SLOTS, wrong, PEOPLE))


def test_coverage_and_the_extra_staff_of_a_special_day():
    first = date(2026, 12, 1)
    full = [Entry(d, DAY.id, GATE.id, 1 + d.day % 3) for d in rules.month_days(first)]
    assert not [p for p in rules.check(first, [GATE], SLOTS, full, PEOPLE) if p.kind in ("覆盖", "加派")]
    gap = [e for e in full if e.day != date(2026, 12, 9)]
    cov = [p for p in rules.check(first, [GATE], SLOTS, gap, PEOPLE) if p.kind == "覆盖"]
    assert len(cov) == 1 and cov[0].text == "12月9日（周三） 门岗 白班：需 1 人，已排 0 人"
    events = {date(2026, 12, 20): ("开盘", 2)}
    extra = [p for p in rules.check(first, [GATE, CCTV], SLOTS, full, PEOPLE, events) if p.kind == "加派"]
    assert len(extra) == 1 and "开盘：门岗 白班需加派 2 人（共 3 人），已排 1 人" in extra[0].text


def test_the_draft_generator_covers_a_month_and_passes_its_own_checks():
    first = date(2027, 1, 1)
    posts = [Post(20 + i, f"岗{i}", 1) for i in range(5)] + [CCTV]
    people = {i: f"人{i}" for i in range(1, 12)}
    entries = rules.generate(first, posts, SLOTS, list(people))
    assert rules.check(first, posts, SLOTS, entries, people) == []
    # an 开盘 day calls for 5 more people on the day posts: the draft fills them from the people resting that day
    events = {date(2027, 1, 16): ("开盘", 1)}
    entries = rules.generate(first, posts, SLOTS, list(people), events)
    assert not [p for p in rules.check(first, posts, SLOTS, entries, people, events) if p.kind in ("覆盖", "加派", "工时", "重叠")]
