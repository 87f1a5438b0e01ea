import datetime as dt

import pytest

from app.site_patrol.rounds import DEFAULTS, SHANGHAI
from app.site_patrol.services import patrol_day_of, window_at, window_label

pytestmark = pytest.mark.unit

S = {k: v for k, (_label, v, _tag) in DEFAULTS.items()}
DAY = dt.date(2026, 3, 31)


def at(day, h, m=0):
    return dt.datetime.combine(day, dt.time(h, m), SHANGHAI)


def test_before_opening_is_the_previous_patrol_days_night():
    nxt = DAY + dt.timedelta(days=1)
    assert patrol_day_of(at(nxt, 7), S) == DAY
    assert patrol_day_of(at(nxt, 8, 30), S) == nxt
    w = window_at(at(nxt, 7), S)
    assert w.night and w.start == at(nxt, 6) and w.end == at(nxt, 8)
    assert window_at(at(nxt, 8, 10), S).end == at(nxt, 8, 30)  # cut at the opening


def test_window_of_a_moment_in_utc_and_labels():
    w = window_at(at(DAY, 10, 45).astimezone(dt.timezone.utc), S)
    assert not w.night and w.start == at(DAY, 10, 30) and w.end == at(DAY, 11, 30)
    assert window_label(w) == "10:30–11:30"
    assert window_label(window_at(at(DAY, 23), S)) == "22:00–24:00（夜间）"
    assert window_label(window_at(at(DAY, 17, 45), S)) == "17:30–18:00"
