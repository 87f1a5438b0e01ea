"""Chinese licence plates (GA 36-2018), pure: a province abbreviation, the issuing office's letter (A–Z without I and
O), then 5 letters or digits (7 in all), or for a new-energy vehicle 6 (8 in all):

- small new-energy vehicle: D (pure electric) or F (other new energy) at position 3, then a letter or digit, then
  4 digits — 川AD12345, 京AFA1234;
- large new-energy vehicle: 5 digits, then D or F at the end — 川A12345D.

Input is normalised first: spaces, the middle dot and hyphens dropped, full-width letters and digits made half-width,
letters upper-cased (川a·d12345 → 川AD12345). Messages are in Chinese, one per problem."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are never used (they read as 1 and 0)
ORDINARY_LEN = 7
NEW_ENERGY_LEN = 8

_TAIL = re.compile(r"^[A-HJ-NP-Z0-9]+$")
_SMALL_NEV = re.compile(r"^[DF][A-HJ-NP-Z0-9][0-9]{4}$")
_LARGE_NEV = re.compile(r"^[0-9]{5}[DF]$")
_DROPPED = str.maketrans("", "", " \t·.•・-—_")

SMALL_NEV = "小型新能源"
LARGE_NEV = "大型新能源"
ORDINARY = "普通"


class PlateError(ValueError):
    """A plate that cannot be right; str(e) is the Chinese message shown under the field."""


@dataclass(frozen=True)
class Plate:
    text: str  # normalised: 川AD12345
    kind: str  # 普通 / 小型新能源 / 大型新能源

    @property
    def new_energy(self) -> bool:
        return self.kind != ORDINARY

    @property
    def display(self) -> str:
        """川A·D12345: the dot after the office's letter, as printed on the plate."""
        return f"{self.text[:2]}·{self.text[2:]}"


def normalize(raw: str | None) -> str:
    text = unicodedata.normalize("NFKC", raw or "")  # full-width Ａ１ → A1
    return text.translate(_DROPPED).strip().upper()


def parse(raw: str | None) -> Plate:
    """The plate, normalised and classified, or PlateError with the first problem found."""
    text = normalize(raw)
    if not text:
        raise PlateError("请填写车牌号")
    if text[0] not in PROVINCES:
        raise PlateError("车牌第 1 位应为省份简称，例如 川、京、粤")
    if len(text) not in (ORDINARY_LEN, NEW_ENERGY_LEN):
        raise PlateError(f"车牌号应为 7 位（新能源车 8 位），现在是 {len(text)} 位")
    if text[1] not in LETTERS:
        if text[1] in "IO":
            raise PlateError("车牌第 2 位不使用字母 I、O")
        raise PlateError("车牌第 2 位应为发牌机关的字母（A–Z，不用 I、O）")
    tail = text[2:]
    if not _TAIL.match(tail):
        if any(c in "IO" for c in tail):
            raise PlateError("车牌号不使用字母 I、O（请改为数字 1、0）")
        raise PlateError("车牌第 3 位起只能是字母或数字")
    if len(text) == ORDINARY_LEN:
        return Plate(text, ORDINARY)
    if _SMALL_NEV.match(tail):
        return Plate(text, SMALL_NEV)
    if _LARGE_NEV.match(tail):
        return Plate(text, LARGE_NEV)
    raise PlateError("8 位新能源车牌：小型车第 3 位为 D 或 F、最后 4 位为数字（如 川AD12345）；大型车前 5 位为数字、末位为 D 或 F（如 川A12345D）")


def check(raw: str | None) -> str | None:
    """The Chinese message for a wrong plate, or None when it is right."""
    try:
        parse(raw)
    except PlateError as e:
        return str(e)
    return None
