"""Care limits as admin settings: every field of app.care.rules.CareLimits (and its KpiTargets) is one CareSetting row,
seeded with the SPEC's default; `load_limits()` reads them back into a CareLimits, once per request or worker pass.

A value the admin typed that cannot be read falls back to the default for that key; limits that contradict each other
(`limits_errors`, e.g. the P2 threshold above the P1 one) fall back to the defaults as a whole. Either way the care pages
keep working, and `load_with_problems()` says what was set aside: the KPI board shows it to its readers."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.care import rules
from app.care.rules import CareLimits, KpiTargets

# key → (Chinese label, tag). Keys are the CareLimits field names; KPI targets are "target_<field>".
LABELS: dict[str, tuple[str, str]] = {
    "group_min_households": ("群诉认定户数（达到即为群诉，P1）", "C"),
    "p1_claim": ("索赔金额达到此数（含）为 P1，由部门经理处理（元）", "S"),
    "p2_claim": ("索赔金额达到此数（含）为 P2（元）", "C"),
    "gm_claim": ("索赔金额达到此数（含）由总经理处理（元）", "C"),
    "p1_response_hours": ("P1 首次响应时限（小时，24×7）", "C"),
    "p1_plan_hours": ("P1 答复方案时限（小时，24×7）", "C"),
    "p2_response_hours": ("P2 首次响应时限（小时）", "C"),
    "p2_plan_working_days": ("P2 答复方案时限（工作日）", "C"),
    "p2_close_calendar_days": ("P2 结案时限（自然日）", "C"),
    "p3_response_hours": ("P3 首次响应时限（小时）", "P"),
    "p3_plan_working_days": ("P3 答复方案时限（工作日）", "C"),
    "p3_close_calendar_days": ("P3 结案时限（自然日）", "C"),
    "amber_fraction": ("预警比例（时限用去此比例即为将到期，例如 0.80）", "C"),
    "second_escalation_multiple": ("超时达到时限的此倍数，另通知客服副经理", "C"),
    "calendar_days_roll_to_workday": ("自然日时限的到期日遇休息日顺延（1 是，0 否）", "C"),
    "repeat_window_days": ("重复投诉认定天数（同一房号、同一类别）", "C"),
    "reopen_window_days": ("结案后可重开的天数", "C"),
    "comp_supervisor_below": ("补偿金额低于此数由投诉主管审批（元）", "C"),
    "comp_manager_below": ("补偿金额低于此数由部门经理审批（元）", "S"),
    "comp_gm_below": ("补偿金额低于此数由总经理审批，达到由总裁审批（元）", "C"),
    "waterproof_years": ("防水工程保修期（年）", "L"),
    "electrical_plumbing_years": ("电气管线、给排水管道、设备安装保修期（年）", "L"),
    "finishes_years": ("装修工程保修期（年）", "L"),
    "design_life_years": ("地基基础和主体结构：设计合理使用年限（年）", "L"),
    "heating_seasons": ("供热系统保修期（采暖期数）", "L"),
    "cooling_seasons": ("供冷系统保修期（供冷期数）", "L"),
    "heating_season": ("采暖期起止（月-日~月-日）", "L"),
    "cooling_season": ("供冷期起止（月-日~月-日）", "C"),
    "partial_season_counts": ("交付时已开始的采暖/供冷期计入保修期（1 是，0 否）", "C"),
    "repair_urgent_on_site_hours": ("紧急报修到场时限（小时，24×7）", "C"),
    "repair_normal_on_site_hours": ("一般报修到场或预约时限（小时）", "C"),
    "repair_normal_fix_working_days": ("一般报修修复时限（工作日）", "C"),
    "repair_complex_plan_working_days": ("复杂报修出具方案时限（工作日）", "C"),
    "callback_working_days": ("结案后回访时限（工作日）", "C"),
    "callback_reopen_at_or_below": ("回访评分不高于此分（2 = 不满意）即重开并转投诉主管", "S"),
    "abandoned_seconds": ("接听率：此秒数内挂断的来电不计入分母", "C"),
    "target_answer_rate": ("目标：客服电话接听率（%）", "S"),
    "target_satisfaction_rate": ("目标：满意率（%）", "S"),
    "target_on_time_rate": ("目标：投诉处理及时率（%）", "S"),
    "target_complaint_satisfaction_rate": ("目标：投诉满意率（%）", "S"),
    "target_record_accuracy": ("目标：业主档案管理准确率（%）", "S"),
    "target_follow_up_rate": ("目标：回访率（%）", "C"),
    "target_renovation_efficiency": ("目标：装修手续办理效率提升（%）", "S"),
    "target_survey_satisfaction": ("目标：问卷满意度（%）", "C"),
}


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):  # a season ((m, d), (m, d))
        (sm, sd), (em, ed) = value
        return f"{sm:02d}-{sd:02d}~{em:02d}-{ed:02d}"
    return str(value)


def defaults() -> dict[str, str]:
    """Every setting's default as the admin sees it (the SPEC's values)."""
    out = {f.name: _fmt(getattr(rules.DEFAULT_LIMITS, f.name)) for f in dataclasses.fields(CareLimits) if f.name != "targets"}
    out.update({f"target_{f.name}": _fmt(getattr(rules.DEFAULT_LIMITS.targets, f.name)) for f in dataclasses.fields(KpiTargets)})
    return out


def _parse(text: str, like: Any) -> Any:
    text = (text or "").strip()
    if isinstance(like, bool):
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if isinstance(like, int):
        return int(text)
    if isinstance(like, Decimal):
        d = Decimal(text)
        if not d.is_finite():
            raise InvalidOperation(text)
        return d
    if isinstance(like, tuple):
        start, end = text.split("~")
        (sm, sd), (em, ed) = (tuple(int(x) for x in part.strip().split("-")) for part in (start, end))
        date(2024, sm, sd), date(2024, em, ed)
        return ((sm, sd), (em, ed))
    return text


def build(values: dict[str, str]) -> tuple[CareLimits, list[str]]:
    """A CareLimits from stored texts; a key that cannot be read keeps its default. Returns (limits, problems)."""
    problems: list[str] = []
    base = rules.DEFAULT_LIMITS
    kw: dict[str, Any] = {}
    for f in dataclasses.fields(CareLimits):
        if f.name == "targets" or f.name not in values:
            continue
        try:
            kw[f.name] = _parse(values[f.name], getattr(base, f.name))
        except (ValueError, InvalidOperation, TypeError):
            problems.append(f"「{LABELS.get(f.name, (f.name,))[0]}」的值「{values[f.name]}」无法识别，已按默认值 {_fmt(getattr(base, f.name))} 计算")
    tkw: dict[str, Any] = {}
    for f in dataclasses.fields(KpiTargets):
        key = f"target_{f.name}"
        if key in values:
            try:
                tkw[f.name] = _parse(values[key], getattr(base.targets, f.name))
            except (ValueError, InvalidOperation, TypeError):
                problems.append(f"「{LABELS[key][0]}」的值「{values[key]}」无法识别，已按默认值计算")
    limits = dataclasses.replace(base, **kw, targets=dataclasses.replace(base.targets, **tkw))
    errors = rules.limits_errors(limits)
    if errors:
        return base, problems + [f"{e}：已全部按默认值计算" for e in errors]
    return limits, problems


async def load_limits() -> CareLimits:
    """The limits in force (one query)."""
    return (await load_with_problems())[0]


async def load_with_problems() -> tuple[CareLimits, list[str]]:
    """The limits and the settings' problems: kept while the data version is unchanged (app/core/memo.py `kept`)."""
    from app.core import memo

    limits, problems = await memo.kept("care.limits", _read_limits)
    return limits, list(problems)


async def _read_limits() -> tuple[CareLimits, tuple[str, ...]]:
    from app.care.tables import CareSetting

    rows = await CareSetting.select(CareSetting.key, CareSetting.value)
    limits, problems = build({r["key"]: r["value"] for r in rows})
    return limits, tuple(problems)


async def seed_settings() -> int:
    """Insert the missing settings with their defaults (idempotent); returns how many were added."""
    from app.care.tables import CareSetting

    have = {r["key"] for r in await CareSetting.select(CareSetting.key)}
    new = [CareSetting(key=k, label=LABELS[k][0], value=v, tag=f"[{LABELS[k][1]}]") for k, v in defaults().items() if k not in have]
    if new:
        await CareSetting.insert(*new)
    return len(new)
