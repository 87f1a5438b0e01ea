from datetime import date

import pytest

from app.core.validators import (
    id_check_char,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_landline,
    validate_mobile,
    validate_phone,
    validate_resident_id,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014", "11010519491231002x", " 11010519491231002X "])
def test_valid_resident_ids(value):
    assert validate_resident_id(value) is None


def test_id_check_char_matches_gb11643_example():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "请填写身份证号"),
        ("1101051949123100", "身份证号应为 18 位"),
        ("110105194912310021", "身份证号校验位不正确，请核对"),
        ("11010519491331002X", "身份证号中的出生日期无效"),  # month 13
        ("11010519490230002X", "身份证号中的出生日期无效"),  # 30 February
        ("1101051949123100AX", "身份证号前 17 位须为数字，最后一位为数字或 X"),
    ],
)
def test_invalid_resident_ids(value, message):
    assert validate_resident_id(value) == message


def test_birth_date_in_future_is_refused():
    first17 = "11010520991231002"
    assert validate_resident_id(first17 + id_check_char(first17), today=date(2026, 11, 28)) == "身份证号中的出生日期无效"


def test_hk_macau_taiwan_residence_permit_uses_same_checksum():
    first17 = "81000019900101001"
    assert validate_resident_id(first17 + id_check_char(first17)) is None


@pytest.mark.parametrize("code", ["91440300708461136T", "914403001922038216", "91330100716105852F", "91110000802100433B"])
def test_valid_credit_codes(code):
    assert validate_credit_code(code) is None


@pytest.mark.parametrize(
    "code, message",
    [
        ("91440300708461136A", "统一社会信用代码校验位不正确，请核对"),
        ("9144030070846113", "统一社会信用代码应为 18 位"),
        ("91440300708461136I", "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）"),
        ("", "请填写统一社会信用代码"),
    ],
)
def test_invalid_credit_codes(code, message):
    assert validate_credit_code(code) == message


def test_phones():
    assert validate_mobile("13812345678") is None
    assert validate_mobile("12812345678") == "手机号应为 11 位数字，以 13–19 开头"
    assert validate_mobile("1381234567") is not None
    assert validate_landline("0512-68881234") is None
    assert validate_landline("01068881234") is None
    assert validate_landline("512-6888123") is not None
    assert validate_phone("0512-68881234") is None and validate_phone("13812345678") is None
    assert validate_phone("abc") is not None


def test_masking():
    assert mask_id_number("110101199001011234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0512-68881234").endswith("1234") and "*" in mask_phone("0512-68881234")
    assert mask_id_number("") == ""
