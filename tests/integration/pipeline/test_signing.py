"""A2 签约 through its routes: the 购房审核单's field rules, return and resubmit, the overseas gate on the permits register,
each state only by its owner (refusals write nothing), the same-day entries and their reminder, the 联机备案故障记录."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import SHANGHAI, today_local
from app.core.validators import id_check_char
from app.estate.tables import Unit
from app.permits.tables import OverseasFiling
from app.pipeline.services import SIGN_CHECKS, SIGN_ENTRIES
from app.pipeline.tables import Deal, DealDocument, Receipt
from app.pipeline.tables_signing import Outage, OutageDeal, SignCheck, SigningEntry
from tests.conftest import csrf_token, sign_in
from tests.integration.pipeline.test_pipeline import check_and_sign, post, submit_sheet, subscribed

pytestmark = pytest.mark.integration


async def _deal(deal_id: int) -> dict:
    return await Deal.select().where(Deal.id == deal_id).first()


async def _audits(deal_id: int) -> int:
    return await AuditLog.count().where((AuditLog.entity == "pl_deal") & (AuditLog.entity_id == str(deal_id)))


async def _receive_docs(deal_id: int) -> None:
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal_id) & (DealDocument.stage == "签约"))


async def test_sheet_rules_keep_the_values_and_write_nothing(new_client):
    unit, deal = await subscribed(new_client, payment_method="商贷", down_payment="900000.00")
    other_unit, other = await subscribed(new_client)
    foreign = await Receipt.select(Receipt.voucher_no).where(Receipt.deal == other["id"]).first()
    before = await _audits(deal["id"])
    r = await submit_sheet(new_client, unit, deal, loan_amount="1.00", receipt_no=foreign["voucher_no"], area="1.00",
                           delivery_due=(today_local() + timedelta(days=90)).isoformat(),
                           title_deadline=(today_local() + timedelta(days=60)).isoformat(), supplement="1", supplement_text="")
    assert r.status_code == 400
    for message in ("贷款额应等于总价减首付", "本交易没有这张收据", "办证期限应晚于交付日期", "面积与认购书及销控数据不一致", "请填写补充协议内容"):
        assert message in r.text, message
    assert 'value="1.00"' in r.text  # what was typed is kept
    assert (await _deal(deal["id"]))["sign_status"] == ""
    assert not await SignCheck.exists().where(SignCheck.deal == deal["id"])
    assert await _audits(deal["id"]) == before
    r = await submit_sheet(new_client, unit, deal, delivery_due=today_local().isoformat())
    assert r.status_code == 400 and "交付日期应晚于今天" in r.text
    contract = await sign_in(await new_client(), "contract")  # the 置业顾问 submits the sheet, not the 合同专员
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check-sheet", {"area": "1"}, f"/pipeline/units/{unit['id']}")
    assert r.status_code == 400 and "您的岗位不能办理「认购」环节" in r.text
    r = await submit_sheet(new_client, unit, deal)
    assert r.status_code == 303
    sheet = await SignCheck.select().where(SignCheck.deal == deal["id"]).first()
    assert sheet["number"].startswith("SH-") and sheet["status"] == "待审"
    assert sheet["loan_amount"] == Decimal(deal["total_price"]) - Decimal("900000.00")
    assert (await _deal(deal["id"]))["sign_status"] == "审核单待审"
    assert await DealDocument.count().where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "签约")) >= 4
    again = await submit_sheet(new_client, unit, deal)  # a second click: already submitted
    assert again.status_code == 400 and "已提交或已审核" in again.text


async def test_return_for_correction_and_resubmit(new_client):
    unit, deal = await subscribed(new_client)
    page = f"/pipeline/units/{unit['id']}"
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303
    contract = await sign_in(await new_client(), "contract")
    r = await contract.get(page)
    assert 'data-testid="sheet-summary"' in r.text and "逐项核对" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS[:2])}, page)
    assert r.status_code == 400 and "请逐项核对后勾选" in r.text and SIGN_CHECKS[2] in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)
    assert r.status_code == 400 and "签约资料未收齐" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "退回补正", "note": ""}, page)
    assert r.status_code == 400 and "请填写审核意见" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "退回补正", "note": "缺婚姻证明"}, page)
    assert r.status_code == 303
    d = await _deal(deal["id"])
    assert d["sign_status"] == "审核退回" and d["check_status"] == "退回补正"
    sheet = await SignCheck.select().where(SignCheck.deal == deal["id"]).first()
    assert sheet["status"] == "退回" and sheet["return_reason"] == "缺婚姻证明" and sheet["reviewed_at"] is not None
    r = await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": "X", "online_no": "Y"}, page)
    assert r.status_code == 400 and "审核单尚未通过" in r.text
    sales = await sign_in(await new_client(), "sales")
    r = await sales.get(page)
    assert 'data-testid="sheet-returned"' in r.text and "缺婚姻证明" in r.text
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303  # corrected and resubmitted: the same sheet
    again = await SignCheck.select().where(SignCheck.deal == deal["id"]).first()
    assert again["number"] == sheet["number"] and again["status"] == "待审"
    await _receive_docs(deal["id"])
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)
    assert r.status_code == 303
    d = await _deal(deal["id"])
    assert d["sign_status"] == "审核通过" and d["check_status"] == "审核通过"
    assert d["delivery_due"] == again["delivery_due"] and d["title_deadline"] == again["title_deadline"]
    assert (await SignCheck.select(SignCheck.status).where(SignCheck.deal == deal["id"]).first())["status"] == "通过"


async def test_each_state_only_by_its_owner_and_refusals_write_nothing(new_client):
    unit, deal = await subscribed(new_client)
    page = f"/pipeline/units/{unit['id']}"
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303
    await _receive_docs(deal["id"])
    contract = await sign_in(await new_client(), "contract")
    sales = await sign_in(await new_client(), "sales")
    mortgage = await sign_in(await new_client(), "mortgage")
    r = await post(sales, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)
    assert r.status_code == 400 and "您的岗位不能办理「签约」环节" in r.text
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)).status_code == 303
    for who, url, data in ((sales, "draft", {"contract_no": "A", "online_no": "B"}), (mortgage, "draft", {"contract_no": "A", "online_no": "B"}),
                           (contract, "printed", {}), (contract, "sign", {"signed_on": today_local().isoformat(), "home_count": "首套"})):
        version, audits = (await _deal(deal["id"]))["version"], await _audits(deal["id"])
        r = await post(who, f"/pipeline/deals/{deal['id']}/{url}", data, page)
        assert r.status_code == 400, (url, r.text[:300])
        assert (await _deal(deal["id"]))["version"] == version and await _audits(deal["id"]) == audits
    r = await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": "", "online_no": ""}, page)
    assert r.status_code == 400 and "请填写合同编号" in r.text
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": f"S-{deal['id']}", "online_no": "WQ1"}, page)).status_code == 303
    r = await contract.get(page)
    assert 'data-stage-status="网签草拟"' in r.text and 'data-testid="printed-submit"' in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 400 and "尚未网签打印" in r.text
    assert (await post(mortgage, f"/pipeline/deals/{deal['id']}/printed", {}, page)).status_code == 400
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/printed", {}, page)).status_code == 303
    r = await contract.get(page)
    assert 'data-stage-status="待客户签字"' in r.text and 'href="/workflow/new/seal"' in r.text
    r = await post(sales, f"/pipeline/deals/{deal['id']}/sign", {"signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 400
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 303
    d = await _deal(deal["id"])
    assert (d["stage"], d["sign_status"], d["subscription_status"], d["contract_no"], d["online_no"]) == ("已签约", "已签约", "已转签约", f"S-{deal['id']}", "WQ1")
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已签约"
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"signed_on": today_local().isoformat(), "home_count": "首套"}, page)).status_code == 400
    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).where(
        (AuditLog.entity == "pl_deal") & (AuditLog.entity_id == str(deal["id"]))).order_by(AuditLog.id)]
    assert actions[-5:] == ["pipeline.sign.submit", "pipeline.check", "pipeline.sign.draft", "pipeline.sign.print", "pipeline.sign"]


async def test_a_sealed_unit_cannot_be_drafted(new_client):
    unit, deal = await subscribed(new_client)
    page = f"/pipeline/units/{unit['id']}"
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303
    await _receive_docs(deal["id"])
    contract = await sign_in(await new_client(), "contract")
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)).status_code == 303
    await Unit.update({Unit.sealed: True}).where(Unit.id == unit["id"])
    try:
        r = await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": f"Q-{deal['id']}", "online_no": "W"}, page)
        assert r.status_code == 400 and "该房源已被查封" in r.text
        assert (await _deal(deal["id"]))["sign_status"] == "审核通过"
    finally:
        await Unit.update({Unit.sealed: False}).where(Unit.id == unit["id"])


async def test_the_overseas_gate_reads_the_permits_register(new_client):
    hk = "810000199202020017"
    hk = hk[:17] + id_check_char(hk[:17])
    unit, deal = await subscribed(new_client, id_type="港澳台居民居住证", id_number=hk)
    page = f"/pipeline/units/{unit['id']}"
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303
    await _receive_docs(deal["id"])
    contract = await sign_in(await new_client(), "contract")
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)).status_code == 303
    assert (await _deal(deal["id"]))["sign_status"] == "境外审批中"
    filings = await OverseasFiling.select().where(OverseasFiling.id_no == hk)
    assert len(filings) == 1 and filings[0]["status"] == "申请中" and filings[0]["project"] == deal["project"]
    r = await contract.get(page)
    assert f'href="/permits/overseas/{filings[0]["id"]}"' in r.text and 'data-stage-status="境外审批中"' in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": f"HK-{deal['id']}", "online_no": "W"}, page)
    assert r.status_code == 400 and "安全厅备案审批" in r.text
    # the approval is entered in the permits register (its own 登记批准): that is what lets signing go on
    rec = f"/permits/overseas/{filings[0]['id']}"
    token = await csrf_token(contract, rec)
    r = await contract.post(f"{rec}/act/approve", data={"approved_on": today_local().isoformat(), "reference_no": "安审〔2026〕88号", "_csrf_token": token})
    assert r.status_code == 303, r.text[:500]
    r = await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": f"HK-{deal['id']}", "online_no": "W"}, page)
    assert r.status_code == 303
    assert await OverseasFiling.count().where(OverseasFiling.id_no == hk) == 1  # one record, not two
    r = await contract.get(page)
    assert "安审〔2026〕88号" in r.text


async def test_same_day_entries_and_their_reminder(new_client):
    from app.pipeline import services
    from app.pipeline.remind import RemindContext
    from app.pipeline.steps import sign as sign_step

    unit, deal = await subscribed(new_client)
    yesterday = today_local() - timedelta(days=1)
    await Deal.update({Deal.subscribed_on: yesterday - timedelta(days=2)}).where(Deal.id == deal["id"])
    page = await check_and_sign(new_client, unit, deal, f"SD-{deal['id']}", signed_on=yesterday)
    contract = await sign_in(await new_client(), "contract")
    r = await contract.get(page)
    assert 'data-testid="sign-entries-left"' in r.text and "已录入RIS" in r.text
    r = await contract.get("/pipeline/queue")
    assert "签约当日录入" in r.text and f"/pipeline/units/{unit['id']}" in r.text
    ctx = RemindContext(today_local(), await services.all_settings(), {})
    assert await sign_step._remind_entries(ctx) >= 1
    ref = f"deal:{deal['id']}:entries"
    note = await Notification.select().where(Notification.ref == ref).first()
    assert note and "尚缺合同台账、RIS、预警预报系统" in note["text"] and note["closed_at"] is None
    assert await sign_step._remind_entries(ctx) == 0  # once a day per text
    sales = await sign_in(await new_client(), "sales")
    r = await post(sales, f"/pipeline/deals/{deal['id']}/entries", {"system": "RIS"}, page)
    assert r.status_code == 400 and not await SigningEntry.exists().where(SigningEntry.deal == deal["id"])
    r = await post(contract, f"/pipeline/deals/{deal['id']}/entries", {"system": "别的系统"}, page)
    assert r.status_code == 400 and "系统的选项无效" in r.text
    for system in SIGN_ENTRIES:
        assert (await post(contract, f"/pipeline/deals/{deal['id']}/entries", {"system": system}, page)).status_code == 303
    r = await post(contract, f"/pipeline/deals/{deal['id']}/entries", {"system": "RIS"}, page)
    assert r.status_code == 400 and "已登记过" in r.text
    assert await SigningEntry.count().where(SigningEntry.deal == deal["id"]) == 3
    assert (await Notification.select(Notification.closed_at).where(Notification.ref == ref).first())["closed_at"] is not None
    r = await contract.get(page)
    assert 'data-testid="sign-entries-left"' not in r.text and "非签约当日" in r.text  # recorded today, signed yesterday
    r = await contract.get("/pipeline/queue")
    assert not any(f"/pipeline/units/{unit['id']}" in line and "签约当日录入" in line for line in r.text.split("<tr"))


async def test_queue_rows_follow_the_states(new_client):
    unit, deal = await subscribed(new_client)
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303
    contract = await sign_in(await new_client(), "contract")
    rows = [x for x in (await contract.get("/pipeline/queue")).text.split("<tr") if f"/pipeline/units/{unit['id']}\"" in x]
    assert rows and "审核购房审核单" in rows[0]
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "退回补正", "note": "面积有误"}, f"/pipeline/units/{unit['id']}")
    sales = await sign_in(await new_client(), "sales")
    rows = [x for x in (await sales.get("/pipeline/queue")).text.split("<tr") if f"/pipeline/units/{unit['id']}\"" in x]
    assert any("改正审核单后重新提交" in x for x in rows)
    rows = [x for x in (await contract.get("/pipeline/queue")).text.split("<tr") if f"/pipeline/units/{unit['id']}\"" in x]
    assert not rows


async def test_outage_log_page_fragment_guards_and_paging(new_client):
    contract = await sign_in(await new_client(), "contract")
    r = await contract.get("/pipeline/outages")
    assert r.status_code == 200 and "联机备案故障记录" in r.text and 'data-testid="outage-new"' in r.text and 'data-testid="nav-outages"' in r.text
    r = await contract.get("/pipeline/outages", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    r = await contract.get("/pipeline/outages/new")
    assert r.status_code == 200 and 'data-testid="outage-form"' in r.text
    unit, deal = await subscribed(new_client)
    assert (await submit_sheet(new_client, unit, deal)).status_code == 303
    r = await contract.get("/pipeline/outages/new")
    assert f'data-testid="outage-deal-{deal["id"]}"' not in r.text  # not at the 网签 yet
    await _receive_docs(deal["id"])
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, f"/pipeline/units/{unit['id']}")
    r = await contract.get("/pipeline/outages/new")
    assert f'data-testid="outage-deal-{deal["id"]}"' in r.text
    jc02 = await Deal.select(Deal.id).where(Deal.project.code == "JC02").first()
    start = datetime.now(SHANGHAI).replace(second=0, microsecond=0) - timedelta(hours=2)
    before = await Outage.count()
    bad = {"started_at": start.strftime("%Y-%m-%dT%H:%M"), "ended_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "cause": "",
           "action_taken": "已联系信息中心", "coordinated": ["信息中心"], "deal_ids": [str(deal["id"]), str(jc02["id"])]}
    r = await post(contract, "/pipeline/outages/new", bad, "/pipeline/outages/new")
    assert r.status_code == 400
    assert "恢复时间不能早于故障开始时间" in r.text and "请填写故障原因" in r.text and "不在您数据范围内" in r.text and "已联系信息中心" in r.text
    token = await csrf_token(contract, "/pipeline/outages/new")
    r = await contract.post("/pipeline/outages/new", data={**bad, "cause": "专线中断", "_csrf_token": token}, headers={"HX-Request": "true"})
    assert r.status_code == 400 and "<html" not in r.text and 'data-testid="outage-form"' in r.text  # the form fragment comes back
    assert await Outage.count() == before
    good = {**bad, "cause": "网签系统专线中断", "ended_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "coordinated": ["信息中心", "网通"],
            "deal_ids": [str(deal["id"])]}
    r = await post(contract, "/pipeline/outages/new", good, "/pipeline/outages/new")
    assert r.status_code == 303
    oid = int(r.headers["location"].rsplit("/", 1)[1])
    assert [x["deal"] for x in await OutageDeal.select(OutageDeal.deal).where(OutageDeal.outage == oid)] == [deal["id"]]
    row = await Outage.select().where(Outage.id == oid).first()
    assert row["coordinated"] == "信息中心、网通"
    assert await AuditLog.exists().where((AuditLog.entity == "pl_outage") & (AuditLog.entity_id == str(oid)) & (AuditLog.action == "pipeline.outage"))
    r = await contract.get(f"/pipeline/outages/{oid}")
    assert r.status_code == 200 and "网签系统专线中断" in r.text and "checked" in r.text
    r = await post(contract, f"/pipeline/outages/{oid}", {**good, "action_taken": "恢复后补录网签", "deal_ids": []}, f"/pipeline/outages/{oid}")
    assert r.status_code == 303 and not await OutageDeal.exists().where(OutageDeal.outage == oid)
    assert await AuditLog.exists().where((AuditLog.entity == "pl_outage") & (AuditLog.entity_id == str(oid)) & (AuditLog.action == "pipeline.outage_update"))
    assert (await contract.get("/pipeline/outages/999999")).status_code == 404
    sales = await sign_in(await new_client(), "sales")
    assert (await sales.get("/pipeline/outages/new")).status_code == 403
    token = await csrf_token(sales, "/pipeline/outages")
    assert (await sales.post("/pipeline/outages/new", data={**good, "_csrf_token": token})).status_code == 403
    assert (await sales.post(f"/pipeline/outages/{oid}", data={**good, "_csrf_token": token})).status_code == 403
    r = await sales.get("/pipeline/outages")
    assert r.status_code == 200 and 'data-testid="outage-new"' not in r.text
    hr = await sign_in(await new_client(), "hr")
    assert (await hr.get("/pipeline/outages")).status_code == 403
    # paged in SQL: 25 more rows give a second page
    from app.core.timeutil import now

    await Outage.insert(*[Outage(started_at=now() - timedelta(days=400 + i), cause=f"旧故障{i:02d}", created_at=now()) for i in range(25)])
    r = await contract.get("/pipeline/outages?page=2")
    assert r.status_code == 200 and "旧故障" in r.text
    r = await contract.get("/pipeline/outages?q=旧故障24")
    assert "旧故障24" in r.text and "旧故障23" not in r.text


async def test_a_deal_checked_before_the_states_were_kept_still_signs(new_client):
    unit, deal = await subscribed(new_client)
    await Deal.update({Deal.check_status: "审核通过"}).where(Deal.id == deal["id"])  # a row from before sign_status (test data)
    page = f"/pipeline/units/{unit['id']}"
    contract = await sign_in(await new_client(), "contract")
    r = await contract.get(page)
    assert 'data-testid="sign-submit"' in r.text and 'data-testid="sheet-waiting"' not in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"OLD-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat(),
                                                                     "home_count": "首套"}, page)
    assert r.status_code == 303
    assert (await _deal(deal["id"]))["sign_status"] == "已签约"
