"""招聘设置 (table hr_recruit_setting), editable in the admin: {key: (label, default, tag)}."""
from __future__ import annotations

from app.core import keyvalues
from app.hr_recruit.tables import RecruitSetting

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "min_rounds": ("录用前至少完成的面试轮数（轮）", 1, "C"),
    "contract_years": ("新员工首份劳动合同期限（年）", 3, "C"),
    "password_length": ("新员工初始密码长度（位）", 12, "C"),
}


async def read() -> dict[str, int]:
    return await keyvalues.read(RecruitSetting, DEFAULTS, minimum=1)


async def seed() -> int:
    return await keyvalues.seed(RecruitSetting, DEFAULTS)
