"""考勤 rules (SPEC §G): lateness and early leave at the grace boundary, missing punches, a working day without a punch,
a day covered by an approved leave (whole or half) or a holiday, and reading the machine's cells."""
from datetime import date, datetime, time

import pytest

from app.hr_attend import rules

pytestmark = pytest.mark.unit

S, E = 9 * 60, 18 * 60


class Cal:
    def __init__(self, off=()):
        self.off = set(off)

    def is_workday(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.off


MON = date(2026, 6, 1)


def st(first_in, last_out, grace=0, halves=frozenset(), workday=True):
    return rules.day_status(MON, (first_in, last_out), workday, halves, S, E, grace)


def test_late_exactly_at_start_plus_grace_is_on_time():
    assert st(S, E).late == 0
    assert st(S + 1, E).late == 1
    assert st(S + 5, E, grace=5).late == 0
    assert st(S + 6, E, grace=5).late == 6  # counted from the start, not from the end of the grace


def test_early_leave_at_the_grace_boundary():
    assert st(S, E - 1).early == 1
    assert st(S, E - 10, grace=10).early == 0
    assert st(S, E - 11, grace=10).early == 11
    assert st(S, E + 30).early == 0


def test_missing_punches_and_no_punch():
    s = st(None, E)
    assert s.missing == 1 and not s.absent and s.late == 0
    s = st(S + 3, None)
    assert s.missing == 1 and s.late == 3
    s = rules.day_status(MON, None, True, frozenset(), S, E, 0)
    assert s.absent and s.text == "无打卡记录"


def test_leave_and_holiday_cover_the_day():
    assert not rules.day_status(MON, None, True, frozenset({"上午", "下午"}), S, E, 0).absent
    assert not rules.day_status(MON, None, False, frozenset(), S, E, 0).absent  # a holiday / weekend
    # half a day of leave excuses that half only
    assert st(13 * 60 + 30, E, halves=frozenset({"上午"})).late == 0
    assert st(S + 20, 12 * 60, halves=frozenset({"下午"})).early == 0
    assert st(S + 20, 12 * 60, halves=frozenset({"下午"})).late == 20


def test_month_summary_counts_one_pass():
    days = [date(2026, 6, d) for d in range(1, 8)]  # Mon 1 .. Sun 7
    cal = Cal(off={date(2026, 6, 5)})  # Friday a holiday
    punches = {date(2026, 6, 1): (S + 7, E), date(2026, 6, 2): (S, E - 15), date(2026, 6, 3): (S, None)}
    leaves = rules.leave_halves([{"start_on": date(2026, 6, 4), "start_half": "上午", "end_on": date(2026, 6, 4), "end_half": "下午"}],
                                days[0], days[-1])
    m = rules.month_summary(days, punches, cal, leaves, S, E, 0)
    assert (m.late_days, m.late_minutes, m.early_days, m.early_minutes, m.missing, m.absent_days) == (1, 7, 1, 15, 1, 0)
    m = rules.month_summary(days, punches, cal, {}, S, E, 0)
    assert m.absent_days == 1  # the 4th, without the leave


def test_leave_halves_of_a_period():
    r = {"start_on": date(2026, 6, 1), "start_half": "下午", "end_on": date(2026, 6, 3), "end_half": "上午"}
    h = rules.leave_halves([r], date(2026, 6, 1), date(2026, 6, 30))
    assert h[date(2026, 6, 1)] == {"下午"} and h[date(2026, 6, 2)] == {"上午", "下午"} and h[date(2026, 6, 3)] == {"上午"}


def test_cells():
    assert rules.parse_time("08:56", "时间") == 8 * 60 + 56
    assert rules.parse_time("9:03:59", "时间") == 9 * 60 + 3
    assert rules.parse_time(time(18, 5), "时间") == 18 * 60 + 5
    assert rules.parse_time(datetime(2026, 6, 1, 7, 1), "时间") == 7 * 60 + 1
    assert rules.parse_time(0.375, "时间") == 9 * 60
    assert rules.parse_time("", "时间") is None
    for bad in ("25:00", "abc", "9点"):
        with pytest.raises(rules.CellError):
            rules.parse_time(bad, "时间")
    assert rules.parse_day("2026/6/1", "日期") == date(2026, 6, 1)
    assert rules.parse_day("2026年6月1日", "日期") == date(2026, 6, 1)
    assert rules.parse_day("20260601", "日期") == date(2026, 6, 1)
    assert rules.parse_day("2026-06-01 08:55", "日期") == date(2026, 6, 1)
    for bad in ("2026-13-01", "六月", "1890-01-01"):
        with pytest.raises(rules.CellError):
            rules.parse_day(bad, "日期")


def test_punches_split_and_merge():
    assert rules.split_punches([8 * 60 + 50], S, E) == (8 * 60 + 50, None)
    assert rules.split_punches([18 * 60 + 2], S, E) == (None, 18 * 60 + 2)
    assert rules.split_punches([600, 530, 1090], S, E) == (530, 1090)
    assert rules.merge((540, None), (None, 1080)) == (540, 1080)
    assert rules.merge((540, 1080), (540, 1080)) == (540, 1080)
