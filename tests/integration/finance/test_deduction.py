"""E14: an overdue advance is deducted from pay only with the employee's written consent recorded — by finance, with
the date, the amount, the instalments and the scanned signed consent; without it the action is refused with the
legal basis (工资支付暂行规定 第十五条, 劳动合同法 第三十条). The schedule is shown, each instalment recorded and audited."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import Attachment, AuditLog
from app.core.timeutil import today_local
from app.finance.rules import month_text
from app.finance.tables import Advance, AdvanceEntry, DeductionConsent
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, submit
from tests.samples import pdf

pytestmark = pytest.mark.integration


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', html))


async def overdue_advance(new_client, username: str, amount: str = "900.00") -> int:
    c = await sign_in(await new_client(), username)
    rid, r = await submit(c, "advance", {"kind": "备用金", "purpose": "现场备用金", "amount": amount,
                                          "due_on": (today_local() + timedelta(days=5)).isoformat()})
    assert rid, r.text[-2000:]
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    await Advance.update({Advance.due_on: today_local() - timedelta(days=10)}).where(Advance.request == rid)  # time passes
    return (await Advance.select(Advance.id).where(Advance.request == rid).first())["id"]


def consent(**extra) -> dict:
    data = {"consent_signed": "1", "consent_on": today_local().isoformat(), "amount": "900.00", "instalments": "3",
            "first_month": month_text(today_local())}
    data.update(extra)
    return data


async def post_consent(client, advance_id: int, data: dict, with_file: bool = True):
    token = await csrf_token(client, f"/finance/advances/{advance_id}")
    files = [("files", ("书面同意书.pdf", pdf("consent"), "application/pdf"))] if with_file else None
    return await client.post(f"/finance/advances/{advance_id}/consent", data={**data, "_csrf_token": token}, files=files)


async def test_refused_without_consent_with_the_legal_basis(new_client):
    aid = await overdue_advance(new_client, "reception")
    fin = await sign_in(await new_client(), "accountant")
    page = await fin.get(f"/finance/advances/{aid}")
    assert 'data-testid="consent-form"' in page.text and "工资支付暂行规定" in page.text
    audits = await AuditLog.count()
    r = await post_consent(fin, aid, consent(consent_signed="", amount="850.00"), with_file=False)
    assert r.status_code == 400
    errors = field_errors(r.text)
    assert errors["consent_signed"].startswith("未取得员工书面同意，不能从工资中扣回。") and "《工资支付暂行规定》第十五条" in errors["consent_signed"]
    assert "《劳动合同法》第三十条" in errors["consent_signed"]
    assert "请上传员工签字的书面同意书扫描件" in r.text
    assert 'value="850.00"' in r.text  # the entered values kept
    assert not await DeductionConsent.exists().where(DeductionConsent.advance == aid)
    assert await AuditLog.count() == audits
    # bad input: the field messages, nothing written
    r = await post_consent(fin, aid, consent(amount="5000.00", instalments="99", first_month="2026-13"))
    errors = field_errors(r.text)
    assert r.status_code == 400 and "不能大于 12" in errors["instalments"] and "格式应为 YYYY-MM" in errors["first_month"]
    r = await post_consent(fin, aid, consent(amount="5000.00"))
    assert r.status_code == 400 and field_errors(r.text)["amount"] == "同意扣回金额不能超过借款余额 900.00 元"
    assert not await DeductionConsent.exists().where(DeductionConsent.advance == aid)
    assert not await Attachment.exists().where((Attachment.owner_kind == "fin_deduction") & (Attachment.owner_id == str(aid)))


async def test_allowed_with_consent_schedule_shown_and_audited(new_client):
    aid = await overdue_advance(new_client, "cr_officer2")
    fin = await sign_in(await new_client(), "finance_manager")
    r = await post_consent(fin, aid, consent())
    assert r.status_code == 303, field_errors(r.text)
    c = await DeductionConsent.select().where(DeductionConsent.advance == aid).first()
    assert c["amount"] == Decimal("900.00") and c["instalments"] == 3
    assert await Attachment.exists().where((Attachment.owner_kind == "fin_deduction") & (Attachment.owner_id == str(aid)))
    log = await AuditLog.select().where((AuditLog.action == "finance.deduction_consent") & (AuditLog.entity_id == str(aid))).first()
    assert log and "分 3 期" in log["summary"]
    page = await fin.get(f"/finance/advances/{aid}")
    schedule = page.text.split('data-testid="deduction-schedule"')[1].split("</table>")[0]
    assert schedule.count("¥300.00") == 3 and "待扣回" in schedule and 'data-testid="consent-files"' in page.text
    # a second consent is refused
    r = await post_consent(fin, aid, consent())
    assert r.status_code == 400 or 'data-testid="consent-form"' not in r.text
    # the cashier records the first instalment: a 工资扣回 ledger entry, audited
    cashier = await sign_in(await new_client(), "cashier")
    token = await csrf_token(cashier, f"/finance/advances/{aid}")
    assert (await cashier.post(f"/finance/advances/{aid}/deduct", data={"_csrf_token": token})).status_code == 303
    adv = await Advance.select(Advance.balance).where(Advance.id == aid).first()
    assert adv["balance"] == Decimal("600.00")
    assert await AdvanceEntry.exists().where((AdvanceEntry.advance == aid) & (AdvanceEntry.kind == "工资扣回"))
    assert await AuditLog.exists().where((AuditLog.action == "finance.payroll_deduct") & (AuditLog.entity_id == str(aid)))
    page = await cashier.get(f"/finance/advances/{aid}")
    assert "已扣回" in page.text.split('data-testid="deduction-schedule"')[1].split("</table>")[0]
    # the employee sees the schedule of their own advance, not the form
    own = await sign_in(await new_client(), "cr_officer2")
    mine = await own.get(f"/finance/advances/{aid}")
    assert mine.status_code == 200 and 'data-testid="deduction-schedule"' in mine.text and 'data-testid="deduct-form"' not in mine.text


async def test_denied_roles_and_an_advance_not_yet_overdue(new_client):
    aid = await overdue_advance(new_client, "mortgage2")
    for role in ("dept_head", "mortgage2"):  # 客服副经理 sees the ledger but is not finance; the employee themselves
        c = await sign_in(await new_client(), role)
        token = await csrf_token(c, "/")
        r = await c.post(f"/finance/advances/{aid}/consent", data={**consent(), "_csrf_token": token})
        assert r.status_code == 403, role
        r = await c.post(f"/finance/advances/{aid}/deduct", data={"_csrf_token": token})
        assert r.status_code == 403, role
    assert not await DeductionConsent.exists().where(DeductionConsent.advance == aid)
    await Advance.update({Advance.due_on: today_local() + timedelta(days=3)}).where(Advance.id == aid)
    fin = await sign_in(await new_client(), "accountant")
    assert 'data-testid="consent-form"' not in (await fin.get(f"/finance/advances/{aid}")).text
    r = await post_consent(fin, aid, consent())
    assert r.status_code == 400 and "只有逾期未结清的借款才能办理工资扣回" in r.text
    assert not await DeductionConsent.exists().where(DeductionConsent.advance == aid)
