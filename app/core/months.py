"""Calendar months as the portal writes them ("YYYY-MM", the first day of the month as a date): one set of helpers
for every chapter's month filters, rosters and plans."""
from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's (n may be negative)."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def month_text(d: date) -> str:
    """"2027-01"."""
    return f"{d.year:04d}-{d.month:02d}"


def month_label(d: date) -> str:
    """"2027年1月"."""
    return f"{d.year}年{d.month}月"


def parse_month(raw: str | None) -> date | None:
    """"YYYY-MM" (ASCII digits, year from 2000) → the first day of that month, or None."""
    m = _MONTH.fullmatch((raw or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def month_last(d: date) -> date:
    return add_months(d, 1) - timedelta(days=1)


def month_days(d: date) -> list[date]:
    """Every day of d's month."""
    first = month_start(d)
    return [first + timedelta(days=i) for i in range((add_months(first, 1) - first).days)]


def month_bounds(raw: str | None) -> tuple[date, date] | None:
    """"YYYY-MM" → its first and last day, or None."""
    first = parse_month(raw)
    return (first, month_last(first)) if first else None
