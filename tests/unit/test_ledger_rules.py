"""Pure rules of the ledgers: ageing, 催缴 milestones, filing days left, report periods, masking, import cells and files."""
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.ledgers import rules
from app.ledgers.base import mask_rows
from app.ledgers.importer import BEHAVIOUR, COLUMNS, _normalise, check_file, read_rows
from app.ledgers.report import FIGURES, GROUPS, _bind, from_json, to_json

pytestmark = pytest.mark.unit

D = date(2026, 11, 28)


def test_days_overdue_only_while_something_is_owed():
    assert rules.days_overdue(date(2026, 11, 20), Decimal("100.00"), Decimal("0"), D) == 8
    assert rules.days_overdue(date(2026, 11, 20), Decimal("100.00"), Decimal("100.00"), D) == 0  # paid
    assert rules.days_overdue(date(2026, 11, 28), Decimal("100.00"), Decimal("0"), D) == 0  # due today
    assert rules.days_overdue(date(2026, 11, 20), Decimal("-500.00"), Decimal("0"), D) == 0  # a refund owed by us
    assert rules.days_overdue(None, Decimal("1"), None, D) == 0
    assert rules.arrears(Decimal("100.50"), Decimal("0.25")) == Decimal("100.25")


@pytest.mark.parametrize("days, step", [(0, ""), (1, "D+1 催缴"), (6, "D+1 催缴"), (7, "D+7 催缴"), (14, "D+7 催缴"), (15, "D+15 催缴"),
                                        (29, "D+15 催缴"), (30, "书面催告"), (400, "书面催告")])
def test_dunning_milestones(days, step):
    from app.pipeline.services import SETTINGS, dunning_steps

    spec_defaults = {k: v for k, (_, v) in SETTINGS.items()}
    assert rules.dunning_step(days, dunning_steps(spec_defaults)) == step


def test_dunning_milestones_follow_the_settings():
    steps = ((20, "书面催告"), (10, "D+10 催缴"), (3, "D+3 催缴"), (2, "D+2 催缴"))
    assert rules.dunning_step(1, steps) == "" and rules.dunning_step(3, steps) == "D+3 催缴" and rules.dunning_step(21, steps) == "书面催告"


def test_filing_days_left_of_30():
    assert rules.filing_days_left(date(2026, 11, 18), None, D, 30) == 20
    assert rules.filing_days_left(date(2026, 10, 29), None, D, 30) == 0  # day 30: still in time
    assert rules.filing_days_left(date(2026, 10, 28), None, D, 30) == -1  # day 31: overdue by one
    assert rules.filing_days_left(date(2026, 10, 1), date(2026, 10, 20), D, 30) is None  # filed
    assert rules.filing_days_left(None, None, D, 30) is None


def test_span_runs_to_today_while_open():
    assert rules.span(date(2026, 11, 1), None, D) == 27
    assert rules.span(date(2026, 11, 1), date(2026, 11, 6), D) == 5
    assert rules.span(None, date(2026, 11, 6), D) is None


