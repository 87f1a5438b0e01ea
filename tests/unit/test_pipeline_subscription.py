"""A1 认购 rules: the discount authority (销售经理 / 特殊优惠), the signing reminders and the forfeit rule."""
from datetime import date
from decimal import Decimal

import pytest

from app.pipeline import rules

pytestmark = pytest.mark.unit
D = Decimal


def test_list_price_without_a_note_needs_no_approval():
    d = rules.discount_of(D("1000000.00"), D("1000000.00"), "", D("3"))
    assert (d.amount, d.needs_approval, d.special) == (D("0.00"), False, False)
    assert rules.discount_chain(d) == []


def test_any_discount_or_written_offer_needs_the_sales_manager():
    assert rules.discount_chain(rules.discount_of(D("1000000.00"), D("999999.99"), "", D("3"))) == ["sales_manager"]
    d = rules.discount_of(D("1000000.00"), D("1000000.00"), "赠送车位使用权一年", D("3"))
    assert d.needs_approval and not d.special and rules.discount_chain(d) == ["sales_manager"]


def test_the_managers_authority_includes_its_limit_and_beyond_is_special():
    at = rules.discount_of(D("1000000.00"), D("970000.00"), "", D("3"))
    assert at.pct == D("3.00") and not at.special  # up to and including the limit is within the 销售经理's authority
    beyond = rules.discount_of(D("1000000.00"), D("969999.99"), "", D("3"))
    assert beyond.special and rules.discount_chain(beyond) == ["sales_manager", "marketing_vp", "gm"]
    assert rules.discount_of(D("1000000.00"), D("950000.00"), "", D("5")).special is False  # the limit is a setting


def test_a_price_above_the_list_is_no_discount():
    d = rules.discount_of(D("1000000.00"), D("1010000.00"), "", D("3"))
    assert d.amount == D("0.00") and not d.needs_approval


def test_sign_reminders_at_d_minus_1_and_d0_then_overdue():
    today = date(2026, 12, 2)
    assert rules.sign_reminder(date(2026, 12, 3), today) == "明天到期"
    assert rules.sign_reminder(today, today) == "今天到期"
    assert rules.sign_reminder(date(2026, 12, 4), today) is None
    assert rules.sign_reminder(date(2026, 12, 1), today) is None
    assert not rules.is_overdue(today, today) and rules.is_overdue(date(2026, 12, 1), today)


def test_no_forfeit_when_neither_side_caused_the_failure():
    assert "必须退还" in rules.cancel_error("没收定金", "双方均无过错")
    assert rules.cancel_error("没收定金", "买受人原因") is None
    assert rules.cancel_error("退订", "双方均无过错") is None and rules.cancel_error("退订", "买受人原因") is None
