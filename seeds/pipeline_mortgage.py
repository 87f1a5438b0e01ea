"""Demo data of A3 按揭 and A8 解押 (after seeds/pipeline.py's deals): a loan waiting for its 面签, one refused by the
bank, one at the registry (抵押登记中), and a construction-mortgage release batch through its approval chain.
Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import date, timedelta

from app.core.timeutil import today_local
from app.pipeline import services
from app.pipeline.tables import Deal, DealDocument
from seeds.pipeline import _user, _Values


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


def submission(deal: dict, on: date) -> _Values:
    return _Values(on=on.isoformat(), loan_bank=deal["loan_bank"] or "中国建设银行", loan_branch="园区支行", loan_term_months="360", loan_rate_bp="-20",
                   repayment_method="等额本息", borrower=deal.get("buyer.name") or "借款人", co_borrower="", guarantee_deposit="20000.00",
                   commercial_amount=f"{deal['loan_amount']:.2f}", provident_amount="0.00")


async def seed() -> None:
    if await Deal.exists().where(Deal.mortgage_status.is_in(["待面签", "贷款被拒", "抵押登记中"])):
        await _release_batch()
        return
    mortgage = await _user("mortgage")
    today = today_local()
    open_loans = await Deal.select(Deal.all_columns(), Deal.buyer.name).where(
        (Deal.mortgage_status == "资料收集中") & (Deal.payment_method == "商贷") & (Deal.project.code == "JC01")).order_by(Deal.id)
    open_loans = open_loans[:-1]  # the last one stays 资料收集中 (the demo keeps a loan in every state)
    if len(open_loans) >= 1:  # 待面签: documents in, the buyer (and spouse) booked at the bank
        d = open_loans[0]
        await DealDocument.update({DealDocument.received_on: today}).where((DealDocument.deal == d["id"]) & (DealDocument.stage == "按揭"))
        await services.receive_document(mortgage, d["id"], (await DealDocument.select(DealDocument.id).where(DealDocument.deal == d["id"]).first())["id"], True)
        day = (today + timedelta(days=2)).isoformat()
        await services.mortgage_step(mortgage, d["id"], "appoint", _Values(buyer_day=day, buyer_place="中国建设银行园区支行个贷中心",
                                                                            spouse_day=day, spouse_place="中国建设银行园区支行个贷中心"))
    for d, goal in zip(open_loans[1:3], ("贷款被拒", "抵押登记中")):
        on = max(d["signed_on"], today - timedelta(days=6))
        await face_signed(d["id"], on)
        await services.mortgage_step(mortgage, d["id"], "bank_submit", submission(d, on))
        if goal == "贷款被拒":
            await services.mortgage_step(mortgage, d["id"], "refuse", _Values(on=today.isoformat(), reason="借款人征信记录有逾期，银行不予批贷"))
        else:
            await services.mortgage_step(mortgage, d["id"], "bank_approve", _Values(on=(on + timedelta(days=2)).isoformat()))
            await services.mortgage_step(mortgage, d["id"], "register_submit", _Values(on=today.isoformat()))
    await _release_batch()


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
    result = await RELEASE.form.parse(_Values(project=str(unit["project"]), rooms=f"{unit['building.name']}-{unit['room_no']}",
                                              repayment="850000.00"), mortgage, None)
    if result.errors:
        return
    req = await engine.submit(mortgage, RELEASE, result)
    await _approve_all(req["id"])
