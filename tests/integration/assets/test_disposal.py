"""固定资产报废 through the real routes: the net value stored, the chain by original and net value, the card
closed on approval, one pending disposal per card, the certified data wipe before approval can finish."""
from decimal import Decimal

import pytest

from app.assets.tables import AssetCard, AssetDisposal
from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.workflow.tables import Request
from tests.conftest import csrf_token, sign_in
from tests.integration.assets.helpers import approve_chain, disposal_form, make_card
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, status, submit

pytestmark = pytest.mark.integration


async def card_row(card_id: int) -> dict:
    return await AssetCard.select().where(AssetCard.id == card_id).first()


async def test_disposal_closes_the_card(new_client):
    card = await make_card("contract", "5999.00", days_ago=4 * 365)  # fully depreciated
    applicant = await sign_in(await new_client(), "contract")
    rid, r = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    assert rid, r.text[:3000]
    d = await AssetDisposal.select().where(AssetDisposal.request == rid).first()
    assert d["original_value"] == Decimal("5999.00") and d["net_value"] == Decimal("0.00") and d["accumulated"] == Decimal("5999.00")
    assert d["months_used"] >= 47 and d["depreciation_years"] == 3 and d["salvage"] == Decimal("100.00")
    assert await chain(rid) == ["dept_head", "admin_assess", "finance_manager", "vp"]
    assert (await card_row(card["id"]))["disposal"] == rid  # held while pending
    await approve_chain(new_client, rid)
    row = await card_row(card["id"])
    assert row["status"] == "已报废" and row["disposed_on"] == today_local() and row["disposal"] == rid
    actions = [a["action"] for a in await AuditLog.select(AuditLog.action).where(
        (AuditLog.entity == "asset_card") & (AuditLog.entity_id == str(card["id"]))).order_by(AuditLog.id)]
    assert actions == ["assets.dispose_request", "assets.dispose"]
    # a closed card cannot be disposed of again
    rid2, r = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    assert rid2 == 0 and "不能重复报废" in r.text


async def test_net_value_from_2000_adds_the_gm(new_client):
    card = await make_card("data", "9000.00", days_ago=0)  # net = original = 9,000 ≥ 2,000
    applicant = await sign_in(await new_client(), "data")
    rid, r = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    assert rid, r.text[:3000]
    assert (await Request.select(Request.amount).where(Request.id == rid).first())["amount"] == Decimal("9000.00")
    assert await chain(rid) == ["dept_head", "admin_assess", "finance_manager", "vp", "gm"]


async def test_original_from_10000_adds_the_gm_even_when_fully_depreciated(new_client):
    card = await make_card("data", "10000.00", days_ago=5 * 365)
    applicant = await sign_in(await new_client(), "data")
    rid, _ = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    assert "gm" in await chain(rid)


async def test_second_disposal_of_the_same_card_is_refused_until_the_first_ends(new_client):
    card = await make_card("reception", "4000.00", days_ago=4 * 365)
    applicant = await sign_in(await new_client(), "reception")
    rid, _ = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    number = (await Request.select(Request.number).where(Request.id == rid).first())["number"]
    before = (await Request.count(), await AssetDisposal.count())
    rid2, r = await submit(applicant, "asset_disposal", disposal_form(card["id"], reason="重复提交"))
    assert rid2 == 0 and r.status_code == 400
    assert f"该资产已在报废申请 {number}（审批中）中，不能重复申请" in r.text and 'data-testid="error-asset"' in r.text
    assert (await Request.count(), await AssetDisposal.count()) == before
    # rejected: the card is free again
    head = await sign_in(await new_client(), "dept_head")
    r = await act(head, await pending_task(rid, "dept_head"), "驳回", "请先维修")
    assert r.status_code == 303 and (await card_row(card["id"]))["disposal"] is None
    rid3, r = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    assert rid3, r.text[:2000]


