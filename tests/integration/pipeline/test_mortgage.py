"""A3 按揭 through its routes, each state by the 按揭专员 (SPEC A3), and the A8 release batch after its approval."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline.tables import Deal, DealDocument, Instalment
from tests.conftest import csrf_token, sign_in
from tests.integration.pipeline.test_pipeline import check_and_sign, post, subscribed
from tests.integration.workflow.helpers import approve_as, chain, submit

pytestmark = pytest.mark.integration

LOAN_TERMS = {"loan_bank": "中国建设银行", "loan_branch": "园区支行", "loan_term_months": "360", "loan_rate_bp": "-20",
              "repayment_method": "等额本息", "borrower": "测试客户", "co_borrower": "", "guarantee_deposit": "20000.00"}
_n = [0]


def _today() -> str:
    return today_local().isoformat()


async def loan_deal(new_client, method: str = "商贷", **over) -> tuple[dict, dict, str]:
    """A signed loan deal (JC01) in 资料收集中: 首付 900,000, the rest as the 审核单 贷款额."""
    unit, deal = await subscribed(new_client, payment_method=method, down_payment="900000.00", **over)
    loan = f"{Decimal(deal['total_price']) - Decimal('900000.00'):.2f}"
    check = {"loan_amount": loan, "loan_bank": "中国建设银行"}
    if method == "组合":
        half = (Decimal(loan) / 2).quantize(Decimal("0.01"))
        check.update({"commercial_amount": f"{half:.2f}", "provident_amount": f"{Decimal(loan) - half:.2f}"})
    _n[0] += 1
    page = await check_and_sign(new_client, unit, deal, f"AJ-{deal['id']}-{_n[0]}", check=check)
    return unit, await Deal.select().where(Deal.id == deal["id"]).first(), page


async def receive_all(mortgage, deal: dict, page: str) -> None:
    for doc in await DealDocument.select(DealDocument.id).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "按揭")):
        r = await post(mortgage, f"/pipeline/deals/{deal['id']}/documents/{doc['id']}", {"received": "1"}, page)
        assert r.status_code == 303, r.text[:500]


async def walk_to_face_signed(mortgage, deal: dict, page: str) -> None:
    """Documents in (资料齐全), the buyer (and a spouse) booked for today and attended (已面签) — by the 按揭专员."""
    await receive_all(mortgage, deal, page)
    assert (await Deal.select(Deal.mortgage_status).where(Deal.id == deal["id"]).first())["mortgage_status"] == "资料齐全"
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/appoint", {"buyer_day": _today(), "buyer_place": "建行个贷中心",
                                                                               "spouse_day": _today(), "spouse_place": "建行个贷中心"}, page)
    assert r.status_code == 303, r.text[:800]
    from app.pipeline.tables_mortgage import MortgageAppointment

    pending = await MortgageAppointment.select(MortgageAppointment.id).where((MortgageAppointment.deal == deal["id"]) & (MortgageAppointment.result == ""))
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/attend", {f"result_{a['id']}": "已到场" for a in pending}, page)
    assert r.status_code == 303, r.text[:800]
    assert (await Deal.select(Deal.mortgage_status).where(Deal.id == deal["id"]).first())["mortgage_status"] == "已面签"


async def status_of(deal: dict) -> str:
    return (await Deal.select(Deal.mortgage_status).where(Deal.id == deal["id"]).first())["mortgage_status"]


async def release_to_end(new_client, request_id: int, unit_id: int) -> None:
    """After the approval: the 按揭专员 records the bank's consent, then the deregistration; the flag clears only then."""
    from app.pipeline.tables import ReleaseBatch

    b = await ReleaseBatch.select().where(ReleaseBatch.request == request_id).first()
    assert b["status"] == "还款/同意函"
    assert (await Unit.select(Unit.mortgaged).where(Unit.id == unit_id).first())["mortgaged"] is True  # approved is not released
    project = (await Unit.select(Unit.project.code).where(Unit.id == unit_id).first())["project.code"]
    mortgage = await sign_in(await new_client(), "mortgage2" if project == "JC02" else "mortgage")
    page = f"/workflow/requests/{request_id}"
    r = await mortgage.get(page)
    assert 'data-testid="form-release-consent"' in r.text
    r = await post(mortgage, f"/pipeline/releases/{b['id']}/consent", {"bank_consent_no": "", "on": _today()}, page)
    assert r.status_code == 303 and (await ReleaseBatch.select(ReleaseBatch.status).where(ReleaseBatch.id == b["id"]).first())["status"] == "还款/同意函"
    r = await post(mortgage, f"/pipeline/releases/{b['id']}/consent", {"bank_consent_no": "建苏解〔2026〕18号", "on": _today()}, page)
    assert r.status_code == 303
    assert (await Unit.select(Unit.mortgaged).where(Unit.id == unit_id).first())["mortgaged"] is True
    r = await post(mortgage, f"/pipeline/releases/{b['id']}/deregister", {"dereg_no": "ZX-2026-0042", "on": _today()}, page)
    assert r.status_code == 303
    b = await ReleaseBatch.select().where(ReleaseBatch.id == b["id"]).first()
    assert b["status"] == "已解押" and b["dereg_no"] == "ZX-2026-0042" and b["bank_consent_no"] == "建苏解〔2026〕18号"
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.release.deregister") & (AuditLog.entity_id == str(b["id"])))