@pytest.mark.parametrize("kind, day, start, end", [
    ("day", date(2026, 11, 28), date(2026, 11, 28), date(2026, 11, 28)),
    ("week", date(2026, 11, 28), date(2026, 11, 23), date(2026, 11, 29)),  # Saturday → Monday..Sunday
    ("week", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),
    ("month", date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
    ("month", date(2028, 2, 14), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
    ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
])
def test_period_bounds(kind, day, start, end):
    assert rules.period_bounds(kind, day) == (start, end)
    assert rules.period_label(kind, start, end)


def test_cell_money():
    assert rules.cell_money(1234.5, "成交总价") == Decimal("1234.50")
    assert rules.cell_money(1000000, "成交总价") == Decimal("1000000.00")
    assert rules.cell_money("1,234.56", "成交总价") == Decimal("1234.56")
    assert rules.cell_money(0, "定金", allow_zero=True) == Decimal("0.00")
    for value, message in ((12.345, "最多保留两位小数"), ("abc", "金额格式不正确"), (None, "请填写成交总价"), ("-5", "不能为负数"),
                           (0, "必须大于 0"), (True, "不是金额")):
        with pytest.raises(rules.CellError) as e:
            rules.cell_money(value, "成交总价")
        assert message in str(e.value)
    with pytest.raises(rules.CellError) as e:
        rules.cell_money("12.345", "首付款")
    assert "首付款「12.345」" in str(e.value)  # the value is kept in the message


def test_cell_date():
    assert rules.cell_date(datetime(2026, 11, 2, 0, 0), "签约日期") == date(2026, 11, 2)
    assert rules.cell_date(date(2026, 11, 2), "签约日期") == date(2026, 11, 2)
    for text in ("2026-11-02", "2026/11/2", "2026.11.02", " 2026-11-02 "):
        assert rules.cell_date(text, "签约日期") == date(2026, 11, 2)
    assert rules.cell_date("", "交付日期", required=False) is None
    for bad in ("2026-02-30", "明天", "20261102", 45000):
        with pytest.raises(rules.CellError) as e:
            rules.cell_date(bad, "签约日期")
        assert "不是有效日期" in str(e.value) and "签约日期" in str(e.value)
    with pytest.raises(rules.CellError):
        rules.cell_date(None, "签约日期")


def test_cell_text():
    assert rules.cell_text(1203.0) == "1203" and rules.cell_text(None) == "" and rules.cell_text("  A ") == "A"


def test_headers_are_normalised():
    assert _normalise("成交总价（元）") == "成交总价" and _normalise(" 项目 ") == "项目编号" and _normalise("手机*") == "手机号"
    assert _normalise("成交单价（元/㎡）") == "成交单价"
    assert all(_normalise(h) == h for h in COLUMNS)
    assert "整个文件不导入" in BEHAVIOUR


@pytest.mark.parametrize("name, content, message", [
    ("", b"x", "请选择"), ("a.xls", b"PK", "不是 .xlsx 文件"), ("a.xlsx", b"", "是空的"), ("a.xlsx", b"garbage", "不是有效的 Excel"),
    ("a.XLSX", b"PK\x03\x04junk", "不是有效的 Excel"), ("a.xlsx", b"PK" + b"0" * (5 * 1024 * 1024), "不能超过 5 MB"),
])
def test_check_file(name, content, message):
    assert message in check_file(name, content)


def test_read_rows_skips_empty_rows_and_keeps_row_numbers():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    ws.append(["JC01", "1号楼", "101"])
    ws.append([])
    ws.append(["JC01", "1号楼", "102"])
    buf = io.BytesIO()
    wb.save(buf)
    assert check_file("a.xlsx", buf.getvalue()) is None
    headers, rows = read_rows(buf.getvalue())
    assert headers == list(COLUMNS) and [n for n, _ in rows] == [2, 4]
    with pytest.raises(ValueError):
        read_rows(b"PK\x03\x04 not really")


def test_masking_of_presented_rows_is_the_same_for_every_viewer():
    """One masking rule: ledger rows are masked whoever looks; full values only per record or by an explicit export."""
    rows = [{"id_number": "110101199003071234", "mobile": "13812345678", "name": "张三"}]
    mask_rows(rows, ("id_number", "mobile"))
    assert rows[0] == {"id_number": "110101********1234", "mobile": "138****5678", "name": "张三"}


def test_report_sql_binding_and_snapshot_roundtrip():
    sql, args = _bind("SELECT 1 WHERE a = :s AND b <= :e AND c BETWEEN :s AND :e", {"s": 1, "e": 2})
    assert sql == "SELECT 1 WHERE a = {} AND b <= {} AND c BETWEEN {} AND {}" and args == [1, 2, 1, 2]
    figs = {f.key: (Decimal("1.50") if f.kind != "int" else 3) for f in FIGURES}
    data = {"start": D, "end": D, "rows": [{"project_id": 1, "code": "JC01", "name": "x", "figures": figs}], "total": figs}
    back = from_json(to_json(data))
    assert back["rows"][0]["figures"] == figs and back["total"] == figs
    assert set(GROUPS) == {f.group for f in FIGURES}
    assert from_json("not json") == {}
