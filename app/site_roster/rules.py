"""The monthly roster's checks (SPEC §F2), pure: no I/O. app/site_roster/services.py loads the team's posts, shift
slots, people, special days and the entries, and calls these.

- every post covered in every slot it is staffed in, with its headcount (a 夜间 post only in night slots, the other
  posts only in day slots; a night slot is one that works between 00:00 and 06:00), plus the extra staff of a
  开盘/集中签约/交房 day on the day slots;
- nobody works more than `max_hours` at a stretch: shifts that touch (one ends when the next begins) count as one;
- nobody is in two places at once;
- at least one rest day a week (Monday to Sunday) per person: a day is worked when any shift of the person runs in it,
  so a night shift from 20:00 to 08:00 works its start day and the next one, also across a month's end (the previous
  month's shifts are passed in as `prior`). A week running into the next month is checked with the next month.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from app.core.months import month_days  # noqa: F401  (re-exported)
from app.core.timeutil import SHANGHAI
from app.site.services import Slot

WEEKDAYS = "一二三四五六日"
NIGHT_FROM, NIGHT_TO = time(0, 0), time(6, 0)


@dataclass(frozen=True)
class Post:
    id: int
    name: str
    pattern: int
    headcount: int = 1
    night_only: bool = False


@dataclass(frozen=True)
class Entry:
    day: date
    slot: int
    post: int
    worker: int


@dataclass(frozen=True)
class Problem:
    kind: str  # 覆盖 | 加派 | 班次 | 工时 | 重叠 | 休息
    text: str
    day: date | None = None
    worker: int | None = None


def day_text(d: date) -> str:
    return f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def is_night(slot: Slot) -> bool:
    """Does the slot work between 00:00 and 06:00 (on its start day or, crossing midnight, the next)?"""
    start, end = slot.span(date(2000, 1, 3))
    for d in (date(2000, 1, 3), date(2000, 1, 4)):
        a = datetime.combine(d, NIGHT_FROM, SHANGHAI)
        b = datetime.combine(d, NIGHT_TO, SHANGHAI)
        if start < b and a < end:
            return True
    return False


def post_slots(post: Post, slots: Sequence[Slot]) -> list[Slot]:
    """The slots a post is staffed in: its pattern's night slots for a 夜间 post, the day slots for the others."""
    return [s for s in slots if s.pattern == post.pattern and is_night(s) == post.night_only]


def need(post: Post, slot: Slot, extra: int) -> int:
    """Headcount of the post in the slot, with a special day's extra staff on the day slots."""
    return post.headcount + (extra if not is_night(slot) else 0)


def _span(e: Entry, by_id: dict[int, Slot]) -> tuple[datetime, datetime]:
    return by_id[e.slot].span(e.day)


def hours_by_day(entries: Iterable[Entry], slots: Sequence[Slot]) -> dict[tuple[int, date], float]:
    """Hours worked per (worker, calendar day), a shift crossing midnight split at it: 20:00–08:00 on 31 December is 4
    hours on the 31st and 8 hours on 1 January."""
    by_id = {s.id: s for s in slots}
    out: dict[tuple[int, date], float] = defaultdict(float)
    for e in entries:
        if e.slot not in by_id:
            continue
        a, b = _span(e, by_id)
        while a < b:
            midnight = datetime.combine(a.date() + timedelta(days=1), time(0), SHANGHAI)
            part_end = min(b, midnight)
            out[(e.worker, a.date())] += (part_end - a).total_seconds() / 3600
            a = part_end
    return dict(out)


def worked_days(entries: Iterable[Entry], slots: Sequence[Slot]) -> dict[int, set[date]]:
    days: dict[int, set[date]] = defaultdict(set)
    for (worker, d), h in hours_by_day(entries, slots).items():
        if h > 0:
            days[worker].add(d)
    return days


