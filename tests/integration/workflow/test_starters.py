"""Who may start which request type, and on what record (issue 7 §1). Generated from the registry: every type ×
every demo role is either offered (the type is on 发起申请, its form opens) or refused (not listed, 403 on the form,
the record picker and a direct POST, and nothing is written)."""
from __future__ import annotations

import re

import pytest

from app.core.permissions import ROLES
from app.pipeline.tables import Deal
from app.workflow.definitions import FLOWS
from app.workflow.tables import Request
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration

SITE = {"security_captain", "cleaning_lead", "guard", "cleaner"}  # outsourced sales-office staff file no requests (but the roster)
STAFF = set(ROLES) - SITE
# What the department expects; a new type must be added here (test_every_registered_type_is_in_the_expectations).
EXPECTED = {
    "expense": STAFF, "advance": STAFF, "payment": STAFF, "supplies_purchase": STAFF, "supplies_issue": STAFF, "vehicle": STAFF,
    "seal": STAFF, "asset_purchase": STAFF, "asset_disposal": STAFF,
    "contract_void": {"contract", "supervisor", "dept_head"},
    "mortgage_notice": {"mortgage", "supervisor", "dept_head"},
    "mortgage_release": {"mortgage", "supervisor", "dept_head"},
    "daily_report": {"contract", "data"},
    "care_compensation": {"cr_officer", "complaint_officer", "complaint_supervisor", "cr_supervisor", "supervisor", "dept_head", "reception"},
    "handover_bulletin": {"supervisor"},  # A6 交房公告及面积差对照表
    "subscription_discount": {"sales", "sales_manager"},
    "subscription_cancel": {"sales_manager"},
}
EXPECTED["ledger_correction"] = {"contract", "data", "title", "mortgage", "bureau"}  # 台账更正 (SPEC §B): the officers who keep the records
EXPECTED.update({"entertainment": STAFF})  # issue 10 office/finance: 业务招待申请 (the prior approval of an entertainment claim)
EXPECTED["site_roster"] = {"security_captain", "cleaning_lead"}  # issue 13: a sales-office team's lead files its monthly roster
EXPECTED["leave"] = STAFF  # issue 12 考勤: every employee files 请假申请
EXPECTED["cert_training"] = STAFF  # issue 12 E7: 学历/资格证书培训 (eligibility checked on the form)
EXPECTED["probation"] = STAFF  # issue 12 E11: 转正申请 (the picker offers only one's own contract in probation)
EXPECTED["promotion"] = STAFF  # issue 12 E9: 晋升申请 (the picker offers only oneself or one's direct reports)
EXPECTED["transfer"] = STAFF  # issue 12 E10: 跨公司调动 (the picker offers only oneself or one's direct reports)
EXPECTED["training_plan"] = {"supervisor", "dept_head", "hr"}  # issue 12 E6: 培训计划 (annual or monthly) by 客服主管, 部门负责人 or 人事
EXPECTED["training_session"] = STAFF  # issue 12 E6: 培训申请 (a session; + 分管副总 from the budget threshold)
EXPECTED.update({"staffing": {"dept_head", "supervisor"}, "offer": {"dept_head", "supervisor"}})  # issue 12 E12: 用人申请, 录用审批 (经)
EXPECTED["resignation"] = STAFF  # issue 12 E5: 离职申请 (every employee gives their own notice)
EXPECTED["dismissal"] = {"dept_head"}  # issue 12 E8: 辞退 is proposed by the 客服副经理 (经)
EXPECTED["interview"] = {"hr"}  # issue 12 E12: 面试审批 (人事 files it on an interviewed candidate)


def real_flows() -> set[str]:
    return {c for c in FLOWS if not c.startswith("test_")}  # the engine tests register throwaway types


def test_every_registered_type_is_in_the_expectations(app):
    assert real_flows() == set(EXPECTED)


async def _token(client) -> str:
    return HX_CSRF_RE.search((await client.get("/")).text).group(1)


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_type_by_role_offered_or_refused(new_client, role):
    c = await sign_in(await new_client(), role)
    index = await c.get("/workflow/new")
    assert index.status_code == 200
    token = await _token(c)
    before = await Request.count()
    for code in sorted(real_flows()):
        allowed = role in EXPECTED[code]
        assert (f'data-testid="new-{code}"' in index.text) is allowed, (role, code)
        form = await c.get(f"/workflow/new/{code}")
        assert form.status_code == (200 if allowed else 403), (role, code, form.status_code)
        r = await c.post(f"/workflow/new/{code}", data={"_csrf_token": token})
        # allowed: the empty form comes back with field messages (400), never a 500; refused: 403
        assert r.status_code == (400 if allowed else 403), (role, code, r.status_code)
        if FLOWS[code].record:
            picker = await c.get(f"/workflow/new/{code}/records?q=", headers={"HX-Request": "true"})
            assert picker.status_code == (200 if allowed else 403), (role, code)
    assert await Request.count() == before  # nothing was filed


