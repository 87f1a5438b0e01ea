"""Pure rules of the ledgers (no I/O): ageing columns, 催缴 milestones, report periods, and the cell parsing of
an imported 合同台账. Every limit is a parameter with the SPEC's default."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.core.money import MoneyError, parse_money
from app.core.sheets import cell_text  # noqa: F401  (the import and the templates read cells through rules)
from app.core.fields import ascii_digits

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


# ---------------------------------------------------------------- manual corrections (SPEC §B: 客服主管审批，留痕)


def shown_value(kind: str, value: Any) -> str:
    """A stored value as the correction form and the audit row show it: dates ISO, money with two decimals, "" for none."""
    if value is None or value == "":
        return ""
    if kind == "date":
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if kind == "money":
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def parse_correction(kind: str, raw: str, *, today: date, max_len: int = 50) -> tuple[Any, str]:
    """(the typed value, "") or (None, the Chinese message). A correction never clears a value (an empty value is filled
    by the step's own action, which moves its state), so the new value is required."""
    text = (raw or "").strip()
    if not text:
        return None, "请填写更正后的值"
    if kind == "date":
        try:
            d = date.fromisoformat(text)
        except ValueError:
            return None, "日期格式应为 2026-11-28"
        if d > today:
            return None, f"日期 {d} 不能晚于今天"
        if d.year < 2000:
            return None, "日期不能早于 2000 年"
        return d, ""
    if kind == "money":
        try:
            m = parse_money(text)
        except MoneyError as e:
            return None, str(e)
        if m < 0:
            return None, "金额不能为负数"
        return m, ""
    if kind == "int":
        if not ascii_digits(text) or len(text) > 6:
            return None, "应为不小于 0 的整数"
        return int(text), ""
    if len(text) > max_len:
        return None, f"不能超过 {max_len} 个字"
    if any(ord(ch) < 32 for ch in text):
        return None, "不能包含控制字符"
    return text, ""


# ---------------------------------------------------------------- the daily report's schedule (SPEC §B: 17:30 / 18:00)


def parse_clock(text: str) -> tuple[int, int]:
    """"17:30" → (17, 30); ValueError with a Chinese message otherwise."""
    raw = (text or "").strip().replace("：", ":")
    parts = raw.split(":")
    if len(parts) != 2 or not all(ascii_digits(p) and 1 <= len(p) <= 2 for p in parts):
        raise ValueError(f"「{text}」不是 时:分 格式（例如 17:30）")
    h, m = int(parts[0]), int(parts[1])
    if h > 23 or m > 59:
        raise ValueError(f"「{text}」不是有效的时间")
    return h, m


def schedule_due(local_now: datetime, generate_at: tuple[int, int], send_by: tuple[int, int]) -> tuple[bool, bool]:
    """(generate now?, remind now?) for a local (Asia/Shanghai) moment: generation from `generate_at` on, the late
    reminder from `send_by` on — both on the same day; what was already done is recorded in the database, not here."""
    hm = (local_now.hour, local_now.minute)
    return hm >= generate_at, hm >= send_by
