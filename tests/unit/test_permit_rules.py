"""Permits: the pure rules (no database): reminder thresholds, countdown colours, maintenance-fund amounts,
allowed transitions, ID checks for overseas filings."""
from datetime import date
from decimal import Decimal

import pytest

from app.permits import rules
from app.permits.forms import parse_id

pytestmark = pytest.mark.unit

QUAL = (90, 60, 30)


@pytest.mark.parametrize("days, expected", [
    (120, None), (91, None), (90, 90), (61, 90), (60, 60), (45, 60), (31, 60), (30, 30), (1, 30), (0, 30), (-1, rules.OVERDUE), (-40, rules.OVERDUE),
])
def test_due_threshold_is_the_smallest_reached(days, expected):
    assert rules.due_threshold(days, QUAL) == expected


def test_due_threshold_single_threshold_agreements():
    assert rules.due_threshold(61, (60,)) is None
    assert rules.due_threshold(60, (60,)) == 60
    assert rules.due_threshold(50, (60,)) == 60
    assert rules.due_threshold(-1, (60,)) == rules.OVERDUE
    assert rules.due_threshold(5, ()) is None


def test_each_threshold_is_sent_once_and_later_ones_supersede():
    assert rules.should_send(90, None)
    assert not rules.should_send(90, 90)
    assert rules.should_send(60, 90)
    assert not rules.should_send(90, 60)  # a reminder never goes back up (e.g. after a missed run)
    assert rules.should_send(rules.OVERDUE, 30)
    assert not rules.should_send(rules.OVERDUE, rules.OVERDUE)
    assert not rules.should_send(None, None)


def test_a_missed_run_sends_only_the_latest_threshold():
    # the job was down from 95 to 25 days before expiry: one reminder (30), not three
    sent = None
    out = []
    for days in (95, 25, 24):
        t = rules.due_threshold(days, QUAL)
        if rules.should_send(t, sent):
            out.append(t)
            sent = t
    assert out == [30]


@pytest.mark.parametrize("days, thresholds, expected", [
    (100, QUAL, "ok"), (91, QUAL, "ok"), (90, QUAL, "due"), (45, QUAL, "due"), (19, QUAL, "due"),
    (18, QUAL, "amber"),  # 20% of a 90-day window
    (0, QUAL, "amber"), (-1, QUAL, "overdue"),
    (61, (60,), "ok"), (50, (60,), "due"), (13, (60,), "due"), (12, (60,), "amber"),
    (6, (30,), "amber"), (7, (30,), "due"),
    (3, (), "ok"), (-2, (), "overdue"),
])
def test_countdown_level(days, thresholds, expected):
    assert rules.level(days, thresholds) == expected


def test_amber_share_is_configurable():
    assert rules.level(30, (60,), amber_percent=50) == "amber"
    assert rules.level(31, (60,), amber_percent=50) == "due"


def test_countdown_text():
    assert rules.countdown_text(45) == "剩余 45 天"
    assert rules.countdown_text(0) == "今天到期"
    assert rules.countdown_text(-3) == "逾期 3 天"
    assert rules.days_left(date(2027, 1, 12), date(2026, 11, 28)) == 45


@pytest.mark.parametrize("area, rate, expected", [
    ("98.53", "137.50", Decimal("13547.88")),  # 13547.875 → half-up
    ("89.36", "60", Decimal("5361.60")),
    ("0.01", "0.5", Decimal("0.01")),  # 0.005 → 0.01
    ("118.73", "45.00", Decimal("5342.85")),
    ("132.08", "0", Decimal("0.00")),
])
def test_fund_amount_per_unit_is_area_times_rate_half_up(area, rate, expected):
    amount = rules.fund_amount(Decimal(area), Decimal(rate))
    assert amount == expected and amount.as_tuple().exponent == -2


def test_rate_from_building_cost_share():
    assert rules.rate_from_cost(Decimal("2500"), Decimal("5")) == Decimal("125.00")
    assert rules.rate_from_cost(Decimal("2333.33"), Decimal("5.5")) == Decimal("128.33")  # 128.33315


def test_parse_days():
    assert rules.parse_days("30,90，60") == (90, 60, 30)
    assert rules.parse_days("60、x, -5, 0") == (60,)
    assert rules.parse_days("", (60,)) == (60,)
    assert rules.parse_days("abc", (90, 30)) == (90, 30)


def test_scale_usage_warns_at_ninety_percent():
    assert rules.scale_usage(Decimal("7650"), Decimal("8500")) == (Decimal("90.0"), True)
    assert rules.scale_usage(Decimal("7649"), Decimal("8500")) == (Decimal("90.0"), True)  # 89.99 rounds for display, warns
    pct, warn = rules.scale_usage(Decimal("7600"), Decimal("8500"))
    assert pct == Decimal("89.4") and not warn
    assert rules.scale_usage(Decimal("100"), None) == (None, False)


def test_annual_tasks_are_due_end_of_january():
    assert rules.annual_due(2027) == date(2027, 1, 31)


def test_presale_transitions():
    codes = lambda state: [t.code for t in rules.transitions_from("presale", state)]  # noqa: E731
    assert codes("材料准备") == ["submit"]
    assert codes("已申报") == ["inspect", "issue", "return"]
    assert codes("现场查勘") == ["issue", "return"]
    assert codes("已取证") == ["change", "cancel"]
    assert codes("已注销") == []
    issue = rules.transition("presale", "issue")
    assert issue.target == "已取证" and [f.name for f in issue.fields if f.required] == ["permit_no", "issued_on"]
    assert rules.refusal("presale", "issue", "材料准备") == "当前状态为“材料准备”，不能执行“登记取证”（仅限“已申报”、“现场查勘”状态）"


def test_write_roles_per_register():
    assert rules.may_write("bureau", "presale") and not rules.may_write("contract", "presale")
    assert rules.may_write("mortgage", "agreement") and not rules.may_write("bureau", "agreement")
    assert rules.may_write("contract", "overseas") and rules.may_write("supervisor", "overseas")
    assert not rules.may_write("guard", "presale") and not rules.may_write(None, "fund")


@pytest.mark.parametrize("id_type, raw, ok", [
    ("居民身份证", "11010119900307459x", True),
    ("居民身份证", "110101199003074518", False),
    ("港澳台居民居住证", "810000199408230021", True),
    ("港澳台居民居住证", "810000199408230029", False),  # checksum
    ("港澳台居民居住证", "110101199003074514", False),  # a valid resident ID, but not 81/82/83
    ("护照", "E12345678", True),
    ("护照", "e 1234 5678", True),
    ("护照", "E12!", False),
    ("外国人永久居留身份证", "", False),
])
def test_overseas_id_numbers(id_type, raw, ok):
    number, message = parse_id(id_type, raw)
    assert (message is None) is ok, message
    if ok:
        assert number == number.upper() and " " not in number
