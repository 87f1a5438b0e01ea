"""The intake form (SPEC D1): parse what the officer typed into the values of a case, with a Chinese message on each
field. Used by the submit (the server decides) and by the live preview of the level (the same parse, nothing written)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.care import rules, states
from app.core.fields import Parser, parse_id
from app.core.validators import validate_phone

PRIORITIES = list(rules.REPAIR_PRIORITIES)


def _flag(p: Parser, name: str) -> bool:
    return p.flag(name)


async def parse_intake(values: Any, user, *, lookup_unit, strict: bool = True) -> tuple[dict, dict[str, str], dict | None]:
    """(cleaned, errors, unit) — `lookup_unit(user, unit_id, project_id)` returns the unit with its current deal, or a
    message. `strict=False` (the preview) checks only what decides the level."""
    p = Parser(values)
    kind = p.choice("kind", "类型", states.KINDS)
    channel = p.choice("channel", "渠道", states.CHANNELS, required=strict)
    category = ""
    if kind in states.COMPLAINT_KINDS:
        category = p.choice("category", "投诉类别", states.CATEGORIES, required=strict)
    project = parse_id(p.raw("project"))
    if project is None:
        if strict or p.raw("project"):
            p.fail("project", "请选择项目")
    elif not user.sees_project(project):
        p.fail("project", "该项目不在您的数据范围内")
        project = None
    unit = None
    raw_unit = p.raw("unit")
    if raw_unit:
        uid = parse_id(raw_unit)
        found = await lookup_unit(user, uid, project) if uid is not None else "没有找到该房号，请从列表中选择"
        if isinstance(found, str):
            p.fail("unit", found)
        else:
            unit = found
    elif kind in ("报修",) and strict:
        p.fail("unit", "报修须选择房号")
    caller_name = p.text("caller_name", "来电人姓名", required=False, max_len=50)
    phone = p.raw("caller_phone")
    has_buyer = bool(unit and unit.get("buyer"))
    if phone:
        err = validate_phone(phone)
        if err:
            p.fail("caller_phone", err)
    elif strict and not has_buyer:
        p.fail("caller_phone", "请填写联系电话（该房号没有在册客户）" if unit else "请填写联系电话")
    if strict and not has_buyer and not caller_name:
        p.fail("caller_name", "请填写来电人姓名（尚非在册客户）")
    title = p.text("title", "标题", required=strict, max_len=100)
    content = p.text("content", "内容", required=strict, max_len=2000)
    demand = p.text("demand", "诉求", required=False, max_len=1000)
    claim = p.money("claim_amount", "索赔金额", required=False, allow_zero=False)
    if claim is not None and kind not in states.COMPLAINT_KINDS:
        p.fail("claim_amount", "只有投诉、索赔可以填写索赔金额")
    group = _flag(p, "group_complaint")
    households = 1
    if p.raw("households"):
        households = p.integer("households", "户数", minimum=1, maximum=100000) or 1
    if group and households < 2:
        p.fail("households", "群诉请填写涉及的户数（2 户及以上）")
    cleaned: dict[str, Any] = {
        "kind": kind, "channel": channel, "category": category, "project": project, "unit": unit["id"] if unit else None,
        "buyer": unit.get("buyer") if unit else None, "deal": unit.get("deal") if unit else None,
        "caller_name": caller_name, "caller_phone": phone, "title": title, "content": content, "demand": demand,
        "claim_amount": claim, "group_complaint": group or households >= 2, "households": households,
        "media_risk": _flag(p, "media_risk"), "safety_risk": _flag(p, "safety_risk"), "lawsuit_risk": _flag(p, "lawsuit_risk"),
        "unusable": _flag(p, "unusable"),
    }
    if kind == "报修":
        element = p.raw("element")
        if element not in rules.WARRANTY_ELEMENTS:
            if strict or element:
                p.fail("element", "请选择报修部位")
            element = ""
        priority = p.raw("priority") or rules.NORMAL_REPAIR
        if priority not in rules.REPAIR_PRIORITIES:
            p.fail("priority", "紧急程度的选项无效")
            priority = rules.NORMAL_REPAIR
        cleaned.update(element=element, location=p.text("location", "具体位置", required=False, max_len=100),
                       priority=priority, needs_inspection=_flag(p, "needs_inspection"))
    return cleaned, p.errors, unit


def facts_of(cleaned: dict, repeat: bool) -> rules.CaseFacts:
    return rules.CaseFacts(claim_amount=cleaned.get("claim_amount"), households=int(cleaned.get("households") or 1),
                           safety_risk=bool(cleaned.get("safety_risk")), media=bool(cleaned.get("media_risk")),
                           lawsuit_threatened=bool(cleaned.get("lawsuit_risk")), repeat=repeat,
                           home_unusable=bool(cleaned.get("unusable")))


def money_text(v: Decimal | None) -> str:
    return "" if v is None else f"{v:.2f}"
