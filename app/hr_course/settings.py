"""培训设置 (table hr_course_setting), editable in the admin: {key: (label, default, tag)}."""
from __future__ import annotations

from app.core import keyvalues
from app.hr_course.tables import CourseSetting

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "new_hire_days": ("入职多少天内须参加新员工入职培训（天）[S 1.11]", 30, "C"),
}


async def read() -> dict[str, int]:
    return await keyvalues.read(CourseSetting, DEFAULTS, minimum=1)


async def seed() -> int:
    return await keyvalues.seed(CourseSetting, DEFAULTS)
