import datetime as dt

import pytest

from app.site_patrol.rounds import SHANGHAI, completion, hhmm, missed, windows

pytestmark = pytest.mark.unit

DAY = dt.date(2026, 3, 10)


def at(day, h, m=0):
    return dt.datetime.combine(day, dt.time(h, m), SHANGHAI)


def test_hhmm():
    assert hhmm(830) == dt.time(8, 30)
    assert hhmm(1800) == dt.time(18, 0)
    assert hhmm(2599) == dt.time(23, 59)


def test_day_windows_hourly_then_night_every_two_hours_across_midnight():
    ws = windows(DAY, 830, 1800, 60, 120)
    day = [w for w in ws if not w.night]
    night = [w for w in ws if w.night]
    assert day[0].start == at(DAY, 8, 30) and day[0].end == at(DAY, 9, 30)
    assert day[-1].start == at(DAY, 17, 30) and day[-1].end == at(DAY, 18, 0)  # cut at closing
    assert len(day) == 10
    assert night[0].start == at(DAY, 18) and night[0].end == at(DAY, 20)
    nxt = DAY + dt.timedelta(days=1)
    crossing = [w for w in night if w.start.date() == DAY and w.end.date() == nxt]
    assert crossing and crossing[0].start == at(DAY, 22) and crossing[0].end == at(nxt, 0)
    assert night[-1].end == at(nxt, 8, 30)  # ends at next opening
    assert night[-1].start == at(nxt, 8)
    # contiguous, no gaps
    assert all(a.end == b.start for a, b in zip(ws, ws[1:]))


def test_closing_after_midnight():
    ws = windows(DAY, 900, 100, 60, 120)
    assert [w for w in ws if not w.night][-1].end == at(DAY + dt.timedelta(days=1), 1)


def test_missed_only_in_closed_windows():
    ws = windows(DAY, 830, 1800, 60, 120)
    scans = [(1, at(DAY, 8, 40)), (2, at(DAY, 9, 10)), (1, at(DAY, 9, 45))]
    m = missed(ws, [1, 2], scans, now=at(DAY, 10, 30))
    assert [(w.start, cp) for w, cp in m] == [(at(DAY, 9, 30), 2)]
    # a window boundary scan belongs to the later window
    m = missed(ws[:1], [1], [(1, at(DAY, 9, 30))], now=at(DAY, 23))
    assert [cp for _w, cp in m] == [1]


def test_completion():
    ws = windows(DAY, 830, 1800, 60, 120)[:2]
    c = completion(ws, [1, 2], [(1, at(DAY, 8, 40)), (2, at(DAY, 8, 50)), (1, at(DAY, 9, 40))])
    assert [p for _w, p in c] == [100, 50]