async def test_each_state_only_by_the_mortgage_officer_up_to_face_signing(new_client):
    unit, deal, page = await loan_deal(new_client, marital="已婚", spouse_name="测试配偶")
    assert deal["mortgage_status"] == "资料收集中"
    mortgage = await sign_in(await new_client(), "mortgage")
    contract = await sign_in(await new_client(), "contract")
    await receive_all(mortgage, deal, page)
    assert await status_of(deal) == "资料齐全"
    doc = await DealDocument.select(DealDocument.id).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "按揭")).first()
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/documents/{doc['id']}", {"received": "0"}, page)  # one missing again
    assert r.status_code == 303 and await status_of(deal) == "资料收集中"
    await post(mortgage, f"/pipeline/deals/{deal['id']}/documents/{doc['id']}", {"received": "1"}, page)
    assert await status_of(deal) == "资料齐全"
    url = f"/pipeline/deals/{deal['id']}/mortgage/appoint"
    r = await post(contract, url, {"buyer_day": _today(), "buyer_place": "建行", "spouse_day": _today(), "spouse_place": "建行"}, page)
    assert r.status_code == 400 and "您的岗位不能办理「按揭」环节" in r.text
    r = await post(mortgage, url, {"buyer_day": _today(), "buyer_place": "建行个贷中心", "spouse_day": "", "spouse_place": ""}, page)
    assert r.status_code == 400 and "请填写配偶面签日期" in r.text and 'value="建行个贷中心"' in r.text  # the spouse too, values kept
    from app.pipeline.tables_mortgage import MortgageAppointment as A

    assert not await A.exists().where(A.deal == deal["id"])
    r = await post(mortgage, url, {"buyer_day": _today(), "buyer_place": "建行个贷中心", "spouse_day": _today(), "spouse_place": "建行个贷中心"}, page)
    assert r.status_code == 303 and await status_of(deal) == "待面签"
    appts = {a["person"]: a["id"] for a in await A.select().where(A.deal == deal["id"])}
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/attend", {f"result_{appts['买受人']}": "已到场", f"result_{appts['配偶']}": "未到场"}, page)
    assert r.status_code == 303 and await status_of(deal) == "待面签"  # the spouse missed it: still 待面签
    view = await mortgage.get(page)
    assert "配偶 测试配偶 面签日期" in view.text and 'data-testid="form-mortgage-appoint"' in view.text  # a new appointment for the spouse
    r = await post(mortgage, url, {"spouse_day": _today(), "spouse_place": "建行个贷中心"}, page)
    assert r.status_code == 303
    again = (await A.select(A.id).where((A.deal == deal["id"]) & (A.result == "")).first())["id"]
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/attend", {f"result_{again}": "已到场"}, page)
    assert r.status_code == 303 and await status_of(deal) == "已面签"
    assert await AuditLog.count().where((AuditLog.entity_id == str(deal["id"])) & (AuditLog.action == "pipeline.mortgage.attend")) == 2
    # the timeline and the work queue follow the state
    view = await mortgage.get(page)
    assert 'data-testid="form-mortgage-bank_submit"' in view.text
    q = await mortgage.get("/pipeline/queue")
    assert "送银行审批" in q.text


