"""Import of an existing 合同台账 from .xlsx. The promised behaviour — stated on the page — is ALL OR NOTHING:
有任何错误行则整个文件不导入. A file with errors names every bad row and field and writes nothing (its good rows
included); a clean file creates Buyer + Deal (已签约, 审核通过) per row and moves each unit 可售 → 已签约, audited."""
from datetime import timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.ledgers.importer import BEHAVIOUR, COLUMNS
from app.pipeline.tables import Buyer, Deal, Instalment
from tests.conftest import csrf_token, sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project, valid_id, xlsx

pytestmark = pytest.mark.integration

HEADER = list(COLUMNS)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(p: dict, room: str, contract_no: str, **over) -> list:
    values = {"项目编号": p["code"], "楼栋": "1号楼", "房号": room, "合同编号": contract_no, "网签号": "WQ-" + contract_no, "买受人": "导入客户",
              "身份证号": valid_id(int(room)), "手机号": "13812345678", "成交单价": "10000.00", "成交总价": 1000000, "付款方式": "商贷",
              "首付款": "300000.00", "定金": "50000.00", "贷款银行": "中国银行", "签约日期": (today_local() - timedelta(days=2)).isoformat(),
              "交付日期": "2027-12-31"}
    values.update(over)
    return [values[h] for h in HEADER]


async def upload(client, filename: str, content: bytes, mime: str = XLSX_MIME):
    token = await csrf_token(client, "/ledgers/contracts/import")
    return await client.post("/ledgers/contracts/import", data={"_csrf_token": token}, files={"file": (filename, content, mime)})


async def test_the_page_states_the_behaviour(new_client):
    c = await sign_in(await new_client(), "contract")
    r = await c.get("/ledgers/contracts/import")
    assert BEHAVIOUR in r.text and "有任何错误行则整个文件不导入" in r.text
    assert 'enctype="multipart/form-data"' in r.text and 'name="_csrf_token"' in r.text
    t = await c.get("/ledgers/contracts/import/template")
    assert t.status_code == 200 and t.content.startswith(b"PK")
    from tests.integration.ledgers.data import read_xlsx

    header, rows = read_xlsx(t.content)
    assert header == HEADER and rows == []


async def test_clean_file_is_imported_in_one_go(new_client):
    p = await make_project("TIM", units=3)
    sup = await sign_in(await new_client(), "supervisor")
    rows = [HEADER, row(p, "101", f"{p['code']}-HT-1"), row(p, "102", f"{p['code']}-HT-2", 付款方式="一次性", 首付款=None, 定金=None),
            row(p, "103", f"{p['code']}-HT-3", 成交单价=None, 成交总价="888888.88", 首付款="888888.88", 付款方式="分期", 签约日期="2026/11/02")]
    before_audit = await AuditLog.count().where(AuditLog.action == "import")
    r = await upload(sup, "合同台账.xlsx", xlsx(rows))
    assert r.status_code == 200, r.text[-2000:]
    assert 'data-testid="import-ok"' in r.text and "已导入 3 行" in r.text
    deals = await Deal.select(Deal.all_columns(), Deal.unit.status, Deal.buyer.name, Deal.buyer.id_number).where(
        Deal.project == p["id"]).order_by(Deal.contract_no)
    assert [d["contract_no"] for d in deals] == [f"{p['code']}-HT-{i}" for i in (1, 2, 3)]
    assert all(d["stage"] == "已签约" and d["check_status"] == "审核通过" and d["unit.status"] == "已签约" for d in deals)
    assert deals[0]["loan_amount"] == 700000 and deals[0]["mortgage_status"] == "资料收集中" and deals[0]["filing_status"] == "待备案"
    assert deals[1]["down_payment"] == 1000000 and deals[1]["loan_amount"] == 0
    assert str(deals[2]["signed_on"]) == "2026-11-02" and float(deals[2]["unit_price"]) == 8888.89  # 888888.88 / 100 ㎡
    assert deals[0]["buyer.id_number"] == valid_id(101)
    assert await Instalment.count().where(Instalment.deal == deals[0]["id"]) == 3  # 定金, 首付款 (received), 贷款 (due)
    assert await AuditLog.count().where(AuditLog.action == "import") == before_audit + 1
    assert await AuditLog.count().where((AuditLog.action == "pipeline.import") & AuditLog.entity_id.is_in([str(d["id"]) for d in deals])) == 3
    # the same file again: every contract number now exists → nothing imported
    r = await upload(sup, "合同台账.xlsx", xlsx(rows))
    assert r.status_code == 400 and "已存在于系统中" in r.text


