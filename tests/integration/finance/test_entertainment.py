"""E13 业务招待费 needs a prior approval: a 业务招待申请 approved before the event; the claim must name an approved
request of the same applicant, each approval is used once (a unique index), above the approved amount + the
tolerance (a setting) the 分管副总 approves too."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.timeutil import today_local
from app.finance.tables import Entertainment, ExpenseClaim
from app.workflow.tables import FlowSetting, Request
from tests.conftest import sign_in
from tests.integration.workflow.helpers import act, approve_as, chain, expense_form, pending_task, submit

pytestmark = pytest.mark.integration


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', html))


def prior_form(expected: str = "1000.00", **extra) -> dict:
    data = {"purpose": "按揭银行年度合作洽谈", "guests": "苏州银行按揭部 王经理等 3 人", "guest_count": "3", "staff_count": "2",
            "event_on": today_local().isoformat(), "expected": expected}
    data.update(extra)
    return data


async def approved_prior(new_client, username: str, expected: str = "1000.00") -> int:
    c = await sign_in(await new_client(), username)
    rid, r = await submit(c, "entertainment", prior_form(expected))
    assert rid, (field_errors(r.text), re.findall(r'form-error">([^<]+)', r.text))
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    return rid


def claim(amount: str, prior: int | str | None, **extra) -> dict:
    data = {"category": "业务招待费", "inv_date": [today_local().isoformat()], **({"entertainment_ref": str(prior)} if prior is not None else {})}
    data.update(extra)
    return expense_form(amount, reason="招待苏州银行按揭部", extra=data)


async def test_prior_request_chain_and_bad_input(new_client):
    c = await sign_in(await new_client(), "mortgage")
    rid, r = await submit(c, "entertainment", prior_form("800.00"))
    assert rid and await chain(rid) == ["dept_head"]
    rid, r = await submit(c, "entertainment", prior_form("2000.00"))
    assert rid and await chain(rid) == ["dept_head", "vp"]  # ≥ vp_from (含)
    before = await Request.count()
    rid, r = await submit(c, "entertainment", prior_form("-5", event_on=(today_local() - timedelta(days=1)).isoformat(), guests="", guest_count="0"))
    assert rid == 0 and r.status_code == 400
    errors = field_errors(r.text)
    assert errors["event_on"].startswith("招待申请须在招待前提交") and "不能为负数" in errors["expected"]
    assert errors["guests"] == "请填写来宾单位及人员" and "不能小于 1" in errors["guest_count"]
    assert "按揭银行年度合作洽谈" in r.text  # kept
    assert await Request.count() == before


async def test_entertainment_claim_needs_an_approved_prior_request_of_the_same_applicant(new_client):
    c = await sign_in(await new_client(), "bureau")
    before = await Request.count()
    rid, r = await submit(c, "expense", claim("500.00", None))
    assert rid == 0 and field_errors(r.text)["entertainment_ref"].startswith("业务招待费须事前审批")
    # someone else's approved request
    theirs = await approved_prior(new_client, "title")
    rid, r = await submit(c, "expense", claim("500.00", theirs))
    assert rid == 0 and field_errors(r.text)["entertainment_ref"] == "只能选择本人的招待申请"
    # own, still pending
    pending, _ = await submit(c, "entertainment", prior_form("600.00"))
    rid, r = await submit(c, "expense", claim("500.00", pending))
    assert rid == 0 and "尚未审批通过" in field_errors(r.text)["entertainment_ref"]
    assert await Request.count() == before + 2  # only the two prior requests
    # approved: the claim goes through the usual chain, and the prior approval is used once
    for who in await chain(pending):
        await approve_as(new_client, pending, who)
    form = await c.get("/workflow/new/expense")
    assert f'<option value="{pending}"' in form.text
    rid, r = await submit(c, "expense", claim("500.00", pending))
    assert rid, (field_errors(r.text), re.findall(r'form-error">([^<]+)', r.text))
    assert await chain(rid) == ["dept_head", "accountant", "finance_manager", "cashier"]
    row = await ExpenseClaim.select().where(ExpenseClaim.request == rid).first()
    assert row["category"] == "业务招待费" and row["entertainment"] == pending and not row["over_tolerance"]
    number = (await Request.select(Request.number).where(Request.id == rid).first())["number"]
    rid2, r = await submit(c, "expense", claim("100.00", pending))
    assert rid2 == 0 and f"已在报销单 {number} 中使用" in field_errors(r.text)["entertainment_ref"]
    assert f'<option value="{pending}"' not in (await c.get("/workflow/new/expense")).text
    prior_page = await c.get(f"/workflow/requests/{pending}")
    assert number in prior_page.text  # the prior request shows the claim that used it
    # the database refuses a second claim on it too
    with pytest.raises(Exception):
        await ExpenseClaim.update({ExpenseClaim.entertainment: pending}).where(ExpenseClaim.request == (
            await ExpenseClaim.select(ExpenseClaim.request).where(ExpenseClaim.request != rid).first())["request"])
    # withdrawn/rejected: the approval may be used again
    head = await sign_in(await new_client(), "dept_head")
    await act(head, await pending_task(rid, "dept_head"), "驳回", "请补充来宾名单")
    rid3, r = await submit(c, "expense", claim("500.00", pending))
    assert rid3, r.text[-2000:]


async def test_over_the_tolerance_adds_the_vice_president(new_client):
    await FlowSetting.delete().where((FlowSetting.flow == "expense") & (FlowSetting.key == "entertainment_tolerance_pct"))
    await FlowSetting.insert(FlowSetting(flow="expense", key="entertainment_tolerance_pct", label="容差", value=Decimal("5")))
    try:
        prior = await approved_prior(new_client, "archive", "800.00")
        c = await sign_in(await new_client(), "archive")
        form = await c.get("/workflow/new/expense")
        assert 'data-testid="entertainment-rule"' in form.text and "5%" in form.text
        rid, r = await submit(c, "expense", claim("840.00", prior))  # exactly 800 × 105%: within
        assert rid, (field_errors(r.text), re.findall(r'form-error">([^<]+)', r.text))
        assert "vp" not in await chain(rid)
        head = await sign_in(await new_client(), "dept_head")
        await act(head, await pending_task(rid, "dept_head"), "驳回", "重新提交")
        rid, r = await submit(c, "expense", claim("840.01", prior))
        assert rid, (field_errors(r.text), re.findall(r'form-error">([^<]+)', r.text))
        assert await chain(rid) == ["dept_head", "accountant", "finance_manager", "vp", "cashier"]
        assert (await ExpenseClaim.select(ExpenseClaim.over_tolerance).where(ExpenseClaim.request == rid).first())["over_tolerance"]
        page = await c.get(f"/workflow/requests/{rid}")
        assert "本次报销超出容差，已加分管副总审批" in page.text
    finally:
        await FlowSetting.delete().where((FlowSetting.flow == "expense") & (FlowSetting.key == "entertainment_tolerance_pct"))


async def test_invoice_before_the_approval_is_refused(new_client):
    prior = await approved_prior(new_client, "clerk", "500.00")
    c = await sign_in(await new_client(), "clerk")
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    rid, r = await submit(c, "expense", claim("300.00", prior, inv_date=[yesterday]))
    assert rid == 0 and "业务招待须事前审批" in field_errors(r.text)["inv_date_0"]
    assert await Entertainment.exists().where(Entertainment.request == prior)
