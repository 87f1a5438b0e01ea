"""招聘 rules (SPEC §E12): outside the approved headcount, interview scores, the offer's probation against the first
contract's term [L 劳动合同法 第十九条], readiness for an offer, the one-time password."""
from datetime import date

import pytest

from app.hr_recruit import rules
from app.hr_recruit.services import new_password

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("approved, employed, pending, wanted, outside", [
    (5, 3, 0, 2, False),  # exactly the approved headcount: inside
    (5, 3, 0, 3, True),
    (5, 3, 1, 2, True),  # the open requests count
    (0, 0, 0, 1, True),  # no headcount row: 0 approved
    (2, 0, 0, 1, False),
])
def test_outside_headcount(approved, employed, pending, wanted, outside):
    assert rules.outside_headcount(approved, employed, pending, wanted) is outside
    assert ("超出编制" in rules.headcount_text(approved, employed, pending, wanted)) is outside


@pytest.mark.parametrize("raw, ok", [("0", True), ("100", True), ("59", True), ("101", False), ("-1", False), ("", False),
                                     ("8.5", False), ("８０", False), ("abc", False), ("1000", False), ("²", False)])
def test_score_validation(raw, ok):
    assert (rules.score_error(raw) == "") is ok


def test_probation_against_the_contract_term():
    start = date(2026, 3, 1)
    assert rules.contract_end(start, 3) == date(2029, 2, 28)
    assert rules.probation_max(start, 3) == 6 and rules.probation_max(start, 1) == 2
    assert rules.probation_error(start, 3, 6) == ""
    assert "第十九条" in rules.probation_error(start, 3, 7)
    assert rules.probation_error(start, 1, 2) == "" and "第十九条" in rules.probation_error(start, 1, 3)
    assert rules.probation_error(start, 3, 0) == "" and rules.probation_end(start, 0) is None
    assert rules.probation_end(start, 3) == date(2026, 5, 31)


def test_ready_for_review_needs_only_the_rounds():
    assert rules.ready_for_review(1, 1) == ""
    assert rules.ready_for_review(3, 2) == ""
    assert "至少 2 轮" in rules.ready_for_review(1, 2)
    assert "已 0 轮" in rules.ready_for_review(0, 1)


def test_ready_for_offer():
    assert rules.ready_for_offer(1, 1, "通过") == ""
    assert "面试" in rules.ready_for_offer(0, 1, "通过")
    assert "背景调查" in rules.ready_for_offer(2, 2, "")
    assert "未通过" in rules.ready_for_offer(2, 2, "未通过") or "尚未通过" in rules.ready_for_offer(2, 2, "未通过")


def test_new_password():
    pw = new_password(12)
    assert len(pw) == 12 and any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw)
    assert not set(pw) & set("O0Il1")
    assert len(new_password(3)) == 10 and new_password(12) != pw
