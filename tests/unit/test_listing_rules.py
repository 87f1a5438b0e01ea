"""The shared Listing's rules without a database: which columns sort, which sort keys are accepted, what a saved
view may keep, and where the column and view forms may send the user back to."""
import pytest

from app.core.listing import LISTINGS, Col, Listing
from app.core.views import _back, clean_query
from app.ledgers.ledgers import CONTRACTS, LEDGERS
from app.pipeline.tables import Deal

pytestmark = pytest.mark.unit


def test_columns_that_are_selected_sql_columns_sort_without_declaring_it():
    lst = Listing(table=Deal, select=[Deal.id, Deal.contract_no, Deal.online_no, Deal.buyer.name],
                  columns=[Col("contract_no", "合同编号"), Col("online_no", "网签号"), Col("buyer.name", "买受人"), Col("age", "天数")],
                  base_url="/test/derived")
    sorts = {c.key: c.sort for c in lst.columns}
    assert sorts["contract_no"] is not None and sorts["online_no"] is not None and sorts["buyer.name"] is not None
    assert sorts["age"] is None  # computed: plain text, not a link
    assert LISTINGS["/test/derived"] is lst and lst.key == "/test/derived"


class _Everyone:
    all_projects = True
    project_ids = ()


def test_the_contract_ledger_accepts_its_column_key_and_the_sql_name():
    keys = CONTRACTS.listing.sort_keys()
    assert keys["contract"] == "contract" and keys["contract_no"] == "contract"
    assert keys["total_price"] == "total_price" and "nonsense" not in keys
    built = CONTRACTS.listing.build({"sort": "contract_no", "dir": "asc"}, _Everyone())
    assert built["sort"] == "contract" and built["sorted_by_user"] and not built["unknown_sort"] and not built["desc"]
    built = CONTRACTS.listing.build({"sort": "nonsense", "dir": "asc"}, _Everyone())
    assert built["sort"] == CONTRACTS.listing.default_sort and not built["sorted_by_user"] and built["unknown_sort"] == "nonsense"
    assert built["desc"] == CONTRACTS.listing.default_desc


def test_every_ledger_default_sort_is_a_sortable_column():
    for lg in LEDGERS.values():
        assert lg.listing._sort_column(lg.listing.default_sort) is not None, lg.code


def test_a_saved_view_keeps_only_the_lists_own_filters_and_sort():
    lst = CONTRACTS.listing
    assert clean_query(lst, "stage=已签约&sort=total_price&dir=desc&evil=1&page=3&view=9") == \
        "stage=%E5%B7%B2%E7%AD%BE%E7%BA%A6&sort=total_price&dir=desc"
    assert clean_query(lst, "q=" + "x" * 2000) == ""  # too long: not kept
    assert clean_query(lst, "q=a%00b") == "q=ab"


def test_forms_return_only_to_their_own_list():
    lst = CONTRACTS.listing
    assert _back(lst, "/ledgers/contracts?stage=x") == "/ledgers/contracts?stage=x"
    for bad in ("https://evil.example/", "//evil.example", "/ledgers/contractsX", "/admin/", "", None):
        assert _back(lst, bad) == "/ledgers/contracts"


async def test_an_export_titled_with_characters_excel_refuses_still_writes(tmp_path):
    import os
    from datetime import date
    from decimal import Decimal

    from openpyxl import load_workbook

    from app.core.listing import XlsxExport

    x = XlsxExport("出入库台账_A4纸/箱:[80g]", [("名称", "text", 10), ("金额", "money", 10), ("日期", "date", 10)])
    x.append([["纸", Decimal("12.345"), date(2026, 12, 1)], ["笔", None, None]])
    path = await x.save((("行数", x.rows),))
    try:
        wb = load_workbook(path)
        assert wb.sheetnames == ["出入库台账_A4纸 箱  80g", "导出说明"]
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        assert rows[0] == ("名称", "金额", "日期") and rows[1][1] == 12.35 and rows[1][2].date() == date(2026, 12, 1)
        assert rows[2] == ("笔", None, None)
    finally:
        os.unlink(path)


def test_list_cells_escape_every_value_and_format_by_column():
    from datetime import date
    from decimal import Decimal

    from markupsafe import Markup

    from app.core.listing import Col
    from app.core.web import list_cells

    cols = [Col("no", "编号", link="/x/{id}?q={no}", testid="x-link"), Col("name", "名称"), Col("on", "日期", fmt="date"),
            Col("amount", "金额", fmt="money"), Col("status", "状态", fmt="badge"), Col("ok", "是否", fmt="bool"),
            Col("note", "备注", link="{url}")]
    row = {"id": 7, "no": 'A"1', "name": "<script>alert(1)</script>", "on": date(2026, 3, 5), "amount": Decimal("1234.5"),
           "status": "已签约", "ok": True, "note": None, "url": "/y"}
    html = list_cells(cols, row)
    assert isinstance(html, Markup)
    assert html.startswith('<td><a href="/x/7?q=A&#34;1" data-testid="x-link">A&#34;1</a></td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>')
    assert '<td class="text-nowrap">2026-03-05</td>' in html and "1,234.50" in html
    assert '<span class="badge bg-blue-lt" data-status="已签约">已签约</span>' in html and "<td>是</td>" in html
    assert html.endswith('<td><a href="/y" ></a></td>')  # None shows as empty, never "None"
    assert "<script>" not in html
