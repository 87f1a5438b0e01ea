"""Customer file (客户档案) and the 档案准确率 audit: pages and fragments, roles, project scope, masking and the read log."""
from __future__ import annotations

import pytest

from app.care.tables import RecordAudit, RecordAuditItem
from app.core.tables import AuditLog
from app.pipeline.tables import Buyer, Deal
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration
HX = {"HX-Request": "true"}


async def _token(client) -> str:
    return HX_CSRF_RE.search((await client.get("/")).text).group(1)


async def _jc01_only_buyer() -> dict:
    """A buyer whose deals are all in JC01 (and who has no JC02 case)."""
    jc02 = Deal.select(Deal.buyer).where(Deal.project.code == "JC02")
    return await Buyer.select(Buyer.id, Buyer.name, Buyer.mobile, Buyer.id_number).where(
        Buyer.id.is_in(Deal.select(Deal.buyer).where(Deal.project.code == "JC01")) & Buyer.id.not_in(jc02)).order_by(Buyer.id).first()


async def test_search_page_fragment_and_roles(new_client):
    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "cr_officer")
    r = await c.get("/care/customers")
    assert r.status_code == 200 and "客户档案" in r.text and 'data-testid="filter-form"' in r.text
    r = await c.get("/care/customers", params={"phone": b["mobile"][-4:]}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and b["name"] in r.text
    assert b["mobile"] not in r.text and b["id_number"] not in r.text  # masked
    r = await c.get("/care/customers", params={"name": "不存在的客户名"}, headers=HX)
    assert "没有符合筛选条件的记录" in r.text
    for denied in ("sales", "quality", "accountant"):
        d = await sign_in(await new_client(), denied)
        assert (await d.get("/care/customers")).status_code == 403, denied


async def test_search_respects_project_scope(new_client):
    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "complaint_officer2")  # JC02 only
    r = await c.get("/care/customers", params={"name": b["name"]}, headers=HX)
    assert r.status_code == 200 and f"/care/customers/{b['id']}\"" not in r.text


async def test_file_page_masks_and_logs_the_reading(new_client):
    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "cr_supervisor")
    before = await AuditLog.count().where((AuditLog.action == "customer.file_view") & (AuditLog.entity_id == str(b["id"])))
    r = await c.get(f"/care/customers/{b['id']}")
    assert r.status_code == 200
    for section in ("deals", "payments", "cases", "callbacks", "surveys", "calls"):
        assert f'data-testid="section-{section}"' in r.text, section
    assert b["mobile"] not in r.text and b["id_number"] not in r.text
    assert 'data-testid="customer-mobile-masked"' in r.text
    after = await AuditLog.count().where((AuditLog.action == "customer.file_view") & (AuditLog.entity_id == str(b["id"])))
    assert after == before + 1
    # a section's own paged list (page and fragment), also logged
    r = await c.get(f"/care/customers/{b['id']}/deals")
    assert r.status_code == 200 and 'data-testid="section-page"' in r.text
    r = await c.get(f"/care/customers/{b['id']}/calls", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and 'id="section-page"' in r.text
    assert (await c.get(f"/care/customers/{b['id']}/nosuch")).status_code == 404
    assert (await c.get("/care/customers/999999")).status_code == 404


async def test_out_of_scope_file_is_404(new_client):
    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "complaint_officer2")  # JC02 only
    assert (await c.get(f"/care/customers/{b['id']}")).status_code == 404
    assert (await c.get(f"/care/customers/{b['id']}/deals")).status_code == 404
    r = await c.post(f"/care/customers/{b['id']}/unmask", data={"_csrf_token": await _token(c)})
    assert r.status_code == 404
    ok = await sign_in(await new_client(), "cr_officer2")  # JC01
    assert (await ok.get(f"/care/customers/{b['id']}")).status_code == 200


async def test_reveal_is_audited_and_needs_the_permission(new_client):
    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "cr_officer")
    before = await AuditLog.count().where((AuditLog.action == "customer.unmask") & (AuditLog.entity_id == str(b["id"])))
    r = await c.post(f"/care/customers/{b['id']}/unmask", data={"_csrf_token": await _token(c)}, headers=HX)
    assert r.status_code == 200 and b["mobile"] in r.text and b["id_number"] in r.text and "<html" not in r.text
    after = await AuditLog.count().where((AuditLog.action == "customer.unmask") & (AuditLog.entity_id == str(b["id"])))
    assert after == before + 1
    # without CSRF: refused
    assert (await c.post(f"/care/customers/{b['id']}/unmask")).status_code == 403
    # the supervisor (audit reader) sees the reading in the file's access log
    s = await sign_in(await new_client(), "cr_supervisor")
    page = await s.get(f"/care/customers/{b['id']}")
    assert 'data-testid="customer-access-log"' in page.text and "查看完整信息" in page.text


