"""Demo deals at every stage of the pipeline, some of them overdue, so a new user sees a living department.
Idempotent: does nothing once any deal exists. Goes through the real services (so ledgers, units and the
audit log agree), acting as the demo account that owns each step."""
from __future__ import annotations

from datetime import timedelta

from app.core.auth import load_user
from app.core.fields import FormValues
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline import services
from app.pipeline.tables import Deal
from piccolo.apps.user.tables import BaseUser

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞", "徐涛", "孙丽", "马超", "朱琳"]
# valid 18-digit IDs (checksums computed below)


def _id(i: int) -> str:
    from app.core.validators import id_check_char

    first17 = f"320506{1970 + i % 30}{(i % 12) + 1:02d}{(i % 27) + 1:02d}{100 + i:03d}"
    return first17 + id_check_char(first17)


async def _user(username: str):
    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    return await load_user(row["id"])


async def seed_settings() -> None:
    """The pipeline's limits and the deed-tax table, added where missing (administrators' edits are kept)."""
    from decimal import Decimal

    from app.pipeline.rules import DEFAULT_DEED_TAX
    from app.pipeline.tables import DeedTaxBand, PipelineSetting

    for key, (label, value) in services.settings_spec().items():
        if not await PipelineSetting.exists().where(PipelineSetting.key == key):
            await PipelineSetting.insert(PipelineSetting(key=key, label=label, value=value))
    from app.pipeline.tables import ChecklistItem

    for kind, names in services.DEFAULT_CHECKLISTS.items():
        if not await ChecklistItem.exists().where(ChecklistItem.checklist == kind):
            await ChecklistItem.insert(*[ChecklistItem(checklist=kind, name=n, sort=i + 1, active=True) for i, n in enumerate(names)])
    note = "财政部 税务总局 住建部公告2024年第16号"
    # the 三套及以上 rate used to be the setting statutory_deed_tax: it moves into the table (one source per rate)
    old = await PipelineSetting.select(PipelineSetting.value).where(PipelineSetting.key == "statutory_deed_tax").first()
    for b in DEFAULT_DEED_TAX:
        if not await DeedTaxBand.exists().where(DeedTaxBand.homes == b.homes):
            rate = Decimal(old["value"]) if old and b.homes == "三套及以上" else b.rate
            await DeedTaxBand.insert(*[DeedTaxBand(homes=x.homes, max_area=x.max_area, rate=rate if x.homes == "三套及以上" else x.rate,
                                                   note=note if x.homes != "三套及以上" else "地方法定税率（3%–5%）")
                                       for x in DEFAULT_DEED_TAX if x.homes == b.homes])
    if old:
        await PipelineSetting.delete().where(PipelineSetting.key == "statutory_deed_tax")


async def pay_deposit(accountant, deal_id: int, on=None) -> None:
    """财务 records the whole 定金 of a 待收定金 subscription through the real service: the deal becomes 已认购 (A1)."""
    from app.pipeline.receipts import record_receipt
    from app.pipeline.tables import Instalment

    inst = await Instalment.select().where((Instalment.deal == deal_id) & (Instalment.kind == "定金")).first()
    await record_receipt(accountant, deal_id, FormValues(instalment=str(inst["id"]), amount=f"{inst['amount_due']:.2f}",
                                                      received_on=(on or today_local()).isoformat(), method="转账",
                                                      voucher_no=f"DJ2026{deal_id:05d}", note="定金"))


async def _deposit_on(deal_id: int, on) -> None:
    """The 定金 was received on the (back-dated) subscription day: its instalment, receipt and the deal say so."""
    from app.pipeline.tables import Instalment, Receipt

    await Instalment.update({Instalment.due_on: on, Instalment.received_on: on}).where((Instalment.deal == deal_id) & (Instalment.kind == "定金"))
    await Receipt.update({Receipt.received_on: on}).where((Receipt.deal == deal_id) & (Receipt.kind == "定金"))
    await Deal.update({Deal.deposit_received_on: on}).where(Deal.id == deal_id)


