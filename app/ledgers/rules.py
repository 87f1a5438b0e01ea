"""Pure rules of the ledgers (no I/O): ageing columns, 催缴 milestones, report periods, and the cell parsing of
an imported 合同台账. Every limit is a parameter with the SPEC's default."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.core.money import MoneyError, parse_money
from app.core.sheets import cell_text  # noqa: F401  (the import and the templates read cells through rules)

# The limits themselves are admin settings (PipelineSetting filing_days, dunning_*): the callers pass them in.


def arrears(amount_due: Decimal | None, received: Decimal | None) -> Decimal:
    return Decimal(str(amount_due or 0)) - Decimal(str(received or 0))


def days_overdue(due_on: date | None, amount_due: Decimal | None, received: Decimal | None, today: date) -> int:
    """Calendar days past the due date while something is still owed; 0 otherwise."""
    if due_on is None or arrears(amount_due, received) <= 0 or today <= due_on:
        return 0
    return (today - due_on).days


def dunning_step(days: int, steps: tuple[tuple[int, str], ...]) -> str:
    """Which 催缴 milestone an overdue amount has reached: `steps` latest first, e.g. ((30, "书面催告"), (15, "D+15 催缴"),
    (7, "D+7 催缴"), (1, "D+1 催缴")) — SPEC §B: D+1, D+7, D+15, then a 书面催告 under the contract."""
    for threshold, label in sorted(steps, key=lambda s: -s[0]):
        if days >= threshold:
            return label
    return ""


def filing_days_left(signed_on: date | None, filed_on: date | None, today: date, limit: int, due: date | None = None) -> int | None:
    """Days left of the filing limit (negative = overdue); None once filed or before signing. `due`: the period's last
    day when known (moved past rest days, 民法典 第二百零三条); else signing date + limit."""
    if signed_on is None or filed_on is not None:
        return None
    return ((due or signed_on + timedelta(days=limit)) - today).days


def span(start: date | None, end: date | None, today: date) -> int | None:
    """Days from `start` to `end` (or to today while `end` is empty)."""
    if start is None:
        return None
    return ((end or today) - start).days


# ---------------------------------------------------------------- report periods

PERIODS = {"day": "日报", "week": "周报", "month": "月报"}


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The day itself; the Monday–Sunday week containing it; or its calendar month."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    return day, day


def period_label(kind: str, start: date, end: date) -> str:
    if kind == "week":
        return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}（第 {start.isocalendar()[1]} 周）"
    if kind == "month":
        return f"{start.year} 年 {start.month} 月"
    return f"{start:%Y-%m-%d}"


# ---------------------------------------------------------------- import cells


class CellError(ValueError):
    """A cell that cannot be used; the message is Chinese and names what was found."""




def cell_money(v: Any, label: str, *, allow_zero: bool = False) -> Decimal:
    """Money from a cell: a number or text, at most two decimals (no silent rounding)."""
    if v is None or (isinstance(v, str) and not v.strip()):
        raise CellError(f"请填写{label}")
    if isinstance(v, bool):
        raise CellError(f"{label}「{v}」不是金额")
    if isinstance(v, float):
        v = repr(v)  # the shortest repr: 1234.5 stays 1234.5, 0.125 stays 0.125
    try:
        return parse_money(str(v), allow_zero=allow_zero)
    except MoneyError as e:
        raise CellError(f"{label}「{cell_text(v)}」：{e}") from None


def cell_date(v: Any, label: str, *, required: bool = True) -> date | None:
    """A date cell (Excel date) or text YYYY-MM-DD / YYYY/MM/DD / YYYY.MM.DD."""
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise CellError(f"请填写{label}")
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    text = cell_text(v).replace("/", "-").replace(".", "-")
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) != 3:
            raise ValueError
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        raise CellError(f"{label}「{cell_text(v)}」不是有效日期，格式应为 YYYY-MM-DD") from None
