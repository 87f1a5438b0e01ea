"""The call-QA score and the phone-system cell parsers (app/calls/rules.py)."""
from datetime import datetime

import pytest

from app.calls import rules
from app.core.timeutil import SHANGHAI

pytestmark = pytest.mark.unit


def test_ten_items_ten_points_each():
    assert len(rules.QA_ITEMS) == 10
    assert [g for g in rules.QA_GROUPS] == ["三要", "三不", "四个一样"]
    assert sum(1 for i in rules.QA_ITEMS if i.group == "三要") == 3
    assert sum(1 for i in rules.QA_ITEMS if i.group == "三不") == 3
    assert sum(1 for i in rules.QA_ITEMS if i.group == "四个一样") == 4
    assert rules.qa_score(rules.QA_KEYS) == 100
    assert rules.qa_score([]) == 0
    assert rules.qa_score(["please"]) == 10
    assert rules.qa_score(["please", "please", "nonsense"]) == 10
    assert rules.qa_score(rules.QA_KEYS[:7]) == 70


def test_items_text_round_trip_in_checklist_order():
    text = rules.qa_items_text(["bye", "please", "x"])
    assert text == "please,bye"
    assert rules.qa_items_parse(text) == ["please", "bye"]
    assert rules.qa_items_parse("") == []


def test_cells():
    assert rules.cell_datetime("2026-11-28 14:05:09", "开始时间") == datetime(2026, 11, 28, 14, 5, 9, tzinfo=SHANGHAI)
    assert rules.cell_datetime("2026/11/28 14:05", "开始时间").minute == 5
    with pytest.raises(rules.CellError, match="不是有效的时间"):
        rules.cell_datetime("2026-13-45 10:00:00", "开始时间")
    with pytest.raises(rules.CellError, match="请填写"):
        rules.cell_datetime("", "开始时间")
    assert rules.cell_seconds("01:05", "通话时长") == 65
    assert rules.cell_seconds("", "通话时长") == 0
    assert rules.cell_seconds(12.0, "通话时长") == 12
    with pytest.raises(rules.CellError):
        rules.cell_seconds("abc", "通话时长")
    assert rules.cell_answered("是", 0, "是否接通") is True
    assert rules.cell_answered("", 30, "是否接通") is True
    assert rules.cell_answered("", 0, "是否接通") is False
    with pytest.raises(rules.CellError):
        rules.cell_answered("也许", 0, "是否接通")
    assert rules.cell_rating("满意", "评价") == 4 and rules.cell_rating("", "评价") is None
    assert rules.normalise_number("+86 138-1234-5678") == "13812345678"
    assert rules.cell_direction("外呼", "方向") == "呼出"


def test_mapping_guess_prefers_the_saved_header():
    headers = ["流水号", "呼叫时间", "主叫号码", "工号", "通话时长"]
    m = rules.guess_mapping(headers)
    assert m["call_id"] == "流水号" and m["started_at"] == "呼叫时间" and m["number"] == "主叫号码" and m["agent_code"] == "工号"
    assert m["answered"] == ""
    m2 = rules.guess_mapping(["ID", "T", "N"], {"call_id": "ID", "started_at": "T", "number": "N"})
    assert (m2["call_id"], m2["started_at"], m2["number"]) == ("ID", "T", "N")


def test_abandoned_short():
    assert rules.abandoned_short(False, 3, 5) is True
    assert rules.abandoned_short(False, 5, 5) is False
    assert rules.abandoned_short(True, 1, 5) is False
