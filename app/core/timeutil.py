"""Times are stored with time zone (UTC) and shown in Asia/Shanghai."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today_local() -> date:
    return datetime.now(SHANGHAI).date()


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(SHANGHAI)


def fmt_datetime(value: datetime | None) -> str:
    v = to_local(value)
    return v.strftime("%Y-%m-%d %H:%M") if v else ""


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%Y-%m-%d")


def parse_date(raw: str | None) -> date:
    """Parse YYYY-MM-DD; raises ValueError with a Chinese message."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("请填写日期")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD，例如 2026-11-28") from None


def parse_moment(text: str) -> datetime:
    """A worker's `--now` (ISO; Asia/Shanghai when it has no zone): run a pass as if it were that moment."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)