async def _down_payment(accountant, deal_id: int, signed, i: int) -> None:
    """收款登记 of the 首付款 through the real service, two days after signing; deal 4 stays in arrears, deal 7 paid in part."""
    from decimal import Decimal

    from app.pipeline.receipts import record_receipt
    from app.pipeline.tables import Instalment

    inst = await Instalment.select().where((Instalment.deal == deal_id) & (Instalment.kind == "首付款")).first()
    if not inst or i == 4:
        return
    amount = Decimal(inst["amount_due"]) if i != 7 else (Decimal(inst["amount_due"]) / 2).quantize(Decimal("0.01"))
    await record_receipt(accountant, deal_id, FormValues(instalment=str(inst["id"]), amount=f"{amount:.2f}", received_on=(signed + timedelta(days=2)).isoformat(),
                                                      method="转账" if i % 2 else "POS", voucher_no=f"SJ2026{deal_id:05d}", note="首付款"))


async def _pay_fund(bureau, unit_id: int, on, receipt: str) -> None:
    """A unit's maintenance fund paid before its handover (A6 6d), recorded in the permits register (SPEC §C)."""
    from app.permits import services as permits
    from app.estate.tables import Unit as U

    project = (await U.select(U.project).where(U.id == unit_id).first())["project"]
    fund = await permits.fund_for_project(project)
    if fund is None:  # the permits register is seeded after the pipeline (alphabetical order): its fund accounts first
        from seeds import permits as permits_seed

        await permits_seed.seed()
        fund = await permits.fund_for_project(project)

    await permits.record_payment(bureau, fund["id"], FormValues(unit=str(unit_id), paid_on=on.isoformat(), receipt_no=receipt))
async def _filing(contract, bureau, deal_id: int, signed, today, i: int) -> None:
    """A4 through its states: the 合同专员 prepares the file, the 房管局专员 submits and records the 备案号; deals signed
    25 days ago or more go on to the pre-registration and the hand-over of the filed contracts."""
    from app.pipeline.tables import DealDocument

    await services.filing_step(contract, deal_id, "prepare", FormValues(on=(signed + timedelta(days=1)).isoformat()))
    await DealDocument.update({DealDocument.received_on: signed + timedelta(days=3)}).where(
        (DealDocument.deal == deal_id) & (DealDocument.stage == "备案"))
    await services.filing_step(bureau, deal_id, "submit", FormValues(acceptance_no=f"BS{2026100 + i}", on=(signed + timedelta(days=5)).isoformat()))
    await services.filing_step(bureau, deal_id, "filed", FormValues(filing_no=f"BA{2026100 + i}", on=(signed + timedelta(days=12)).isoformat()))
    if signed + timedelta(days=22) <= today:
        await services.filing_step(bureau, deal_id, "prereg_submit", FormValues(on=(signed + timedelta(days=13)).isoformat()))
        await services.filing_step(bureau, deal_id, "prereg", FormValues(prereg_no=f"YG{2026100 + i}", on=(signed + timedelta(days=20)).isoformat()))
        await services.filing_step(contract, deal_id, "handed", FormValues(on=(signed + timedelta(days=22)).isoformat()))


async def settle_all(accountant, deal_id: int, on, tag: str) -> None:
    """收款登记 of everything a deal still owes (the 面积差 among it), through the real service."""
    from app.pipeline.receipts import outstanding, record_receipt
    from app.pipeline.tables import Instalment

    for inst in await Instalment.select().where(Instalment.deal == deal_id):
        left = outstanding(inst)
        if left > 0:
            await record_receipt(accountant, deal_id, FormValues(instalment=str(inst["id"]), amount=f"{left:.2f}", received_on=on.isoformat(),
                                                              method="转账", voucher_no=f"SJ{tag}{inst['id']:05d}", note=f"{inst['kind']}结清"))


async def _title(title, accountant, deal_id: int, today, i: int, goal: str) -> None:
    """A7 through its states: documents complete, fees assessed, the balance settled, submitted; 办证 goes on to delivery."""
    from app.pipeline.tables import Deal, DealDocument

    await DealDocument.update({DealDocument.received_on: today}).where((DealDocument.deal == deal_id) & (DealDocument.stage == "产权证"))
    await services.title_step(title, deal_id, "complete", FormValues())
    await services.title_step(title, deal_id, "fees", FormValues(home_count="首套" if i % 4 else "二套", copies="1" if i % 2 else "2"))
    await settle_all(accountant, deal_id, today, "T")
    await services.title_step(title, deal_id, "submit", FormValues(acceptance_no=f"SL{2026500 + i}", on=today.isoformat()))
    if goal == "递交":
        return
    for action, extra in (("review", {}), ("booked", {}), ("issued", {"cert_no": f"苏(2026)苏州市不动产权第{7000000 + i}号"}), ("notify", {})):
        await services.title_step(title, deal_id, action, FormValues(on=today.isoformat(), **extra))
    buyer = await Deal.select(Deal.buyer.name, Deal.buyer.id_number).where(Deal.id == deal_id).first()
    await services.title_step(title, deal_id, "deliver", FormValues(recipient=buyer["buyer.name"], recipient_id_type="居民身份证",
                                                                recipient_id_number=buyer["buyer.id_number"], on=today.isoformat()))


