"""Export of the current filter to .xlsx: all pages, in batches, with the viewer's masking, Chinese headers, money as
numbers with two decimals, and an audit row."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.pipeline.tables import Buyer
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project, pay, read_xlsx, record_queries

pytestmark = pytest.mark.integration


async def _project_with_deals(n: int = 25):
    p = await make_project("TEX", units=n)
    buyer = await make_buyer("导出测试", 9, mobile="13700001111")
    today = today_local()
    for i, u in enumerate(p["units"]):
        await make_deal(p, u, buyer, stage="已备案" if i % 5 == 0 else "已签约", signed_on=today - timedelta(days=i),
                        contract_no=f"{p['code']}-HT-{i:02d}", total_price=Decimal("1234567.8") + i, unit_price=Decimal("12345.67"))
    await make_deal(p, p["units"][0], buyer, stage="已认购")  # not signed: not in the 合同台账
    return p, buyer


async def test_export_has_exactly_the_filtered_rows_masked_for_data(new_client):
    p, buyer = await _project_with_deals(25)
    full_id = (await Buyer.select(Buyer.id_number).where(Buyer.id == buyer).first())["id_number"]
    data = await sign_in(await new_client(), "data")
    query = f"project={p['id']}&stage=已签约&sort=signed_on&dir=asc"
    page = await data.get(f"/ledgers/contracts?{query}")
    assert "共 20 条" in page.text  # 25 signed, 5 of them filed → 20 on the filter, over one page of 20
    assert f'href="/ledgers/contracts/export?project={p["id"]}' in page.text
    before = await AuditLog.count().where(AuditLog.action == "export")
    r = await data.get(f"/ledgers/contracts/export?{query}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in r.headers["content-disposition"]
    header, rows = read_xlsx(r.content)
    assert header[:6] == ["合同编号", "网签号", "项目", "楼栋", "房号", "买受人"] and "身份证号" in header and "成交总价（元）" in header
    expected = [f"{p['code']}-HT-{i:02d}" for i in range(24, -1, -1) if i % 5 != 0]  # ascending signing date = descending i
    assert [row[0] for row in rows] == expected
    ids = {row[header.index("身份证号")] for row in rows}
    assert ids == {full_id[:6] + "********" + full_id[-4:]}
    assert {row[header.index("手机号")] for row in rows} == {"137****1111"}
    total = rows[0][header.index("成交总价（元）")]
    assert isinstance(total, (int, float)) and Decimal(str(total)) == Decimal("1234567.8") + 24
    assert isinstance(rows[0][header.index("签约日期")], (date,)) or hasattr(rows[0][header.index("签约日期")], "year")
    # the audit row: action, ledger, filter, row count
    assert await AuditLog.count().where(AuditLog.action == "export") == before + 1
    log = await AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id, ascending=False).first()
    assert log["entity"] == "ledger" and log["entity_id"] == "contracts" and log["actor_name"]
    after = log["after"] if isinstance(log["after"], dict) else json.loads(log["after"])
    assert after["rows"] == 20 and after["filter"]["project"] == str(p["id"]) and after["filter"]["stage"] == "已签约" and after["masked"] is True
    assert "导出合同台账 20 行" in log["summary"]


async def test_export_is_masked_unless_asked_for_by_who_may_unmask(new_client):
    """Masked by default even for the supervisor; full only with 含完整证件号 (full=1) and the unmask permission; audited."""
    from app.core.tables import AuditLog

    p, buyer = await _project_with_deals(3)
    full_id = (await Buyer.select(Buyer.id_number).where(Buyer.id == buyer).first())["id_number"]
    sup = await sign_in(await new_client(), "supervisor")
    r = await sup.get(f"/ledgers/contracts/export?project={p['id']}")
    header, rows = read_xlsx(r.content)
    assert {row[header.index("身份证号")] for row in rows} == {full_id[:6] + "********" + full_id[-4:]}
    data = await sign_in(await new_client(), "data")  # no unmask permission: the tick is ignored
    r = await data.get(f"/ledgers/contracts/export?project={p['id']}&full=1")
    header, rows = read_xlsx(r.content)
    assert full_id not in {row[header.index("身份证号")] for row in rows}
    last = await AuditLog.select(AuditLog.after, AuditLog.actor_name).where(AuditLog.action == "export").order_by(AuditLog.id, ascending=False).output(load_json=True).first()
    assert last["after"]["masked"] is True and last["after"]["rows"] == 3
    r = await sup.get(f"/ledgers/contracts/export?project={p['id']}&full=1")
    last = await AuditLog.select(AuditLog.after, AuditLog.summary).where(AuditLog.action == "export").order_by(AuditLog.id, ascending=False).output(load_json=True).first()
    assert last["after"]["masked"] is False and last["after"]["rows"] == 3 and "含完整证件号" in last["summary"]
    header, rows = read_xlsx(r.content)
    assert len(rows) == 3
    assert {row[header.index("身份证号")] for row in rows} == {full_id}
    assert {row[header.index("手机号")] for row in rows} == {"13700001111"}
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(r.content)).worksheets[0]
    col = header.index("成交总价（元）") + 1
    cell = ws.cell(row=2, column=col)
    assert cell.number_format == "#,##0.00" and isinstance(cell.value, (int, float))
    info = load_workbook(BytesIO(r.content))["导出说明"]
    lines = {row[0]: row[1] for row in info.iter_rows(values_only=True)}
    assert lines["行数"] == 3 and lines["台账"] == "合同台账" and "完整显示" in lines["证件号/手机号"]


async def test_export_fetches_in_batches(new_client, monkeypatch):
    """The export pages through the filter with LIMIT/OFFSET (batch size patched to 4 here), never one unbounded SELECT."""
    from app.ledgers import base

    p, _ = await _project_with_deals(10)
    sup = await sign_in(await new_client(), "supervisor")
    monkeypatch.setattr(base, "EXPORT_BATCH", 4)
    seen = record_queries(monkeypatch)
    r = await sup.get(f"/ledgers/contracts/export?project={p['id']}")
    monkeypatch.undo()
    _, rows = read_xlsx(r.content)
    assert len(rows) == 10
    selects = [q["sql"] for q in seen if 'FROM "pl_deal"' in q["sql"] and "COUNT(" not in q["sql"].upper()]
    assert len(selects) == 3 and all("LIMIT 4" in q for q in selects), selects  # 4 + 4 + 2


async def test_every_ledger_exports(new_client):
    p = await make_project("TEA", units=2)
    buyer = await make_buyer("各台账导出", 10)
    today = today_local()
    d = await make_deal(p, p["units"][0], buyer, stage="已交付", signed_on=today - timedelta(days=40), contract_no=f"{p['code']}-HT-A",
                        payment_method="商贷", loan_amount=Decimal("700000.00"), mortgage_status="已放款", bank_submitted_on=today - timedelta(days=35),
                        bank_approved_on=today - timedelta(days=30), registered_on=today - timedelta(days=25), released_on=today - timedelta(days=20),
                        released_amount=Decimal("700000.00"), filing_status="已备案", filed_on=today - timedelta(days=30), filing_no="BA-T",
                        handover_status="已交付", handed_over_on=today - timedelta(days=3), title_status="资料收集中")
    await pay(d, "首付款", "250000.00", today - timedelta(days=40), "250000.00", today - timedelta(days=40))
    sup = await sign_in(await new_client(), "supervisor")
    for code in ("contracts", "collections", "mortgages", "filings", "voids", "handovers", "titles", "loans", "files"):
        r = await sup.get(f"/ledgers/{code}/export?project={p['id']}")
        assert r.status_code == 200, code
        header, rows = read_xlsx(r.content)
        assert header and all(isinstance(h, str) and h for h in header), code
        if code in ("contracts", "collections", "mortgages", "filings", "handovers", "titles", "files"):
            assert len(rows) == 1, (code, rows)
    r = await sup.get("/ledgers/nothing/export")
    assert r.status_code == 404
