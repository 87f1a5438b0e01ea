"""Parsing form input field by field, collecting Chinese messages per field. Every request type's form uses this."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from app.core.money import MoneyError, parse_money
from app.core.timeutil import parse_date


def on_field(message: str, label: str) -> str:
    """A validator's message as shown under its field. The field's label is right above it, so the message says the
    problem once ("格式不正确，请输入数字，例如 1234.56", not "金额：金额格式不正确…"); the error summary at the top of
    a long form names the field (`error_summary` in _partials/forms.html)."""
    if message.startswith("请填写"):
        return f"请填写{label}"
    for subject in ("金额", "日期"):
        if message.startswith(subject):
            return message[len(subject):].lstrip("：:") or message
    return message


class Parser:
    def __init__(self, values: Any):
        self.values = values
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str:
        v = self.values.get(name) if hasattr(self.values, "get") else None
        return v.strip() if isinstance(v, str) else ""

    def getall(self, name: str) -> list[str]:
        if hasattr(self.values, "getall"):
            return [v.strip() if isinstance(v, str) else "" for v in self.values.getall(name, [])]
        v = self.values.get(name)
        if isinstance(v, list):
            return [str(x).strip() for x in v]
        return [] if v in (None, "") else [str(v).strip()]

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, label: str, *, required: bool = True, max_len: int = 200) -> str:
        v = self.raw(name)
        if required and not v:
            self.fail(name, f"请填写{label}")
        elif len(v) > max_len:
            self.fail(name, f"{label}最多 {max_len} 个字")
        return v

    def money(self, name: str, label: str, *, required: bool = True, allow_zero: bool = False, raw: str | None = None) -> Decimal | None:
        v = self.raw(name) if raw is None else raw
        if not v and not required:
            return None
        try:
            return parse_money(v, allow_zero=allow_zero)
        except MoneyError as e:
            self.fail(name, on_field(str(e), label))
            return None

    def date(self, name: str, label: str, *, required: bool = True, raw: str | None = None) -> date | None:
        v = self.raw(name) if raw is None else raw
        if not v and not required:
            return None
        try:
            return parse_date(v)
        except ValueError as e:
            self.fail(name, on_field(str(e), label))
            return None

    def choice(self, name: str, label: str, choices: Iterable[str], *, required: bool = True) -> str:
        v = self.raw(name)
        options = list(choices)
        if not v:
            if required:
                self.fail(name, f"请选择{label}")
            return ""
        if v not in options:
            self.fail(name, f"{label}的选项无效")
            return ""
        return v

    def integer(self, name: str, label: str, *, minimum: int | None = None, maximum: int | None = None, required: bool = True,
                raw: str | None = None) -> int | None:
        v = self.raw(name) if raw is None else raw
        if not v:
            if required:
                self.fail(name, f"请填写{label}")
            return None
        try:
            n = int(v)
        except ValueError:
            self.fail(name, f"{label}应为整数")
            return None
        if minimum is not None and n < minimum:
            self.fail(name, f"{label}不能小于 {minimum}")
        elif maximum is not None and n > maximum:
            self.fail(name, f"{label}不能大于 {maximum}")
        return n

    def flag(self, name: str) -> bool:
        return self.raw(name) in ("1", "on", "true", "yes")


MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL


def ascii_digits(text: Any) -> bool:
    """Only 0-9 (str.isdigit() also accepts "²" and "①", which int() refuses): the test before any int() of input."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def parse_id(raw: Any) -> int | None:
    """A record id as typed or in a URL: ASCII digits of a positive 32-bit integer, else None (never an exception)."""
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:  # int() of a 4,300-digit string raises
        return None
    n = int(text)
    return n if 0 < n <= MAX_ID else None


def pick_id(p: Parser, name: str, label: str, *, required: bool = True) -> int | None:
    """A chosen row id from a <select>: blank → "请选择…", anything but a positive 32-bit integer → "选项无效"."""
    raw = p.raw(name)
    if not raw:
        if required:
            p.fail(name, f"请选择{label}")
        return None
    n = parse_id(raw)
    if n is None:
        p.fail(name, f"{label}的选项无效")
    return n


def form_text(value: Any) -> str:
    """A stored value as it goes back into a form field (money always with two places)."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, float)):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


class FormValues(dict):
    """Form values given in code (seeds, the benchmark, a form refilled server-side) for the parsers that read a request's
    form: `getall` as Litestar's FormMultiDict answers it (a list value is several values of one name)."""

    def getall(self, key, default=None):
        v = self.get(key)
        if v is None:
            return default if default is not None else []
        return list(v) if isinstance(v, list) else [v]