async def seed() -> None:
    await seed_settings()
    if not await Deal.exists():
        await seed_deals()
    await seed_steps()


async def seed_steps() -> None:
    """Each pipeline step's own idempotent demo data: seeds/pipeline_<step>.py with `async def seed()`, after the deals."""
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("pipeline_*.py")):
        await importlib.import_module(f"seeds.{path.stem}").seed()


async def _entries_on(deal_id: int, on) -> None:
    """The same-day entries of a back-dated signing were made on its signing day (17:00)."""
    from datetime import datetime, time

    from app.core.timeutil import SHANGHAI
    from app.pipeline.tables_signing import SigningEntry

    await SigningEntry.update({SigningEntry.done_at: datetime.combine(on, time(17, 0), tzinfo=SHANGHAI)}).where(SigningEntry.deal == deal_id)


async def _check_and_draft(sales, contract, deal: dict, u: dict, total, down, delivery, *, draft: bool, contract_no: str, online_no: str,
                           printed: bool = True) -> None:
    """A2 through its states: the 置业顾问 submits the 审核单 (the 定金 receipt), the 合同专员 receives the 签约 documents and
    passes it; unless only the check is wanted, the contract is entered in the 网签 system and printed for signature."""
    from app.pipeline.tables import DealDocument, Receipt

    receipt = await Receipt.select(Receipt.voucher_no).where(Receipt.deal == deal["id"]).order_by(Receipt.id).first()
    loan = deal["payment_method"] in services.LOAN_METHODS
    await services.submit_check(sales, deal["id"], FormValues(
        area=f"{u['area_build']:.2f}", unit_price=f"{u['unit_price']:.2f}", total_price=f"{total:.2f}", payment_method=deal["payment_method"],
        down_payment=f"{down:.2f}", receipt_no=receipt["voucher_no"], loan_amount=f"{total - down:.2f}" if loan else "",
        loan_bank="中国建设银行" if loan else "", delivery_due=delivery.isoformat(), title_deadline=(delivery + timedelta(days=90)).isoformat()))
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "签约"))
    await services.check(contract, deal["id"], FormValues(result="审核通过", checks=list(services.SIGN_CHECKS)))
    if draft:
        await services.draft(contract, deal["id"], FormValues(contract_no=contract_no, online_no=online_no))
        if printed:
            await services.printed(contract, deal["id"], FormValues())


