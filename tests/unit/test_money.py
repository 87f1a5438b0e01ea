from decimal import Decimal

import pytest

from app.core.money import MoneyError, amount_in_words, format_money, parse_money

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value, words",
    [
        ("10000", "壹万元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("100.05", "壹佰元零伍分"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("105000", "壹拾万零伍仟元整"),
        ("10001000", "壹仟万零壹仟元整"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("70000.00", "柒万元整"),
        ("0", "零元整"),
        ("-3.20", "负叁元贰角"),
    ],
)
def test_amount_in_words(value, words):
    assert amount_in_words(Decimal(value)) == words


def test_parse_money_two_places():
    assert parse_money("1,234.5") == Decimal("1234.50")
    assert parse_money("¥99") == Decimal("99.00")
    assert str(parse_money("0.1")) == "0.10"


@pytest.mark.parametrize(
    "raw, message",
    [("12.345", "金额最多保留两位小数"), ("-1", "金额不能为负数"), ("abc", "金额格式不正确，请输入数字，例如 1234.56"),
     ("", "请填写金额"), ("NaN", "金额格式不正确，请输入数字，例如 1234.56"), ("1e20", "金额超出允许范围")],
)
def test_parse_money_refuses(raw, message):
    with pytest.raises(MoneyError) as e:
        parse_money(raw)
    assert str(e.value) == message


def test_zero_can_be_refused():
    with pytest.raises(MoneyError):
        parse_money("0", allow_zero=False)


def test_format_money():
    assert format_money(Decimal("1234.5")) == "¥1,234.50"
    assert format_money(Decimal("-0.005")) == "-¥0.01"
