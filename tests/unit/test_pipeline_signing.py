"""A2 签约 rules: the 审核单's figures against the 认购书, 贷款额 = 总价 − 首付, the outage times, the states and their
owners in the work queue, the 签约 checklist's SPEC items, the step's settings."""
from datetime import datetime
from decimal import Decimal as D

import pytest

from app.core.fields import Parser
from app.core.timeutil import SHANGHAI
from app.pipeline import services
from app.pipeline.rules import loan_error
from app.pipeline.steps import sign

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value, expected, differs", [("88.88", "88.88", False), ("88.880", "88.88", False), ("88.87", "88.88", True),
                                                      ("1200000", "1200000.00", False), ("1200000.01", "1200000.00", True)])
def test_sheet_figures_must_agree_with_the_subscription(value, expected, differs):
    assert services.err_differs(D(value), D(expected)) is differs


def test_loan_is_total_minus_down_payment():
    assert loan_error(D("1500000.00"), D("450000.00"), D("1050000.00")) is None
    assert "1,050,000.00" in loan_error(D("1500000.00"), D("450000.00"), D("1000000.00"))
    assert loan_error(D("100.00"), D("200.00"), D("0.00")) == "首付款不能超过总价"


def test_outage_times_parse_in_shanghai_and_refuse_junk():
    p = Parser({"a": "2026-11-28T14:05", "b": "2026-11-28 09:30", "c": "昨天下午", "d": ""})
    a = services._parse_moment(p, "a", "开始")
    assert a == datetime(2026, 11, 28, 14, 5, tzinfo=SHANGHAI)
    assert services._parse_moment(p, "b", "开始").hour == 9
    assert services._parse_moment(p, "c", "开始") is None and "格式" in p.errors["c"]
    assert services._parse_moment(p, "d", "恢复", required=False) is None and "d" not in p.errors
    assert services._parse_moment(p, "d", "开始") is None and p.errors["d"] == "请填写开始"


def test_every_open_state_has_its_queue_task_and_owner():
    assert set(sign.SIGN_TASKS) == set(services.SIGN_OPEN)
    assert services.SIGN_STATES[-1] == "已签约" and services.SIGN_STATES[0] == "审核单待审"
    assert sign.SIGN_TASKS["审核退回"][0] == "认购"  # the 置业顾问 corrects a returned sheet
    assert all(stage == "签约" for s, (stage, _) in sign.SIGN_TASKS.items() if s != "审核退回")
    assert services.STAGE_OWNER["签约"] == "contract"


def test_the_signing_checklist_has_the_spec_items():
    items = services.DEFAULT_CHECKLISTS["签约"]
    assert any("身份证明" in x for x in items) and any("婚姻证明" in x for x in items) and any("购房资格证明" in x for x in items)
    assert len(services.SIGN_CHECKS) == 4 and services.SIGN_ENTRIES == ("合同台账", "RIS", "预警预报系统")


def test_the_step_declares_its_limits_as_settings():
    spec = services.settings_spec()
    assert spec["sign_entry_remind_hour"][1] == D("17") and spec["sign_entry_window_days"][1] == D("7")
    assert sign.CLOSES == {"sign.entries": ("entries",)}
