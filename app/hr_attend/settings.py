"""考勤设置 (table hr_attend_setting), editable in the admin: {key: (label, default, tag)}. Times are written HHMM."""
from __future__ import annotations

from app.core import keyvalues
from app.hr_attend.tables import AttendSetting

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "work_start": ("上班时间（四位数字 时分，例如 900 = 09:00）", 900, "C"),
    "work_end": ("下班时间（四位数字 时分，例如 1800 = 18:00）", 1800, "C"),
    "grace_minutes": ("迟到、早退的宽限分钟数（在此分钟数以内不计）", 0, "C"),
}


def hhmm_minutes(v: int) -> int:
    """900 → 540; an impossible value falls back to its hour part clamped into the day."""
    h, m = divmod(int(v), 100)
    return max(0, min(23, h)) * 60 + max(0, min(59, m))


async def read() -> dict[str, int]:
    """{"start", "end", "grace"} in minutes: the admin's values (0 allowed for the grace), else the defaults."""
    v = await keyvalues.read(AttendSetting, DEFAULTS, minimum=0)
    start, end = hhmm_minutes(v["work_start"]), hhmm_minutes(v["work_end"])
    if end <= start:  # a typo in the admin must not make every day late and early
        start, end = hhmm_minutes(DEFAULTS["work_start"][1]), hhmm_minutes(DEFAULTS["work_end"][1])
    return {"start": start, "end": end, "grace": min(max(0, v["grace_minutes"]), 240)}


async def seed() -> int:
    return await keyvalues.seed(AttendSetting, DEFAULTS)