async def test_loan_fields_and_the_provident_fund_gate(new_client):
    from app.permits.tables import LoanAgreement

    unit, deal, page = await loan_deal(new_client, "组合")
    mortgage = await sign_in(await new_client(), "mortgage")
    await walk_to_face_signed(mortgage, deal, page)
    url = f"/pipeline/deals/{deal['id']}/mortgage/bank_submit"
    loan = Decimal(deal["loan_amount"])
    good = {**LOAN_TERMS, "on": _today(), "commercial_amount": f"{loan - 100000:.2f}", "provident_amount": "100000.00"}
    project = deal["project"]
    valid = [r["id"] for r in await LoanAgreement.select(LoanAgreement.id).where(
        (LoanAgreement.project == project) & (LoanAgreement.kind == "公积金项目备案") & (LoanAgreement.active == True))]  # noqa: E712
    await LoanAgreement.update({LoanAgreement.active: False}).where(LoanAgreement.id.is_in(valid or [0]))
    try:
        r = await post(mortgage, url, good, page)
        assert r.status_code == 400 and "没有有效的公积金项目备案" in r.text
        assert await status_of(deal) == "已面签"
    finally:
        await LoanAgreement.update({LoanAgreement.active: True}).where(LoanAgreement.id.is_in(valid or [0]))
    if not valid:  # the demo's 公积金 registration of the project is missing: enter one as the register would
        from app.org.tables import Employee

        owner = (await Employee.select(Employee.id).first())["id"]
        await LoanAgreement.insert(LoanAgreement(kind="公积金项目备案", institution="苏州市住房公积金管理中心", project=project, reg_no="T-GJJ-1",
                                                 start_on=today_local() - timedelta(days=30), end_on=today_local() + timedelta(days=300),
                                                 active=True, owner=owner))
    bad = {**good, "loan_term_months": "361", "loan_rate_bp": "abc", "repayment_method": "先息后本", "provident_amount": "1.00"}
    r = await post(mortgage, url, bad, page)
    assert r.status_code == 400
    assert "商贷额与公积金贷款额之和应等于贷款额" in r.text and "不能大于 360" in r.text and 'value="361"' in r.text
    assert await status_of(deal) == "已面签"
    r = await post(mortgage, url, good, page)
    assert r.status_code == 303, r.text[:1500]
    row = await Deal.select().where(Deal.id == deal["id"]).first()
    assert row["mortgage_status"] == "银行审批中" and row["loan_term_months"] == 360 and row["loan_rate_bp"] == -20
    assert row["commercial_amount"] + row["provident_amount"] == loan and row["repayment_method"] == "等额本息"
    view = await mortgage.get(page)
    assert "LPR-20bp" in view.text and "首付比例" in view.text