def check(first: date, posts: Sequence[Post], slots: Sequence[Slot], entries: Sequence[Entry], workers: dict[int, str],
          extra_by_day: dict[date, tuple[str, int]] | None = None, *, max_hours: int = 12,
          prior: Sequence[Entry] | None = None) -> list[Problem]:
    """Every problem of the month's roster, in day order. `extra_by_day`: {day: (event kind, extra per post and slot)};
    `prior`: the previous month's last week of shifts (None when there is no previous roster)."""
    extra_by_day = extra_by_day or {}
    days = month_days(first)
    by_id = {s.id: s for s in slots}
    post_by_id = {p.id: p for p in posts}
    problems: list[Problem] = []
    name = lambda w: workers.get(w, f"#{w}")  # noqa: E731

    # a shift in a slot its post is not staffed in
    for e in entries:
        p, s = post_by_id.get(e.post), by_id.get(e.slot)
        if p is None or s is None:
            problems.append(Problem("班次", f"{day_text(e.day)} {name(e.worker)}：岗位或班次已停用", e.day, e.worker))
        elif s not in post_slots(p, slots):
            where = "夜间" if p.night_only else "白天"
            problems.append(Problem("班次", f"{day_text(e.day)} {name(e.worker)}：{p.name}只在{where}班次设岗，不在「{s.label}」", e.day, e.worker))

    # coverage, with the special days' extra staff
    count: dict[tuple[date, int, int], int] = defaultdict(int)
    for e in entries:
        count[(e.day, e.slot, e.post)] += 1
    for d in days:
        kind, extra = extra_by_day.get(d, ("", 0))
        for p in posts:
            for s in post_slots(p, slots):
                n, want = count[(d, s.id, p.id)], need(p, s, extra)
                if n < want:
                    if n >= p.headcount:
                        problems.append(Problem("加派", f"{day_text(d)} {kind}：{p.name} {s.name}需加派 {extra} 人（共 {want} 人），已排 {n} 人", d))
                    else:
                        problems.append(Problem("覆盖", f"{day_text(d)} {p.name} {s.name}：需 {want} 人，已排 {n} 人", d))

    # hours at a stretch and overlaps, with the previous month's last shifts
    spans: dict[int, list[tuple[datetime, datetime, bool]]] = defaultdict(list)
    for e, current in [(e, False) for e in (prior or ())] + [(e, True) for e in entries]:
        if e.slot in by_id:
            a, b = _span(e, by_id)
            spans[e.worker].append((a, b, current))
    for w, items in spans.items():
        items.sort()
        run_start, run_end, run_current = items[0]
        for a, b, current in items[1:] + [(None, None, False)]:
            if a is not None and a < run_end:
                problems.append(Problem("重叠", f"{day_text(a.date())} {name(w)}：{a:%H:%M} 开始的班次与前一班次时间重叠", a.date(), w))
            if a is not None and a <= run_end:
                run_end, run_current = max(run_end, b), run_current or current
                continue
            hours = (run_end - run_start).total_seconds() / 3600
            if hours > max_hours and run_current:
                problems.append(Problem("工时", f"{day_text(run_start.date())} {name(w)}：从 {run_start:%H:%M} 起连续工作 {hours:g} 小时，超过 {max_hours} 小时",
                                        run_start.date(), w))
            if a is not None:
                run_start, run_end, run_current = a, b, current

    # a rest day every week (Monday to Sunday); the week across the month's start with the previous month's shifts
    worked = worked_days(list(prior or ()) + list(entries), slots)
    known_from = days[0] - timedelta(days=7) if prior is not None else days[0]
    monday = days[0] - timedelta(days=days[0].weekday())
    while monday <= days[-1]:
        week = [monday + timedelta(days=i) for i in range(7)]
        if week[0] >= known_from and week[-1] <= days[-1]:
            for w in workers:
                if all(d in worked.get(w, ()) for d in week):
                    problems.append(Problem("休息", f"{name(w)}：{day_text(week[0])}至{day_text(week[-1])}这一周没有休息日", week[0], w))
        monday += timedelta(days=7)

    problems.sort(key=lambda p: (p.day or date.min, p.kind))
    return problems


def summary(first: date, entries: Sequence[Entry], slots: Sequence[Slot], workers: dict[int, str]) -> list[dict]:
    """Per person: shifts started in the month, hours inside the month (a night shift at the month's end counts its
    part before midnight), and rest days (days of the month not worked)."""
    days = set(month_days(first))
    hours = hours_by_day(entries, slots)
    worked = worked_days(entries, slots)
    shifts: dict[int, int] = defaultdict(int)
    for e in entries:
        shifts[e.worker] += 1
    return [{"worker": w, "name": n, "shifts": shifts[w],
             "hours": round(sum(h for (ww, d), h in hours.items() if ww == w and d in days), 1),
             "rest": len(days - worked.get(w, set()))} for w, n in workers.items()]


def generate(first: date, posts: Sequence[Post], slots: Sequence[Slot], workers: Sequence[int],
             extra_by_day: dict[date, tuple[str, int]] | None = None, *, max_hours: int = 12,
             prior: Sequence[Entry] | None = None) -> list[Entry]:
    """A first draft for the lead to adjust: day by day, each post and slot gets the people with the fewest shifts
    that week, each person resting on a weekday of their own (relaxed only where a slot would stay empty, e.g. on an
    开盘 day), never two shifts at once nor more than `max_hours` at a stretch."""
    extra_by_day = extra_by_day or {}
    by_id = {s.id: s for s in slots}
    taken: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for e in prior or ():
        if e.slot in by_id:
            taken[e.worker].append(_span(e, by_id))
    rest_day = {w: i % 7 for i, w in enumerate(workers)}
    week_count: dict[tuple[int, date], int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    out: list[Entry] = []

    def fits(w: int, a: datetime, b: datetime) -> bool:
        start, end = a, b
        for x, y in sorted(taken[w]):
            if x < b and a < y:
                return False
        changed = True
        while changed:  # grow the stretch through touching shifts
            changed = False
            for x, y in taken[w]:
                if (y == start) or (x == end):
                    if y == start:
                        start, changed = x, True
                    if x == end:
                        end, changed = y, True
        return (end - start).total_seconds() / 3600 <= max_hours

    for d in month_days(first):
        monday = d - timedelta(days=d.weekday())
        _kind, extra = extra_by_day.get(d, ("", 0))
        positions = sorted(((p, s) for p in posts for s in post_slots(p, slots)), key=lambda ps: (ps[1].start, ps[0].id))
        for p, s in positions:
            a, b = s.span(d)
            into_next = b > datetime.combine(d + timedelta(days=1), time(0), SHANGHAI)
            for _ in range(need(p, s, extra)):
                order = sorted(workers, key=lambda w: (week_count[(w, monday)], total[w], w))
                pick = next((w for w in order if rest_day[w] != d.weekday() and not (into_next and rest_day[w] == (d.weekday() + 1) % 7)
                             and fits(w, a, b)), None)
                if pick is None:
                    pick = next((w for w in order if fits(w, a, b)), None)
                if pick is None:
                    break
                taken[pick].append((a, b))
                week_count[(pick, monday)] += 1
                total[pick] += 1
                out.append(Entry(d, s.id, p.id, pick))
    return out
