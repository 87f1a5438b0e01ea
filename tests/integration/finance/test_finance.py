"""Expense claims, advances and payments: their rules and registers through the real routes."""
import random
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.timeutil import today_local
from app.finance.tables import Advance, AdvanceEntry, Invoice, Payment
from app.workflow.tables import FlowSetting, Request
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, expense_form, invoice_number, status, submit

pytestmark = pytest.mark.integration

EXPENSE_CHAIN = ("dept_head", "accountant", "finance_manager", "cashier")


async def test_duplicate_invoice_is_refused_naming_the_earlier_claim(new_client):
    number = invoice_number()
    a = await sign_in(await new_client(), "contract")
    rid, _ = await submit(a, "expense", expense_form("88.00", number=number))
    assert rid
    b = await sign_in(await new_client(), "mortgage")
    before = await Request.count()
    rid2, r = await submit(b, "expense", expense_form("88.00", number=number, reason="重复报销测试"))
    assert rid2 == 0 and r.status_code == 400
    earlier = (await Request.select(Request.number).where(Request.id == rid).first())["number"]
    assert f"该发票已在报销单 {earlier}" in r.text
    assert "重复报销测试" in r.text and number in r.text  # the form is kept
    assert await Request.count() == before  # nothing written
    # once the first claim is rejected, the invoice may be claimed again
    head = await sign_in(await new_client(), "dept_head")
    from tests.integration.workflow.helpers import act, pending_task

    await act(head, await pending_task(rid, "dept_head"), "驳回", "不予报销")
    rid3, _ = await submit(b, "expense", expense_form("88.00", number=number))
    assert rid3


@pytest.mark.parametrize("amount, message", [
    ("-5", "不能为负数"), ("12.345", "最多保留两位小数"), ("abc", "格式不正确，请输入数字"), ("0", "必须大于 0"),
])
async def test_bad_amounts_get_field_messages(new_client, amount, message):
    c = await sign_in(await new_client(), "clerk")
    before = await Request.count()
    rid, r = await submit(c, "expense", expense_form(amount))
    assert rid == 0 and r.status_code == 400 and message in r.text
    assert 'data-testid="error-inv_amount_0"' in r.text and "：金额" not in r.text  # the problem said once, under the field
    assert await Request.count() == before


async def test_bad_invoice_lines(new_client):
    c = await sign_in(await new_client(), "clerk")
    old = (today_local() - timedelta(days=90)).isoformat()
    rid, r = await submit(c, "expense", {**expense_form("10.00", number="123"), "inv_date": [old]})
    assert rid == 0 and "数电票号码应为 20 位数字" in r.text and "超过 60 天的发票不能报销" in r.text
    rid, r = await submit(c, "expense", {"reason": "", "inv_kind": ["数电票"], "inv_number": [""], "inv_date": [""], "inv_seller": [""], "inv_amount": [""], "inv_tax": [""]})
    assert rid == 0 and "请填写报销事由" in r.text and "请至少填写一张发票" in r.text


