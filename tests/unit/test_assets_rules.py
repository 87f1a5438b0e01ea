"""Asset and seal rules from the declarations alone: straight-line net value, chain routing at the boundaries
("X以上" includes X), the seal chain variants and the batch-line parser."""
from datetime import date
from decimal import Decimal

import pytest

from app.assets.flows import DISPOSAL, PURCHASE
from app.assets.rules import months_between, net_value
from app.seals.flows import SEAL
from app.seals.forms import parse_batch
from app.workflow.definitions import DEFAULT_LIMIT, Applicant, ChainContext

pytestmark = pytest.mark.unit

APPLICANT = Applicant(employee_id=1, user_id=1, name="测试", role="contract", company_id=1, department_id=1, manager_user_id=2, senior=False)


def keys(flow, amount: str | None = None, data: dict | None = None) -> list[str]:
    settings = {s.key: s.value for s in (DEFAULT_LIMIT, *flow.settings)}
    ctx = ChainContext(applicant=APPLICANT, amount=Decimal(amount) if amount else None, data=data or {}, settings=settings)
    return [s.key for s in flow.chain(ctx)]


# ---------------------------------------------------------------- net value (straight line)


@pytest.mark.parametrize("start, end, months", [
    (date(2024, 1, 15), date(2024, 1, 15), 0),
    (date(2024, 1, 15), date(2024, 2, 14), 0),  # a month counts once the same day is reached
    (date(2024, 1, 15), date(2024, 2, 15), 1),
    (date(2024, 1, 31), date(2024, 3, 1), 1),
    (date(2023, 6, 1), date(2026, 6, 1), 36),
    (date(2026, 6, 1), date(2026, 1, 1), 0),  # never negative
])
def test_months_between(start, end, months):
    assert months_between(start, end) == months


def test_net_value_part_way():
    nv = net_value(Decimal("12000.00"), 5, date(2024, 1, 10), date(2025, 7, 10))  # 18 of 60 months
    assert nv.months_used == 18 and nv.years_used == Decimal("1.50")
    assert nv.accumulated == Decimal("3600.00") and nv.net == Decimal("8400.00")


def test_net_value_rounds_half_up_to_cents():
    nv = net_value(Decimal("1000.00"), 3, date(2025, 1, 1), date(2025, 2, 1))  # 1000 / 36 = 27.777…
    assert nv.accumulated == Decimal("27.78") and nv.net == Decimal("972.22")


def test_fully_depreciated_stops_at_zero():
    nv = net_value(Decimal("5999.00"), 3, date(2020, 1, 1), date(2026, 1, 1))  # 72 months used, life 36
    assert nv.accumulated == Decimal("5999.00") and nv.net == Decimal("0.00") and nv.fully_depreciated
    exact = net_value(Decimal("4299.00"), 3, date(2023, 1, 1), date(2026, 1, 1))
    assert exact.months_used == 36 and exact.net == Decimal("0.00")


def test_zero_years_used_keeps_the_original_value():
    nv = net_value(Decimal("4999.00"), 3, date(2026, 11, 1), date(2026, 11, 28))
    assert nv.months_used == 0 and nv.accumulated == Decimal("0.00") and nv.net == Decimal("4999.00") and not nv.fully_depreciated


def test_zero_depreciation_years_is_written_off_at_once():
    nv = net_value(Decimal("2500.00"), 0, date(2026, 1, 1), date(2026, 2, 1))
    assert nv.net == Decimal("0.00")


# ---------------------------------------------------------------- asset purchase: 总 from 10,000.00 inclusive


@pytest.mark.parametrize("amount, expected", [
    ("9999.99", ["dept_head", "admin_review", "finance_manager", "vp"]),
    ("10000.00", ["dept_head", "admin_review", "finance_manager", "vp", "gm"]),
])
def test_purchase_threshold(amount, expected):
    assert keys(PURCHASE, amount) == expected


# ---------------------------------------------------------------- disposal: 总 when original ≥ 10,000 or net ≥ 2,000


@pytest.mark.parametrize("original, net, gm", [
    ("5000.00", "1999.99", False),
    ("5000.00", "2000.00", True),
    ("9999.99", "0.00", False),
    ("10000.00", "0.00", True),
])
def test_disposal_threshold(original, net, gm):
    chain = keys(DISPOSAL, net, {"original_value": Decimal(original), "net_value": Decimal(net)})
    assert chain[:4] == ["dept_head", "admin_assess", "finance_manager", "vp"]
    assert ("gm" in chain) is gm


# ---------------------------------------------------------------- seal chain variants


def seal(kind: str, keeper: str, **flags) -> list[str]:
    return keys(SEAL, None, {"kind": kind, "keeper_dept": keeper, **flags})


def test_company_seal_inside_the_office_goes_to_admin():
    assert seal("公章", "行政") == ["dept_head", "keeper_admin"]


def test_finance_seal_goes_to_finance_manager():
    assert seal("财务专用章", "财务") == ["dept_head", "keeper_finance"]
    assert seal("法定代表人名章", "财务") == ["dept_head", "keeper_finance"]
    assert seal("发票专用章", "") == ["dept_head", "keeper_finance"]  # no keeper department in the register: by kind


def test_contract_adds_legal():
    assert seal("合同专用章", "行政", is_contract=True) == ["dept_head", "legal", "keeper_admin"]


def test_company_seal_on_external_commitment_adds_legal_and_gm():
    assert seal("公章", "行政", external=True) == ["dept_head", "legal", "keeper_admin", "gm"]
    assert seal("合同专用章", "行政", external=True) == ["dept_head", "legal", "keeper_admin"]  # gm only for 公章


def test_company_seal_taken_out_adds_gm():
    assert seal("公章", "行政", take_out=True) == ["dept_head", "keeper_admin", "gm"]
    assert seal("财务专用章", "财务", take_out=True) == ["dept_head", "keeper_finance", "gm"]  # any seal leaving the office


# ---------------------------------------------------------------- batch lines


def test_batch_lines_parse_with_any_separator():
    lines, errors = parse_batch("JC01-1-0101,3\nJC01-1-0102，2\n\nJC01-1-0103\t1\nJC01-1-0104 4")
    assert not errors
    assert [l["contract_no"] for l in lines] == ["JC01-1-0101", "JC01-1-0102", "JC01-1-0103", "JC01-1-0104"]
    assert sum(l["copies"] for l in lines) == 10


def test_batch_lines_errors_name_the_line():
    _, errors = parse_batch("A-1,2\nA-2\nA-3,0\nA-1,1\nA-4,abc")
    assert errors == ["第 2 行：格式应为“合同编号,份数”", "第 3 行：份数应为 1–500 的整数", "第 4 行：合同编号 A-1 与第 1 行重复",
                      "第 5 行：份数应为 1–500 的整数"]
    assert parse_batch("  \n")[1] == ["批量用印请至少填写一行“合同编号,份数”"]
