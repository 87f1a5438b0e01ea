"""Pure helpers of the shift part: radio numbers as typed on a tablet, the badge confirmation, repeatable rows, keys."""
from datetime import date, time

import pytest

from app.core.fields import FormValues
from app.site.services import Slot
from app.site_shift.remind import ref_of
from app.site_shift.services import badge_matches, handover_key, radio_numbers, rows, slot_key

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, out", [("1,2,5", "1,2,5"), ("5，1 2", "1,2,5"), ("3、3、1", "1,3"), ("", ""), ("一,二", None),
                                      ("1;2", None), ("12345", None), ("²", None)])
def test_radio_numbers(raw, out):
    assert radio_numbers(raw) == out


def test_badge_matches_badge_or_name_only():
    w = {"badge": "BA002", "name": "王保安"}
    assert badge_matches(w, "ba002") and badge_matches(w, " 王保安 ")
    assert not badge_matches(w, "") and not badge_matches(w, "BA003")
    assert not badge_matches({"badge": "", "name": "张三"}, "")


def test_rows_drop_blank_lines_and_pad_short_columns():
    v = FormValues({"c_item": ["鞋套", "", "垃圾袋"], "c_qty": ["4", ""]})
    assert rows(v, "c_item", "c_qty") == [("鞋套", "4"), ("垃圾袋", "")]
    assert rows(FormValues({}), "c_item", "c_qty") == []


def test_keys_and_the_night_change_time():
    night = Slot(id=7, pattern=1, name="夜班", start=time(20), end=time(8))
    change = night.span(date(2026, 12, 31))[1]
    assert change.date() == date(2027, 1, 1)  # the night slot of 31 Dec changes on the first of the next month
    assert ref_of(3, 7, change) == "site_handover:3:7:202701010800" and len(ref_of(99999, 99999, change)) <= 60
    assert slot_key(3, date(2026, 12, 31), 7) == "3:2026-12-31:7"
    assert handover_key(3, None, date(2026, 12, 31), 7) == "3:0:2026-12-31:7"
