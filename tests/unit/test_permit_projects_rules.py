"""Pure rules of 资质升级 and 前期物业招标 (SPEC §C 5.9, §C2)."""
from decimal import Decimal

import pytest

from app.permits import rules

pytestmark = pytest.mark.unit


def test_twelve_steps_and_their_parties():
    assert len(rules.TENDER_STEPS) == 12 and rules.TENDER_STEPS[0] == "资料接收" and rules.TENDER_STEPS[-1] == "物业进驻"
    assert set(rules.TENDER_PARTY) == set(rules.TENDER_STEPS) == set(rules.TENDER_DOCUMENT)
    assert rules.TENDER_PARTY["招标公告"] == "品牌公关部" and rules.TENDER_PARTY["资料接收"] == "项目部"
    assert rules.DIRECT_SKIPS == rules.TENDER_STEPS[3:8]  # 招标公告 … 评标


def _steps(done=(), skipped=()):
    return [{"seq": i + 1, "step": s, "done_on": "x" if s in done else None, "skipped": s in skipped} for i, s in enumerate(rules.TENDER_STEPS)]


def test_next_step_in_order_skipping_under_direct_appointment():
    assert rules.next_step(_steps(), None) == "资料接收"
    assert rules.next_step(_steps(done=("资料接收",)), "资料接收") == "用房留置协议"
    assert rules.next_step(_steps(skipped=rules.DIRECT_SKIPS), "标书编制") == "中标备案"
    assert rules.next_step(_steps(done=rules.TENDER_STEPS), "物业进驻") == rules.DONE


def test_direct_appointment_conditions():
    small = Decimal("30000.00")
    assert rules.direct_allowed("投标人不足", 2, None, 3, small) == ""
    assert "应公开招标" in rules.direct_allowed("投标人不足", 3, None, 3, small)  # "少于 3 个": 3 is not fewer
    assert rules.direct_allowed("投标人不足", None, None, 3, small) == "请填写投标人数量"
    assert rules.direct_allowed("规模较小", None, Decimal("30000.00"), 3, small) == ""  # 不超过 includes the limit
    assert "超过" in rules.direct_allowed("规模较小", None, Decimal("30000.01"), 3, small)
    assert rules.direct_allowed("其他", 1, None, 3, small)
    assert rules.may_go_direct("资料接收") and rules.may_go_direct("招标公告") and not rules.may_go_direct("招标申请")


def test_upgrade_grades():
    assert rules.higher_grade("二级", "一级") and not rules.higher_grade("二级", "三级") and not rules.higher_grade("一级", "一级")
    assert rules.higher_grade("暂定", "四级") and not rules.higher_grade("未知", "一级")
    assert rules.DEFAULT_RULES["upgrades.submit"].days and rules.DEFAULT_RULES["tenders.move_in"].days