async def test_advance_ledger_offset_and_repayment(new_client):
    applicant = await sign_in(await new_client(), "bureau")
    due = (today_local() + timedelta(days=20)).isoformat()
    rid, r = await submit(applicant, "advance", {"kind": "业务借款", "purpose": "办证规费", "amount": "3000.00", "due_on": due})
    assert rid, r.text[:1000]
    assert await chain(rid) == ["dept_head", "accountant", "finance_manager", "vp", "cashier"]
    for who in ("dept_head", "accountant", "finance_manager", "vp", "cashier"):
        await approve_as(new_client, rid, who)
    adv = await Advance.select().where(Advance.request == rid).first()
    assert adv["status"] == "未结清" and adv["balance"] == Decimal("3000.00")
    # an expense claim offsets part of it
    rid2, r = await submit(applicant, "expense", expense_form("1200.00", extra={"offset_advance": str(adv["id"]), "offset_amount": "1200.00"}))
    assert rid2, r.text[:1000]
    for who in ("dept_head", "accountant", "finance_manager", "vp", "cashier"):
        await approve_as(new_client, rid2, who)
    assert (await Advance.select(Advance.balance).where(Advance.id == adv["id"]).first())["balance"] == Decimal("1800.00")
    # offsetting more than the balance is refused
    _, r = await submit(applicant, "expense", expense_form("2500.00", extra={"offset_advance": str(adv["id"]), "offset_amount": "2000.00"}))
    assert "冲账金额不能超过借款余额" in r.text
    # the cashier records the repayment of the rest; the advance is settled
    cashier = await sign_in(await new_client(), "cashier")
    token = await csrf_token(cashier, f"/finance/advances/{adv['id']}")
    bad = await cashier.post(f"/finance/advances/{adv['id']}/repay", data={"amount": "1800.01", "_csrf_token": token})
    assert bad.status_code == 400 and "不能超过借款余额" in bad.text
    ok = await cashier.post(f"/finance/advances/{adv['id']}/repay", data={"amount": "1800.00", "_csrf_token": token})
    assert ok.status_code == 303
    adv = await Advance.select().where(Advance.id == adv["id"]).first()
    assert adv["status"] == "已结清" and adv["balance"] == Decimal("0.00")
    kinds = [e["kind"] for e in await AdvanceEntry.select(AdvanceEntry.kind).where(AdvanceEntry.advance == adv["id"]).order_by(AdvanceEntry.id)]
    assert kinds == ["借出", "冲账", "还款"]


