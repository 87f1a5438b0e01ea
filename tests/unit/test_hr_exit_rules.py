"""离职 notice (《劳动合同法》第三十七条: 30 days, 3 in probation) and 辞退 grounds (第三十九条/第四十条/第四十一条) at
their boundaries."""
from datetime import date

import pytest

from app.hr_exit import rules

pytestmark = pytest.mark.unit

D = date(2026, 3, 1)


def test_thirty_days_boundary():
    assert "2026-03-31" in rules.check_notice(D, date(2026, 3, 30), False)
    assert rules.check_notice(D, date(2026, 3, 31), False) == ""
    assert "第三十七条" in rules.check_notice(D, date(2026, 3, 30), False)


def test_three_days_in_probation():
    assert "试用期内应提前 3 日" in rules.check_notice(D, date(2026, 3, 3), True)
    assert rules.check_notice(D, date(2026, 3, 4), True) == ""


def test_settings_change_the_period_and_last_day_before_notice():
    assert rules.check_notice(D, date(2026, 3, 15), False, days=14) == ""
    assert rules.check_notice(D, date(2026, 2, 28), False) == "最后工作日不能早于提出日期"
    assert rules.earliest_last_day(D, True, probation_days=3) == date(2026, 3, 4)


def test_dismissal_grounds():
    assert rules.check_dismissal("39", D, D, False) == ""  # 过失性辞退: no notice
    assert "代通知金" in rules.check_dismissal("39", D, D, True)
    assert "第四十条" in rules.check_dismissal("40", D, date(2026, 3, 30), False)
    assert rules.check_dismissal("40", D, date(2026, 3, 31), False) == ""
    assert rules.check_dismissal("40", D, D, True) == ""  # 额外支付一个月工资
    assert "第四十一条" in rules.check_dismissal("41", D, D, True)
    assert rules.check_dismissal("99", D, D, False) == "请选择法定解除事由"
    assert not rules.severance_due("39") and rules.severance_due("40") and rules.severance_due("41")
