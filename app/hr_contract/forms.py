"""The new-contract form: field by field with Chinese messages, then the legal rules on the fields they concern
(probation by term [L art. 19], probation pay [L art. 20])."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.fields import Parser, pick_id
from app.hr_contract import rules

EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # dates outside are typing errors (and keep date arithmetic safe)
MAX_PAY = Decimal("10000000")

LABELS = {"employee": "员工", "kind": "合同类型", "start": "开始日期", "end": "结束日期", "probation_end": "试用期至",
          "pay": "月工资", "probation_pay": "试用期月工资", "post": "工作岗位", "signed_on": "签订日期", "note": "备注"}


@dataclass
class ContractInput:
    employee: int
    kind: str
    start: date
    end: date | None
    probation_end: date | None
    pay: Decimal
    probation_pay: Decimal | None
    post: str
    nda: bool
    non_compete: bool
    signed_on: date | None
    note: str


def _date(p: Parser, name: str, *, required: bool) -> date | None:
    d = p.date(name, LABELS[name], required=required)
    if d is not None and not (EARLIEST <= d <= LATEST):
        p.fail(name, f"{LABELS[name]}应在 {EARLIEST.year}–{LATEST.year} 年之间")
        return None
    return d


def _pay(p: Parser, name: str, *, required: bool) -> Decimal | None:
    v = p.money(name, LABELS[name], required=required, allow_zero=False)
    if v is not None and v > MAX_PAY:
        p.fail(name, "金额超出允许范围")
        return None
    return v


def parse(values: Any, *, probation_pay_pct: int, today: date) -> tuple[ContractInput | None, dict[str, str]]:
    p = Parser(values)
    employee = pick_id(p, "employee", LABELS["employee"])
    kind = p.choice("kind", LABELS["kind"], rules.KINDS)
    start = _date(p, "start", required=True)
    end = _date(p, "end", required=kind == rules.FIXED)
    probation_end = _date(p, "probation_end", required=False)
    pay = _pay(p, "pay", required=True)
    probation_pay = _pay(p, "probation_pay", required=False)
    post = p.text("post", LABELS["post"], max_len=60)
    signed_on = _date(p, "signed_on", required=False)
    note = p.text("note", LABELS["note"], required=False, max_len=500)
    if kind == rules.OPEN and end is not None:
        p.fail("end", "无固定期限劳动合同不填写结束日期")
    if start and end and end <= start:
        p.fail("end", "结束日期应晚于开始日期")
    if start and kind and "end" not in p.errors and "probation_end" not in p.errors:
        msg = rules.check_probation(kind, start, end, probation_end)
        if msg:
            p.fail("probation_end", msg)
    if probation_end is not None and probation_pay is None and "probation_end" not in p.errors:
        p.fail("probation_pay", "约定了试用期，请填写试用期月工资")
    if probation_end is None and probation_pay is not None and "probation_end" not in p.errors:
        p.fail("probation_pay", "未约定试用期，无需填写试用期月工资")
    if pay is not None and probation_pay is not None and "probation_pay" not in p.errors:
        msg = rules.check_probation_pay(pay, probation_pay, probation_pay_pct)
        if msg:
            p.fail("probation_pay", msg)
    if signed_on is not None and signed_on > today:
        p.fail("signed_on", "签订日期不能晚于今天")
    if p.errors:
        return None, p.errors
    return ContractInput(employee, kind, start, end, probation_end, pay, probation_pay, post, p.flag("nda"),
                         p.flag("non_compete"), signed_on, note), {}


def parse_signed_on(values: Any, today: date) -> tuple[date | None, dict[str, str]]:
    p = Parser(values)
    d = p.date("signed_on", "签订日期")
    if d is not None and not (EARLIEST <= d <= today):
        p.fail("signed_on", "签订日期不能晚于今天" if d > today else f"签订日期应在 {EARLIEST.year} 年之后")
    return (None, p.errors) if p.errors else (d, {})


def parse_end(values: Any, contract: dict, today: date) -> tuple[tuple[date, str] | None, dict[str, str]]:
    """Ending a contract: the day and the reason. 期满终止 is the end of a term, on its last day; any other reason ends
    it on or before that day (and never after today)."""
    p = Parser(values)
    reason = p.choice("end_reason", "终止原因", rules.END_REASONS)
    d = p.date("ended_on", "终止日期")
    if d is not None:
        if d < contract["start"]:
            p.fail("ended_on", "终止日期不能早于合同开始日")
        elif d > today:
            p.fail("ended_on", "终止日期不能晚于今天")
        elif contract["end"] is not None and d > contract["end"]:
            p.fail("ended_on", "终止日期不能晚于合同结束日")
        elif reason == rules.ON_EXPIRY and contract["end"] is None:
            p.fail("end_reason", "无固定期限劳动合同没有期满终止，请选择解除的原因")
        elif reason == rules.ON_EXPIRY and d != contract["end"]:
            p.fail("ended_on", f"期满终止的日期应为合同结束日 {contract['end']:%Y-%m-%d}")
    return (None, p.errors) if p.errors else ((d, reason), {})
