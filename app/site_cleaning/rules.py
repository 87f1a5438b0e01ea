"""The cleaning score as pure functions (SPEC §F6): 100 minus the points deducted per checklist item (each deduction
between 0 and the item's maximum), the grade by the settings (≥ 90 优良, 80–89 合格, < 80 不合格) and the time a
rectification is due (the inspection's time plus the set minutes)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from app.site_cleaning.tables import FAIL, GOOD, PASS

# every configurable value lives in SiteSetting (app.site.settings), edited in the admin (售楼处设置)
DEFAULTS = {
    "clean_grade_good_min": ("保洁检查：优良的最低分", 90, "C"),
    "clean_grade_pass_min": ("保洁检查：合格的最低分（低于此分为不合格，须整改复检）", 80, "C"),
    "clean_rectify_minutes": ("保洁检查：不合格整改时限（分钟）", 30, "C"),
}
FULL = 100


def deduction_error(points: int, max_points: int) -> str | None:
    """Why a deduction cannot be taken (Chinese, for the item's field), or None."""
    if points < 0:
        return "扣分不能为负数"
    if points > max_points:
        return f"扣分不能超过本项最多扣分 {max_points} 分"
    return None


def score(deductions: Iterable[int]) -> int:
    """100 minus the points deducted, never below 0."""
    return max(0, FULL - sum(deductions))


def grade(value: int, good_min: int = 90, pass_min: int = 80) -> str:
    if value >= good_min:
        return GOOD
    if value >= pass_min:
        return PASS
    return FAIL


def fails(value: int, pass_min: int = 80) -> bool:
    """Below the pass mark: a rectification is opened and the area re-inspected."""
    return value < pass_min


def due_at(at: datetime, minutes: int = 30) -> datetime:
    return at + timedelta(minutes=max(0, minutes))


def next_check(last_at: datetime | None, every_min: int) -> datetime | None:
    """When an area with a frequency (washrooms every 30 minutes) is next to be checked; None for daily areas."""
    if not every_min or last_at is None:
        return None
    return last_at + timedelta(minutes=every_min)
