"""Money received on a deal (收款登记 by finance), what it stops (arrears, 催缴, the open ledger rows) and what it feeds
(the daily report's collections); customer refunds through the 付款 request type, linked to the deal."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.ledgers import report
from app.org.tables import Employee, EmployeeProject
from app.estate.tables import Project
from app.pipeline.tables import Deal, Instalment, Receipt
from tests.conftest import csrf_token, sign_in
from tests.integration.pipeline.test_pipeline import check_and_sign, post, subscribed


pytestmark = pytest.mark.integration


async def signed_deal(new_client, *, signed_on=None, project="JC01", **over) -> tuple[dict, dict]:
    unit, deal = await subscribed(new_client, project, **over)
    signed = signed_on or today_local()
    await Deal.update({Deal.subscribed_on: signed - timedelta(days=3)}).where(Deal.id == deal["id"])  # subscribed before signing (test data)
    await check_and_sign(new_client, unit, deal, f"R-{deal['id']}", signed_on=signed, project=project,
                         check={"loan_amount": over.get("loan"), "loan_bank": "建行"} if over.get("loan") else None)
    return unit, await Deal.select().where(Deal.id == deal["id"]).first()


async def down_payment(deal_id: int) -> dict:
    return await Instalment.select().where((Instalment.deal == deal_id) & (Instalment.kind == "首付款")).first()


def receipt(inst: dict, amount: str, voucher: str, **over) -> dict:
    return {"instalment": str(inst["id"]), "amount": amount, "received_on": today_local().isoformat(), "method": "转账", "voucher_no": voucher, **over}


async def test_accountant_records_partial_receipts_until_the_down_payment_is_settled(new_client):
    unit, deal = await signed_deal(new_client, signed_on=today_local() - timedelta(days=20))
    inst = await down_payment(deal["id"])
    due = Decimal(inst["amount_due"])
    acc = await sign_in(await new_client(), "accountant")
    sup = await sign_in(await new_client(), "supervisor")  # the ledgers are the department's
    url = f"/pipeline/receipts/{deal['id']}"
    ledger = await sup.get(f"/ledgers/collections?q=R-{deal['id']}&kind=首付款")
    assert ledger.status_code == 200 and "D+7 催缴" in ledger.text  # 13 days overdue: the 催缴 steps are running
    page = await acc.get(url)
    assert page.status_code == 200 and 'data-testid="receipt-form"' in page.text and "逾期" in page.text
    # every bad input: a field message, the entered values kept, HTTP 400, nothing written
    cases = [
        (receipt(inst, f"{due + Decimal('0.01'):.2f}", "V1"), "超过该款项的未收金额"),
        (receipt(inst, "12.345", "V1"), "收款金额"),
        (receipt(inst, "-5", "V1"), "收款金额"),
        (receipt(inst, "100.00", "V1", received_on=(today_local() + timedelta(days=1)).isoformat()), "收款日期不能晚于今天"),
        (receipt(inst, "100.00", "V1", received_on=(deal["subscribed_on"] - timedelta(days=1)).isoformat()), "收款日期不能早于认购日期"),
        (receipt(inst, "100.00", "V1", received_on="2026-02-30"), "收款日期"),
        (receipt(inst, "100.00", "V1", instalment="abc"), "款项的选项无效"),
        (receipt(inst, "100.00", "V1", instalment="99999999"), "款项的选项无效"),
        (receipt(inst, "100.00", "V1", instalment="99999999999999"), "款项的选项无效"),
        (receipt(inst, "100.00", "V1", method="比特币"), "收款方式的选项无效"),
        (receipt(inst, "100.00", ""), "请填写收据/凭证号"),
        ({}, "请选择款项"),
    ]
    for data, message in cases:
        r = await post(acc, url, data, url)
        assert r.status_code == 400 and message in r.text, (data, r.status_code, r.text[:300])
    r = await post(acc, url, receipt(inst, "12.345", "V-KEEP"), url)
    assert 'value="V-KEEP"' in r.text and 'value="12.345"' in r.text
    assert await Receipt.count().where(Receipt.instalment == inst["id"]) == 0
    # the HTMX form gets its card back
    token = await csrf_token(acc, url)
    frag = await acc.post(url, data={**receipt(inst, "abc", "V1"), "_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert frag.status_code == 400 and "<html" not in frag.text and 'id="receipts-card"' in frag.text
    # two partial payments settle it
    v1, v2 = f"SJ-{deal['id']}-1", f"SJ-{deal['id']}-2"
    first = Decimal("100000.00")
    r = await post(acc, url, receipt(inst, f"{first:.2f}", v1, received_on=(today_local() - timedelta(days=1)).isoformat()), url)
    assert r.status_code == 303, r.text[:2000]
    assert Decimal((await down_payment(deal["id"]))["received"]) == first
    r = await post(acc, url, receipt(inst, f"{due - first:.2f}", v1), url)
    assert r.status_code == 400 and "该收据/凭证号已登记过" in r.text
    r = await post(acc, url, receipt(inst, f"{due - first + Decimal('0.01'):.2f}", v2), url)
    assert r.status_code == 400 and f"还应收 {due - first:,.2f} 元" in r.text
    r = await post(acc, url, receipt(inst, f"{due - first:.2f}", v2), url)
    assert r.status_code == 303
    after = await down_payment(deal["id"])
    assert Decimal(after["received"]) == due and after["received_on"] == today_local()
    assert await Receipt.count().where(Receipt.instalment == inst["id"]) == 2
    # the 定金 (received by finance at 认购, A1) and the two 首付款 receipts
    assert await AuditLog.count().where((AuditLog.action == "pipeline.receipt") & (AuditLog.entity_id == str(deal["id"]))) == 3
    # settled everywhere: no more arrears or 催缴 in the ledger, the form says so, the unit page shows the receipts
    ledger = await sup.get(f"/ledgers/collections?q=R-{deal['id']}&kind=首付款")
    assert "D+7 催缴" not in ledger.text and "已结清" in ledger.text
    assert f">R-{deal['id']}</a>" not in (await sup.get(f"/ledgers/collections?q=R-{deal['id']}&state=未结清&kind=首付款")).text
    assert f">R-{deal['id']}</a>" in (await sup.get(f"/ledgers/collections?q=R-{deal['id']}&state=已结清&kind=首付款")).text
    assert 'data-testid="receipt-nothing"' in (await acc.get(url)).text
    r = await post(acc, url, receipt(inst, "1.00", f"SJ-{deal['id']}-3"), url)
    assert r.status_code == 400 and "首付款已结清" in r.text
    contract = await sign_in(await new_client(), "contract")
    unit_page = await contract.get(f"/pipeline/units/{unit['id']}")
    assert v1 in unit_page.text and v2 in unit_page.text and 'data-testid="receipts"' in unit_page.text


async def test_the_daily_report_sums_the_receipts_of_the_day(new_client):
    unit, deal = await signed_deal(new_client, signed_on=today_local() - timedelta(days=3))
    project = [deal["project"]]
    yesterday, today = today_local() - timedelta(days=1), today_local()
    before_y = (await report.generate(project, yesterday, yesterday))["rows"][0]["figures"]
    before_t = (await report.generate(project, today, today))["rows"][0]["figures"]
    inst = await down_payment(deal["id"])
    acc = await sign_in(await new_client(), "cashier")
    url = f"/pipeline/receipts/{deal['id']}"
    assert (await post(acc, url, receipt(inst, "300000.00", f"DR-{deal['id']}-1", received_on=yesterday.isoformat(), method="POS"), url)).status_code == 303
    assert (await post(acc, url, receipt(inst, "200000.00", f"DR-{deal['id']}-2", method="支票"), url)).status_code == 303
    y = (await report.generate(project, yesterday, yesterday))["rows"][0]["figures"]
    t = (await report.generate(project, today, today))["rows"][0]["figures"]
    assert y["col_lump"] - before_y["col_lump"] == Decimal("300000.00")  # 一次性 deal
    assert t["col_lump"] - before_t["col_lump"] == Decimal("200000.00")
    assert t["col_total_cum"] - before_t["col_total_cum"] == Decimal("500000.00")


async def test_receipt_routes_roles_and_project_scope(new_client):
    unit, deal = await signed_deal(new_client)
    inst = await down_payment(deal["id"])
    url = f"/pipeline/receipts/{deal['id']}"
    for who in ("contract", "sales", "guard", "bureau"):  # no finance permission: no page, no post
        c = await sign_in(await new_client(), who)
        assert (await c.get("/pipeline/receipts")).status_code == 403, who
        assert (await c.get(url)).status_code == 403, who
        token = await csrf_token(c, "/")
        assert (await c.post(url, data={**receipt(inst, "1.00", "X-1"), "_csrf_token": token})).status_code == 403, who
    head = await sign_in(await new_client(), "dept_head")  # may look (finance permission) but the receipt is finance's
    assert (await head.get(url)).status_code == 200
    r = await post(head, url, receipt(inst, "1.00", f"H-{deal['id']}"), url)
    assert r.status_code == 400 and "只有会计、出纳或财务经理可以登记收款" in r.text
    fm = await sign_in(await new_client(), "finance_manager")
    listing = await fm.get(f"/pipeline/receipts?q=R-{deal['id']}")
    assert listing.status_code == 200 and f"/pipeline/receipts/{deal['id']}" in listing.text
    frag = await fm.get(f"/pipeline/receipts?q=R-{deal['id']}", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and f">R-{deal['id']}</a>" in frag.text
    assert (await fm.get("/pipeline/receipts/99999999")).status_code == 404
    assert (await fm.get("/pipeline/receipts?page=abc&project=zz&sort=nope")).status_code == 200
    buyer = await Deal.select(Deal.buyer.id_number, Deal.buyer.mobile).where(Deal.id == deal["id"]).first()
    page = await fm.get(url)
    assert buyer["buyer.id_number"] not in page.text and buyer["buyer.mobile"] not in page.text
    # an accountant limited to JC02 neither finds nor opens nor posts on a JC01 deal
    emp = await Employee.select(Employee.id).where(Employee.user.username == "accountant").first()
    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    await Employee.update({Employee.all_projects: False}).where(Employee.id == emp["id"])
    await EmployeeProject.insert(EmployeeProject(employee=emp["id"], project=jc02["id"]))
    try:
        acc = await sign_in(await new_client(), "accountant")
        assert f">R-{deal['id']}</a>" not in (await acc.get(f"/pipeline/receipts?q=R-{deal['id']}")).text
        assert (await acc.get(url)).status_code == 403
        token = await csrf_token(acc, "/pipeline/receipts")
        assert (await acc.post(url, data={**receipt(inst, "1.00", "S-1"), "_csrf_token": token})).status_code == 403
    finally:
        await EmployeeProject.delete().where((EmployeeProject.employee == emp["id"]) & (EmployeeProject.project == jc02["id"]))
        await Employee.update({Employee.all_projects: True}).where(Employee.id == emp["id"])
    assert await Receipt.count().where(Receipt.instalment == inst["id"]) == 0


async def test_deposit_and_loan_release_are_receipts_too(new_client):
    unit, deal = await subscribed(new_client)
    dep = await Receipt.select().where(Receipt.deal == deal["id"]).first()
    # A1: the 定金 is finance's own 收款登记 (the voucher the accountant entered), no longer written at 认购
    assert dep["kind"] == "定金" and Decimal(dep["amount"]) == Decimal(deal["deposit"]) and dep["voucher_no"].startswith("DJ-")
    assert dep["recorded_by"] is not None


async def test_two_simultaneous_receipts_cannot_overpay(new_client):
    import asyncio

    unit, deal = await signed_deal(new_client)
    inst = await down_payment(deal["id"])
    due = Decimal(inst["amount_due"])
    url = f"/pipeline/receipts/{deal['id']}"
    a, b = await sign_in(await new_client(), "accountant"), await sign_in(await new_client(), "cashier")
    ta, tb = await csrf_token(a, url), await csrf_token(b, url)
    ra, rb = await asyncio.gather(
        a.post(url, data={**receipt(inst, f"{due:.2f}", f"CC-{deal['id']}-A"), "_csrf_token": ta}),
        b.post(url, data={**receipt(inst, f"{due:.2f}", f"CC-{deal['id']}-B"), "_csrf_token": tb}))
    assert sorted([ra.status_code, rb.status_code]) == [303, 400]
    assert Decimal((await down_payment(deal["id"]))["received"]) == due
    assert await Receipt.count().where(Receipt.instalment == inst["id"]) == 1
