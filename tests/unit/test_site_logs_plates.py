"""Licence plates (GA 36-2018): 7 characters, 8 for new-energy vehicles with the D/F rules, the province
abbreviations, no I/O, normalised to upper case."""
import pytest

from app.site_logs import plates

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, text, kind", [
    ("川A12345", "川A12345", plates.ORDINARY),
    ("京BX7Y9Z", "京BX7Y9Z", plates.ORDINARY),
    ("粤Z1234A", "粤Z1234A", plates.ORDINARY),
    ("川a·8b3c5", "川A8B3C5", plates.ORDINARY),  # lower case and the middle dot are fine
    (" 沪 C-12345 ", "沪C12345", plates.ORDINARY),
    ("川ＡＤ１２３４５", "川AD12345", plates.SMALL_NEV),  # full-width
    ("川AD12345", "川AD12345", plates.SMALL_NEV),
    ("京AFA1234", "京AFA1234", plates.SMALL_NEV),
    ("浙ad12345", "浙AD12345", plates.SMALL_NEV),
    ("川A12345D", "川A12345D", plates.LARGE_NEV),
    ("苏E54321F", "苏E54321F", plates.LARGE_NEV),
])
def test_good_plates(raw, text, kind):
    p = plates.parse(raw)
    assert (p.text, p.kind) == (text, kind)
    assert plates.check(raw) is None
    assert p.new_energy == (kind != plates.ORDINARY)


@pytest.mark.parametrize("raw, message_part", [
    ("", "请填写车牌号"),
    ("   ", "请填写车牌号"),
    ("A123456", "省份简称"),  # no province
    ("港A12345", "省份简称"),  # not one of the 31
    ("川A1234", "7 位"),  # 6 characters
    ("川A123456789", "7 位"),
    ("川I12345", "I、O"),  # the office letter
    ("川112345", "字母"),
    ("川A1O345", "I、O"),
    ("川AI2345", "I、O"),
    ("川A12#45", "字母或数字"),
    ("川A12345X", "8 位新能源车牌"),  # 8 without D/F at either place
    ("川AD1234X", "8 位新能源车牌"),  # small NEV: the last 4 are digits
    ("川A1234DD", "8 位新能源车牌"),  # large NEV: the first 5 are digits
    ("川AX12345", "8 位新能源车牌"),
])
def test_bad_plates(raw, message_part):
    with pytest.raises(plates.PlateError) as e:
        plates.parse(raw)
    assert message_part in str(e.value)
    assert plates.check(raw) == str(e.value)


def test_every_province_and_no_io_letters():
    assert len(plates.PROVINCES) == 31
    assert "I" not in plates.LETTERS and "O" not in plates.LETTERS and len(plates.LETTERS) == 24
    for p in plates.PROVINCES:
        assert plates.check(f"{p}A12345") is None


def test_display_has_the_dot():
    assert plates.parse("川ad12345").display == "川A·D12345"
