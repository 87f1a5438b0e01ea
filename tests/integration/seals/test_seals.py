"""用章 through the real routes on the real database: chains, the usage log written on approval (one row per
contract in batch mode), the keeper's witness and return entries, refusals with nothing written, page access."""
from datetime import datetime, timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import SHANGHAI, now
from app.org.tables import Employee
from app.seals.tables import Seal, SealLog, SealUse, SealUseLine
from app.workflow.tables import Request
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration


async def seal_id(kind: str) -> int:
    return (await Seal.select(Seal.id).where(Seal.kind == kind).first())["id"]


async def employee_id(username: str) -> int:
    return (await Employee.select(Employee.id).where(Employee.user.username == username).first())["id"]


def local(dt: datetime) -> str:
    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


async def seal_form(kind: str = "合同专用章", **extra) -> dict:
    data = {"seal": str(await seal_id(kind)), "doc_kind": "合同/协议", "document": "商品房买卖合同", "counterparty": "王某某",
            "purpose": "与业主签订商品房买卖合同", "copies": "2", "content_complete": "1"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


async def approve_all(new_client, rid: int) -> None:
    for who in await chain_users(rid):
        assert (await approve_as(new_client, rid, who)).status_code == 303, who
    assert await status(rid) == "已通过"


async def chain_users(rid: int) -> list[str]:
    step_users = {"dept_head": "dept_head", "legal": "legal", "keeper_admin": "admin_staff", "keeper_finance": "finance_manager", "gm": "gm"}
    return [step_users[k] for k in await chain(rid)]


async def counts() -> tuple[int, int, int, int]:
    return await Request.count(), await SealUse.count(), await SealUseLine.count(), await SealLog.count()


# ------------------------------------------------------------------ approval writes the log


async def test_contract_seal_goes_through_legal_and_admin_and_writes_one_log_row(new_client):
    applicant = await sign_in(await new_client(), "contract")
    rid, r = await submit(applicant, "seal", await seal_form())
    assert rid, r.text[:3000]
    assert await chain(rid) == ["dept_head", "legal", "keeper_admin"]
    await approve_all(new_client, rid)
    rows = await SealLog.select(SealLog.all_columns(), SealLog.seal.kind).where(SealLog.request == rid)
    assert len(rows) == 1
    row = rows[0]
    assert row["seal.kind"] == "合同专用章" and row["copies"] == 2 and row["document"] == "商品房买卖合同"
    assert row["applicant"] == await employee_id("contract") and row["witness"] is None and not row["taken_out"] and row["returned_at"] is None
    assert row["approver"]  # the final approver's name
    assert await AuditLog.exists().where((AuditLog.action == "seals.log") & (AuditLog.entity_id == str(rid)))
    page = await applicant.get(f"/workflow/requests/{rid}")
    assert 'data-testid="seal-log-link"' in page.text


async def test_batch_request_writes_one_log_row_per_contract(new_client):
    applicant = await sign_in(await new_client(), "mortgage")
    lines = "JC01-2-0301,3\nJC01-2-0302，2\nJC01-2-0303\t4"
    rid, r = await submit(applicant, "seal", await seal_form(batch="1", batch_lines=lines, copies="", doc_kind="合同/协议",
                                                           document="按揭担保合同", counterparty="中国建设银行苏州分行"))
    assert rid, r.text[:3000]
    assert (await SealUse.select(SealUse.copies).where(SealUse.request == rid).first())["copies"] == 9
    assert "legal" in await chain(rid)
    await approve_all(new_client, rid)
    rows = await SealLog.select(SealLog.contract_no, SealLog.copies).where(SealLog.request == rid).order_by(SealLog.id)
    assert [(r["contract_no"], r["copies"]) for r in rows] == [("JC01-2-0301", 3), ("JC01-2-0302", 2), ("JC01-2-0303", 4)]


async def test_finance_seal_goes_to_finance_manager(new_client):
    applicant = await sign_in(await new_client(), "data")
    rid, r = await submit(applicant, "seal", await seal_form("财务专用章", doc_kind="证明/介绍信", document="收入证明", counterparty=""))
    assert rid, r.text[:3000]
    assert await chain(rid) == ["dept_head", "keeper_finance"]


async def test_company_seal_taken_out_needs_a_second_person_and_the_gm(new_client):
    applicant = await sign_in(await new_client(), "bureau")
    back = now() + timedelta(hours=4)
    data = await seal_form("公章", doc_kind="报告/函件", document="房管局备案申请函", counterparty="", take_out="1", planned_return=local(back))
    r = (await submit(applicant, "seal", data))[1]
    assert r.status_code == 400 and "印章外带须两人同行，请选择同行人" in r.text
    rid, r = await submit(applicant, "seal", {**data, "companion": str(await employee_id("mortgage"))})
    assert rid, r.text[:3000]
    assert await chain(rid) == ["dept_head", "keeper_admin", "gm"]
    await approve_all(new_client, rid)
    row = await SealLog.select().where(SealLog.request == rid).first()
    assert row["taken_out"] and row["taken_out_at"] is not None and row["planned_return"] is not None and row["returned_at"] is None


# ------------------------------------------------------------------ refusals: nothing written


async def test_blank_document_is_refused_and_nothing_is_written(new_client):
    applicant = await sign_in(await new_client(), "contract")
    before = await counts()
    data = await seal_form(content_complete=None, document="空白授权书")
    rid, r = await submit(applicant, "seal", data)
    assert rid == 0 and r.status_code == 400
    assert "空白文件不得用印" in r.text and 'data-testid="error-content_complete"' in r.text
    assert 'value="空白授权书"' in r.text  # the values are kept
    assert await counts() == before


@pytest.mark.parametrize("extra, field, message", [
    ({"seal": ""}, "seal", "请选择印章"),
    ({"seal": "abc"}, "seal", "印章的选项无效"),
    ({"seal": "999999"}, "seal", "印章不存在"),
    ({"copies": "0"}, "copies", "用印份数不能小于 1"),
    ({"copies": "两份"}, "copies", "用印份数应为整数"),
    ({"document": ""}, "document", "请填写文件名称"),
    ({"doc_kind": "随便"}, "doc_kind", "文件类别的选项无效"),
    ({"counterparty": ""}, "counterparty", "合同或对外承诺须填写对方单位"),
    ({"batch": "1", "batch_lines": "HT-1,2\nHT-2\nHT-1,1"}, "batch_lines", "第 2 行：格式应为“合同编号,份数”；第 3 行：合同编号 HT-1 与第 1 行重复"),
    ({"take_out": "1", "planned_return": "明天下午"}, "planned_return", "时间格式应为 YYYY-MM-DD HH:MM"),
    ({"take_out": "1", "planned_return": "2020-01-01T09:00"}, "planned_return", "预计归还时间应晚于现在"),
    ({"take_out": "1", "planned_return": ""}, "planned_return", "印章外带须填写预计归还时间"),
])
async def test_bad_input_is_refused_on_the_field(new_client, extra, field, message):
    applicant = await sign_in(await new_client(), "contract")
    before = await counts()
    rid, r = await submit(applicant, "seal", await seal_form(**extra))
    assert rid == 0 and r.status_code == 400
    assert f'data-testid="error-{field}"' in r.text and message in r.text
    assert await counts() == before


async def test_companion_cannot_be_the_applicant(new_client):
    applicant = await sign_in(await new_client(), "contract")
    back = local(now() + timedelta(days=1))
    rid, r = await submit(applicant, "seal", await seal_form(take_out="1", planned_return=back, companion=str(await employee_id("contract"))))
    assert rid == 0 and "同行人不能是申请人本人" in r.text


# ------------------------------------------------------------------ the keeper's entries


async def _approved_use(new_client, applicant: str, **extra) -> tuple[int, int]:
    c = await sign_in(await new_client(), applicant)
    rid, r = await submit(c, "seal", await seal_form(**extra))
    assert rid, r.text[:3000]
    await approve_all(new_client, rid)
    log_id = (await SealLog.select(SealLog.id).where(SealLog.request == rid).order_by(SealLog.id).first())["id"]
    return rid, log_id


async def post_as(client, path: str, data: dict, htmx: bool = False):
    token = await csrf_token(client, "/seals/log")
    headers = {"HX-Request": "true", "x-csrftoken": token} if htmx else {}
    return await client.post(path, data={**data, "_csrf_token": token}, headers=headers)


async def test_witness_is_recorded_once_by_the_keeper_for_the_whole_batch(new_client):
    rid, log_id = await _approved_use(new_client, "title", batch="1", batch_lines="JC02-1-0101,1\nJC02-1-0102,1", copies="")
    applicant = await sign_in(await new_client(), "title")
    finance = await sign_in(await new_client(), "finance_manager")
    admin = await sign_in(await new_client(), "admin_staff")
    witness = str(await employee_id("admin_staff2"))
    # the applicant and another keeper's department may not record it
    assert (await post_as(applicant, f"/seals/log/{log_id}/witness", {"witness": witness})).status_code == 403
    assert (await post_as(finance, f"/seals/log/{log_id}/witness", {"witness": witness})).status_code == 403
    r = await post_as(admin, f"/seals/log/{log_id}/witness", {"witness": str(await employee_id("title"))}, htmx=True)
    assert r.status_code == 400 and "监印人不能是用印申请人本人" in r.text and "<html" not in r.text
    r = await post_as(admin, f"/seals/log/{log_id}/witness", {"witness": ""})
    assert r.status_code == 400 and "请选择监印人" in r.text
    r = await post_as(admin, f"/seals/log/{log_id}/witness", {"witness": witness}, htmx=True)
    assert r.status_code == 200 and 'data-testid="log-witness"' in r.text and "<html" not in r.text
    rows = await SealLog.select(SealLog.witness).where(SealLog.request == rid)
    assert len(rows) == 2 and all(r["witness"] == int(witness) for r in rows)
    r = await post_as(admin, f"/seals/log/{log_id}/witness", {"witness": witness})
    assert r.status_code == 400 and "监印人已登记，不能重复登记" in r.text
    assert await AuditLog.count().where((AuditLog.action == "seals.witness") & (AuditLog.entity_id == str(rid))) == 1


async def test_return_of_a_seal_taken_out(new_client):
    out = now() + timedelta(hours=3)
    rid, log_id = await _approved_use(new_client, "archive", take_out="1", planned_return=local(out), companion=str(await employee_id("clerk")))
    admin = await sign_in(await new_client(), "admin_staff")
    taken = (await SealLog.select(SealLog.taken_out_at).where(SealLog.id == log_id).first())["taken_out_at"]
    r = await post_as(admin, f"/seals/log/{log_id}/return", {"returned_at": local(taken - timedelta(hours=2))})
    assert r.status_code == 400 and "归还时间不能早于外带时间" in r.text
    r = await post_as(admin, f"/seals/log/{log_id}/return", {"returned_at": local(now() + timedelta(days=1))})
    assert r.status_code == 400 and "归还时间不能晚于现在" in r.text
    r = await post_as(admin, f"/seals/log/{log_id}/return", {"returned_at": "昨天"})
    assert r.status_code == 400 and "时间格式应为" in r.text
    r = await post_as(admin, f"/seals/log/{log_id}/return", {"returned_at": local(now())})
    assert r.status_code == 303
    assert (await SealLog.select(SealLog.returned_at).where(SealLog.id == log_id).first())["returned_at"] is not None
    r = await post_as(admin, f"/seals/log/{log_id}/return", {"returned_at": local(now())})
    assert r.status_code == 400 and "不能重复登记" in r.text


async def test_return_is_refused_when_the_seal_never_left(new_client):
    rid, log_id = await _approved_use(new_client, "clerk")
    admin = await sign_in(await new_client(), "admin_staff")
    r = await post_as(admin, f"/seals/log/{log_id}/return", {"returned_at": local(now())})
    assert r.status_code == 400 and "未外带印章，无需登记归还" in r.text


# ------------------------------------------------------------------ pages


async def test_log_page_and_fragment_filter_by_seal_and_date(new_client):
    rid, log_id = await _approved_use(new_client, "reception")
    admin = await sign_in(await new_client(), "admin_staff")
    contract_seal = await seal_id("合同专用章")
    today = (await SealLog.select(SealLog.used_on).where(SealLog.id == log_id).first())["used_on"].isoformat()
    r = await admin.get("/seals/log")
    assert r.status_code == 200 and "用印登记簿" in r.text and 'data-testid="filter-seal"' in r.text
    r = await admin.get(f"/seals/log?seal={contract_seal}&from={today}&to={today}", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and f"/seals/log/{log_id}" in r.text
    r = await admin.get(f"/seals/log?seal={await seal_id('发票专用章')}", headers={"HX-Request": "true"})
    assert f"/seals/log/{log_id}" not in r.text
    r = await admin.get("/seals/log?from=2000-01-01&to=2000-01-02", headers={"HX-Request": "true"})
    assert 'data-testid="empty-state"' in r.text
    assert (await admin.get("/seals/log?from=not-a-date&seal=x&page=-3&sort=nope")).status_code == 200


async def test_staff_see_only_their_own_uses(new_client):
    rid, log_id = await _approved_use(new_client, "reception2")
    own = await sign_in(await new_client(), "reception2")
    other = await sign_in(await new_client(), "sales")
    assert f"/seals/log/{log_id}" in (await own.get("/seals/log")).text
    assert f"/seals/log/{log_id}" not in (await other.get("/seals/log")).text
    assert (await own.get(f"/seals/log/{log_id}")).status_code == 200
    assert (await other.get(f"/seals/log/{log_id}")).status_code == 403
    assert (await own.get("/seals/log/99999999")).status_code == 404
    page = (await own.get(f"/seals/log/{log_id}")).text
    assert 'data-testid="witness-form"' not in page  # only the keeper records


async def test_register_page_and_fragment(new_client):
    c = await sign_in(await new_client(), "contract")
    r = await c.get("/seals")
    assert r.status_code == 200 and "锦程地产公章" in r.text and "行政" in r.text
    r = await c.get("/seals?kind=财务专用章", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and "锦程地产财务专用章" in r.text and "锦程地产公章" not in r.text


async def test_form_page_lists_the_seals(new_client):
    c = await sign_in(await new_client(), "contract")
    r = await c.get("/workflow/new/seal")
    assert r.status_code == 200 and "锦程地产合同专用章" in r.text and 'data-testid="field-content_complete"' in r.text


async def test_huge_or_odd_ids_give_404_or_are_ignored_not_500(new_client):
    admin = await sign_in(await new_client(), "admin_staff")
    huge = "9" * 22
    assert (await admin.get(f"/seals/log/{huge}")).status_code == 404
    assert (await admin.get(f"/seals/log?seal={huge}&from=9999-99-99")).status_code == 200
    r = await post_as(admin, f"/seals/log/{huge}/witness", {"witness": "1"})
    assert r.status_code == 404


async def test_batch_stamping_refuses_contracts_outside_the_applicants_scope(new_client):
    """A batch of sale contracts may name only contracts of the applicant's projects (issue 7 §1, a type about records)."""
    from app.pipeline.tables import Deal

    jc01 = (await Deal.select(Deal.contract_no).where((Deal.project.code == "JC01") & (Deal.contract_no != "")).first())["contract_no"]
    jc02 = (await Deal.select(Deal.contract_no).where((Deal.project.code == "JC02") & (Deal.contract_no != "")).first())["contract_no"]
    applicant = await sign_in(await new_client(), "mortgage2")  # JC02 only
    rid, r = await submit(applicant, "seal", await seal_form(batch="1", batch_lines=f"{jc02},1\n{jc01},2", copies="", doc_kind="合同/协议",
                                                           document="按揭担保合同", counterparty="中国建设银行苏州分行"))
    assert rid == 0 and r.status_code == 400 and f"第 2 行：合同 {jc01} 不在您的数据范围内" in r.text
