"""转正设置 (table hr_probation_setting), editable in the admin: {key: (label, default, tag)}."""
from __future__ import annotations

from app.core import keyvalues
from app.hr_probation.tables import ProbationSetting

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "remind_days": ("试用期结束前几天提醒办理转正（天，遇休息日提前）", 15, "C"),
    "list_recent_days": ("转正列表显示试用期已结束多少天内的员工（天）", 60, "C"),
}


async def read() -> dict[str, int]:
    return await keyvalues.read(ProbationSetting, {k: (label, v) for k, (label, v, _tag) in DEFAULTS.items()}, minimum=1)


async def seed() -> int:
    have = {r["key"] for r in await ProbationSetting.select(ProbationSetting.key)}
    rows = [ProbationSetting(key=k, label=label, value=v, tag=tag) for k, (label, v, tag) in DEFAULTS.items() if k not in have]
    if rows:
        await ProbationSetting.insert(*rows)
    return len(rows)
