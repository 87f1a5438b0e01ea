"""Chinese working-day calendar.

Built-in knowledge comes from the `chinese-calendar` package (statutory holidays and 调休 make-up workdays,
2004–2026 in 1.11.0). It is never asked about a year it does not cover: there the calendar falls back to
weekends plus the overrides entered by the administrator (HolidayOverride). Overrides always win.

A year is *covered* when the package knows it or the administrator has entered its whole official schedule
(HolidayYear, through the form at /holidays). A clock that looks at a day of an uncovered year notes that year for
the current request (`touched_uncovered_years()`), and every page rendered in that request shows a notice
(templates/_partials/calendar_notice.html): its deadlines are computed from weekends only.

`WorkCalendar` is pure (no I/O); `load_calendar()` reads a range's overrides and entered years in two queries.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

# The uncovered years the clocks of the current request have looked at. Reset at the start of every request
# (SessionAuthMiddleware); a context variable belongs to the request's task, so nothing survives a request.
_TOUCHED: ContextVar[set[int] | None] = ContextVar("portal_uncovered_years", default=None)


@contextmanager
def calendar_notice_muted():
    """Deadlines computed inside do not raise the page's "calendar not entered" notice (a cut-off that looks past
    today to find what is overdue does not depend on a year whose holidays are missing)."""
    token = _TOUCHED.set(None)
    try:
        yield
    finally:
        _TOUCHED.reset(token)


# The calendar the current request has loaded (a window of years, two queries), so that a page computing deadlines for
# hundreds of rows reads the overrides once. Reset at the start of every request and when a year is entered; outside a
# request (the workers) nothing is kept unless the caller opens `calendar_cache()`.
_CACHE: ContextVar[dict | None] = ContextVar("portal_calendar_cache", default=None)
CACHE_YEARS_BACK, CACHE_YEARS_AHEAD = 2, 3
CALENDAR_KEY = "workdays.calendar"  # the loaded window kept by the process while the data version holds (app/core/memo.py)


def begin_request() -> None:
    _TOUCHED.set(set())
    _CACHE.set({})


@contextmanager
def calendar_cache():
    """Keep the loaded calendar for the duration of the block (a worker's pass)."""
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def forget_calendar() -> None:
    """Drop the current request's calendar (its overrides changed)."""
    cache = _CACHE.get()
    if cache is not None:
        cache.clear()
    from app.core import memo

    memo.drop(CALENDAR_KEY)


async def calendar_for(start: date, end: date) -> WorkCalendar:
    """A calendar that knows every day from `start` to `end`: the request's loaded window when it covers them, else
    one loaded for a window wide enough for the rest of the request (two queries)."""
    cache = _CACHE.get()
    if cache is None:
        return await load_calendar(start, end)
    window = cache.get("window")
    if window and window[0] <= start and end <= window[1]:
        return cache["calendar"]
    from app.core.timeutil import today_local

    today = today_local()
    lo = min(start, date(today.year - CACHE_YEARS_BACK, 1, 1), *( [window[0]] if window else []))
    hi = max(end, date(today.year + CACHE_YEARS_AHEAD, 12, 31), *( [window[1]] if window else []))
    from app.core import memo

    cache["calendar"] = await memo.kept(f"{CALENDAR_KEY} {lo} {hi}", lambda: load_calendar(lo, hi))  # read-only
    cache["window"] = (lo, hi)
    return cache["calendar"]


async def end_request(message, scope) -> None:
    """A `before_send` hook: once the response starts, the request's notes are dropped (an ASGI server gives every
    request its own task, but a test client may run several requests in one)."""
    if message["type"] == "http.response.start":
        _TOUCHED.set(None)
        _CACHE.set(None)


def touched_uncovered_years() -> list[int]:
    return sorted(_TOUCHED.get() or ())

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
    entered_years: frozenset[int] = frozenset()  # years whose whole schedule the administrator entered

    def covers(self, year: int) -> bool:
        return builtin_covers(year) or year in self.entered_years

    def is_workday(self, day: date) -> bool:
        if not self.covers(day.year):
            touched = _TOUCHED.get()
            if touched is not None:
                touched.add(day.year)
        if day in self.overrides:
            return self.overrides[day]
        if builtin_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_calendar_days(self, start: date, days: int) -> date:
        """A period of `days` calendar days from `start`, under 民法典 第二百零三条: 期间的最后一日是法定休假日的，
        以法定休假日结束的次日为期间的最后一日 — a last day on a rest day (statutory holiday or weekend that is
        not a 调休 working day) moves to the next working day."""
        return self.next_workday(start + timedelta(days=days))

    def add_working_days(self, start: date, n: int) -> date:
        """The date n working days after `start` (start itself does not count). n=0 gives the next
        working day on or after start. Negative n counts backwards."""
        if n == 0:
            return self.next_workday(start)
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
    """Calendar with the admin's overrides between start and end (inclusive) and the years entered whole:
    two queries for the whole range, never one per day."""
    from app.core.tables import HolidayOverride, HolidayYear

    rows = await HolidayOverride.select(HolidayOverride.day, HolidayOverride.is_workday).where(
        (HolidayOverride.day >= start) & (HolidayOverride.day <= end)
    )
    years = await HolidayYear.select(HolidayYear.year).where(
        (HolidayYear.year >= start.year) & (HolidayYear.year <= end.year)
    )
    return WorkCalendar({r["day"]: r["is_workday"] for r in rows}, frozenset(r["year"] for r in years))


async def add_working_days(start: date, n: int) -> date:
    span = timedelta(days=abs(n) * 3 + 60)
    cal = await calendar_for(start - (span if n < 0 else timedelta(0)), start + (span if n > 0 else timedelta(days=60)))
    return cal.add_working_days(start, n)


async def working_days_between(start: date, end: date) -> int:
    cal = await calendar_for(min(start, end), max(start, end))
    return cal.working_days_between(start, end)


async def note_uncovered(days) -> None:
    """For dates computed earlier and stored (e.g. an approval step's due date): note their uncovered years for the
    current request's notice, in one query."""
    years = {d.year for d in days if d}
    touched = _TOUCHED.get()
    if touched is not None and years:
        touched.update(await uncovered_years(years))


async def period_end(day: date) -> date:
    """The last day of a period that nominally ends on `day`: the next working day when `day` is a rest day
    (民法典 第二百零三条). For a deadline computed elsewhere (e.g. a contract's own date)."""
    cal = await calendar_for(day, day + timedelta(days=60))
    return cal.next_workday(day)


async def add_calendar_days(start: date, days: int) -> date:
    """start + days calendar days, moved to the next working day when it ends on a rest day (民法典 第二百零三条)."""
    end = start + timedelta(days=days)
    cal = await calendar_for(end, end + timedelta(days=60))
    return cal.add_calendar_days(start, days)


async def uncovered_years(years) -> list[int]:
    """Those of `years` that neither the built-in calendar nor a whole-year entry covers (one query)."""
    from app.core.tables import HolidayYear

    wanted = sorted({y for y in years if not builtin_covers(y)})
    if not wanted:
        return []
    cache = _CACHE.get()
    window = cache.get("window") if cache else None
    if window and window[0].year <= wanted[0] and wanted[-1] <= window[1].year:
        return [y for y in wanted if y not in cache["calendar"].entered_years]
    entered = {r["year"] for r in await HolidayYear.select(HolidayYear.year).where(HolidayYear.year.is_in(wanted))}
    return [y for y in wanted if y not in entered]


async def missing_schedule_years(today: date) -> list[int]:
    """Years (this one and the next) that are not covered: the administrators are told, so they enter the
    official schedule when the State Council publishes it."""
    return await uncovered_years((today.year, today.year + 1))


# ---------------------------------------------------------------- entering a whole year (the admin's form)

_DATE = re.compile(r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{1,2})\s*日")
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–|－|\s-\s)\s*")
_ITEM_SEP = re.compile(r"[,，、;；\n]+")


