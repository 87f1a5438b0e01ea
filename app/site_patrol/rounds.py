"""Patrol rounds as pure functions (SPEC §F3.4): the round windows of a patrol day and the checkpoints missed in them.

A patrol day D runs from the sales office's opening time on D to the opening time on D+1: while the office is open
a round every `day_every` minutes, after closing a round every `night_every` minutes; night windows cross midnight.
The last window before a boundary (closing / next opening) is cut short at that boundary.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# every configurable value lives in SiteSetting (app.site.settings); open/close as HHMM integers (830 = 08:30)
DEFAULTS = {
    "patrol_open_hhmm": ("巡更：售楼处开放时间（时分，如 830 表示 08:30）", 830, "C"),
    "patrol_close_hhmm": ("巡更：售楼处关闭时间（时分，如 1800 表示 18:00）", 1800, "C"),
    "patrol_day_every_min": ("巡更：开放时段每轮间隔（分钟）", 60, "C"),
    "patrol_night_every_min": ("巡更：夜间每轮间隔（分钟）", 120, "C"),
}


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime
    night: bool

    def contains(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


def hhmm(value: int) -> dt.time:
    """830 → 08:30; out-of-range values are clamped into the day."""
    h, m = divmod(max(0, int(value)), 100)
    return dt.time(min(h, 23), min(m, 59))


def _split(start: dt.datetime, end: dt.datetime, every: int, night: bool) -> list[Window]:
    step = dt.timedelta(minutes=max(1, every))
    out, t = [], start
    while t < end:
        out.append(Window(t, min(t + step, end), night))
        t += step
    return out


def windows(day: dt.date, open_hhmm: int, close_hhmm: int, day_every: int, night_every: int,
            tz: dt.tzinfo = SHANGHAI) -> list[Window]:
    """The round windows of patrol day `day`, in order, from opening on `day` to opening on the next day."""
    o, c = hhmm(open_hhmm), hhmm(close_hhmm)
    opens = dt.datetime.combine(day, o, tz)
    closes = dt.datetime.combine(day, c, tz)
    if closes <= opens:  # closing after midnight
        closes += dt.timedelta(days=1)
    next_open = dt.datetime.combine(day + dt.timedelta(days=1), o, tz)
    closes = min(closes, next_open)
    return _split(opens, closes, day_every, False) + _split(closes, next_open, night_every, True)


def settings_windows(day: dt.date, s: dict[str, int]) -> list[Window]:
    return windows(day, s["patrol_open_hhmm"], s["patrol_close_hhmm"], s["patrol_day_every_min"],
                   s["patrol_night_every_min"])


def missed(wins: Iterable[Window], checkpoints: Iterable[int], scans: Iterable[tuple[int, dt.datetime]],
           now: dt.datetime) -> list[tuple[Window, int]]:
    """(window, checkpoint) pairs of windows already closed at `now` in which the checkpoint has no scan."""
    cps = list(checkpoints)
    scans = list(scans)
    out = []
    for w in wins:
        if w.end > now:
            continue
        seen = {cp for cp, at in scans if w.contains(at)}
        out.extend((w, cp) for cp in cps if cp not in seen)
    return out


def completion(wins: Iterable[Window], checkpoints: Iterable[int], scans: Iterable[tuple[int, dt.datetime]]
               ) -> list[tuple[Window, int]]:
    """Per window the percentage (0–100) of checkpoints scanned at least once in it."""
    cps = set(checkpoints)
    scans = list(scans)
    out = []
    for w in wins:
        seen = {cp for cp, at in scans if w.contains(at) and cp in cps}
        out.append((w, round(100 * len(seen) / len(cps)) if cps else 100))
    return out