async def test_new_advance_refused_while_one_is_overdue(new_client):
    applicant = await sign_in(await new_client(), "reception2")
    rid, _ = await submit(applicant, "advance", {"kind": "备用金", "purpose": "前台备用金", "amount": "500.00",
                                                 "due_on": (today_local() + timedelta(days=5)).isoformat()})
    for who in ("dept_head", "accountant", "finance_manager", "cashier"):
        await approve_as(new_client, rid, who)
    await Advance.update({Advance.due_on: today_local() - timedelta(days=3)}).where(Advance.request == rid)  # time passes
    rid2, r = await submit(applicant, "advance", {"kind": "差旅", "purpose": "出差", "amount": "800.00",
                                                  "due_on": (today_local() + timedelta(days=5)).isoformat()})
    assert rid2 == 0 and "您有逾期未结清的借款" in r.text
    fin = await sign_in(await new_client(), "finance_manager")
    ageing = await fin.get("/finance/advances")
    assert ageing.status_code == 200 and 'data-testid="ageing-row"' in ageing.text
    frag = await fin.get("/finance/advances?status=未结清", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text
    staff = await sign_in(await new_client(), "sales3")
    assert (await staff.get("/finance/advances")).status_code == 403
    assert (await staff.get("/finance/my-advances")).status_code == 200


async def test_advance_bad_input(new_client):
    c = await sign_in(await new_client(), "clerk")
    rid, r = await submit(c, "advance", {"kind": "备用金", "purpose": "x", "amount": "100.00", "due_on": (today_local() + timedelta(days=45)).isoformat()})
    assert rid == 0 and "借款应在 30 天内结清" in r.text
    rid, r = await submit(c, "advance", {"kind": "??", "purpose": "", "amount": "-1", "due_on": "2026-13-01"})
    assert rid == 0 and "借款类型的选项无效" in r.text and "请填写借款用途" in r.text and "不能为负数" in r.text and "格式应为 YYYY-MM-DD" in r.text


async def test_payment_cumulative_percentage_and_overpay(new_client):
    c = await sign_in(await new_client(), "contract")
    base = {"payee": "苏州某广告有限公司", "bank": "中国银行苏州分行", "account": "6217000010001234567", "contract_no": "HT-2026-088",
            "contract_total": "100000.00", "method": "银行转账", "purpose": "广告费"}
    rid, r = await submit(c, "payment", {**base, "amount": "60000.00"})
    assert rid, r.text[:1000]
    assert await chain(rid) == ["dept_head", "accountant", "finance_manager", "vp", "gm", "cashier"]
    page = await c.get(f"/workflow/requests/{rid}")
    assert "60.00%" in page.text
    rid2, r = await submit(c, "payment", {**base, "amount": "50000.00"})
    assert rid2 == 0 and "累计付款将超过合同总额" in r.text and "本次最多可付 40,000.00 元" in r.text
    rid3, r = await submit(c, "payment", {**base, "amount": "40000.00"})
    assert rid3
    p = await Payment.select().where(Payment.request == rid3).first()
    assert p["paid_before"] == Decimal("60000.00")
    _, r = await submit(c, "payment", {**base, "account": "12ab", "contract_no": "HT-X"})
    assert "银行账号应为 8–30 位数字" in r.text and "请填写本次付款金额" in r.text


async def test_finance_registers_pages(new_client):
    fin = await sign_in(await new_client(), "accountant")
    for url in ("/finance/invoices", "/finance/payments", "/finance/advances"):
        r = await fin.get(url)
        assert r.status_code == 200, url
        frag = await fin.get(url + "?q=1", headers={"HX-Request": "true"})
        assert frag.status_code == 200 and "<html" not in frag.text


async def test_thresholds_are_admin_settings():
    rows = await FlowSetting.select().where(FlowSetting.flow == "expense")
    assert {r["key"]: r["value"] for r in rows}["vp_from"] == Decimal("1000.00")


async def test_second_advance_refused_while_first_open(new_client):
    """SPEC E14: no new advance while one is open — in approval, or paid out and not yet settled — not only overdue."""
    applicant = await sign_in(await new_client(), "title")
    due = (today_local() + timedelta(days=10)).isoformat()
    rid, r = await submit(applicant, "advance", {"kind": "业务借款", "purpose": "办证规费", "amount": "600.00", "due_on": due})
    assert rid, r.text[:1000]
    number = (await Request.select(Request.number).where(Request.id == rid).first())["number"]
    second = {"kind": "差旅", "purpose": "出差南京", "amount": "700.00", "due_on": due}
    # still in approval
    rid2, r = await submit(applicant, "advance", second)
    assert rid2 == 0 and r.status_code == 400
    assert f"您的借款 {number} 尚在审批中" in r.text and 'data-testid="error-amount"' in r.text and "出差南京" in r.text
    # approved and paid out, not due yet: still open
    for who in ("dept_head", "accountant", "finance_manager", "cashier"):
        await approve_as(new_client, rid, who)
    rid2, r = await submit(applicant, "advance", second)
    assert rid2 == 0 and r.status_code == 400 and f"您有未结清的借款 {number}（余额 600.00 元）" in r.text
    # repaid in part: still open
    adv = await Advance.select(Advance.id).where(Advance.request == rid).first()
    cashier = await sign_in(await new_client(), "cashier")
    token = await csrf_token(cashier, f"/finance/advances/{adv['id']}")
    assert (await cashier.post(f"/finance/advances/{adv['id']}/repay", data={"amount": "100.00", "_csrf_token": token})).status_code == 303
    rid2, r = await submit(applicant, "advance", second)
    assert rid2 == 0 and "余额 500.00 元" in r.text
    # fully repaid: a new advance is accepted
    assert (await cashier.post(f"/finance/advances/{adv['id']}/repay", data={"amount": "500.00", "_csrf_token": token})).status_code == 303
    rid2, r = await submit(applicant, "advance", second)
    assert rid2, r.text[:1000]


async def test_legacy_invoices_with_same_number_and_different_codes_do_not_collide(new_client):
    """E13: a paper invoice is identified by 发票代码 + 号码 (8-digit numbers repeat across codes)."""
    from tests.integration.workflow.helpers import COMPANY_A

    number = f"{random.randint(10000000, 99999999)}"
    legacy = lambda code: expense_form("66.00", extra={"inv_kind": ["普票"], "inv_code": [code], "inv_number": [number]})  # noqa: E731
    a = await sign_in(await new_client(), "data")
    rid1, r = await submit(a, "expense", legacy("032001900104"))
    assert rid1, r.text[:1500]
    rid2, r = await submit(a, "expense", legacy("032001900105"))  # same number, another code: another invoice
    assert rid2, r.text[:1500]
    rows = await Invoice.select(Invoice.code, Invoice.number, Invoice.buyer_name, Invoice.buyer_tax_id).where(Invoice.request.is_in([rid1, rid2]))
    assert {(x["code"], x["number"]) for x in rows} == {("032001900104", number), ("032001900105", number)}
    assert {x["buyer_name"] for x in rows} == {COMPANY_A}
    # the same code + number again is a duplicate
    rid3, r = await submit(a, "expense", legacy("032001900104"))
    assert rid3 == 0 and r.status_code == 400 and "该发票已在报销单" in r.text
    # an 8-digit number needs its code; a 20-digit 数电 number has none
    rid, r = await submit(a, "expense", legacy(""))
    assert rid == 0 and "8 位号码的纸质发票须填写发票代码" in r.text and 'data-testid="error-inv_code_0"' in r.text
    rid, r = await submit(a, "expense", expense_form("66.00", extra={"inv_code": ["032001900104"]}))
    assert rid == 0 and "没有发票代码" in r.text


async def test_invoice_buyer_tax_id_must_be_the_company_credit_code(new_client):
    from seeds.finance import credit_code

    c = await sign_in(await new_client(), "clerk")
    before = await Request.count()
    other = credit_code("锦程置业（无锡）有限公司")  # a valid code, but another company's
    rid, r = await submit(c, "expense", expense_form("20.00", extra={"inv_buyer_tax_id": [other]}))
    assert rid == 0 and r.status_code == 400
    assert "购买方纳税人识别号不是本公司的统一社会信用代码" in r.text and 'data-testid="error-inv_buyer_tax_id_0"' in r.text
    assert other in r.text  # the entered value is kept
    rid, r = await submit(c, "expense", expense_form("20.00", extra={"inv_buyer_tax_id": ["91320506MA1M9XK2R0"], "inv_buyer": [""]}))
    assert rid == 0 and "校验位不正确" in r.text and "请填写购买方名称" in r.text
    assert await Request.count() == before
    # b_contract works for the Wuxi company: its invoices name that company
    b = await sign_in(await new_client(), "b_contract")
    rid, r = await submit(b, "expense", expense_form("20.00", extra={"inv_buyer": ["锦程置业（无锡）有限公司"], "inv_buyer_tax_id": [other]}))
    assert rid, r.text[:1500]


async def test_invoice_age_limit_is_an_admin_setting(new_client):
    c = await sign_in(await new_client(), "clerk")
    key = (FlowSetting.flow == "expense") & (FlowSetting.key == "invoice_max_age_days")
    await FlowSetting.update({FlowSetting.value: Decimal("0")}).where(key)
    try:
        rid, r = await submit(c, "expense", expense_form("10.00"))  # issued yesterday
        assert rid == 0 and "超过 0 天的发票不能报销" in r.text
    finally:
        await FlowSetting.update({FlowSetting.value: Decimal("60")}).where(key)
    rid, r = await submit(c, "expense", expense_form("10.00"))
    assert rid, r.text[:1500]


async def test_advance_period_is_an_admin_setting(new_client):
    c = await sign_in(await new_client(), "reception")
    key = (FlowSetting.flow == "advance") & (FlowSetting.key == "settle_days")
    due = (today_local() + timedelta(days=20)).isoformat()
    await FlowSetting.update({FlowSetting.value: Decimal("10")}).where(key)
    try:
        rid, r = await submit(c, "advance", {"kind": "备用金", "purpose": "接待用品", "amount": "100.00", "due_on": due})
        assert rid == 0 and "借款应在 10 天内结清" in r.text
    finally:
        await FlowSetting.update({FlowSetting.value: Decimal("30")}).where(key)
    assert (await FlowSetting.select(FlowSetting.value).where(key).first())["value"] == Decimal("30")