class ScheduleError(ValueError):
    pass


def parse_schedule(text: str, year: int) -> dict[date, str]:
    """Dates pasted from the State Council notice: one a line or separated by commas/顿号; ranges
    `2027-02-06 至 2027-02-13` (also `2月6日至13日`); dates written 2027-01-01, 2027/1/1, 2027年1月1日 or, inside the
    year, 1月1日. Text after the date (e.g. `春节`) names the day. Returns day → name. Raises ScheduleError (Chinese)."""
    out: dict[date, str] = {}
    for raw in _ITEM_SEP.split(text or ""):
        item = raw.strip()
        if not item:
            continue
        parts = _RANGE.split(item, maxsplit=1)
        first = _parse_one(parts[0], year, None, item)
        if first is None:
            raise ScheduleError(f"无法识别的日期：{item}")
        day, rest = first
        days = [day]
        if len(parts) == 2:
            second = _parse_one(parts[1], year, day, item)
            if second is None:
                raise ScheduleError(f"无法识别的日期范围：{item}")
            end, rest = second
            if end < day:
                raise ScheduleError(f"日期范围的结束早于开始：{item}")
            if (end - day).days > 31:
                raise ScheduleError(f"日期范围过长（超过 31 天）：{item}")
            days = [day + timedelta(days=i) for i in range((end - day).days + 1)]
        name = re.sub(r"[（(].*?[)）]|放假|调休|上班|共\s*\d+\s*天", "", rest).strip(" ：:。.")[:50]
        for d in days:
            if d.year != year:
                raise ScheduleError(f"{d.isoformat()} 不在 {year} 年内")
            out[d] = name
    return out


def _parse_one(text: str, year: int, base: date | None, item: str) -> tuple[date, str] | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    y, mo, d, day_only = m.groups()
    try:
        if day_only:  # `13日` after a range sign: same month as the start
            if base is None:
                return None
            value = date(base.year, base.month, int(day_only))
        else:
            value = date(int(y) if y else year, int(mo), int(d))
    except ValueError:
        raise ScheduleError(f"日期不存在：{item}") from None
    return value, text.strip()[m.end():]