async def test_refused_loan_switches_to_lump_sum_and_replans_the_instalments(new_client):
    unit, deal, page = await loan_deal(new_client)
    mortgage = await sign_in(await new_client(), "mortgage")
    await walk_to_face_signed(mortgage, deal, page)
    await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/bank_submit", {**LOAN_TERMS, "on": _today()}, page)
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/refuse", {"on": _today(), "reason": ""}, page)
    assert r.status_code == 400 and "请填写拒贷原因" in r.text
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/refuse", {"on": _today(), "reason": "征信有逾期"}, page)
    assert r.status_code == 303 and await status_of(deal) == "贷款被拒"
    bureau = await sign_in(await new_client(), "bureau")
    assert (await post(bureau, f"/pipeline/deals/{deal['id']}/mortgage/switch", {}, page)).status_code == 400  # not the bureau's step
    loan = Decimal(deal["loan_amount"])
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/switch", {}, page)
    assert r.status_code == 400 and "请确认客户已书面同意" in r.text and await status_of(deal) == "贷款被拒"
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/switch", {"confirm": "1"}, page)
    assert r.status_code == 303
    row = await Deal.select().where(Deal.id == deal["id"]).first()
    assert row["mortgage_status"] == "转付款方式" and row["payment_method"] == "一次性" and row["loan_amount"] == 0
    kinds = {i["kind"]: i for i in await Instalment.select().where(Instalment.deal == deal["id"])}
    assert "贷款" not in kinds and kinds["房款"]["amount_due"] == loan
    from app.pipeline import services

    assert kinds["房款"]["due_on"] == today_local() + timedelta(days=int(await services.setting("balance_due_days")))
    assert not await DealDocument.exists().where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "按揭") & DealDocument.received_on.is_null())
    assert await AuditLog.exists().where((AuditLog.entity_id == str(deal["id"])) & (AuditLog.action == "pipeline.mortgage.switch"))
    view = await mortgage.get(page)
    assert "转付款方式" in view.text and 'data-testid="form-mortgage-switch"' not in view.text
    assert (await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/switch", {"confirm": "1"}, page)).status_code == 400  # twice: nothing
    from tests.integration.pipeline.test_pipeline import file_contract

    await file_contract(new_client, deal, page)  # filing goes on normally (A4 by its owners)
    assert (await Deal.select(Deal.filing_status).where(Deal.id == deal["id"]).first())["filing_status"] == "已备案"


async def test_other_remedies_change_bank_or_lower_the_loan(new_client):
    unit, deal, page = await loan_deal(new_client)
    mortgage = await sign_in(await new_client(), "mortgage")
    await walk_to_face_signed(mortgage, deal, page)
    submit_url, refuse_url = (f"/pipeline/deals/{deal['id']}/mortgage/{a}" for a in ("bank_submit", "refuse"))
    await post(mortgage, submit_url, {**LOAN_TERMS, "on": _today()}, page)
    assert (await post(mortgage, refuse_url, {"on": _today(), "reason": "额度不足"}, page)).status_code == 303
    loan = Decimal(deal["loan_amount"])
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/lower_loan", {"loan_amount": f"{loan + 1:.2f}"}, page)
    assert r.status_code == 400 and "新的贷款额应低于原贷款额" in r.text
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/lower_loan", {"loan_amount": f"{loan - 100000:.2f}"}, page)
    assert r.status_code == 303 and await status_of(deal) == "已面签"  # the same bank again, with the lower loan
    row = await Deal.select().where(Deal.id == deal["id"]).first()
    assert row["loan_amount"] == loan - 100000 and row["down_payment"] == Decimal(deal["down_payment"]) + 100000
    dues = await Instalment.select().where(Instalment.deal == deal["id"])
    assert [i["amount_due"] for i in dues if i["kind"] == "贷款"] == [loan - 100000]
    assert Decimal("100000.00") in [i["amount_due"] for i in dues if i["kind"] == "首付款"]
    assert (await post(mortgage, submit_url, {**LOAN_TERMS, "on": _today()}, page)).status_code == 303
    await post(mortgage, refuse_url, {"on": _today(), "reason": "仍不批"}, page)
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/rebank", {"loan_bank": "中国建设银行"}, page)
    assert r.status_code == 400 and "请填写另一家银行" in r.text
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/rebank", {"loan_bank": "招商银行", "loan_branch": "苏州分行"}, page)
    assert r.status_code == 303
    row = await Deal.select().where(Deal.id == deal["id"]).first()
    assert row["mortgage_status"] == "资料收集中" and row["loan_bank"] == "招商银行" and row["docs_due"] > today_local()
    assert await DealDocument.exists().where((DealDocument.deal == deal["id"]) & DealDocument.received_on.is_null())  # the new bank's checklist


async def test_release_tells_finance_and_the_guarantee_waits_for_the_title(new_client):
    unit, deal, page = await loan_deal(new_client)
    mortgage = await sign_in(await new_client(), "mortgage")
    await walk_to_face_signed(mortgage, deal, page)
    for action, extra in (("bank_submit", LOAN_TERMS), ("bank_approve", {}), ("register_submit", {})):
        assert (await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/{action}", {"on": _today(), **extra}, page)).status_code == 303
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/register", {"on": _today(), "reg_cert_no": ""}, page)
    assert r.status_code == 400 and "请填写登记证明号" in r.text
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/register", {"on": _today(), "reg_cert_no": "苏(2026)预抵字第88号"}, page)
    assert r.status_code == 303 and await status_of(deal) == "抵押已登记"
    assert "苏(2026)预抵字第88号" in (await mortgage.get(page)).text
    await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/release_apply", {"on": _today()}, page)
    loan = f"{Decimal(deal['loan_amount']):.2f}"
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/release", {"on": _today(), "amount": loan}, page)
    assert r.status_code == 303 and await status_of(deal) == "已放款"
    assert await Notification.exists().where((Notification.user.username == "accountant") & Notification.text.like(f"%{deal['number']}%已放款%"))
    inst = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "贷款")).first()
    assert inst["received"] == Decimal(loan)
    url = f"/pipeline/deals/{deal['id']}/mortgage/guarantee"
    r = await post(mortgage, url, {"on": _today(), "amount": "20000.00"}, page)
    assert r.status_code == 400 and "产权证交付业主后才能解除" in r.text and await status_of(deal) == "已放款"
    await Deal.update({Deal.title_status: "已交付业主"}).where(Deal.id == deal["id"])  # as A7 records it (title delivered to the owner)
    r = await post(mortgage, url, {"on": _today(), "amount": "20000.00"}, page)
    assert r.status_code == 303 and await status_of(deal) == "担保解除"
    row = await Deal.select().where(Deal.id == deal["id"]).first()
    assert row["guarantee_released_amount"] == Decimal("20000.00") and row["guarantee_released_on"] == today_local()