async def test_customer_data_needs_the_certified_wipe_before_approval_finishes(new_client):
    card = await make_card("reception2", "3000.00", days_ago=4 * 365)
    applicant = await sign_in(await new_client(), "reception2")
    rid, r = await submit(applicant, "asset_disposal", disposal_form(card["id"], holds_customer_data="1"))
    assert rid, r.text[:3000]
    await approve_chain(new_client, rid, stop_before="vp")
    vp = await sign_in(await new_client(), "vp")
    r = await act(vp, await pending_task(rid, "vp"), "同意", htmx=True)
    assert r.status_code == 400 and "须先由行政部（信息化）登记“数据已由认证方式擦除”" in r.text
    assert await status(rid) == "审批中" and (await card_row(card["id"]))["status"] == "在用" and await pending_task(rid, "vp")
    # only 行政 records the wipe; every field is checked
    assert (await applicant.get(f"/assets/disposals/{rid}/wipe")).status_code == 403
    admin = await sign_in(await new_client(), "admin_staff")
    page = await admin.get(f"/workflow/requests/{rid}")
    assert 'data-testid="wipe-link"' in page.text
    assert (await admin.get(f"/assets/disposals/{rid}/wipe")).status_code == 200
    token = await csrf_token(admin, f"/assets/disposals/{rid}/wipe")
    r = await admin.post(f"/assets/disposals/{rid}/wipe", data={"wipe_method": "消磁", "wipe_certificate": "", "_csrf_token": token})
    assert r.status_code == 400 and "请填写擦除报告或证书编号" in r.text and "请确认数据已由认证方式擦除" in r.text
    token = await csrf_token(applicant, "/assets")
    r = await applicant.post(f"/assets/disposals/{rid}/wipe", data={"wipe_method": "消磁", "wipe_certificate": "X-1", "wiped": "1", "_csrf_token": token})
    assert r.status_code == 403
    token = await csrf_token(admin, f"/assets/disposals/{rid}/wipe")
    r = await admin.post(f"/assets/disposals/{rid}/wipe", data={"wipe_method": "专业软件多次覆写", "wipe_certificate": "CQC-2026-118", "wiped": "1",
                                                               "_csrf_token": token})
    assert r.status_code == 303
    r = await admin.post(f"/assets/disposals/{rid}/wipe", data={"wipe_method": "消磁", "wipe_certificate": "X", "wiped": "1", "_csrf_token": token})
    assert r.status_code == 400 and "不能重复登记" in r.text
    assert (await approve_as(new_client, rid, "vp")).status_code == 303
    assert await status(rid) == "已通过" and (await card_row(card["id"]))["status"] == "已报废"


@pytest.mark.parametrize("extra, field, message", [
    ({"asset": ""}, "asset", "请选择资产"),
    ({"asset": "abc"}, "asset", "资产的选项无效"),
    ({"asset": "99999999"}, "asset", "资产不存在"),
    ({"reason": ""}, "reason", "请填写报废原因"),
    ({"assessment": ""}, "assessment", "请填写现状及鉴定说明"),
    ({"salvage": "-5"}, "salvage", "不能为负数"),
    ({"salvage": "一百"}, "salvage", "格式不正确"),
])
async def test_bad_disposal_input_is_refused_with_nothing_written(new_client, extra, field, message):
    card = await make_card("clerk", "2600.00", days_ago=800)
    applicant = await sign_in(await new_client(), "clerk")
    before = (await Request.count(), await AssetDisposal.count())
    rid, r = await submit(applicant, "asset_disposal", disposal_form(card["id"], **extra))
    assert rid == 0 and r.status_code == 400
    assert f'data-testid="error-{field}"' in r.text and message in r.text
    assert (await Request.count(), await AssetDisposal.count()) == before
    assert (await card_row(card["id"]))["disposal"] is None


async def test_withdrawn_disposal_frees_the_card(new_client):
    card = await make_card("archive", "2600.00", days_ago=800)
    applicant = await sign_in(await new_client(), "archive")
    rid, _ = await submit(applicant, "asset_disposal", disposal_form(card["id"]))
    token = await csrf_token(applicant, f"/workflow/requests/{rid}")
    assert (await applicant.post(f"/workflow/requests/{rid}/withdraw", data={"_csrf_token": token})).status_code == 303
    assert (await card_row(card["id"]))["disposal"] is None