async def test_bad_rows_are_named_and_nothing_is_imported(new_client):
    p = await make_project("TIB", units=8)
    buyer = await make_buyer("已有合同", 11)
    taken = f"{p['code']}-EXIST"
    await make_deal(p, p["units"][7], buyer, stage="已签约", contract_no=taken, signed_on=today_local())
    sup = await sign_in(await new_client(), "supervisor")
    bad_id = valid_id(102)[:-1] + ("0" if valid_id(102)[-1] != "0" else "1")
    rows = [
        HEADER,
        row(p, "101", f"{p['code']}-OK"),  # row 2: good — but must not be imported
        row(p, "102", f"{p['code']}-B3", 身份证号=bad_id),  # row 3
        row(p, "103", f"{p['code']}-B4", 手机号="1381234567", 成交总价="1000000.123"),  # row 4: two fields
        row(p, "999", f"{p['code']}-B5"),  # row 5: unit not found
        row(p, "104", f"{p['code']}-OK"),  # row 6: duplicate of row 2 in the file
        row(p, "201", taken),  # row 7: exists in the database (unit 201 is units[4])
        row(p, "202", f"{p['code']}-B8", 签约日期="2026-13-45", 付款方式="月供"),  # row 8
        [None] * len(HEADER),  # an empty row is skipped
        row(p, "101", f"{p['code']}-B10"),  # row 10: the same unit as row 2
    ]
    r = await upload(sup, "错误示例.xlsx", xlsx(rows))
    assert r.status_code == 400
    assert "整个文件未导入" in r.text and "共 8 行数据，其中 7 行有错误" in r.text
    expect = {
        (3, "身份证号"): "身份证号校验位不正确",
        (4, "手机号"): "手机号应为 11 位数字",
        (4, "成交总价"): "金额最多保留两位小数",
        (5, "房号"): "找不到房号「999」",
        (6, "合同编号"): "与第 2 行重复",
        (7, "合同编号"): "已存在于系统中",
        (8, "签约日期"): "「2026-13-45」不是有效日期",
        (8, "付款方式"): "付款方式「月供」无效",
        (10, "房号"): "与第 2 行重复",
    }
    for (n, field), text in expect.items():
        assert f'data-row="{n}" data-field="{field}"' in r.text, (n, field)
        assert text in r.text, text
    assert 'data-row="2"' not in r.text and 'data-row="9"' not in r.text
    assert "1381234567" in r.text and "1000000.123" in r.text  # the values are shown
    assert not await Deal.exists().where(Deal.contract_no == f"{p['code']}-OK")  # all or nothing: the good row was not written
    assert await Unit.count().where((Unit.project == p["id"]) & (Unit.status == "可售")) == 8


async def test_unit_status_and_scope(new_client):
    p = await make_project("TIS", units=2)
    await Unit.update({Unit.status: "已认购"}).where(Unit.id == p["units"][1]["id"])
    sup = await sign_in(await new_client(), "supervisor")
    r = await upload(sup, "a.xlsx", xlsx([HEADER, row(p, "102", f"{p['code']}-S")]))
    assert r.status_code == 400 and "当前为「已认购」，只能导入可售房源" in r.text
    contract = await sign_in(await new_client(), "contract")  # JC01 only; the test project is outside the scope
    r = await upload(contract, "a.xlsx", xlsx([HEADER, row(p, "101", f"{p['code']}-S2")]))
    assert r.status_code == 400 and "不在您的数据范围内" in r.text
    assert not await Deal.exists().where(Deal.project == p["id"])


@pytest.mark.parametrize("filename, content, message", [
    ("台账.xls", b"\xd0\xcf\x11\xe0garbage", "不是 .xlsx 文件"),
    ("台账.csv", "项目编号,楼栋".encode(), "不是 .xlsx 文件"),
    ("garbage.xlsx", b"\x00\x01\x02 not a workbook" * 100, "不是有效的 Excel 工作簿"),
    ("fake.xlsx", b"PK\x03\x04" + b"\x00" * 200, "不是有效的 Excel 工作簿"),
    ("empty.xlsx", b"", "是空的"),
])
async def test_bad_files_get_field_messages(new_client, filename, content, message):
    c = await sign_in(await new_client(), "data")
    r = await upload(c, filename, content)
    assert r.status_code == 400 and 'data-testid="error-file"' in r.text and message in r.text


async def test_workbook_level_problems(new_client):
    c = await sign_in(await new_client(), "data")
    import io

    from openpyxl import Workbook

    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    r = await upload(c, "空表.xlsx", buf.getvalue())
    assert r.status_code == 400 and "工作表是空的" in r.text
    r = await upload(c, "表头错.xlsx", xlsx([["姓名", "电话", "金额"], ["张三", "13800000000", "1"]]))
    assert r.status_code == 400 and "表头缺少必需的列" in r.text and "项目编号" in r.text and "签约日期" in r.text
    r = await upload(c, "只有表头.xlsx", xlsx([HEADER]))
    assert r.status_code == 400 and "没有数据行" in r.text
    r = await upload(c, "首行空.xlsx", xlsx([[None, None], HEADER]))
    assert r.status_code == 400 and "第 1 行应为表头" in r.text
    big = b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 10)
    r = await upload(c, "大文件.xlsx", big)
    assert r.status_code == 400 and "文件不能超过 5 MB" in r.text


async def test_no_file_no_csrf_and_roles(new_client):
    c = await sign_in(await new_client(), "contract")
    token = await csrf_token(c, "/ledgers/contracts/import")
    r = await c.post("/ledgers/contracts/import", data={"_csrf_token": token})
    assert r.status_code == 400 and "请选择要导入的 .xlsx 文件" in r.text
    r = await c.post("/ledgers/contracts/import", files={"file": ("a.xlsx", b"PK", XLSX_MIME)})
    assert r.status_code == 403  # no CSRF token
    sales = await sign_in(await new_client(), "sales")  # may view ledgers, may not import
    assert (await sales.get("/ledgers/contracts/import")).status_code == 403
    guard = await sign_in(await new_client(), "guard")
    assert (await guard.get("/ledgers/contracts/import")).status_code == 403
    assert await Buyer.count() > 0