async def test_document_reminders_d1_d7_and_the_written_demand_across_national_day(new_client):
    """docs_due 2026-09-29: D+1 on 09-30; D+7 (10-06, in the 国庆 holiday) moves to 10-08; the 书面催告 on D+15 (10-14) goes to 法务."""
    from app.pipeline import services
    from app.pipeline.remind import RemindContext
    from app.pipeline.steps.mortgage import _docs_reminders

    unit, deal, page = await loan_deal(new_client)
    await Deal.update({Deal.docs_due: date(2026, 9, 29)}).where(Deal.id == deal["id"])
    limits = await services.all_settings()
    mine = Notification.url == page

    async def run(day: date) -> list[str]:
        await _docs_reminders(RemindContext(day, limits, {}))
        return [n["text"] for n in await Notification.select(Notification.text).where(mine & (Notification.kind == "pipeline")).order_by(Notification.id)]

    assert await run(date(2026, 9, 29)) == []
    texts = await run(date(2026, 9, 30))
    assert any("D+1 催交" in t and "催交通知书" in t for t in texts) and await status_of(deal) == "资料逾期"
    assert await AuditLog.exists().where((AuditLog.entity_id == str(deal["id"])) & (AuditLog.action == "pipeline.mortgage.overdue"))
    assert not any("D+7" in t for t in await run(date(2026, 10, 6)))  # a holiday: the second notice waits
    assert len(await run(date(2026, 10, 7))) == len(texts)
    texts = await run(date(2026, 10, 8))
    assert any("D+7 催交" in t for t in texts)
    assert len(await run(date(2026, 10, 8))) == len(texts)  # once
    assert not any("书面催告" in t for t in await run(date(2026, 10, 13)))
    await run(date(2026, 10, 14))
    assert await Notification.exists().where(mine & (Notification.user.username == "legal") & Notification.text.like("%书面催告%"))
    row = await Deal.select(Deal.docs_demand_on).where(Deal.id == deal["id"]).first()
    assert row["docs_demand_on"] == date(2026, 10, 14)
    mortgage = await sign_in(await new_client(), "mortgage")
    view = await mortgage.get(page)
    assert "资料逾期(催交)" in view.text and "已转法务书面催告" in view.text
    await receive_all(mortgage, deal, page)  # all in: 资料齐全, the document reminders closed
    assert await status_of(deal) == "资料齐全"