async def test_record_audit_sample_form_save_and_accuracy(new_client):
    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "cr_supervisor")
    r = await c.get("/care/record-audits")
    assert r.status_code == 200 and 'data-testid="monthly-accuracy"' in r.text and 'data-testid="sample-form"' in r.text
    jc01 = await Deal.select(Deal.project).where(Deal.project.code == "JC01").first()
    r = await c.get("/care/record-audits/sample", params={"project": jc01["project"], "n": "3"}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and r.text.count('data-testid="sample-row"') == 3
    r = await c.get("/care/record-audits/sample", params={"project": "", "n": "0"})
    assert r.status_code == 400 and "请选择项目" in r.text and "抽取份数请填 1 到 50" in r.text
    r = await c.get("/care/record-audits/new", params={"buyer": b["id"]})
    assert r.status_code == 200 and 'data-testid="record-audit-fields"' in r.text and b["mobile"] not in r.text
    token = await _token(c)
    fields = ["name", "id_type", "id_number", "mobile", "address", "marital", "co_owners", "unit", "contract_no", "handover_date"]
    data = {"_csrf_token": token, "buyer": str(b["id"]), **{f"mark_{f}": "ok" for f in fields}}
    data["mark_address"] = "wrong"  # a wrong field without its note: refused, nothing written
    count = await RecordAudit.count()
    r = await c.post("/care/record-audits/new", data=data)
    assert r.status_code == 400 and "请写明错在哪里" in r.text and await RecordAudit.count() == count
    assert 'value="wrong" checked' in r.text  # the marks are kept
    data["note_address"] = "门牌号少了单元号"
    r = await c.post("/care/record-audits/new", data=data)
    assert r.status_code == 303
    audit = await RecordAudit.select().order_by(RecordAudit.id, ascending=False).first()
    assert (audit["buyer"], audit["fields_audited"], audit["fields_wrong"]) == (b["id"], 10, 1)
    assert await RecordAuditItem.count().where(RecordAuditItem.audit == audit["id"]) == 10
    assert audit["project"] == jc01["project"]
    r = await c.get(r.headers["location"])
    assert r.status_code == 200 and "90.00%" in r.text
    r = await c.get("/care/record-audits", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and "90.00%" in r.text


async def test_record_audit_roles_and_scope(new_client):
    b = await _jc01_only_buyer()
    for denied in ("cr_officer", "complaint_officer", "gm"):
        d = await sign_in(await new_client(), denied)
        assert (await d.get("/care/record-audits")).status_code == 403, denied
        assert (await d.get("/care/record-audits/new", params={"buyer": b["id"]})).status_code == 403, denied
    for allowed in ("complaint_supervisor", "supervisor", "dept_head"):
        a = await sign_in(await new_client(), allowed)
        assert (await a.get("/care/record-audits")).status_code == 200, allowed


async def test_a_case_in_scope_makes_the_file_reachable(new_client):
    """A buyer whose only link to JC02 is a case there: the JC02-only officer may open the file, and sees only that case."""
    from app.care.tables import CareCase
    from app.core.timeutil import now
    from app.estate.tables import Project

    b = await _jc01_only_buyer()
    c = await sign_in(await new_client(), "complaint_officer2")  # JC02 only
    jc02 = await Project.select(Project.id).where(Project.code == "JC02").first()
    case = CareCase(number="KF-TEST-FILE-0001", kind="投诉", channel="电话", project=jc02["id"], buyer=b["id"], status="已登记",
                    title="测试：跨项目来电", received_at=now())
    await case.save()
    try:
        r = await c.get(f"/care/customers/{b['id']}")
        assert r.status_code == 200 and "KF-TEST-FILE-0001" in r.text
        deals = r.text.split('data-testid="section-deals"')[1].split('data-testid="section-payments"')[0]
        assert "暂无记录" in deals  # the JC01 deals stay out of this officer's view
    finally:
        await CareCase.delete().where(CareCase.id == case.id)
