"""The personnel-file form and the reward/penalty form: field by field with Chinese messages (the values are kept by
the page)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.core.fields import Parser, parse_id
from app.core.validators import normalize_id_number, validate_phone, validate_resident_id
from app.hr_people.services import KINDS, FileInput, RewardInput

EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
MAX_MONEY = Decimal("10000000")
EDUCATION = ("初中及以下", "高中/中专", "大专", "本科", "硕士", "博士")

FILE_LABELS = {"id_no": "身份证号", "base_salary": "基本工资", "education": "学历", "emergency_name": "紧急联系人",
               "emergency_phone": "紧急联系人电话", "note": "备注"}
REWARD_LABELS = {"kind": "类别", "on": "日期", "title": "事由", "detail": "详细说明", "amount": "金额", "clause": "依据条款",
                 "basis": "依据说明"}


def _money(p: Parser, name: str, label: str) -> Decimal | None:
    v = p.money(name, label, required=False, allow_zero=False)
    if v is not None and v > MAX_MONEY:
        p.fail(name, f"{label}超出允许范围")
        return None
    return v


def parse_file(values: Any, today: date) -> tuple[FileInput | None, dict[str, str]]:
    p = Parser(values)
    id_no = normalize_id_number(p.raw("id_no"))
    if id_no:
        msg = validate_resident_id(id_no, today=today)
        if msg:
            p.fail("id_no", msg)
    base_salary = _money(p, "base_salary", FILE_LABELS["base_salary"])
    education = p.choice("education", FILE_LABELS["education"], EDUCATION, required=False)
    emergency_name = p.text("emergency_name", FILE_LABELS["emergency_name"], required=False, max_len=50)
    phone = p.raw("emergency_phone")
    if phone:
        msg = validate_phone(phone)
        if msg:
            p.fail("emergency_phone", msg)
    if phone and not emergency_name:
        p.fail("emergency_name", "填写了联系电话，请同时填写紧急联系人")
    note = p.text("note", FILE_LABELS["note"], required=False, max_len=500)
    if p.errors:
        return None, p.errors
    return FileInput(id_no, base_salary, education, emergency_name, phone, note), {}


def parse_reward(values: Any, today: date) -> tuple[RewardInput | None, dict[str, str]]:
    p = Parser(values)
    kind = p.choice("kind", REWARD_LABELS["kind"], KINDS)
    on = p.date("on", REWARD_LABELS["on"])
    if on is not None and not (EARLIEST <= on <= today):
        p.fail("on", "日期不能晚于今天" if on > today else f"日期应在 {EARLIEST.year} 年之后")
    title = p.text("title", REWARD_LABELS["title"], max_len=100)
    detail = p.text("detail", REWARD_LABELS["detail"], required=False, max_len=2000)
    amount = _money(p, "amount", REWARD_LABELS["amount"])
    clause = None
    raw = p.raw("clause")
    if raw:
        clause = parse_id(raw)
        if clause is None:
            p.fail("clause", "依据条款的选项无效")
    basis = p.text("basis", REWARD_LABELS["basis"], required=False, max_len=200)
    if not raw and not basis and "clause" not in p.errors:
        p.fail("basis", "请选择依据的规章条款，或填写依据说明")
    if p.errors:
        return None, p.errors
    return RewardInput(kind, on, title, detail, amount, clause, basis), {}