async def test_bank_clock_amber_at_3_and_red_after_5_working_days_across_holidays(new_client):
    """Submitted 2026-09-29: WD 1 = 09-30, 国庆 10-01..07, WD 2 = 10-08, WD 3 = 10-09 (amber), WD 4 = 10-10 (Saturday 调休), WD 5 = 10-12: red from 10-13."""
    from app.pipeline import services
    from app.pipeline.remind import RemindContext
    from app.pipeline.steps.mortgage import _bank_reminders

    unit, deal, page = await loan_deal(new_client)
    mortgage = await sign_in(await new_client(), "mortgage")
    await walk_to_face_signed(mortgage, deal, page)
    await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/bank_submit", {**LOAN_TERMS, "on": _today()}, page)
    await Deal.update({Deal.bank_submitted_on: date(2026, 9, 29)}).where(Deal.id == deal["id"])
    limits = await services.all_settings()
    mine = Notification.url == page

    async def texts(day: date) -> list[str]:
        await _bank_reminders(RemindContext(day, limits, {}))
        return [n["text"] for n in await Notification.select(Notification.text).where(mine & (Notification.user.username == "mortgage"))]

    assert await texts(date(2026, 10, 8)) == []
    assert any("银行审批已满 3 个工作日" in t and "2026-10-12" in t for t in await texts(date(2026, 10, 9)))
    assert not any("已超过" in t for t in await texts(date(2026, 10, 12)))
    assert any("银行审批已超过 5 个工作日" in t for t in await texts(date(2026, 10, 13)))
    assert await Notification.exists().where(mine & (Notification.user.username == "supervisor") & Notification.text.like("%已超过 5 个工作日%"))
    row = await Deal.select().where(Deal.id == deal["id"]).first()
    stages = {s["name"]: s for s in await services.stages_of(row, today=date(2026, 10, 9), limits=limits)}
    assert stages["按揭"]["amber"] and not stages["按揭"]["overdue"] and stages["按揭"]["due"] == date(2026, 10, 12)
    stages = {s["name"]: s for s in await services.stages_of(row, today=date(2026, 10, 13), limits=limits)}
    assert stages["按揭"]["overdue"]
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/bank_approve", {"on": _today()}, page)
    assert r.status_code == 303
    assert not await Notification.exists().where(mine & (Notification.ref == f"deal:{deal['id']}:bank") & Notification.closed_at.is_null())  # closed


async def test_release_batch_chain_with_the_finance_director_and_the_flag(new_client):
    unit = await Unit.select().where((Unit.project.code == "JC02") & (Unit.building.name == "3号楼") & (Unit.mortgaged == True)).order_by(  # noqa: E712
        Unit.id, ascending=False).first()
    mortgage = await sign_in(await new_client(), "mortgage2")
    rid, r = await submit(mortgage, "mortgage_release", {"project": str(unit["project"]), "rooms": f"3号楼-{unit['room_no']}", "repayment": "650000.00"})
    assert rid, r.text[:1500]
    assert await chain(rid) == ["finance_manager", "dept_head", "finance_director", "gm"]
    from app.pipeline.tables import ReleaseBatch

    assert (await ReleaseBatch.select(ReleaseBatch.status).where(ReleaseBatch.request == rid).first())["status"] == "审批中"
    for who in ("finance_manager", "dept_head", "finance_director"):
        await approve_as(new_client, rid, who)
        assert (await Unit.select(Unit.mortgaged).where(Unit.id == unit["id"]).first())["mortgaged"] is True
    await approve_as(new_client, rid, "gm")
    b = await ReleaseBatch.select().where(ReleaseBatch.request == rid).first()
    contract = await sign_in(await new_client(), "contract2")
    r = await post(contract, f"/pipeline/releases/{b['id']}/consent", {"bank_consent_no": "X", "on": _today()}, f"/pipeline")
    assert r.status_code == 403
    assert (await ReleaseBatch.select(ReleaseBatch.status).where(ReleaseBatch.id == b["id"]).first())["status"] == "还款/同意函"
    await release_to_end(new_client, rid, unit["id"])
    r = await post(mortgage, f"/pipeline/releases/{b['id']}/deregister", {"dereg_no": "again", "on": _today()}, f"/workflow/requests/{rid}")
    assert r.status_code == 303  # a second click moves nothing
    assert (await ReleaseBatch.select(ReleaseBatch.dereg_no).where(ReleaseBatch.id == b["id"]).first())["dereg_no"] == "ZX-2026-0042"
