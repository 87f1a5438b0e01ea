"""台账更正 (SPEC §B): an officer proposes a correction of one whitelisted field of one ledger row on the engine; the
客服主管's approval writes it to the record with an audit row and marks the row; a rejection changes nothing; a value
changed since the proposal is refused at approval; fields outside the whitelist and other positions are refused."""
from datetime import timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.ledgers.tables import LedgerCorrection
from app.pipeline.tables import Deal
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, status, submit

pytestmark = pytest.mark.integration


async def _signed(prefix: str = "TGZ"):
    p = await make_project(prefix, units=1)
    b = await make_buyer("更正测试", 31)
    day = today_local() - timedelta(days=10)
    contract_no = f"{p['code']}-HT-0001"
    deal = await make_deal(p, p["units"][0], b, subscribed_on=day - timedelta(days=3), signed_on=day, stage="已备案", contract_no=contract_no,
                           online_no="WQ-OLD-1", filing_status="已备案", filing_no="BA-001", filed_on=day + timedelta(days=2),
                           prereg_no="YG-001", prereg_on=day + timedelta(days=3))
    return p, deal, contract_no


def _form(contract_no: str, field: str, new: str, reason: str = "与网签系统打印件核对，录入时错号") -> dict:
    return {"deal_ref": contract_no, "field": field, "new_value": new, "reason": reason}


async def test_proposed_approved_applied_with_audit_and_marker(new_client):
    p, deal, contract_no = await _signed()
    data = await sign_in(await new_client(), "data")
    page = await data.get(f"/workflow/new/ledger_correction?field=contracts.online_no&deal_ref={contract_no}")
    assert page.status_code == 200 and 'data-testid="current-value">WQ-OLD-1<' in page.text  # the old value is shown
    frag = await data.get(f"/ledgers/corrections/current?deal_ref={contract_no}&field=contracts.filed_on", headers={"HX-Request": "true"})
    assert (today_local() - timedelta(days=8)).isoformat() in frag.text
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-NEW-9"))
    assert rid, r.text[-1500:]
    assert await chain(rid) == ["supervisor"] and await status(rid) == "审批中"
    c = await LedgerCorrection.select().where(LedgerCorrection.request == rid).first()
    assert (c["old_value"], c["new_value"], c["applied_at"]) == ("WQ-OLD-1", "WQ-NEW-9", None)
    assert (await Deal.select(Deal.online_no).where(Deal.id == deal).first())["online_no"] == "WQ-OLD-1"  # nothing before approval
    r = await approve_as(new_client, rid, "supervisor", "核对原件无误")
    assert r.status_code in (200, 303) and await status(rid) == "已通过"
    assert (await Deal.select(Deal.online_no).where(Deal.id == deal).first())["online_no"] == "WQ-NEW-9"
    c = await LedgerCorrection.select().where(LedgerCorrection.request == rid).first()
    assert c["applied_at"] is not None
    row = await AuditLog.select().where((AuditLog.action == "ledger.correct") & (AuditLog.entity_id == str(deal))).first()
    assert row and "WQ-OLD-1 → WQ-NEW-9" in row["summary"] and "GZ-" in row["summary"]
    assert "WQ-OLD-1" in str(row["before"]) and "WQ-NEW-9" in str(row["after"])
    sup = await sign_in(await new_client(), "supervisor")
    ledger = await sup.get(f"/ledgers/contracts?project={p['id']}")
    assert "WQ-NEW-9" in ledger.text and f'href="/workflow/requests/{rid}" data-testid="correction-link">已更正<' in ledger.text
    frag = await sup.get(f"/ledgers/contracts?project={p['id']}", headers={"HX-Request": "true"})
    assert "已更正" in frag.text and "<html" not in frag.text
    detail = await sup.get(f"/workflow/requests/{rid}")
    assert 'data-testid="correction-old">WQ-OLD-1<' in detail.text and "已于" in detail.text
    # the officer's ledger offers 申请更正 on rows not yet corrected, with the row's contract
    other_p, _d2, other_no = await _signed("TGY")
    page = await data.get(f"/ledgers/filings?project={other_p['id']}")
    assert f"deal_ref={other_no}" in page.text and ">申请更正<" in page.text


