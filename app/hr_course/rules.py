"""Pure rules of 内部培训 (SPEC §E6): the 分管副总 step from a budget threshold ("X以上" includes X, SPEC §0.2), the
plan period, the session's start time, score and rating bounds, and the new-hire cut-off."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

VP_FROM = Decimal("5000")  # the FlowDef Setting's default: 培训预算 ≥ 5,000 元 → + 分管副总
LEGAL_TRAINING = "[L] 劳动法 第六十八条：用人单位应当建立职业培训制度，按照国家规定提取和使用职业培训经费"
LEGAL_NO_SERVICE_PERIOD = "[L] 劳动合同法 第二十二条：服务期和违约金只适用于公司提供专项培训费用的专业技术培训（学历/资格证书培训），内部培训不约定服务期"
NEW_HIRE_BASIS = "[S 1.11] 新员工须参加入职培训"
SCORE_MIN, SCORE_MAX = 0, 100
RATING_MIN, RATING_MAX = 1, 5
MAX_HOURS = Decimal("40")  # one session
MAX_PLAN_HOURS = Decimal("2000")
MAX_BUDGET = Decimal("10000000")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def needs_vp(budget: Decimal | None, vp_from: Decimal) -> bool:
    return budget is not None and budget >= vp_from


def valid_time(text: str) -> bool:
    return bool(TIME_RE.match(text or ""))


def hours_error(hours: Decimal | None, maximum: Decimal = MAX_HOURS) -> str:
    if hours is None:
        return ""
    if hours <= 0:
        return "课时应大于 0"
    if hours > maximum:
        return f"课时不能超过 {maximum} 小时"
    if hours != hours.quantize(Decimal("0.1")):
        return "课时最多保留一位小数（例如 1.5）"
    return ""


def new_hire_since(today: date, days: int) -> date:
    """Employees hired on or after this day (the last `days` days, today included) must have the new-hire training."""
    return today - timedelta(days=days - 1)


def plan_label(kind: str, year: int, month: int | None) -> str:
    return f"{year} 年度培训计划" if not month else f"{year} 年 {month} 月培训计划"
