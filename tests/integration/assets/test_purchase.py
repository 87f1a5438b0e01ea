"""资产购置 through the real routes: chain by amount, three quotes from the threshold, one card per unit on
approval, refusals with nothing written."""
from decimal import Decimal

import pytest

from app.assets.services import next_numbers
from app.assets.tables import AssetCard, AssetPurchase, AssetPurchaseLine, AssetQuote
from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.workflow.tables import Request
from tests.conftest import sign_in
from tests.integration.assets.helpers import THREE_QUOTES, approve_chain, employee, purchase_form
from tests.integration.workflow.helpers import chain, submit

pytestmark = pytest.mark.integration


async def counts() -> tuple[int, ...]:
    return await Request.count(), await AssetPurchase.count(), await AssetPurchaseLine.count(), await AssetQuote.count(), await AssetCard.count()


async def test_purchase_approval_opens_one_card_per_unit(new_client):
    applicant = await sign_in(await new_client(), "data")
    rid, r = await submit(applicant, "asset_purchase", await purchase_form(
        [("笔记本电脑", "2", "6000.00"), ("激光打印机", "1", "3000.00")], quotes=THREE_QUOTES))
    assert rid, r.text[:3000]
    assert (await Request.select(Request.amount).where(Request.id == rid).first())["amount"] == Decimal("15000.00")
    assert await chain(rid) == ["dept_head", "admin_review", "finance_manager", "vp", "gm"]
    assert await AssetCard.count().where(AssetCard.source_request == rid) == 0  # nothing before acceptance
    await approve_chain(new_client, rid)
    cards = await AssetCard.select().where(AssetCard.source_request == rid).order_by(AssetCard.number)
    assert len(cards) == 3
    custodian = await employee("data")
    year = today_local().year
    assert all(c["number"].startswith(f"ZC-{year}-") and len(c["number"]) == 12 for c in cards)
    assert len({c["number"] for c in cards}) == 3
    assert sorted(c["original_value"] for c in cards) == [Decimal("3000.00"), Decimal("6000.00"), Decimal("6000.00")]
    assert all(c["status"] == "在用" and c["custodian"] == custodian["id"] and c["purchase_date"] == today_local() and c["depreciation_years"] == 3
               and c["location"] == "客服部办公室" for c in cards)
    assert await AuditLog.count().where((AuditLog.action == "assets.open") & AuditLog.entity_id.is_in([str(c["id"]) for c in cards])) == 3
    page = await applicant.get(f"/workflow/requests/{rid}")
    assert page.text.count('data-testid="purchase-card"') == 3


async def test_below_the_threshold_needs_no_quotes_and_no_gm(new_client):
    applicant = await sign_in(await new_client(), "contract2")
    rid, r = await submit(applicant, "asset_purchase", await purchase_form([("台式电脑", "1", "9999.99")]))
    assert rid, r.text[:3000]
    assert await chain(rid) == ["dept_head", "admin_review", "finance_manager", "vp"]


async def test_missing_quotes_are_refused_from_the_threshold(new_client):
    applicant = await sign_in(await new_client(), "data")
    before = await counts()
    rid, r = await submit(applicant, "asset_purchase", await purchase_form([("台式电脑", "2", "5000.00")], quotes=THREE_QUOTES[:2]))
    assert rid == 0 and r.status_code == 400
    assert "采购金额达到 10,000.00 元，须提供 3 家供应商报价" in r.text and 'data-testid="error-q_supplier_2"' in r.text
    assert 'value="苏州乙电脑商行"' in r.text  # what was typed is kept
    rid, r = await submit(applicant, "asset_purchase", await purchase_form(
        [("台式电脑", "2", "5000.00")], quotes=[THREE_QUOTES[0], THREE_QUOTES[0], THREE_QUOTES[2]]))
    assert rid == 0 and "与第 1 家供应商重复" in r.text
    assert await counts() == before


@pytest.mark.parametrize("line, field, message", [
    (("", "1", "3000.00"), "a_name_0", "请填写资产名称"),
    (("笔记本", "0", "3000.00"), "a_qty_0", "数量不能小于 1"),
    (("笔记本", "两台", "3000.00"), "a_qty_0", "数量应为整数"),
    (("笔记本", "1", "abc"), "a_price_0", "格式不正确"),
    (("笔记本", "1", "3000.001"), "a_price_0", "最多保留两位小数"),
    (("鼠标", "1", "99.00"), "a_price_0", "不属于固定资产，请走办公用品申购流程"),
    (("笔记本", "101", "3000.00"), "a_qty_0", "数量不能大于 100"),
])
async def test_bad_lines_are_refused_with_nothing_written(new_client, line, field, message):
    applicant = await sign_in(await new_client(), "data")
    before = await counts()
    rid, r = await submit(applicant, "asset_purchase", await purchase_form([line]))
    assert rid == 0 and r.status_code == 400
    assert f'data-testid="error-{field}"' in r.text and message in r.text
    assert await counts() == before


@pytest.mark.parametrize("extra, field, message", [
    ({"custodian": ""}, "custodian", "请选择保管人"),
    ({"custodian": "99999999"}, "custodian", "请选择在职员工作为保管人"),
    ({"department": "x1"}, "department", "使用部门的选项无效"),
    ({"department": "99999999"}, "department", "使用部门不存在"),
    ({"depreciation_years": "0"}, "depreciation_years", "折旧年限不能小于 1"),
    ({"location": ""}, "location", "请填写存放地点"),
    ({"reason": ""}, "reason", "请填写购置理由"),
    ({"a_name": [], "a_spec": [], "a_qty": [], "a_price": []}, "a_name_0", "请至少填写一项资产"),
    ({"a_category": ["999999"]}, "a_category_0", "请选择资产类别"),
])
async def test_bad_fields_are_refused(new_client, extra, field, message):
    applicant = await sign_in(await new_client(), "data")
    before = await counts()
    rid, r = await submit(applicant, "asset_purchase", await purchase_form([("笔记本", "1", "3000.00")], **extra))
    assert rid == 0 and r.status_code == 400
    assert f'data-testid="error-{field}"' in r.text and message in r.text
    assert await counts() == before


async def test_asset_numbers_are_consecutive_and_unique():
    year = 2099
    first = await next_numbers(year, 2)
    second = await next_numbers(year, 1)
    assert first == ["ZC-2099-0001", "ZC-2099-0002"] and second == ["ZC-2099-0003"]


async def test_form_page_shows_categories_and_threshold(new_client):
    c = await sign_in(await new_client(), "data")
    r = await c.get("/workflow/new/asset_purchase")
    assert r.status_code == 200 and "电子设备" in r.text and "¥10,000.00" in r.text and 'data-testid="q-supplier-2"' in r.text