# Domains that store due dates computed from the calendar register here to recompute them when a year is entered
# (code registered at import, not request state). Each is awaited inside save_schedule's transaction with the year.
_SCHEDULE_HOOKS: list = []


def on_schedule_saved(fn):
    """Decorator: `async def fn(year: int) -> None`, run in the same transaction as the entered schedule."""
    _SCHEDULE_HOOKS.append(fn)
    return fn


@dataclass
class YearSchedule:
    year: int
    holidays: dict[date, str]
    workdays: dict[date, str]
    source: str = ""


def validate_schedule(year_text: str, holidays_text: str, workdays_text: str, source: str) -> tuple[YearSchedule | None, dict[str, str]]:
    """The form's input → a schedule, or field errors in Chinese."""
    errors: dict[str, str] = {}
    try:
        year = int((year_text or "").strip())
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return None, {"year": "请填写 2000 到 2100 之间的年份"}
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    try:
        holidays = parse_schedule(holidays_text, year)
        if not holidays:
            errors["holidays"] = "请填写当年的法定节假日（至少元旦、春节、国庆）"
    except ScheduleError as e:
        errors["holidays"] = str(e)
    try:
        workdays = parse_schedule(workdays_text, year)
        weekday = [d for d in workdays if d.weekday() < 5]
        if weekday:
            errors["workdays"] = "调休上班日应为周六或周日：" + "、".join(d.isoformat() for d in sorted(weekday)[:5])
    except ScheduleError as e:
        errors["workdays"] = str(e)
    both = sorted(set(holidays) & set(workdays))
    if both and "workdays" not in errors:
        errors["workdays"] = "以下日期同时出现在放假和调休上班两个列表中：" + "、".join(d.isoformat() for d in both[:5])
    if len((source or "").strip()) > 300:
        errors["source"] = "依据最多 300 个字符"
    if errors:
        return None, errors
    return YearSchedule(year, holidays, workdays, (source or "").strip()), {}


async def save_schedule(actor, schedule: YearSchedule) -> None:
    """Replace the year's overrides with the entered schedule and mark the year covered; one transaction, audited."""
    from app.core import audit
    from app.core.db import write_transaction
    from app.core.tables import HolidayOverride, HolidayYear
    from app.core.timeutil import now

    first, last = date(schedule.year, 1, 1), date(schedule.year, 12, 31)
    in_year = (HolidayOverride.day >= first) & (HolidayOverride.day <= last)
    async with write_transaction():
        before = await HolidayOverride.select(HolidayOverride.day, HolidayOverride.is_workday).where(in_year)
        await HolidayOverride.delete().where(in_year)
        rows = [HolidayOverride(day=d, is_workday=False, name=n or "法定节假日", note="按年录入")
                for d, n in sorted(schedule.holidays.items())]
        rows += [HolidayOverride(day=d, is_workday=True, name=n or "调休上班", note="按年录入")
                 for d, n in sorted(schedule.workdays.items())]
        await HolidayOverride.insert(*rows)
        await HolidayYear.delete().where(HolidayYear.year == schedule.year)
        forget_calendar()  # the hooks below recompute due dates with the new schedule
        await HolidayYear.insert(HolidayYear(
            year=schedule.year, entered_by=getattr(actor, "user_id", None), entered_by_name=getattr(actor, "display_name", ""),
            entered_at=now(), source=schedule.source, holidays=len(schedule.holidays), workdays=len(schedule.workdays)))
        for hook in _SCHEDULE_HOOKS:
            await hook(schedule.year)
        await audit.record(
            actor=actor, action="calendar.enter_year", entity="holiday_year", entity_id=schedule.year,
            summary=f"录入 {schedule.year} 年节假日安排：放假 {len(schedule.holidays)} 天，调休上班 {len(schedule.workdays)} 天",
            before={"overrides": [{"day": r["day"], "is_workday": r["is_workday"]} for r in before]},
            after={"holidays": sorted(schedule.holidays), "workdays": sorted(schedule.workdays), "source": schedule.source},
        )


async def entered_schedule(year: int) -> dict | None:
    """The whole-year entry for `year` with its days, for prefilling the form (None when not entered)."""
    from app.core.tables import HolidayOverride, HolidayYear

    row = await HolidayYear.select().where(HolidayYear.year == year).first()
    if not row:
        return None
    days = await HolidayOverride.select(HolidayOverride.day, HolidayOverride.is_workday, HolidayOverride.name).where(
        (HolidayOverride.day >= date(year, 1, 1)) & (HolidayOverride.day <= date(year, 12, 31))).order_by(HolidayOverride.day)
    return {**row, "holiday_days": [d for d in days if not d["is_workday"]], "work_days": [d for d in days if d["is_workday"]]}
