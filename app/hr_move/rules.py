"""晋升 and 调动 rules (SPEC §E9, §E10), pure: no I/O. Each rule names its basis where the page shows it."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Iterable

PROMOTED, TRANSFERRED, HIRED, ADJUSTED = "晋升", "调动", "入职", "调整"
REASONS = (HIRED, PROMOTED, TRANSFERRED, ADJUSTED)

# the states a 晋升申请 / 调动申请 shows beside the engine's status
PUBLISHING, APPOINTED, WAITING, DONE = "公示中", "已任命", "待生效", "已生效"

ART_10 = "《劳动合同法实施条例》第十条"
CONTINUOUS_TEXT = (f"劳动者非因本人原因从原用人单位被安排到新用人单位工作的，工作年限合并计算（{ART_10}）："
                   "入职日期不变，连续工龄保留")
SENIOR_TEXT = "目标岗位为主管及以上（客服主管、客服副经理、公司领导等）的，增加总经理审批"

# the handover checklist of a transfer: the E5 checklist WITHOUT the exit steps (no sign-in disabling, no 离职证明)
HANDOVER_ITEMS = ("工作交接", "客户资料移交", "钥匙移交", "印章移交", "资产移交", "在办审批与待办移交")


def publication_end(approved_on: date, days: int, is_workday: Callable[[date], bool]) -> date:
    """The last day of the 公示 [C: `days` (3) working days, setting publish_days]: the working days after the day of
    the final approval (that day does not count), skipping weekends and statutory holidays (app/core/workdays.py)."""
    d, left = approved_on, max(days, 0)
    while left:
        d += timedelta(days=1)
        if is_workday(d):
            left -= 1
    return d


def publication_over(publish_until: date | None, today: date) -> bool:
    """The publication runs to the end of its last day: the appointment takes effect the day after."""
    return publish_until is not None and today > publish_until


def senior_target(target_role: str, senior_roles: Iterable[str]) -> bool:
    """主管 and above by the TARGET position's role, the same set the engine uses for Applicant.senior."""
    return target_role in set(senior_roles)


def tenure_months(hired_on: date | None, today: date) -> int:
    """Whole months of service from hired_on (0 without a date or before it)."""
    if hired_on is None or today < hired_on:
        return 0
    months = (today.year - hired_on.year) * 12 + today.month - hired_on.month
    if today.day < hired_on.day:
        months -= 1
    return max(months, 0)


def tenure_text(months: int) -> str:
    y, m = divmod(months, 12)
    return (f"{y} 年" if y else "") + (f"{m} 个月" if m or not y else "")


def is_promotion(from_rank: int | None, to_rank: int | None, same_position: bool) -> str:
    """A promotion raises the grade or changes the post; the message names what is wrong, '' when fine."""
    if same_position and (to_rank is None or (from_rank is not None and to_rank <= from_rank)):
        return "晋升须变更岗位或提高职级：目标岗位与现岗位相同时，目标职级须高于现职级"
    if from_rank is not None and to_rank is not None and to_rank < from_rank:
        return "目标职级低于现职级，这不是晋升（降级请走调整）"
    return ""
