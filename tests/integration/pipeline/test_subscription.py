"""A1 认购 through its routes and the approval engine: draft, discount authority, deposit, deadline, 退订 and forfeit."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline.tables import Deal, Instalment, Receipt
from app.pipeline.tables_subscription import SubscriptionCancel, SubscriptionDiscount
from tests.conftest import sign_in
from tests.integration.pipeline.test_pipeline import free_unit, pay_deposit, post, subscribe_data, subscribed
from tests.integration.pipeline.test_voiding import payment_form
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, status

pytestmark = pytest.mark.integration


async def unit_status(unit_id: int) -> str:
    return (await Unit.select(Unit.status).where(Unit.id == unit_id).first())["status"]


async def deal_of(unit_id: int) -> dict:
    return await Deal.select().where(Deal.unit == unit_id).order_by(Deal.id, ascending=False).first()


async def discounted(new_client, pct: str, note: str = "老客户优惠", action: str = "submit") -> tuple[dict, dict, object]:
    """The 置业顾问 submits a 认购书 at `pct` % below the list price."""
    sales = await sign_in(await new_client(), "sales")
    unit = await free_unit()
    total = (Decimal(unit["total_price"]) * (1 - Decimal(pct) / 100)).quantize(Decimal("0.01"))
    url = f"/pipeline/units/{unit['id']}/subscribe"
    r = await post(sales, url, subscribe_data(unit, total_price=f"{total:.2f}", down_payment=f"{total:.2f}", discount_note=note, action=action), url)
    assert r.status_code == 303, r.text[:2000]
    return unit, await deal_of(unit["id"]), sales


async def request_of(deal_id: int) -> int:
    return (await SubscriptionDiscount.select(SubscriptionDiscount.request).where(SubscriptionDiscount.deal == deal_id).order_by(
        SubscriptionDiscount.id, ascending=False).first())["request"]


async def test_discount_within_authority_goes_to_the_sales_manager_only(new_client):
    unit, deal, _ = await discounted(new_client, "2")
    assert deal["subscription_status"] == "优惠待批" and deal["stage"] == "认购中" and await unit_status(unit["id"]) == "保留"
    rid = await request_of(deal["id"])
    assert await chain(rid) == ["sales_manager"]
    assert not await Instalment.exists().where(Instalment.deal == deal["id"])  # no 定金 due before the 优惠 is approved
    await approve_as(new_client, rid, "sales_manager")
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["subscription_status"] == "待收定金" and await unit_status(unit["id"]) == "保留"
    dep = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "定金")).first()
    assert Decimal(dep["received"]) == 0 and Decimal(dep["amount_due"]) == Decimal("50000.00")
    # the unit page shows the 优惠 with the approval number, and the printed 认购书 too
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get(f"/pipeline/units/{unit['id']}")
    assert 'data-testid="subscription-card"' in page.text and 'data-testid="discount-request"' in page.text
    assert 'data-stage-status="待收定金"' in page.text


async def test_special_discount_goes_on_to_the_marketing_vp_and_the_gm(new_client):
    unit, deal, sales = await discounted(new_client, "5", "特殊优惠：团购")
    rid = await request_of(deal["id"])
    assert await chain(rid) == ["sales_manager", "marketing_vp", "gm"]
    x = await SubscriptionDiscount.select().where(SubscriptionDiscount.request == rid).first()
    assert x["special"] and x["discount_pct"] == Decimal("5.00")
    await approve_as(new_client, rid, "sales_manager")
    # 驳回 at the 营销副总: back to 草稿, the unit stays 保留; the 置业顾问 corrects the price and submits again
    vp = await sign_in(await new_client(), "marketing_vp")
    r = await act(vp, await pending_task(rid, "marketing_vp"), "驳回", "优惠过大")
    assert r.status_code in (200, 303)
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["subscription_status"] == "草稿" and await unit_status(unit["id"]) == "保留"
    page = f"/pipeline/units/{unit['id']}"
    bad = await post(sales, f"/pipeline/deals/{deal['id']}/subscription/submit", {"unit_price": "x", "total_price": "1.00", "deposit": "1.00",
                                                                                  "payment_method": "一次性", "down_payment": "1.00"}, page)
    assert bad.status_code == 400 and 'value="x"' in bad.text and "成交单价" in bad.text
    assert (await Deal.select(Deal.subscription_status).where(Deal.id == deal["id"]).first())["subscription_status"] == "草稿"
    total = (Decimal(unit["total_price"]) * Decimal("0.99")).quantize(Decimal("0.01"))
    ok = await post(sales, f"/pipeline/deals/{deal['id']}/subscription/submit", {"unit_price": f"{unit['unit_price']:.2f}", "total_price": f"{total:.2f}",
                                                                                 "discount_note": "优惠 1%", "deposit": "50000.00", "payment_method": "一次性",
                                                                                 "down_payment": f"{total:.2f}"}, page)
    assert ok.status_code == 303, ok.text[:1500]
    rid2 = await request_of(deal["id"])
    assert rid2 != rid and await chain(rid2) == ["sales_manager"]


async def test_no_discount_waits_for_the_deposit_and_the_receipt_makes_it_subscribed(new_client):
    sales = await sign_in(await new_client(), "sales")
    unit = await free_unit()
    url = f"/pipeline/units/{unit['id']}/subscribe"
    assert (await post(sales, url, subscribe_data(unit), url)).status_code == 303
    deal = await deal_of(unit["id"])
    assert deal["subscription_status"] == "待收定金" and deal["deposit_received_on"] is None and await unit_status(unit["id"]) == "保留"
    assert not await SubscriptionDiscount.exists().where(SubscriptionDiscount.deal == deal["id"])
    # the accountant finds it on the receipts page; a part of the 定金 leaves it 待收定金
    acc = await sign_in(await new_client(), "accountant")
    listing = await acc.get("/pipeline/receipts?sub=待收定金")
    assert listing.status_code == 200 and deal["number"] in listing.text
    inst = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "定金")).first()
    rurl = f"/pipeline/receipts/{deal['id']}"
    r = await post(acc, rurl, {"instalment": str(inst["id"]), "amount": "20000.00", "received_on": today_local().isoformat(), "method": "POS",
                               "voucher_no": f"PART-{deal['id']}"}, rurl)
    assert r.status_code == 303
    assert (await Deal.select(Deal.subscription_status).where(Deal.id == deal["id"]).first())["subscription_status"] == "待收定金"
    r = await post(acc, rurl, {"instalment": str(inst["id"]), "amount": "30000.00", "received_on": today_local().isoformat(), "method": "POS",
                               "voucher_no": f"REST-{deal['id']}"}, rurl)
    assert r.status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    sign_days = 5
    assert d["subscription_status"] == "已认购" and d["stage"] == "已认购" and d["deposit_received_on"] == today_local()
    assert d["sign_deadline"] >= today_local() + timedelta(days=sign_days) and await unit_status(unit["id"]) == "已认购"
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.subscription.deposit") & (AuditLog.entity_id == str(deal["id"])))


async def test_draft_is_saved_submitted_later_or_abandoned_by_its_owner_only(new_client):
    unit, deal, sales = await discounted(new_client, "0", note="", action="draft")
    assert deal["subscription_status"] == "草稿" and await unit_status(unit["id"]) == "保留"
    page = f"/pipeline/units/{unit['id']}"
    view = await sales.get(page)
    assert 'data-testid="subscription-submit"' in view.text and 'data-testid="subscribe-link"' not in view.text
    # another role: refused, nothing written
    contract = await sign_in(await new_client(), "contract")
    before = await AuditLog.count()
    r = await post(contract, f"/pipeline/deals/{deal['id']}/subscription/abandon", {}, page)
    assert r.status_code == 400 and "您的岗位不能办理「认购」环节" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/subscription/cancel", {"outcome": "退订", "cause": "买受人原因", "note": "x"}, page)
    assert r.status_code == 400 and "只有销售经理" in r.text
    acc = await sign_in(await new_client(), "accountant")
    assert (await acc.get(page)).status_code == 403  # finance has no pipeline pages
    assert await AuditLog.count() == before
    r = await post(sales, f"/pipeline/deals/{deal['id']}/subscription/abandon", {}, page)
    assert r.status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["subscription_status"] == "已退订" and d["stage"] == "已退订" and await unit_status(unit["id"]) == "可售"
    assert (await post(sales, f"/pipeline/deals/{deal['id']}/subscription/abandon", {}, page)).status_code == 400  # a second click


async def test_overdue_after_the_deadline_then_refund_when_neither_side_caused(new_client):
    from app.pipeline.remind import remind_once

    unit, deal = await subscribed(new_client)
    await Deal.update({Deal.sign_deadline: today_local() - timedelta(days=1)}).where(Deal.id == deal["id"])
    await Notification.delete().where(Notification.kind == "pipeline")
    await remind_once()
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["subscription_status"] == "逾期未签" and d["stage"] == "已认购"
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.subscription.overdue") & (AuditLog.entity_id == str(deal["id"]))
                                         & AuditLog.actor.is_null())
    assert await Notification.exists().where(Notification.text.like(f"%{deal['number']} 认购逾期未签%"))
    page = f"/pipeline/units/{unit['id']}"
    mgr = await sign_in(await new_client(), "sales_manager")
    view = await mgr.get(page)
    assert 'data-stage-status="逾期未签"' in view.text and 'data-testid="subscription-cancel"' in view.text
    # forfeiting when neither side caused it is refused on the field, nothing filed
    r = await post(mgr, f"/pipeline/deals/{deal['id']}/subscription/cancel", {"outcome": "没收定金", "cause": "双方均无过错", "note": "银行政策变化"}, page)
    assert r.status_code == 400 and "定金必须退还" in r.text
    assert not await SubscriptionCancel.exists().where(SubscriptionCancel.deal == deal["id"])
    r = await post(mgr, f"/pipeline/deals/{deal['id']}/subscription/cancel", {"outcome": "退订", "cause": "双方均无过错", "note": "限购政策调整，客户无法签约"}, page)
    assert r.status_code == 303, r.text[:1500]
    x = await SubscriptionCancel.select().where(SubscriptionCancel.deal == deal["id"]).first()
    assert await chain(x["request"]) == ["dept_head", "finance_manager"] and x["refund"] == Decimal("50000.00")
    for who in ("dept_head", "finance_manager"):
        await approve_as(new_client, x["request"], who)
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["subscription_status"] == "已退订" and d["stage"] == "已退订" and await unit_status(unit["id"]) == "可售"
    # the refund goes out through 付款 (定金退款), no more than the 定金
    acc = await sign_in(await new_client(), "accountant")
    from tests.integration.workflow.helpers import submit

    rid, r = await submit(acc, "payment", await payment_form(deal["number"], "50000.01", kind="定金退款", contract_total="60000.00"))
    assert rid == 0 and "最多还可退 50,000.00 元" in r.text
    rid, r = await submit(acc, "payment", await payment_form(deal["number"], "50000.00", kind="定金退款"))
    assert rid, r.text[:1500]
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    assert await status(rid) == "已通过"
    back = await Receipt.select().where(Receipt.refund_request == rid).first()
    assert Decimal(back["amount"]) == Decimal("-50000.00")


async def test_forfeit_when_the_buyer_caused_it_and_refund_kind_refused_elsewhere(new_client):
    unit, deal = await subscribed(new_client)  # still before its deadline: the customer withdraws
    page = f"/pipeline/units/{unit['id']}"
    acc = await sign_in(await new_client(), "accountant")
    from tests.integration.workflow.helpers import submit

    rid, r = await submit(acc, "payment", await payment_form(deal["number"], "1.00", kind="定金退款"))
    assert rid == 0 and "没有经批准应退还的定金" in r.text
    mgr = await sign_in(await new_client(), "sales_manager")
    r = await post(mgr, f"/pipeline/deals/{deal['id']}/subscription/cancel", {"outcome": "没收定金", "cause": "买受人原因", "note": ""}, page)
    assert r.status_code == 400 and 'data-testid="error-note"' in r.text.replace("subscription-cancel-", "")
    r = await post(mgr, f"/pipeline/deals/{deal['id']}/subscription/cancel", {"outcome": "没收定金", "cause": "买受人原因", "note": "客户放弃购买"}, page)
    assert r.status_code == 303
    again = await post(mgr, f"/pipeline/deals/{deal['id']}/subscription/cancel", {"outcome": "没收定金", "cause": "买受人原因", "note": "重复"}, page)
    assert again.status_code == 400 and "已有退订申请" in again.text
    x = await SubscriptionCancel.select().where(SubscriptionCancel.deal == deal["id"]).first()
    assert x["refund"] == 0 and x["deposit_received"] == Decimal("50000.00")
    for who in ("dept_head", "finance_manager"):
        await approve_as(new_client, x["request"], who)
    assert (await Deal.select(Deal.stage).where(Deal.id == deal["id"]).first())["stage"] == "已退订" and await unit_status(unit["id"]) == "可售"
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.subscription.cancel") & AuditLog.summary.like("%没收%"))


async def test_print_masks_the_id_and_is_guarded(new_client):
    unit, deal, _ = await discounted(new_client, "1")
    await approve_as(new_client, await request_of(deal["id"]), "sales_manager")
    deal = await pay_deposit(new_client, deal)
    url = f"/pipeline/deals/{deal['id']}/subscription/print"
    sup = await sign_in(await new_client(), "supervisor")
    r = await sup.get(url)
    buyer = (await Deal.select(Deal.buyer.id_number).where(Deal.id == deal["id"]).first())["buyer.id_number"]
    assert r.status_code == 200 and deal["number"] in r.text and buyer not in r.text and buyer[:3] in r.text
    rno = (await SubscriptionDiscount.select(SubscriptionDiscount.request.number).where(SubscriptionDiscount.deal == deal["id"]).first())["request.number"]
    assert rno in r.text and "伍万元整" in r.text  # the 定金 in 大写
    assert f"{deal['sign_deadline']:%Y-%m-%d}" in r.text
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.subscription.print") & (AuditLog.entity_id == str(deal["id"])))
    assert (await (await sign_in(await new_client(), "accountant")).get(url)).status_code == 403  # no pipeline rights
    other = await sign_in(await new_client(), "sales3")  # JC02 only
    assert (await other.get(url)).status_code == 403
    assert (await sup.get("/pipeline/deals/999999/subscription/print")).status_code == 404
