"""A4 合同备案/预告登记 and A7 产权证 through their routes: each state by its owner, the returned filing, the mortgage block,
the unpaid balance block, the fees, the recipient, the deadlines and reminders, and the printed papers."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import today_local
from app.core.workdays import period_end
from app.estate.tables import Unit
from app.pipeline import remind as pipeline_remind
from app.pipeline import services
from app.pipeline.remind import clock_ref
from app.pipeline.tables import Deal, DealDocument, Instalment, PipelineSetting
from app.pipeline.tables_title import FirstRegistration
from tests.conftest import sign_in
from tests.integration.pipeline.test_pipeline import _to_handover, check_and_sign, post, settle, subscribed, title_to_fees
from tests.integration.queue_rows import queue_row

pytestmark = pytest.mark.integration
TODAY = today_local


async def status(deal_id: int, col=Deal.filing_status) -> str:
    return (await Deal.select(col).where(Deal.id == deal_id).first())[col._meta.name]


async def audits(deal_id: int, action: str) -> int:
    return await AuditLog.count().where((AuditLog.entity == "pl_deal") & (AuditLog.entity_id == str(deal_id)) & (AuditLog.action == action))


async def set_setting(key: str, value: str) -> None:
    if await PipelineSetting.exists().where(PipelineSetting.key == key):
        await PipelineSetting.update({PipelineSetting.value: Decimal(value)}).where(PipelineSetting.key == key)
    else:
        await PipelineSetting.insert(PipelineSetting(key=key, label=key, value=Decimal(value)))


async def test_filing_states_each_by_its_owner_with_return_and_resubmission(new_client):
    unit, deal = await subscribed(new_client)
    page = await check_and_sign(new_client, unit, deal, f"FT-{deal['id']}")
    on = {"on": TODAY().isoformat()}
    sales, contract, bureau, title = [await sign_in(await new_client(), u) for u in ("sales", "contract", "bureau", "title")]
    url = f"/pipeline/deals/{deal['id']}/filing"
    r = await post(sales, f"{url}/prepare", on, page)
    assert r.status_code == 400 and "您的岗位不能办理「备案」环节" in r.text and await status(deal["id"]) == "待备案"
    assert (await post(contract, f"{url}/prepare", on, page)).status_code == 303
    docs = await DealDocument.select().where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "备案")).order_by(DealDocument.id)
    assert [d["name"] for d in docs] == list(services.DEFAULT_CHECKLISTS["备案"])  # 申请表, 合同, 身份证明, 营业执照, 预售证, 委托书
    # the file is not complete: refused, the entered number kept, nothing written
    r = await post(bureau, f"{url}/submit", {**on, "acceptance_no": "BS-KEEP"}, page)
    assert r.status_code == 400 and "备案资料未齐" in r.text and "委托书" in r.text and 'value="BS-KEEP"' in r.text
    assert await status(deal["id"]) == "资料准备"
    for doc in docs:  # the 合同专员 ticks the checklist on the unit page
        assert (await post(contract, f"/pipeline/deals/{deal['id']}/documents/{doc['id']}", {"received": "1"}, page)).status_code == 303
    r = await post(title, f"/pipeline/deals/{deal['id']}/documents/{docs[0]['id']}", {"received": "0"}, page)
    assert r.status_code == 400 and "您的岗位不能办理「备案」环节" in r.text
    r = await post(bureau, f"{url}/submit", {**on, "acceptance_no": "", "seal_no": "YZ-NOPE"}, page)
    assert r.status_code == 400 and "请填写受理号" in r.text and "没有这个用章申请单号" in r.text
    r = await post(contract, f"{url}/submit", {**on, "acceptance_no": "BS-1"}, page)
    assert r.status_code == 400 and "您的岗位不能办理「备案」环节" in r.text
    assert (await post(bureau, f"{url}/submit", {**on, "acceptance_no": "BS-1"}, page)).status_code == 303
    assert (await post(bureau, f"{url}/submit", {**on, "acceptance_no": "BS-1"}, page)).status_code == 400  # a second click moves nothing
    # returned by the bureau: the reason is required, then shown; corrected and resubmitted
    r = await post(bureau, f"{url}/returned", {**on, "reason": ""}, page)
    assert r.status_code == 400 and "请填写退件原因" in r.text
    assert (await post(bureau, f"{url}/returned", {**on, "reason": "申请表缺签字"}, page)).status_code == 303
    shown = await bureau.get(page)
    assert "退件：申请表缺签字" in shown.text and 'data-testid="filing-returned"' in shown.text and 'data-testid="filing-resubmit"' in shown.text
    frag = await bureau.get(page, headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "退件补正" in frag.text
    assert (await post(bureau, f"{url}/filed", {**on, "filing_no": "BA-X"}, page)).status_code == 400  # not from 退件补正
    assert (await post(bureau, f"{url}/resubmit", {**on, "acceptance_no": "BS-2"}, page)).status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["filing_status"] == "已报送" and d["filing_acceptance_no"] == "BS-2" and d["filing_returns"] == 1
    assert (await post(bureau, f"{url}/filed", {**on, "filing_no": f"BA-FT{deal['id']}"}, page)).status_code == 303
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已备案"
    assert (await post(bureau, f"{url}/prereg", {**on, "prereg_no": "YG-X"}, page)).status_code == 400  # apply first
    assert (await post(bureau, f"{url}/prereg_submit", on, page)).status_code == 303
    assert (await post(bureau, f"{url}/prereg", {**on, "prereg_no": f"YG-FT{deal['id']}"}, page)).status_code == 303
    # the filed contracts go to the 合同专员, who confirms receiving them (not the bureau itself)
    r = await post(bureau, f"{url}/handed", on, page)
    assert r.status_code == 400 and "由合同专员确认接收" in r.text
    assert (await post(contract, f"{url}/handed", on, page)).status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["filing_status"] == "合同已交接" and d["contract_received_by"] and d["stage"] == "已备案"
    for action in ("prepare", "submit", "returned", "resubmit", "filed", "prereg_submit", "prereg", "handed"):
        assert await audits(deal["id"], f"pipeline.filing.{action}") == 1, action
    timeline = await contract.get(page)
    assert "合同已交 " in timeline.text and f"备案号 BA-FT{deal['id']}" in timeline.text


async def test_a_mortgaged_unit_blocks_filing_where_the_setting_says_so(new_client):
    unit, deal = await subscribed(new_client)
    page = await check_and_sign(new_client, unit, deal, f"FM-{deal['id']}")
    contract, bureau = await sign_in(await new_client(), "contract"), await sign_in(await new_client(), "bureau")
    on = {"on": TODAY().isoformat()}
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/filing/prepare", on, page)).status_code == 303
    await DealDocument.update({DealDocument.received_on: TODAY()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "备案"))
    await Unit.update({Unit.mortgaged: True}).where(Unit.id == unit["id"])  # the 在建工程抵押 still covers it
    try:
        r = await post(bureau, f"/pipeline/deals/{deal['id']}/filing/submit", {**on, "acceptance_no": "BS-M"}, page)
        assert r.status_code == 400 and "在建工程抵押尚未解除" in r.text and "解押" in r.text
        assert 'data-testid="filing-blocked"' in (await bureau.get(page)).text
        await set_setting("mortgage_blocks_filing", "0")  # the local rule does not require the release first
        assert (await post(bureau, f"/pipeline/deals/{deal['id']}/filing/submit", {**on, "acceptance_no": "BS-M"}, page)).status_code == 303
    finally:
        await set_setting("mortgage_blocks_filing", "1")
        await Unit.update({Unit.mortgaged: False}).where(Unit.id == unit["id"])


async def test_title_blocked_by_an_unpaid_area_difference_fees_recipient_and_archive(new_client):
    unit, deal, page = await _to_handover(new_client, (Unit.pricing_basis == "建筑面积") & (Unit.project.code == "JC01"))
    sup = await sign_in(await new_client(), "supervisor")
    surveyed = (Decimal(unit["area_build"]) * Decimal("1.02")).quantize(Decimal("0.01"))  # +2%: the buyer owes the difference
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover", {**{"on": TODAY().isoformat()}, "surveyed_area": f"{surveyed}",
                                                                      "keys_count": "2"}, page)).status_code == 303
    on = {"on": TODAY().isoformat()}
    title = await sign_in(await new_client(), "title")
    url = f"/pipeline/deals/{deal['id']}/title"
    # 资料待补: the 补件通知 names what is missing
    assert (await post(title, f"{url}/missing", on, page)).status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["title_status"] == "资料待补" and "契税完税凭证" in d["title_missing"]
    printed = await title.get(f"{url}/print/missing")
    assert printed.status_code == 200 and "补件通知" in printed.text and "契税完税凭证" in printed.text
    # the fees: 3 certificates → 80 + 2 × 10; 契税 on the price after the area settlement
    title = await title_to_fees(new_client, deal, page, copies=3, pay=False)
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["title_status"] == "待缴税费" and d["reg_fee"] == Decimal("100.00") and d["title_copies"] == 3
    taxable = Decimal(deal["total_price"]) + d["area_amount"]
    assert d["deed_tax"] == (taxable * d["deed_tax_rate"] / 100).quantize(Decimal("0.01")) and d["area_amount"] > 0
    # everything but the 面积差 is paid: the submission is refused, naming it
    area = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "面积差")).first()
    await Instalment.update({Instalment.amount_due: Instalment.received}).where(Instalment.id == area["id"])  # (set aside for a moment)
    await settle(new_client, deal)
    await Instalment.update({Instalment.amount_due: area["amount_due"]}).where(Instalment.id == area["id"])
    submit = {**on, "acceptance_no": "SL-AD"}
    r = await post(title, f"{url}/submit", submit, page)
    assert r.status_code == 400 and "尚有未结清款项：面积差" in r.text and 'value="SL-AD"' in r.text
    assert await status(deal["id"], Deal.title_status) == "待缴税费"
    assert 'data-testid="title-unpaid"' in (await title.get(page)).text
    title_user = await _user("title")
    assert deal["id"] not in {c["id"] for c in await services.title_batch_candidates(title_user)}
    sales = await sign_in(await new_client(), "sales")
    r = await post(sales, f"{url}/submit", submit, page)
    assert r.status_code == 400 and "您的岗位不能办理「产权证」环节" in r.text
    r = await post(title, f"{url}/submit", {**submit, "advance_no": "JK-NOPE"}, page)
    assert r.status_code == 400 and "没有这个借款单号" in r.text
    await settle(new_client, deal)  # the accountant records the 面积差
    assert deal["id"] in {c["id"] for c in await services.title_batch_candidates(title_user)}
    await Unit.update({Unit.mortgaged: True}).where(Unit.id == unit["id"])
    try:
        r = await post(title, f"{url}/submit", submit, page)
        assert r.status_code == 400 and "在建工程抵押尚未解除" in r.text
    finally:
        await Unit.update({Unit.mortgaged: False}).where(Unit.id == unit["id"])
    assert (await post(title, f"{url}/submit", submit, page)).status_code == 303
    for action, data in (("review", {}), ("booked", {}), ("issued", {"cert_no": "苏2026-AD"}), ("notify", {})):
        assert (await post(title, f"{url}/{action}", {**on, **data}, page)).status_code == 303, action
    # the recipient: a valid ID; someone other than the owner needs the owner's 委托书
    agent = {**on, "recipient": "代领人", "recipient_id_type": "居民身份证", "recipient_id_number": "320506198501012999"}
    r = await post(title, f"{url}/deliver", agent, page)
    assert r.status_code == 400 and "校验位不正确" in r.text and 'value="代领人"' in r.text
    from tests.integration.pipeline.test_pipeline import an_id

    agent["recipient_id_number"] = an_id()
    r = await post(title, f"{url}/deliver", agent, page)
    assert r.status_code == 400 and "须登记业主的委托书" in r.text
    assert (await post(title, f"{url}/deliver", {**agent, "poa": "委托书 WT-2026-01"}, page)).status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["stage"] == "已办证" and d["recipient_poa"] == "委托书 WT-2026-01" and d["recipient_id_number"] == agent["recipient_id_number"]
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已办证"
    timeline = await title.get(page)
    assert agent["recipient_id_number"] not in timeline.text and agent["recipient_id_number"][:6] + "********" in timeline.text
    assert (await post(title, f"{url}/archive", on, page)).status_code == 303
    assert await status(deal["id"], Deal.title_status) == "归档"
    for action in ("missing", "complete", "fees", "submit", "review", "booked", "issued", "notify", "deliver", "archive"):
        assert await audits(deal["id"], f"pipeline.title.{action}") == 1, action


async def _user(username: str):
    from piccolo.apps.user.tables import BaseUser

    from app.core.auth import load_user

    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    return await load_user(row["id"])


async def test_title_deadline_is_the_contracts_else_90_days_and_reminded(new_client):
    unit, deal, page = await _to_handover(new_client, (Unit.pricing_basis == "建筑面积") & (Unit.project.code == "JC01"))
    await Deal.update({Deal.title_deadline: None}).where(Deal.id == deal["id"])  # a contract without its own 办证期限 first
    sup = await sign_in(await new_client(), "supervisor")
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY().isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                      "keys_count": "2"}, page)).status_code == 303
    limits = await services.all_settings()

    async def title_stage():
        current = await services.deal_page(deal["id"])
        return next(s for s in await services.stages_of(current["deal"], limits=limits) if s["name"] == "产权证")

    stage = await title_stage()
    assert f"办证期限 {TODAY() + timedelta(days=90):%Y-%m-%d}（法定 90 天）" in stage["detail"]
    # (JC01's 首次登记 in the demo data makes the pre-registration's lapse, 20 days away, the nearer due)
    contract_due = TODAY() + timedelta(days=15)
    await Deal.update({Deal.title_deadline: contract_due}).where(Deal.id == deal["id"])  # the 审核单's 办证期限
    stage = await title_stage()
    assert stage["due"] == await period_end(contract_due) and "（合同约定）" in stage["detail"] and stage["amber"]
    title = await sign_in(await new_client(), "title")
    assert f"办证期限 {contract_due:%Y-%m-%d}（合同约定）" in (await title.get(page)).text
    queue = await title.get("/pipeline/queue")
    assert "收集办证资料" in queue.text
    await pipeline_remind.remind_once()  # 15 days ahead: the first reminder
    ref = clock_ref(deal["id"], "title")
    rows = await Notification.select(Notification.text).where(Notification.ref == ref)
    assert rows and f"产权证办证期限将于 {contract_due:%Y-%m-%d} 到期" in rows[0]["text"]


async def test_pre_registration_lapse_reminded_until_the_unit_is_submitted(new_client):
    unit, deal, page = await _to_handover(new_client, (Unit.pricing_basis == "建筑面积") & (Unit.project.code == "JC01"))
    sup = await sign_in(await new_client(), "supervisor")
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY().isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                      "keys_count": "2"}, page)).status_code == 303
    first = await FirstRegistration.select().where(FirstRegistration.project == deal["project"]).order_by(FirstRegistration.registered_on).first()
    assert first, "the demo data records JC01's 首次登记"
    await FirstRegistration.update({FirstRegistration.registered_on: TODAY() - timedelta(days=83)}).where(FirstRegistration.id == first["id"])
    try:
        lapse = TODAY() + timedelta(days=7)
        title = await sign_in(await new_client(), "title")
        shown = await title.get(page)
        assert f"预告登记失效日 {lapse:%Y-%m-%d}" in shown.text
        row, _first = await queue_row(title, unit["id"])  # any page: the queue is paged at 50
        assert f"{lapse:%Y-%m-%d}" in row  # the lapse comes before the certificate deadline
        await pipeline_remind.remind_once()
        ref = clock_ref(deal["id"], "lapse")
        rows = await Notification.select(Notification.text, Notification.closed_at).where(Notification.ref == ref)
        assert rows and f"预告登记将于 {lapse:%Y-%m-%d} 失效" in rows[0]["text"] and rows[0]["closed_at"] is None
        title = await title_to_fees(new_client, deal, page)
        assert (await post(title, f"/pipeline/deals/{deal['id']}/title/submit", {"on": TODAY().isoformat(), "acceptance_no": "SL-L"}, page)).status_code == 303
        rows = await Notification.select(Notification.closed_at).where(Notification.ref == ref)
        assert all(r["closed_at"] is not None for r in rows)  # submitted: the lapse no longer threatens
    finally:
        await FirstRegistration.update({FirstRegistration.registered_on: first["registered_on"]}).where(FirstRegistration.id == first["id"])


async def test_printed_notice_and_receipt_are_guarded_masked_and_audited(new_client):
    deal = await Deal.select(Deal.id, Deal.unit, Deal.buyer.id_number, Deal.buyer.name).where(
        (Deal.project.code == "JC01") & (Deal.title_status != "") & (Deal.stage == "已交付")).order_by(Deal.id).first()
    assert deal
    title = await sign_in(await new_client(), "title")
    before = await audits(deal["id"], "pipeline.print")
    r = await title.get(f"/pipeline/deals/{deal['id']}/title/print/notice")
    full = deal["buyer.id_number"]
    assert r.status_code == 200 and "办证通知" in r.text and 'data-testid="print-docs"' in r.text and 'data-testid="print-qr"' in r.text
    assert full not in r.text and full[:6] + "********" in r.text
    r = await title.get(f"/pipeline/deals/{deal['id']}/title/print/receipt")
    assert r.status_code == 200 and "收件回执" in r.text and 'data-testid="print-receiver"' in r.text and full not in r.text
    assert await audits(deal["id"], "pipeline.print") == before + 2
    assert (await title.get(f"/pipeline/deals/{deal['id']}/title/print/other")).status_code == 404
    for who in ("sales", "accountant"):  # not a title officer
        c = await sign_in(await new_client(), who)
        assert (await c.get(f"/pipeline/deals/{deal['id']}/title/print/notice")).status_code == 403, who
    other = await sign_in(await new_client(), "contract2")  # JC02 only
    assert (await other.get(f"/pipeline/deals/{deal['id']}/title/print/notice")).status_code == 403
    assert await audits(deal["id"], "pipeline.print") == before + 2


async def test_queue_rows_follow_the_filing_and_title_states(new_client):
    bureau = await sign_in(await new_client(), "bureau")
    q = await bureau.get("/pipeline/queue")
    assert q.status_code == 200 and "合同备案：退件补正后重新报送" in q.text  # the demo deal returned by the bureau
    contract = await sign_in(await new_client(), "contract")
    assert "合同备案：准备备案资料" in q.text and "合同备案：准备备案资料" not in (await contract.get("/pipeline/queue")).text
    title = await sign_in(await new_client(), "title")
    q = await title.get("/pipeline/queue")
    assert "催补办证资料" in q.text and "缴清税费后递交" in q.text and "跟踪登记审核" in q.text