async def seed_deals() -> None:
    today = today_local()
    mortgage, bureau, supervisor, title, accountant = [await _user(u) for u in ("mortgage", "bureau", "supervisor", "title", "accountant")]
    # targets: how far each deal goes (three rounds over both projects' first buildings)
    plan = ["认购", "认购", "审核", "签约", "签约", "按揭", "备案", "备案", "通知", "交房", "交房", "递交", "办证", "签约"] * 3
    units = await Unit.select(Unit.id, Unit.unit_price, Unit.total_price, Unit.area_build, Unit.area_inner, Unit.project.code).where(
        Unit.status == "可售").order_by(Unit.floor).order_by(Unit.id).limit(len(plan))
    for i, (u, goal) in enumerate(zip(units, plan)):
        loan = i % 3 == 0
        if u["project.code"] != "JC01":
            sales, contract = await _user("sales3"), await _user("contract2")
        else:
            sales, contract = await _user("sales"), await _user("contract")
        total = u["total_price"]
        down = (total * 3 / 10).quantize(total.__class__("0.01")) if loan else total
        v = FormValues(name=NAMES[i % len(NAMES)], id_type="居民身份证", id_number=_id(i), mobile=f"139{10000000 + i * 7777:08d}", address="苏州市吴中区",
                    marital="已婚" if i % 2 else "未婚", spouse_name="配偶" if i % 2 else "", co_ownership="单独所有",
                    unit_price=f"{u['unit_price']:.2f}", total_price=f"{total:.2f}", deposit="50000.00",
                    payment_method="商贷" if loan else "一次性", down_payment=f"{down:.2f}", action="submit")
        deal = await services.subscribe(sales, u["id"], v)  # no 优惠: 待收定金
        await pay_deposit(accountant, deal["id"])  # 财务 receives the 定金: 已认购
        if i == 1:  # an overdue subscription (the reminder run marks it 逾期未签)
            await Deal.update({Deal.sign_deadline: today - timedelta(days=2)}).where(Deal.id == deal["id"])
        if goal == "认购":
            continue
        await _check_and_draft(sales, contract, deal, u, total, down, today + timedelta(days=20 + i), draft=goal != "审核",
                               contract_no=f"{u['project.code']}-2026-{i + 1:04d}", online_no=f"WQ{2026000 + i}")
        if goal == "审核":
            continue
        signed = today - timedelta(days=[0, 0, 0, 3, 35, 10, 12, 40, 50, 60, 70, 80, 90, 33][i % 14] + i // 14)
        await Deal.update({Deal.subscribed_on: signed - timedelta(days=3)}).where(Deal.id == deal["id"])  # subscribed before signing
        await services.sign(contract, deal["id"], FormValues(signed_on=signed.isoformat(), home_count="首套" if i % 4 else "二套"))
        for system in services.SIGN_ENTRIES if i != 3 else services.SIGN_ENTRIES[:1]:  # one contract still misses its RIS/预警 entries
            await services.record_entry(contract, deal["id"], FormValues(system=system))
        await _entries_on(deal["id"], signed)
        await _deposit_on(deal["id"], signed - timedelta(days=3))
        if signed <= today - timedelta(days=7):  # past its down payment: finance has recorded it (one in arrears, one paid in part)
            await _down_payment(accountant, deal["id"], signed, i)
        if loan and goal != "签约":  # documents in and 面签 done (seeds/pipeline_mortgage.py), then the bank
            from seeds.pipeline_mortgage import face_signed, submission

            await face_signed(deal["id"], signed + timedelta(days=3))
            await services.mortgage_step(mortgage, deal["id"], "bank_submit", submission({**deal, "loan_amount": total - down,
                                                                                          "loan_bank": "中国建设银行"}, signed + timedelta(days=4)))
            if goal != "按揭":  # the 按揭 goal stays at the bank, past its 5-WD limit
                await services.mortgage_step(mortgage, deal["id"], "bank_approve", FormValues(on=(signed + timedelta(days=7)).isoformat()))
                await services.mortgage_step(mortgage, deal["id"], "register_submit", FormValues(on=(signed + timedelta(days=8)).isoformat()))
                await services.mortgage_step(mortgage, deal["id"], "register", FormValues(on=(signed + timedelta(days=9)).isoformat(),
                                                                                       reg_cert_no=f"苏(2026)预抵字第{3000 + i}号"))
                await services.mortgage_step(mortgage, deal["id"], "release_apply", FormValues(on=(signed + timedelta(days=9)).isoformat()))
                await services.mortgage_step(mortgage, deal["id"], "release", FormValues(on=(signed + timedelta(days=10)).isoformat(),
                                                                                      amount=f"{total - down:.2f}"))
        if goal in ("签约", "按揭"):
            continue
        await _filing(contract, bureau, deal["id"], signed, today, i)
        if goal == "备案":
            continue
        await services.handover_notice(supervisor, deal["id"], FormValues(on=(today - timedelta(days=5)).isoformat(), tracking=f"EMS{900 + i}"))
        if goal == "通知":
            continue
        # the handover day (A6): appointment, identity check, the maintenance fund paid in the permits register
        await services.handover_book(supervisor, deal["id"], FormValues(appointment_on=(today - timedelta(days=3)).isoformat(), appointment_time="09:30"))
        await services.handover_identify(supervisor, deal["id"], FormValues(identity_by="本人", checked="1"))
        await _pay_fund(bureau, u["id"], today - timedelta(days=4), f"WXJ{2026300 + i}")
        deviation = [0, 2, -1, 4, 0][i % 5]
        area = u["area_build"] + (u["area_build"] * deviation / 100).quantize(u["area_build"].__class__("0.01"))
        inner = u["area_inner"] + (u["area_inner"] * deviation / 100).quantize(u["area_inner"].__class__("0.01"))
        await services.handover(supervisor, deal["id"], FormValues(on=(today - timedelta(days=3)).isoformat(), surveyed_area=f"{area:.2f}",
                                                               surveyed_inner_area=f"{inner:.2f}", keys_count="3",
                                                               meter_readings="水 0012 / 电 0034 / 气 0005"))
        if goal == "交房":
            continue
        await _title(title, accountant, deal["id"], today, i, goal)
