"""转正设置 (table hr_probation_setting), editable in the admin: {key: (label, default, tag)}."""
from __future__ import annotations

from app.core import keyvalues
from app.hr_probation.tables import ProbationSetting

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "remind_days": ("试用期结束前几天提醒办理转正（天，遇休息日提前）", 15, "C"),
    "list_recent_days": ("转正列表显示试用期已结束多少天内的员工（天）", 60, "C"),
}


async def read() -> dict[str, int]:
    """Every key's value as set in the admin, else its default (a value below 1 is not taken)."""
    return await keyvalues.read(ProbationSetting, DEFAULTS, minimum=1)


async def seed() -> int:
    """Add the keys that have no row yet (the admin's edits are kept), with their source tag."""
    return await keyvalues.seed(ProbationSetting, DEFAULTS)
