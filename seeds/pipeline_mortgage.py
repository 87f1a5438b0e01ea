"""Demo data of A3 按揭 and A8 解押 (after seeds/pipeline.py's deals): a loan waiting for its 面签, one refused by the
bank, one at the registry (抵押登记中), and a construction-mortgage release batch through its approval chain.
Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import date, timedelta

from app.core.timeutil import today_local
from app.pipeline import services
from app.pipeline.tables import Deal, DealDocument
from app.core.fields import FormValues
from seeds.pipeline import _check_and_draft, _user, pay_deposit


async def face_signed(deal_id: int, on: date) -> None:
    """A seeded loan's documents are all in and its 面签 done on `on` (the demo history, written as it would be)."""
    from app.pipeline.tables import Buyer
    from app.pipeline.tables_mortgage import MortgageAppointment

    deal = await Deal.select(Deal.buyer.name, Deal.buyer.marital, Deal.buyer.spouse_name, Deal.loan_bank).where(Deal.id == deal_id).first()
    await DealDocument.update({DealDocument.received_on: on - timedelta(days=2)}).where(
        (DealDocument.deal == deal_id) & (DealDocument.stage == "按揭"))
    people = [("买受人", deal["buyer.name"])] + ([("配偶", deal["buyer.spouse_name"])] if deal["buyer.marital"] == "已婚" else [])
    await MortgageAppointment.insert(*[MortgageAppointment(deal=deal_id, person=p, name=n, day=on, place=f"{deal['loan_bank']}个贷中心",
                                                           result="已到场") for p, n in people])
    await Deal.update({Deal.mortgage_status: "已面签", Deal.docs_complete_on: on - timedelta(days=2), Deal.face_signed_on: on}).where(
        (Deal.id == deal_id) & Deal.mortgage_status.is_in(["资料收集中", "资料逾期", "资料齐全"]))


def submission(deal: dict, on: date) -> FormValues:
    return FormValues(on=on.isoformat(), loan_bank=deal["loan_bank"] or "中国建设银行", loan_branch="园区支行", loan_term_months="360", loan_rate_bp="-20",
                   repayment_method="等额本息", borrower=deal.get("buyer.name") or "借款人", co_borrower="", guarantee_deposit="20000.00",
                   commercial_amount=f"{deal['loan_amount']:.2f}", provident_amount="0.00")


async def _new_loan(k: int, name: str, married: bool) -> dict | None:
    """A 商贷 deal of its own on a free unit of 锦程·滨江府, signed six days ago (资料收集中)."""
    from decimal import Decimal

    from app.estate.tables import Unit
    from seeds.pipeline import _id

    unit = await Unit.select(Unit.id, Unit.unit_price, Unit.total_price).where(
        (Unit.status == "可售") & (Unit.project.code == "JC01") & (Unit.mortgaged == False)).order_by(Unit.id).offset(5).first()  # noqa: E712
    if not unit:
        return None
    today = today_local()
    sales, contract = await _user("sales"), await _user("contract")
    total = unit["total_price"]
    down = (total * 3 / 10).quantize(Decimal("0.01"))
    deal = await services.subscribe(sales, unit["id"], FormValues(
        name=name, id_type="居民身份证", id_number=_id(700 + k), mobile=f"1391200{k:04d}", address="苏州市工业园区",
        marital="已婚" if married else "未婚", spouse_name="配偶" + name[0] if married else "", co_ownership="单独所有",
        unit_price=f"{unit['unit_price']:.2f}", total_price=f"{total:.2f}", deposit="50000.00", payment_method="商贷",
        down_payment=f"{down:.2f}", action="submit"))
    await pay_deposit(await _user("accountant"), deal["id"])  # 财务 receives the 定金: 已认购 (A1)
    unit_row = await Unit.select(Unit.area_build, Unit.unit_price).where(Unit.id == unit["id"]).first()
    await _check_and_draft(sales, contract, deal, unit_row, total, down, today + timedelta(days=300),  # A2: 审核单 → 网签草拟 → 待客户签字
                           draft=True, contract_no=f"JC01-2026-{8100 + k}", online_no=f"WQ{2028100 + k}")
    await Deal.update({Deal.subscribed_on: today - timedelta(days=9)}).where(Deal.id == deal["id"])
    await services.sign(contract, deal["id"], FormValues(signed_on=(today - timedelta(days=6)).isoformat(), home_count="首套"))
    return await Deal.select(Deal.all_columns(), Deal.buyer.name).where(Deal.id == deal["id"]).first()


async def seed() -> None:
    if not await Deal.exists().where(Deal.mortgage_status.is_in(["待面签", "贷款被拒", "抵押登记中"])):
        await _seed_loans()
    await _release_batch()


async def _seed_loans() -> None:
    mortgage = await _user("mortgage")
    today = today_local()
    d = await _new_loan(1, "冯晓梅", True)  # 待面签: documents in, the buyer and the spouse booked at the bank
    if d:
        await DealDocument.update({DealDocument.received_on: today}).where((DealDocument.deal == d["id"]) & (DealDocument.stage == "按揭"))
        doc = await DealDocument.select(DealDocument.id).where((DealDocument.deal == d["id"]) & (DealDocument.stage == "按揭")).first()
        await services.receive_document(mortgage, d["id"], doc["id"], True)
        day = (today + timedelta(days=2)).isoformat()
        await services.mortgage_step(mortgage, d["id"], "appoint", FormValues(buyer_day=day, buyer_place="中国建设银行园区支行个贷中心",
                                                                            spouse_day=day, spouse_place="中国建设银行园区支行个贷中心"))
    for k, name, goal in ((2, "邓志刚", "贷款被拒"), (3, "许慧", "抵押登记中")):
        d = await _new_loan(k, name, False)
        if not d:
            continue
        on = today - timedelta(days=5)
        await face_signed(d["id"], on)
        await services.mortgage_step(mortgage, d["id"], "bank_submit", submission(d, on))
        if goal == "贷款被拒":
            await services.mortgage_step(mortgage, d["id"], "refuse", FormValues(on=today.isoformat(), reason="借款人征信记录有逾期，银行不予批贷"))
        else:
            await services.mortgage_step(mortgage, d["id"], "bank_approve", FormValues(on=(on + timedelta(days=2)).isoformat()))
            await services.mortgage_step(mortgage, d["id"], "register_submit", FormValues(on=today.isoformat()))


async def _release_batch() -> None:
    """A release batch of one still-mortgaged unit of 锦程·观澜 3号楼, approved through its chain: waiting for the bank's consent."""
    from app.estate.tables import Unit
    from app.pipeline.flows import RELEASE
    from app.pipeline.tables import ReleaseBatch
    from seeds.ledgers import _approve_all
    from app.workflow import engine

    if await ReleaseBatch.exists():
        return
    unit = await Unit.select(Unit.id, Unit.project, Unit.room_no, Unit.building.name).where(
        (Unit.mortgaged == True) & (Unit.project.code == "JC02")).order_by(Unit.id, ascending=False).first()  # noqa: E712
    if not unit:
        return
    mortgage = await _user("mortgage2")
    result = await RELEASE.form.parse(FormValues(project=str(unit["project"]), rooms=f"{unit['building.name']}-{unit['room_no']}",
                                              repayment="850000.00"), mortgage, None)
    if result.errors:
        return
    req = await engine.submit(mortgage, RELEASE, result)
    await _approve_all(req["id"])