async def _signed_contract(project_code: str) -> str:
    row = await Deal.select(Deal.contract_no).where((Deal.project.code == project_code) & (Deal.stage == "已签约") & (Deal.contract_no != "")
                                                    & Deal.void_request.is_null()).first()
    assert row, f"demo data has a signed contract in {project_code}"
    return row["contract_no"]


async def test_void_record_picker_lists_only_contracts_in_scope(new_client):
    jc01, jc02 = await _signed_contract("JC01"), await _signed_contract("JC02")
    c2 = await sign_in(await new_client(), "contract2")  # 合同专员 of JC02
    page = await c2.get("/workflow/new/contract_void")
    options = re.findall(r'<option value="([^"]+)"', page.text.split('data-testid="options-deal_ref"')[1].split("</datalist>")[0])
    assert options
    projects = {r["project.code"] for r in await Deal.select(Deal.project.code).where(Deal.contract_no.is_in(options) | Deal.number.is_in(options))}
    assert projects == {"JC02"}, projects
    frag = await c2.get(f"/workflow/new/contract_void/records?deal_ref={jc01}", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and jc01 not in frag.text and "<html" not in frag.text
    frag = await c2.get(f"/workflow/new/contract_void/records?deal_ref={jc02[:6]}", headers={"HX-Request": "true"})
    assert jc02[:6] in frag.text


async def test_void_of_a_contract_outside_the_scope_is_refused_on_submit(new_client):
    jc01 = await _signed_contract("JC01")
    c2 = await sign_in(await new_client(), "contract2")
    token = await _token(c2)
    before = await Request.count()
    r = await c2.post("/workflow/new/contract_void", data={"_csrf_token": token, "deal_ref": jc01, "reason": "退房", "penalty_waived": "0",
                                                           "refund": "0", "note": "测试"})
    assert r.status_code == 400 and "不在您的数据范围内" in r.text
    assert await Request.count() == before


async def test_cleaning_lead_cannot_file_or_read_a_void(new_client):
    lead = await sign_in(await new_client(), "cleaning_lead")
    token = await _token(lead)
    jc01 = await _signed_contract("JC01")
    r = await lead.post("/workflow/new/contract_void", data={"_csrf_token": token, "deal_ref": jc01, "reason": "退房", "penalty_waived": "0",
                                                             "refund": "0", "note": "x"})
    assert r.status_code == 403 and "您的岗位不能发起" in r.text
    voids = await Request.select(Request.id).where(Request.flow == "contract_void").limit(1)
    for v in voids:
        assert (await lead.get(f"/workflow/requests/{v['id']}")).status_code == 403


async def test_release_refuses_a_project_outside_the_scope(new_client):
    from app.estate.tables import Project

    mortgage2 = await sign_in(await new_client(), "mortgage2")
    jc01 = (await Project.select(Project.id).where(Project.code == "JC01").first())["id"]
    page = await mortgage2.get("/workflow/new/mortgage_release")
    project_select = page.text.split('id="f-project"')[1].split("</select>")[0]
    if f'value="{jc01}"' in project_select:  # mortgage2 reaches JC01: nothing to prove with this account
        pytest.fail("demo data: mortgage2 should be scoped to JC02")
    r = await mortgage2.post("/workflow/new/mortgage_release", data={"_csrf_token": await _token(mortgage2), "project": str(jc01),
                                                                      "rooms": "1号楼-101", "repayment": "0"})
    assert r.status_code == 400 and "不在您的数据范围内" in r.text


async def test_cc_with_unknown_user_ids_is_a_field_message(new_client):
    from tests.integration.workflow.helpers import expense_form, submit

    c = await sign_in(await new_client(), "clerk")
    rid, r = await submit(c, "expense", {**expense_form("12.00"), "cc_submit": ["99999999"]})
    assert rid == 0 and r.status_code == 400 and 'data-testid="error-cc_submit"' in r.text
    rid, r = await submit(c, "expense", {**expense_form("12.00"), "cc_finish": ["abc"]})
    assert rid == 0 and r.status_code == 400 and 'data-testid="error-cc_finish"' in r.text
    rid, r = await submit(c, "expense", expense_form("12.00"))
    assert rid, r.text[-800:]
    token = await _token(c)
    r = await c.post(f"/workflow/requests/{rid}/cc", data={"_csrf_token": token, "cc": "99999999"})
    assert r.status_code == 400 and "不存在或已停用" in r.text


async def test_sysadmin_keeps_reference_data_but_reads_no_business_records(new_client):
    admin = await sign_in(await new_client(), "sysadmin")
    assert (await admin.get("/admin/api/tables/")).status_code == 200
    for path in ("/ledgers/contracts", "/workflow/all", "/pipeline/", "/finance/advances", "/finance/invoices", "/workflow/overdue"):
        r = await admin.get(path)
        assert r.status_code == 403, (path, r.status_code)
