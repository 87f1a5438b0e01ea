"""Chinese working-day calendar.

Built-in knowledge comes from the `chinese-calendar` package (statutory holidays and 调休 make-up workdays,
2004–2026 in 1.11.0). It is never asked about a year it does not cover: there the calendar falls back to
weekends plus the overrides entered in the admin (HolidayOverride). Overrides always win.

`WorkCalendar` is pure (no I/O); `load_calendar()` reads the overrides for a date range in one query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

_SUPPORTED_YEARS: tuple[int, int] = (
    min(d.year for d in chinese_calendar.holidays),
    max(d.year for d in chinese_calendar.holidays),
)


def builtin_covers(year: int) -> bool:
    return _SUPPORTED_YEARS[0] <= year <= _SUPPORTED_YEARS[1]


def builtin_years() -> tuple[int, int]:
    return _SUPPORTED_YEARS


@dataclass(frozen=True)
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)  # day -> is_workday

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if builtin_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The date n working days after `start` (start itself does not count). n=0 gives the next
        working day on or after start. Negative n counts backwards."""
        if n == 0:
            d = start
            while not self.is_workday(d):
                d += timedelta(days=1)
            return d
        step = 1 if n > 0 else -1
        remaining = abs(n)
        d = start
        while remaining:
            d += timedelta(days=step)
            if self.is_workday(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_workday(d):
                count += 1
        return count


async def load_calendar(start: date, end: date) -> WorkCalendar:
    """Calendar with the admin's overrides between start and end (inclusive), read in one query."""
    from app.core.tables import HolidayOverride

    rows = await HolidayOverride.select(HolidayOverride.day, HolidayOverride.is_workday).where(
        (HolidayOverride.day >= start) & (HolidayOverride.day <= end)
    )
    return WorkCalendar({r["day"]: r["is_workday"] for r in rows})


async def add_working_days(start: date, n: int) -> date:
    span = timedelta(days=abs(n) * 3 + 60)
    cal = await load_calendar(start - (span if n < 0 else timedelta(0)), start + (span if n > 0 else timedelta(days=60)))
    return cal.add_working_days(start, n)


async def working_days_between(start: date, end: date) -> int:
    cal = await load_calendar(min(start, end), max(start, end))
    return cal.working_days_between(start, end)


async def missing_schedule_years(today: date) -> list[int]:
    """Years (this one and the next) that neither the built-in calendar nor any override covers.

    The administrators are told, so they enter the official schedule when the State Council publishes it."""
    from app.core.tables import HolidayOverride

    missing = []
    for year in (today.year, today.year + 1):
        if builtin_covers(year):
            continue
        n = await HolidayOverride.count().where(
            (HolidayOverride.day >= date(year, 1, 1)) & (HolidayOverride.day <= date(year, 12, 31))
        )
        if n == 0:
            missing.append(year)
    return missing
