"""The cleaning score's rules: 100 minus the deductions, each deduction between 0 and the item's maximum, the grade
boundaries 90/89/80/79 (and as the admin sets them), the rectification's due time."""
from datetime import datetime, timedelta, timezone

import pytest

from app.site_cleaning import rules

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value, grade", [(100, "优良"), (90, "优良"), (89, "合格"), (80, "合格"), (79, "不合格"), (0, "不合格")])
def test_grade_boundaries(value, grade):
    assert rules.grade(value) == grade
    assert rules.fails(value) == (grade == "不合格")


def test_grade_follows_the_settings():
    assert rules.grade(87, good_min=85, pass_min=70) == "优良"
    assert rules.grade(70, good_min=85, pass_min=70) == "合格"
    assert rules.grade(69, good_min=85, pass_min=70) == "不合格" and rules.fails(69, 70)


def test_score_is_100_minus_the_deductions_never_below_zero():
    assert rules.score([]) == 100
    assert rules.score([10, 10, 2]) == 78
    assert rules.score([5, 3]) == 92
    assert rules.score([60, 60]) == 0


@pytest.mark.parametrize("points, max_points, ok", [(0, 10, True), (10, 10, True), (11, 10, False), (-1, 10, False)])
def test_a_deduction_is_between_zero_and_the_items_maximum(points, max_points, ok):
    err = rules.deduction_error(points, max_points)
    assert (err is None) == ok
    if points > max_points:
        assert f"{max_points} 分" in err


def test_rectification_due_and_the_next_washroom_check():
    at = datetime(2026, 1, 31, 23, 50, tzinfo=timezone.utc)
    assert rules.due_at(at) == at + timedelta(minutes=30)
    assert rules.due_at(at, 45) == at + timedelta(minutes=45)
    assert rules.next_check(at, 30) == at + timedelta(minutes=30)
    assert rules.next_check(at, 0) is None and rules.next_check(None, 30) is None
