"""Money: Decimal with two places, rounded half-up; ¥ formatting and 大写金额."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999999.99")  # DECIMAL(15,2)


class MoneyError(ValueError):
    """Carries a Chinese message for the form field."""


def parse_money(raw: str | int | Decimal | None, *, allow_negative: bool = False, allow_zero: bool = True) -> Decimal:
    """Parse user input into a two-place Decimal. More than two decimals is an error, not a silent rounding."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise MoneyError("请填写金额")
    text = str(raw).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise MoneyError("金额格式不正确，请输入数字，例如 1234.56") from None
    if not value.is_finite():
        raise MoneyError("金额格式不正确，请输入数字，例如 1234.56")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise MoneyError("金额最多保留两位小数")
    if value < 0 and not allow_negative:
        raise MoneyError("金额不能为负数")
    if value == 0 and not allow_zero:
        raise MoneyError("金额必须大于 0")
    if abs(value) > MAX_MONEY:
        raise MoneyError("金额超出允许范围")
    return value.quantize(CENT)


def round_money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | int | float | None, symbol: str = "¥") -> str:
    if value is None:
        return ""
    d = round_money(Decimal(str(value)))
    sign = "-" if d < 0 else ""
    return f"{sign}{symbol}{abs(d):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    """Render 0 < n < 10000 with 零 between non-adjacent digits, no leading/trailing 零."""
    out = []
    zero = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out.append("零")
                zero = False
            out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def amount_in_words(value: Decimal | int | str) -> str:
    """大写金额, e.g. 10000 → 壹万元整, 1234.56 → 壹仟贰佰叁拾肆元伍角陆分, 0.05 → 伍分."""
    d = round_money(Decimal(str(value)))
    prefix = "负" if d < 0 else ""
    d = abs(d)
    yuan = int(d)
    cents = int((d - yuan) * 100)
    jiao, fen = divmod(cents, 10)

    if yuan == 0 and cents == 0:
        return "零元整"

    parts: list[str] = []
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        need_zero = False
        for idx in range(len(groups) - 1, -1, -1):
            g = groups[idx]
            if g == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or g < 1000):
                parts.append("零")
            parts.append(_four_digits(g) + _BIG_UNITS[idx])
            need_zero = g % 10 == 0  # trailing zeros of this group separate it from the next
        parts.append("元")
    text = "".join(parts)
    if cents == 0:
        return prefix + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"  # 元 followed by 0 角 and some 分: 壹佰元零伍分
    if fen:
        text += _DIGITS[fen] + "分"
    return prefix + text
