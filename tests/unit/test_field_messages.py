"""Field messages say the problem once (issue 8 §2): the label is above the field, so the message drops its subject."""
import pytest

from app.core.fields import Parser, on_field

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, message", [
    ("abc", "格式不正确，请输入数字，例如 1234.56"),
    ("1.234", "最多保留两位小数"),
    ("-1", "不能为负数"),
    ("", "请填写报销金额"),
])
def test_money_messages_name_no_field(raw, message):
    p = Parser({"amount": raw})
    p.money("amount", "报销金额")
    assert p.errors["amount"] == message


def test_date_messages_name_no_field():
    p = Parser({"on": "2026-02-30", "off": ""})
    p.date("on", "发证日期")
    p.date("off", "有效期至")
    assert p.errors == {"on": "格式应为 YYYY-MM-DD，例如 2026-11-28", "off": "请填写有效期至"}


def test_other_messages_are_kept():
    assert on_field("数量应为整数", "数量") == "数量应为整数"
    assert on_field("金额", "x") == "金额"


def test_parse_id_takes_only_ascii_digits_of_a_32_bit_id():
    from app.core.fields import parse_id

    assert parse_id("12") == 12 and parse_id(" 7 ") == 7 and parse_id(2**31 - 1) == 2**31 - 1
    for bad in ("", None, "0", "-1", "1.5", "²", "１２", str(2**31), "abc"):
        assert parse_id(bad) is None, bad
