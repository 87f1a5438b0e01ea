"""Validators for Chinese identifiers and contact numbers. Each returns a Chinese error message or None."""
from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def validate_resident_id(value: str, *, today: date | None = None) -> str | None:
    """居民身份证号 per GB 11643: 6-digit area, birth date, 3-digit sequence, MOD 11-2 check character.

    Also used for 港澳台居民居住证 (area prefix 81/82/83, same checksum)."""
    v = normalize_id_number(value)
    if not v:
        return "请填写身份证号"
    if len(v) != 18:
        return "身份证号应为 18 位"
    if not (v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")):
        return "身份证号前 17 位须为数字，最后一位为数字或 X"
    try:
        birth = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if birth > (today or date.today()) or birth.year < 1800:
        return "身份证号中的出生日期无效"
    if id_check_char(v[:17]) != v[17]:
        return "身份证号校验位不正确，请核对"
    return None


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    check = 31 - total % 31
    return _USCC_ALPHABET[0 if check == 31 else check]


def validate_credit_code(value: str) -> str | None:
    """统一社会信用代码 (GB 32100): 18 characters, MOD 31 check character."""
    v = (value or "").strip().upper()
    if not v:
        return "请填写统一社会信用代码"
    if len(v) != 18:
        return "统一社会信用代码应为 18 位"
    if any(c not in _USCC_ALPHABET for c in v):
        return "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）"
    if uscc_check_char(v[:17]) != v[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def validate_mobile(value: str) -> str | None:
    v = (value or "").strip()
    if not v:
        return "请填写手机号"
    if not MOBILE_RE.match(v):
        return "手机号应为 11 位数字，以 13–19 开头"
    return None


def validate_landline(value: str) -> str | None:
    v = (value or "").strip()
    if not LANDLINE_RE.match(v):
        return "固定电话格式应为 区号-号码，例如 0512-68881234"
    return None


def validate_phone(value: str) -> str | None:
    """Mobile or landline."""
    v = (value or "").strip()
    if not v:
        return "请填写联系电话"
    if MOBILE_RE.match(v) or LANDLINE_RE.match(v):
        return None
    return "电话号码格式不正确：手机为 11 位，固话为 区号-号码"


def mask_id_number(value: str) -> str:
    """110101********1234: keep the first 6 and the last 4."""
    v = (value or "").strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep the area code and the last 4."""
    v = (value or "").strip()
    if MOBILE_RE.match(v):
        return v[:3] + "****" + v[-4:]
    if len(v) <= 4:
        return "*" * len(v)
    keep_head = v.find("-") + 1 if "-" in v else min(4, len(v) - 4)
    return v[:keep_head] + "*" * (len(v) - keep_head - 4) + v[-4:]
