"""合同作废 after approval (SPEC A5): the bureau's cancellations with their 回执号, the loan cancellation, the unit released
only then (保留 for a 换房); the refund through the 付款 request type, linked to the deal, with its time limit."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.core.workdays import add_working_days
from app.estate.tables import Unit
from app.pipeline.tables import Deal, DealDocument, DealRefund, Instalment, Receipt, VoidStep
from tests.conftest import sign_in
from tests.integration.pipeline.test_pipeline import check_and_sign, file_contract, post, subscribed
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration
VOID_CHAIN = ["supervisor", "dept_head", "sales_manager", "finance_manager", "gm"]


async def unit_status(unit_id: int) -> str:
    return (await Unit.select(Unit.status).where(Unit.id == unit_id).first())["status"]


async def signed(new_client, *, filed: bool = False, loan: bool = False, **over) -> tuple[dict, dict, str]:
    kw = {"payment_method": "商贷", "down_payment": "900000.00"} if loan else {}
    unit, deal = await subscribed(new_client, **kw, **over)
    no = f"ZF-{deal['id']}"
    loan_check = {"loan_amount": f"{Decimal(deal['total_price']) - Decimal('900000.00'):.2f}", "loan_bank": "建行"} if loan else None
    page = await check_and_sign(new_client, unit, deal, no, check=loan_check)
    if filed:
        await file_contract(new_client, deal, page, prereg=True)
    if loan:
        from tests.integration.pipeline.test_mortgage import LOAN_TERMS, walk_to_face_signed

        mortgage = await sign_in(await new_client(), "mortgage")
        await walk_to_face_signed(mortgage, deal, page)  # A3: documents in and 面签 before the bank
        assert (await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/bank_submit", {"on": today_local().isoformat(), **LOAN_TERMS},
                           page)).status_code == 303
    return unit, deal, no


async def void(new_client, no: str, reason: str = "退房", refund: str = "50000.00") -> int:
    contract = await sign_in(await new_client(), "contract")
    rid, r = await submit(contract, "contract_void", {"deal_ref": no, "reason": reason, "penalty_waived": "0", "refund": refund, "note": "客户申请，原件已收回"})
    assert rid, r.text[:2000]
    for who in VOID_CHAIN:
        await approve_as(new_client, rid, who)
    assert await status(rid) == "已通过"
    return rid


async def test_bureau_records_each_cancellation_then_the_unit_is_saleable(new_client):
    unit, deal, no = await signed(new_client, filed=True)
    await void(new_client, no)
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["stage"] == "已作废" and d["void_status"] == "撤销中"
    assert await unit_status(unit["id"]) == "已备案"  # not yet saleable: the bureau has not cancelled anything
    steps = await VoidStep.select().where(VoidStep.deal == deal["id"]).order_by(VoidStep.id)
    assert [s["step"] for s in steps] == ["网签注销", "备案注销", "预告登记注销"]
    assert steps[0]["due_on"] == await add_working_days(today_local(), 5)  # the admin setting void_bureau_wd, SPEC default 5 WD
    page = f"/pipeline/units/{unit['id']}"
    bureau = await sign_in(await new_client(), "bureau")
    q = await bureau.get("/pipeline/queue")
    assert "合同作废：网签注销" in q.text and "合同作废：备案注销" in q.text
    view = await bureau.get(page)
    assert view.status_code == 200 and 'data-testid="void-closeout"' in view.text and 'data-testid="form-void-step-1"' in view.text
    url = lambda s: f"/pipeline/deals/{deal['id']}/void-steps/{s['id']}"  # noqa: E731
    # only the bureau (and its supervisors) records the bureau's steps; bad input is a field message
    contract = await sign_in(await new_client(), "contract")
    assert 'data-testid="form-void-step-1"' not in (await contract.get(page)).text
    r = await post(contract, url(steps[0]), {"on": today_local().isoformat(), "receipt_no": "X"}, page)
    assert r.status_code == 400 and "您的岗位不能办理「网签注销」" in r.text
    r = await post(bureau, url(steps[0]), {"on": (today_local() + timedelta(days=1)).isoformat(), "receipt_no": ""}, page)
    assert r.status_code == 400 and "日期不能晚于今天" in r.text and "请填写回执号" in r.text
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/99999999", {"on": today_local().isoformat(), "receipt_no": "X"}, page)
    assert r.status_code == 400 and "注销事项不存在" in r.text
    other = await VoidStep.select(VoidStep.id).where(VoidStep.deal != deal["id"]).first()
    if other:  # a step of another deal through this deal's URL
        r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/{other['id']}", {"on": today_local().isoformat(), "receipt_no": "X"}, page)
        assert r.status_code == 400
    contract2 = await sign_in(await new_client(), "contract2")
    assert (await contract2.get(page)).status_code == 403
    for i, s in enumerate(steps):
        r = await post(bureau, url(s), {"on": today_local().isoformat(), "receipt_no": f"HZ-{deal['id']}-{i}"}, page)
        assert r.status_code == 303, r.text[:500]
        assert await unit_status(unit["id"]) == ("可售" if i == len(steps) - 1 else "已备案")
    r = await post(bureau, url(steps[0]), {"on": today_local().isoformat(), "receipt_no": "again"}, page)
    assert r.status_code == 400 and "已办理" in r.text
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["void_status"] == "已撤销" and d["filing_status"] == "已撤销"
    done = await VoidStep.select().where(VoidStep.deal == deal["id"]).order_by(VoidStep.id)
    assert [s["receipt_no"] for s in done] == [f"HZ-{deal['id']}-{i}" for i in range(3)]
    assert await AuditLog.count().where((AuditLog.action == "pipeline.void_step") & (AuditLog.entity_id == str(deal["id"]))) == 3
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.void_closed") & (AuditLog.entity_id == str(deal["id"])))
    assert not await VoidStep.exists().where((VoidStep.deal == deal["id"]) & VoidStep.done_on.is_null())


async def test_exchange_of_unit_keeps_it_reserved_after_the_loan_and_signing_are_cancelled(new_client):
    unit, deal, no = await signed(new_client, loan=True)
    await void(new_client, no, reason="换房")
    steps = {s["step"]: s for s in await VoidStep.select().where(VoidStep.deal == deal["id"])}
    assert set(steps) == {"网签注销", "贷款注销"}
    assert (await Deal.select(Deal.mortgage_status).where(Deal.id == deal["id"]).first())["mortgage_status"] == "注销中"  # bank clocks stop
    page = f"/pipeline/units/{unit['id']}"
    bureau, mortgage = await sign_in(await new_client(), "bureau"), await sign_in(await new_client(), "mortgage")
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/{steps['贷款注销']['id']}", {"on": today_local().isoformat(), "receipt_no": "X"}, page)
    assert r.status_code == 400 and "您的岗位不能办理「贷款注销」" in r.text
    assert "合同作废：贷款注销" in (await mortgage.get("/pipeline/queue")).text
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/void-steps/{steps['贷款注销']['id']}", {"on": today_local().isoformat(), "receipt_no": "ZX-1"}, page)
    assert r.status_code == 303
    assert await unit_status(unit["id"]) == "已签约"
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/{steps['网签注销']['id']}", {"on": today_local().isoformat(), "receipt_no": "WQ-1"}, page)
    assert r.status_code == 303
    assert await unit_status(unit["id"]) == "保留"  # 换房: reserved for the replacement contract, not 可售
    assert (await Deal.select(Deal.mortgage_status).where(Deal.id == deal["id"]).first())["mortgage_status"] == "已注销"
    sales = await sign_in(await new_client(), "sales")
    view = await sales.get(page)
    assert 'data-testid="subscribe-link"' in view.text  # a 保留 unit takes the new subscription


async def payment_form(no: str, amount: str, kind: str = "作废退款", **over) -> dict:
    return {"payee": "测试客户", "bank": "中国银行苏州分行", "account": "6217000000000000001", "contract_no": no, "contract_total": "50000.00",
            "amount": amount, "method": "银行转账", "purpose": "合同作废退还已付款", "deal_ref": no, "refund_kind": kind, **over}


async def test_void_refund_goes_out_through_payment_and_is_recorded_on_the_deal(new_client):
    unit, deal, no = await signed(new_client)
    # refunds are refused before the voiding is approved, above what the voiding settled, and outside the scope
    acc = await sign_in(await new_client(), "accountant")
    rid, r = await submit(acc, "payment", await payment_form(no, "50000.00"))
    assert rid == 0 and r.status_code == 400 and "该合同尚未作废" in r.text
    await void(new_client, no, refund="50000.00")
    rid, r = await submit(acc, "payment", await payment_form(no, "50000.01", contract_total="60000.00"))
    assert rid == 0 and "超过可退金额：该客户最多还可退 50,000.00 元" in r.text
    rid, r = await submit(acc, "payment", await payment_form("NO-SUCH-CONTRACT", "1.00"))
    assert rid == 0 and "没有找到该合同" in r.text
    rid, r = await submit(acc, "payment", await payment_form(no, "1.00", refund_kind=""))
    assert rid == 0 and "请选择退款类型" in r.text
    c2 = await sign_in(await new_client(), "contract2")
    rid, r = await submit(c2, "payment", await payment_form(no, "1.00"))
    assert rid == 0 and "该项目不在您的数据范围内" in r.text
    rid, r = await submit(acc, "payment", await payment_form(no, "50000.00"))
    assert rid, r.text[:2000]
    link = await DealRefund.select().where(DealRefund.request == rid).first()
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert link["deal"] == deal["id"] and link["due_on"] == d["voided_on"] + timedelta(days=30)  # SPEC A5: 30 CD, an admin setting
    rid2, r = await submit(acc, "payment", await payment_form(no, "1.00"))
    assert rid2 == 0 and "最多还可退 0.00 元" in r.text  # the pending request counts
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get(f"/pipeline/units/{unit['id']}")
    assert 'data-testid="refunds"' in page.text and "审批中" in page.text and 'data-testid="void-refund"' in page.text
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    assert await status(rid) == "已通过"
    refund = await Receipt.select().where(Receipt.refund_request == rid).first()
    assert Decimal(refund["amount"]) == Decimal("-50000.00") and refund["kind"] == "退款"
    assert sum(Decimal(r["amount"]) for r in await Receipt.select(Receipt.amount).where(Receipt.deal == deal["id"])) == Decimal("0.00")
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.refund") & (AuditLog.entity_id == str(deal["id"])))
    page = await sup.get(f"/pipeline/units/{unit['id']}")
    assert "已通过" in page.text.split('data-testid="refunds"')[1]
    voids = await sup.get(f"/ledgers/voids?q={no}")
    assert "¥50,000.00" in voids.text.split('id="ledger-list"')[1]
    acc_page = await acc.get(f"/pipeline/receipts/{deal['id']}")
    assert acc_page.status_code == 200 and 'data-testid="refunds"' in acc_page.text


async def test_area_difference_refund_settles_the_instalment(new_client):
    unit, deal, no = await signed(new_client)
    inst = (await Instalment.insert(Instalment(deal=deal["id"], kind="面积差", amount_due=Decimal("-12345.67"),
                                               due_on=today_local() + timedelta(days=30))).returning(Instalment.id))[0]  # as the handover writes it
    acc = await sign_in(await new_client(), "accountant")
    r = await post(acc, f"/pipeline/receipts/{deal['id']}", {"instalment": str(inst["id"]), "amount": "1.00", "received_on": today_local().isoformat(),
                                                             "method": "转账", "voucher_no": f"A-{deal['id']}"}, f"/pipeline/receipts/{deal['id']}")
    assert r.status_code == 400  # a refund due is not a receipt
    sup = await sign_in(await new_client(), "supervisor")
    assert "待退款" in (await sup.get(f"/ledgers/collections?q={no}&kind=面积差")).text
    rid, r = await submit(acc, "payment", await payment_form(no, "12345.68", kind="面积差退款", contract_total="20000.00"))
    assert rid == 0 and "最多还可退 12,345.67 元" in r.text
    rid, r = await submit(acc, "payment", await payment_form(no, "12345.67", kind="面积差退款", contract_total="20000.00"))
    assert rid, r.text[:2000]
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    row = await Instalment.select().where(Instalment.id == inst["id"]).first()
    assert Decimal(row["received"]) == Decimal("-12345.67")
    assert f">{no}</a>" in (await sup.get(f"/ledgers/collections?q={no}&kind=面积差&state=已结清")).text


async def test_voiding_time_limits_are_admin_settings(new_client):
    from app.pipeline.tables import PipelineSetting

    rows = {r["key"]: r for r in await PipelineSetting.select().where(PipelineSetting.key.is_in(["void_bureau_wd", "void_refund_days"]))}
    assert Decimal(rows["void_bureau_wd"]["value"]) == 5 and Decimal(rows["void_refund_days"]["value"]) == 30  # seeded with the SPEC defaults
    await PipelineSetting.update({PipelineSetting.value: Decimal("2")}).where(PipelineSetting.key == "void_bureau_wd")
    await PipelineSetting.update({PipelineSetting.value: Decimal("10")}).where(PipelineSetting.key == "void_refund_days")
    try:
        unit, deal, no = await signed(new_client)
        await void(new_client, no)
        step = await VoidStep.select().where(VoidStep.deal == deal["id"]).first()
        assert step["due_on"] == await add_working_days(today_local(), 2)
        sup = await sign_in(await new_client(), "supervisor")
        page = await sup.get(f"/pipeline/units/{unit['id']}")
        assert f"{today_local() + timedelta(days=10):%Y-%m-%d}" in page.text.split('data-testid="void-refund"')[1][:400]
        assert "逾期" not in page.text.split('data-testid="void-refund"')[1][:600]
        # past both limits: the refund and the bureau's step show as overdue
        await Deal.update({Deal.voided_on: today_local() - timedelta(days=11)}).where(Deal.id == deal["id"])
        await VoidStep.update({VoidStep.due_on: today_local() - timedelta(days=1)}).where(VoidStep.deal == deal["id"])
        page = await sup.get(f"/pipeline/units/{unit['id']}")
        assert "逾期" in page.text.split('data-testid="void-refund"')[1][:600]
        assert "逾期" in page.text.split('data-testid="void-step-网签注销"')[1][:600]
    finally:
        await PipelineSetting.update({PipelineSetting.value: Decimal("5")}).where(PipelineSetting.key == "void_bureau_wd")
        await PipelineSetting.update({PipelineSetting.value: Decimal("30")}).where(PipelineSetting.key == "void_refund_days")


async def test_an_overdue_cancellation_reminds_the_bureau_once_a_day(new_client):
    from app.core.tables import Notification
    from app.pipeline.remind import remind_once

    unit, deal, no = await signed(new_client)
    await void(new_client, no)
    await VoidStep.update({VoidStep.due_on: today_local() - timedelta(days=1)}).where(VoidStep.deal == deal["id"])
    await remind_once()
    text = f"{today_local()} {deal['number']} 合同作废后的网签注销已逾期"
    bureau = await Notification.count().where((Notification.text.like(text + "%")) & (Notification.user.username == "bureau"))
    assert bureau == 1
    await remind_once()
    assert await Notification.count().where((Notification.text.like(text + "%")) & (Notification.user.username == "bureau")) == 1