async def test_rejected_changes_nothing(new_client):
    _p, deal, contract_no = await _signed()
    data = await sign_in(await new_client(), "data")
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "filings.prereg_no", "YG-777"))
    assert rid, r.text[-1500:]
    sup = await sign_in(await new_client(), "supervisor")
    await act(sup, await pending_task(rid, "supervisor"), "驳回", "原件显示原值正确")
    assert await status(rid) == "已驳回"
    assert (await Deal.select(Deal.prereg_no).where(Deal.id == deal).first())["prereg_no"] == "YG-001"
    assert (await LedgerCorrection.select(LedgerCorrection.applied_at).where(LedgerCorrection.request == rid).first())["applied_at"] is None
    assert not await AuditLog.exists().where((AuditLog.action == "ledger.correct") & (AuditLog.entity_id == str(deal)))


async def test_value_changed_since_the_proposal_is_refused(new_client):
    _p, deal, contract_no = await _signed()
    data = await sign_in(await new_client(), "data")
    new_date = (today_local() - timedelta(days=7)).isoformat()
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "filings.filed_on", new_date))
    assert rid, r.text[-1500:]
    changed = today_local() - timedelta(days=6)
    await Deal.update({Deal.filed_on: changed}).where(Deal.id == deal)  # someone else changed it meanwhile
    sup = await sign_in(await new_client(), "supervisor")
    r = await act(sup, await pending_task(rid, "supervisor"), "同意", "同意")
    assert "在提出更正后已被修改" in r.text
    assert await status(rid) == "审批中"  # not approved, nothing written
    assert (await Deal.select(Deal.filed_on).where(Deal.id == deal).first())["filed_on"] == changed
    assert (await LedgerCorrection.select(LedgerCorrection.applied_at).where(LedgerCorrection.request == rid).first())["applied_at"] is None


async def test_whitelist_types_and_roles(new_client):
    _p, deal, contract_no = await _signed()
    data = await sign_in(await new_client(), "data")
    # not whitelisted: money computed by the pipeline, state columns
    for field in ("contracts.total_price", "contracts.stage", "collections.amount_due", "contracts.filing_status"):
        rid, r = await submit(data, "ledger_correction", _form(contract_no, field, "1.00"))
        assert rid == 0 and r.status_code == 400 and 'data-testid="error-field"' in r.text, field
    # the field's type: a date, not in the future; text length; the same value; a reason is required
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "filings.filed_on", "2026-02-30"))
    assert rid == 0 and "日期格式应为" in r.text and 'value="2026-02-30"' in r.text  # the entered value is kept
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "filings.filed_on", (today_local() + timedelta(days=1)).isoformat()))
    assert rid == 0 and "不能晚于今天" in r.text
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "contracts.online_no", "X" * 51))
    assert rid == 0 and "不能超过 50 个字" in r.text
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-OLD-1"))
    assert rid == 0 and "与现值相同" in r.text
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-2", reason=""))
    assert rid == 0 and "请填写更正理由" in r.text
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "titles.cert_no", "苏(2026)123"))
    assert rid == 0 and "尚未登记，不能更正" in r.text  # an empty value is registered by the step's own action
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "handovers.keys_count", "-1"))
    assert rid == 0 and "整数" in r.text
    # one live correction per field
    rid, r = await submit(data, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-3"))
    assert rid, r.text[-800:]
    rid2, r = await submit(data, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-4"))
    assert rid2 == 0 and "在审批中" in r.text
    # who may propose: the officers; not sales, not the approver; a contract outside the scope is refused
    for role in ("sales", "supervisor", "finance_manager"):
        c = await sign_in(await new_client(), role)
        assert (await c.get("/workflow/new/ledger_correction")).status_code == 403, role
        rid, r = await submit(c, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-5"))
        assert rid == 0 and r.status_code == 403, role
    contract = await sign_in(await new_client(), "contract")  # 合同专员 of JC01 only
    rid, r = await submit(contract, "ledger_correction", _form(contract_no, "contracts.online_no", "WQ-6"))
    assert rid == 0 and "不在您的数据范围内" in r.text
    assert (await Deal.select(Deal.online_no).where(Deal.id == deal).first())["online_no"] == "WQ-OLD-1"
    sales = await sign_in(await new_client(), "sales")
    assert (await sales.get(f"/ledgers/corrections/current?deal_ref={contract_no}&field=contracts.online_no")).status_code == 403
