"""The pipeline through its routes, each step by the position that owns it."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.core.validators import id_check_char
from app.estate.tables import Unit
from app.pipeline.tables import Deal, DealDocument, Instalment
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration
_n = [0]


def an_id() -> str:
    _n[0] += 1
    first17 = f"32050619850101{200 + _n[0]:03d}"
    return first17 + id_check_char(first17)


async def free_unit(project: str = "JC01") -> dict:
    return await Unit.select().where((Unit.status == "可售") & (Unit.project.code == project)).order_by(Unit.id, ascending=False).first()


def subscribe_data(unit: dict, **over) -> dict:
    data = {"name": "测试客户", "id_type": "居民身份证", "id_number": an_id(), "mobile": "13912345678", "address": "苏州市", "marital": "未婚",
            "spouse_name": "", "co_ownership": "单独所有", "unit_price": f"{unit['unit_price']:.2f}", "total_price": f"{unit['total_price']:.2f}",
            "deposit": "50000.00", "payment_method": "一次性", "down_payment": f"{unit['total_price']:.2f}", "action": "submit"}
    data.update(over)
    return data


async def post(client, url: str, data: dict, page: str):
    token = await csrf_token(client, page)
    return await client.post(url, data={**data, "_csrf_token": token})


async def pay_deposit(new_client, deal: dict, on=None) -> dict:
    """财务 (the accountant) records the whole 定金 of a 待收定金 subscription: it becomes 已认购 (A1). Returns the deal."""
    acc = await sign_in(await new_client(), "accountant")
    inst = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "定金")).order_by(Instalment.id, ascending=False).first()
    assert inst, "no 定金 instalment: is the subscription 待收定金?"
    _n[0] += 1
    url = f"/pipeline/receipts/{deal['id']}"
    r = await post(acc, url, {"instalment": str(inst["id"]), "amount": f"{inst['amount_due']:.2f}", "received_on": (on or today_local()).isoformat(),
                              "method": "转账", "voucher_no": f"DJ-{deal['id']}-{_n[0]}", "note": "定金"}, url)
    assert r.status_code == 303, r.text[:2000]
    return await Deal.select().where(Deal.id == deal["id"]).first()


async def subscribe_unit(new_client, unit: dict, project: str = "JC01", **over) -> dict:
    """The 置业顾问 submits a 认购书 (no 优惠) for `unit` and 财务 receives the 定金: the deal is 已认购."""
    sales = await sign_in(await new_client(), "sales" if project == "JC01" else "sales3")
    url = f"/pipeline/units/{unit['id']}/subscribe"
    r = await post(sales, url, subscribe_data(unit, **over), url)
    assert r.status_code == 303, r.text[:3000]
    deal = await Deal.select().where(Deal.unit == unit["id"]).order_by(Deal.id, ascending=False).first()
    assert deal["subscription_status"] == "待收定金", deal["subscription_status"]
    return await pay_deposit(new_client, deal)


async def subscribed(new_client, project="JC01", **over) -> tuple[dict, dict]:
    """A 已认购 deal on a free unit (submitted by the 置业顾问, the 定金 received by the accountant). `sign_deadline=`
    sets the signing deadline directly (test data)."""
    deadline = over.pop("sign_deadline", None)
    unit = await free_unit(project)
    deal = await subscribe_unit(new_client, unit, project, **over)
    if deadline:
        from datetime import date as _date

        deadline = _date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
        await Deal.update({Deal.sign_deadline: deadline}).where(Deal.id == deal["id"])
        deal = await Deal.select().where(Deal.id == deal["id"]).first()
    return unit, deal


async def submit_sheet(new_client, unit: dict, deal: dict, *, project: str = "JC01", **over):
    """The 置业顾问 submits the 购房审核单 with the deal's own figures and its 定金 receipt; returns the response."""
    from app.pipeline.tables import Receipt

    sales = await sign_in(await new_client(), "sales" if project == "JC01" else "sales3")
    d = await Deal.select(Deal.all_columns(), Deal.unit.area_build).where(Deal.id == deal["id"]).first()
    receipt = await Receipt.select(Receipt.voucher_no).where(Receipt.deal == deal["id"]).order_by(Receipt.id).first()
    data = {"area": f"{d['unit.area_build']:.2f}", "unit_price": f"{d['unit_price']:.2f}", "total_price": f"{d['total_price']:.2f}",
            "payment_method": d["payment_method"], "down_payment": f"{d['down_payment']:.2f}", "receipt_no": receipt["voucher_no"] if receipt else "",
            "delivery_due": (today_local() + timedelta(days=90)).isoformat(), "title_deadline": (today_local() + timedelta(days=180)).isoformat()}
    if d["payment_method"] in ("商贷", "公积金", "组合"):
        data.update({"loan_amount": f"{d['total_price'] - d['down_payment']:.2f}", "loan_bank": "建行"})
    data.update({k: v for k, v in over.items() if v is not None})
    return await post(sales, f"/pipeline/deals/{deal['id']}/check-sheet", data, f"/pipeline/units/{unit['id']}")


async def check_and_sign(new_client, unit: dict, deal: dict, contract_no: str, *, signed_on=None, project: str = "JC01",
                         check: dict | None = None) -> str:
    """Through every 签约 state: the 置业顾问 submits the 审核单 (`check`: its loan fields, if any); the 合同专员 of the
    unit's project receives the 签约 documents, passes it, records the 网签, prints, and signs (首套); returns the unit page."""
    r = await submit_sheet(new_client, unit, deal, project=project, **(check or {}))
    assert r.status_code == 303, r.text[:2000]
    contract = await sign_in(await new_client(), "contract" if project == "JC01" else "contract2")
    page = f"/pipeline/units/{unit['id']}"
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "签约"))
    from app.pipeline.services import SIGN_CHECKS

    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "checks": list(SIGN_CHECKS)}, page)
    assert r.status_code == 303, r.text[:2000]
    r = await post(contract, f"/pipeline/deals/{deal['id']}/draft", {"contract_no": contract_no, "online_no": f"W-{deal['id']}"}, page)
    assert r.status_code == 303, r.text[:2000]
    r = await post(contract, f"/pipeline/deals/{deal['id']}/printed", {}, page)
    assert r.status_code == 303, r.text[:2000]
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"signed_on": (signed_on or today_local()).isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 303, r.text[:2000]
    return page


async def file_contract(new_client, deal: dict, page: str, *, on=None, prereg: bool = False, project: str = "JC01") -> None:
    """A4 by its owners: the 合同专员 prepares the file (its checklist all in), the 房管局专员 submits and records the 备案号;
    with `prereg`, also the pre-registration."""
    on = (on or today_local()).isoformat()
    contract = await sign_in(await new_client(), "contract" if project == "JC01" else "contract2")
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/filing/prepare", {"on": on}, page)).status_code == 303
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "备案"))
    bureau = await sign_in(await new_client(), "bureau")
    steps = [("submit", {"acceptance_no": f"BS-{deal['id']}"}), ("filed", {"filing_no": f"BA-{deal['id']}"})]
    if prereg:
        steps += [("prereg_submit", {}), ("prereg", {"prereg_no": f"YG-{deal['id']}"})]
    for action, data in steps:
        r = await post(bureau, f"/pipeline/deals/{deal['id']}/filing/{action}", {"on": on, **data}, page)
        assert r.status_code == 303, (action, r.text[:1000])


async def settle(new_client, deal: dict) -> None:
    """The accountant records every amount the deal still owes (收款登记), the 面积差 among them."""
    from app.pipeline.receipts import outstanding

    accountant = await sign_in(await new_client(), "accountant")
    url = f"/pipeline/receipts/{deal['id']}"
    for inst in await Instalment.select().where(Instalment.deal == deal["id"]):
        left = outstanding(inst)
        if left > 0:
            r = await post(accountant, url, {"instalment": str(inst["id"]), "amount": f"{left:.2f}", "received_on": today_local().isoformat(),
                                             "method": "转账", "voucher_no": f"ST-{inst['id']}"}, url)
            assert r.status_code == 303, r.text[:1000]


async def title_to_fees(new_client, deal: dict, page: str, *, homes: str = "首套", copies: int = 1, pay: bool = True):
    """A7 up to 待缴税费 by the 产权专员 (documents all in, fees assessed); with `pay`, the balance settled. Returns the client."""
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "产权证"))
    title = await sign_in(await new_client(), "title")
    assert (await post(title, f"/pipeline/deals/{deal['id']}/title/complete", {}, page)).status_code == 303
    r = await post(title, f"/pipeline/deals/{deal['id']}/title/fees", {"home_count": homes, "copies": str(copies)}, page)
    assert r.status_code == 303, r.text[:1000]
    if pay:
        await settle(new_client, deal)
    return title


async def test_subscription_rules_keep_the_form_and_write_nothing(new_client):
    sales = await sign_in(await new_client(), "sales")
    unit = await free_unit()
    url = f"/pipeline/units/{unit['id']}/subscribe"
    before = await Deal.count()
    too_much = f"{(unit['total_price'] * Decimal('0.2') + Decimal('0.01')):.2f}"
    r = await post(sales, url, subscribe_data(unit, deposit=too_much, id_number="320506198501012999", mobile="123"), url)
    assert r.status_code == 400
    assert "定金不能超过总价的 20%" in r.text and "身份证号校验位不正确" in r.text and "手机号应为 11 位数字" in r.text
    assert 'value="测试客户"' in r.text
    assert 'data-testid="error-summary"' in r.text and "有 3 处需要修改" in r.text  # a long form: a summary at the top (issue 8 §2)
    assert 'href="#f-mobile"' in r.text
    r = await post(sales, url, subscribe_data(unit, co_ownership="按份共有", buyer_share="50.00", co_name="共有人甲", co_id_number=an_id(), co_share="49.00"), url)
    assert r.status_code == 400 and "共有份额合计应为 100%，现为 99.00%" in r.text
    assert await Deal.count() == before
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "可售"
    r = await post(sales, url, subscribe_data(unit, co_ownership="按份共有", buyer_share="50.00", co_name="共有人甲", co_id_number=an_id(), co_share="50.00"), url)
    assert r.status_code == 303
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "保留"  # until the 定金 is in
    again = await post(sales, url, subscribe_data(unit), url)
    assert again.status_code == 400 and "该房源已有在办的认购" in again.text
    deal = await Deal.select().where(Deal.unit == unit["id"]).order_by(Deal.id, ascending=False).first()
    await pay_deposit(new_client, deal)
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已认购"


async def test_signing_needs_the_check_and_the_overseas_filing(new_client):
    hk_id = "810000199001010017"
    hk_id = hk_id[:17] + id_check_char(hk_id[:17])
    unit, deal = await subscribed(new_client, id_type="港澳台居民居住证", id_number=hk_id)
    assert deal["overseas_status"] == "待审批"
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    sign = {"contract_no": f"T-{deal['id']}", "online_no": f"W-{deal['id']}", "signed_on": today_local().isoformat(), "home_count": "首套"}
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)
    assert r.status_code == 400 and "审核单尚未通过" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    assert r.status_code == 303
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)
    assert r.status_code == 400 and "安全厅备案审批" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/overseas", {"overseas_ref": "安审〔2026〕12号"}, page)
    assert r.status_code == 303
    sales = await sign_in(await new_client(), "sales")
    r = await post(sales, f"/pipeline/deals/{deal['id']}/sign", sign, page)
    assert r.status_code == 400 and "您的岗位不能办理「签约」环节" in r.text
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)
    assert r.status_code == 303
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)  # a second click moves nothing
    assert r.status_code == 400
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已签约"
    assert await AuditLog.count().where((AuditLog.entity == "pl_deal") & (AuditLog.entity_id == str(deal["id"])) & (AuditLog.action == "pipeline.sign")) == 1


async def test_loan_must_equal_total_minus_down_payment_and_mortgage_clock(new_client):
    unit, deal = await subscribed(new_client, payment_method="商贷", down_payment="900000.00")
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    bad = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "loan_amount": "1.00", "loan_bank": "建行",
                                                                        "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    assert bad.status_code == 400 and "贷款额应等于总价减首付" in bad.text
    loan = f"{Decimal(deal['total_price']) - Decimal('900000.00'):.2f}"
    ok = await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "loan_amount": loan, "loan_bank": "建行",
                                                                       "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    assert ok.status_code == 303
    await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"L-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    mortgage = await sign_in(await new_client(), "mortgage")
    from tests.integration.pipeline.test_mortgage import LOAN_TERMS, walk_to_face_signed

    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/bank_submit", {"on": today_local().isoformat(), **LOAN_TERMS}, page)
    assert r.status_code == 400 and "状态已经变化" in r.text  # documents and 面签 first
    await walk_to_face_signed(mortgage, deal, page)
    steps = [("bank_submit", LOAN_TERMS), ("bank_approve", {}), ("register_submit", {}), ("register", {"reg_cert_no": "苏(2026)预抵字第1号"}),
             ("release_apply", {})]
    for action, extra in steps:
        r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/{action}", {"on": today_local().isoformat(), **extra}, page)
        assert r.status_code == 303, (action, r.text[:500])
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/release", {"on": today_local().isoformat(), "amount": loan}, page)
    assert r.status_code == 303
    loan_due = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "贷款")).first()
    assert loan_due["received"] == Decimal(loan)


async def test_filing_handover_area_settlement_and_title(new_client):
    unit, deal = await subscribed(new_client)
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    signed = today_local() - timedelta(days=10)
    await Deal.update({Deal.subscribed_on: signed - timedelta(days=2)}).where(Deal.id == deal["id"])  # subscribed before signing
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"F-{deal['id']}", "online_no": "W", "signed_on": signed.isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 303, r.text[:1000]
    bureau = await sign_in(await new_client(), "bureau")
    assert (await post(bureau, f"/pipeline/deals/{deal['id']}/filing/prepare", {"on": (signed - timedelta(days=1)).isoformat()}, page)).status_code == 400
    await file_contract(new_client, deal, page)
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已备案"
    sup = await sign_in(await new_client(), "supervisor")
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": today_local().isoformat()}, page)).status_code == 303
    await ready_for_keys(new_client, unit, deal, page)
    surveyed = (Decimal(unit["area_build"]) * Decimal("1.04")).quantize(Decimal("0.01"))
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "surveyed_area": "abc", "keys_count": "x"}, page)
    assert r.status_code == 400 and "实测建筑面积应为大于 0 的数字" in r.text and "钥匙数量应为整数" in r.text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "surveyed_area": f"{surveyed}", "keys_count": "3"}, page)
    assert r.status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["stage"] == "已交付" and d["area_ratio"] > 3
    # money rounds half up (app/core/money.py), also when the unit picked makes the 3% band end on half a cent
    expected = (Decimal(unit["area_build"]) * 3 / 100 * Decimal(deal["unit_price"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert d["area_amount"] == expected  # above +3%: the buyer pays for the first 3% only
    title = await sign_in(await new_client(), "title")
    r = await post(title, f"/pipeline/deals/{deal['id']}/title/complete", {}, page)
    assert r.status_code == 400 and "办证资料未齐" in r.text
    title = await title_to_fees(new_client, deal, page)
    assert (await post(title, f"/pipeline/deals/{deal['id']}/title/submit", {"acceptance_no": "SL-1", "on": today_local().isoformat()}, page)).status_code == 303
    for action, data in (("review", {}), ("booked", {}), ("issued", {"cert_no": "苏2026-1"}), ("notify", {})):
        assert (await post(title, f"/pipeline/deals/{deal['id']}/title/{action}", {"on": today_local().isoformat(), **data}, page)).status_code == 303
    buyer = await Deal.select(Deal.buyer.name, Deal.buyer.id_number).where(Deal.id == deal["id"]).first()
    assert (await post(title, f"/pipeline/deals/{deal['id']}/title/deliver", {"recipient": buyer["buyer.name"], "recipient_id_type": "居民身份证",
                                                                           "recipient_id_number": buyer["buyer.id_number"],
                                                                           "on": today_local().isoformat()}, page)).status_code == 303
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已办证"
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["stage"] == "已办证" and d["deed_tax"] > 0
    timeline = await title.get(page)
    for stage in ("认购", "签约", "备案", "交房", "产权证"):
        assert f'data-testid="stage-{stage}"' in timeline.text


async def test_void_through_the_approval_chain_returns_the_unit(new_client):
    unit, deal = await subscribed(new_client)
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"V-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    rid, r = await submit(contract, "contract_void", {"deal_ref": f"V-{deal['id']}", "reason": "退房", "penalty_waived": "60000.00", "refund": "50000.00",
                                                      "note": "客户申请退房，原件已收回"})
    assert rid, r.text[:2000]
    assert await chain(rid) == ["supervisor", "dept_head", "sales_manager", "finance_manager", "gm", "president"]
    rid2, r = await submit(contract, "contract_void", {"deal_ref": f"V-{deal['id']}", "reason": "退房", "penalty_waived": "0", "refund": "0", "note": "重复"})
    assert rid2 == 0 and "已有作废申请" in r.text
    for who in ("supervisor", "dept_head", "sales_manager", "finance_manager", "gm", "president"):
        await approve_as(new_client, rid, who)
    assert await status(rid) == "已通过"
    assert (await Deal.select(Deal.stage).where(Deal.id == deal["id"]).first())["stage"] == "已作废"
    # the unit stays signed until the bureau has cancelled the online signing (SPEC A5 step 6), then it is 可售 again
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已签约"
    from app.pipeline.tables import VoidStep

    step = await VoidStep.select().where(VoidStep.deal == deal["id"]).first()
    bureau = await sign_in(await new_client(), "bureau")
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/{step['id']}", {"on": today_local().isoformat(), "receipt_no": "WQZX-1"}, page)
    assert r.status_code == 303
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "可售"


async def test_scope_masking_queue_and_guards(new_client):
    contract = await sign_in(await new_client(), "contract")
    other = await Unit.select(Unit.id).where(Unit.project.code == "JC02").first()
    assert (await contract.get(f"/pipeline/units/{other['id']}")).status_code == 403
    board = await contract.get("/pipeline")
    assert board.status_code == 200 and "锦程·云栖苑" not in board.text.split('id="unit-list"')[1]
    frag = await contract.get("/pipeline?status=已签约", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text
    deal = await Deal.select(Deal.id, Deal.unit, Deal.buyer, Deal.buyer.id_number).where(Deal.project.code == "JC01").first()
    page = await contract.get(f"/pipeline/units/{deal['unit']}")
    assert deal["buyer.id_number"] not in page.text and deal["buyer.id_number"][:6] + "********" in page.text
    token = await csrf_token(contract, f"/pipeline/units/{deal['unit']}")
    full = await contract.post(f"/pipeline/buyers/{deal['buyer']}/unmask", data={"_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert full.status_code == 200 and deal["buyer.id_number"] in full.text
    assert await AuditLog.exists().where((AuditLog.action == "customer.unmask") & (AuditLog.entity_id == str(deal["buyer"])))
    data = await sign_in(await new_client(), "data")
    token = await csrf_token(data, "/pipeline")
    assert (await data.post(f"/pipeline/buyers/{deal['buyer']}/unmask", data={"_csrf_token": token})).status_code == 403
    guard = await sign_in(await new_client(), "guard")
    assert (await guard.get("/pipeline")).status_code == 403 and (await guard.get("/pipeline/queue")).status_code == 403
    bureau = await sign_in(await new_client(), "bureau")
    q = await bureau.get("/pipeline/queue")
    assert q.status_code == 200 and "合同备案" in q.text


async def test_deemed_delivery_after_the_notice_period(new_client):
    unit, deal = await subscribed(new_client)
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"D-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    sup = await sign_in(await new_client(), "supervisor")
    await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": today_local().isoformat()}, page)
    r = await post(sup, f"/pipeline/deals/{deal['id']}/deemed", {}, page)
    assert r.status_code == 400 and "满 15 天后" in r.text
    await Deal.update({Deal.notice_sent_on: today_local() - timedelta(days=16)}).where(Deal.id == deal["id"])
    r = await post(sup, f"/pipeline/deals/{deal['id']}/deemed", {}, page)
    assert r.status_code == 303
    d = await Deal.select(Deal.stage, Deal.handover_status).where(Deal.id == deal["id"]).first()
    assert d == {"stage": "已交付", "handover_status": "视同交付"}


async def test_mortgage_notice_needs_the_department_head(new_client):
    unit, deal = await subscribed(new_client, payment_method="商贷", down_payment="900000.00")
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    loan = f"{Decimal(deal['total_price']) - Decimal('900000.00'):.2f}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "loan_amount": loan, "loan_bank": "建行",
                                                                  "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"N-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat(), "home_count": "首套"}, page)
    mortgage = await sign_in(await new_client(), "mortgage")
    rid, r = await submit(mortgage, "mortgage_notice", {"deal_ref": f"N-{deal['id']}", "deadline": (today_local() + timedelta(days=7)).isoformat()})
    assert rid, r.text[:1500]
    assert await chain(rid) == ["dept_head"]
    await approve_as(new_client, rid, "dept_head")
    assert await status(rid) == "已通过"
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.mortgage_notice") & (AuditLog.entity_id == str(deal["id"])))
    _, r = await submit(mortgage, "mortgage_notice", {"deal_ref": "NO-SUCH", "deadline": "2020-01-01"})
    assert "没有找到该合同" in r.text and "补交截止日期应晚于今天" in r.text


async def test_construction_mortgage_blocks_signing_until_released(new_client):
    unit = await Unit.select().where((Unit.project.code == "JC02") & (Unit.building.name == "3号楼")).order_by(Unit.id).first()
    await Unit.update({Unit.status: "可售"}).where(Unit.id == unit["id"])  # as if its presale permit had been issued
    deal = await subscribe_unit(new_client, unit, "JC02")
    contract = await sign_in(await new_client(), "contract2")
    page = f"/pipeline/units/{unit['id']}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    sign = {"contract_no": f"M-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat(), "home_count": "首套"}
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)
    assert r.status_code == 400 and "在建工程抵押尚未解除" in r.text
    mortgage = await sign_in(await new_client(), "mortgage2")
    project = (await Unit.select(Unit.project).where(Unit.id == unit["id"]).first())["project"]
    rid, r = await submit(mortgage, "mortgage_release", {"project": str(project), "rooms": f"3号楼-{unit['room_no']}", "repayment": "800000.00"})
    assert rid, r.text[:1500]
    assert await chain(rid) == ["finance_manager", "dept_head", "finance_director", "gm"]  # SPEC A8: 财务 computes, then the chain
    for who in ("finance_manager", "dept_head", "finance_director", "gm"):
        await approve_as(new_client, rid, who)
    from tests.integration.pipeline.test_mortgage import release_to_end

    await release_to_end(new_client, rid, unit["id"])  # the flag clears only at 已解押
    assert (await Unit.select(Unit.mortgaged).where(Unit.id == unit["id"]).first())["mortgaged"] is False
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)).status_code == 303
    _, r = await submit(mortgage, "mortgage_release", {"project": str(project), "rooms": "3号楼101", "repayment": "-1"})
    assert "格式应为 楼栋-房号" in r.text and "不能为负数" in r.text


async def test_limits_are_admin_settings(new_client):
    from app.pipeline.tables import DeedTaxBand, PipelineSetting

    assert await DeedTaxBand.count() == 5  # 首套 ×2, 二套 ×2, 三套及以上
    await PipelineSetting.update({PipelineSetting.value: Decimal("0.01")}).where(PipelineSetting.key == "deposit_max_ratio")
    try:
        sales = await sign_in(await new_client(), "sales")
        unit = await free_unit()
        url = f"/pipeline/units/{unit['id']}/subscribe"
        r = await post(sales, url, subscribe_data(unit, deposit="50000.00"), url)
        assert r.status_code == 400 and "定金不能超过总价的 1%" in r.text
    finally:
        await PipelineSetting.update({PipelineSetting.value: Decimal("0.20")}).where(PipelineSetting.key == "deposit_max_ratio")


async def test_pipeline_reminders_go_to_the_owners_once_a_day(running_app):  # the database is prepared by the app fixture
    from app.core.tables import Notification
    from app.pipeline.remind import remind_once

    # earlier tests in the same database may have run the worker today already: start from no pipeline reminders
    await Notification.delete().where(Notification.kind == "pipeline")
    first = await remind_once()
    assert first >= 1  # the seeded deals include an overdue subscription and filings past day 30
    assert await Notification.exists().where((Notification.kind == "pipeline") & Notification.text.like("%合同备案已逾期%"))
    assert await remind_once() == 0


async def test_title_batch_submission_all_or_nothing(new_client):
    """Only deals whose fees are assessed and that owe nothing can be batch-submitted; a batch with one that cannot
    writes nothing."""
    delivered = await Deal.select(Deal.id, Deal.unit).where(Deal.title_status.is_in(["资料收集中", "资料待补"]) & (Deal.stage == "已交付")
                                                            & (Deal.project.code == "JC01")).order_by(Deal.id).limit(2)
    ids = [d["id"] for d in delivered]
    assert len(ids) == 2
    await title_to_fees(new_client, {"id": ids[0]}, f"/pipeline/units/{delivered[0]['unit']}")
    title = await sign_in(await new_client(), "title")
    page = await title.get("/pipeline/title-batch")
    assert page.status_code == 200 and f'data-testid="batch-{ids[0]}"' in page.text and f'data-testid="batch-{ids[1]}"' not in page.text
    token = await csrf_token(title, "/pipeline/title-batch")
    r = await title.post("/pipeline/title-batch", data={"deal_ids": [str(i) for i in ids], "batch_no": "PC-1", "on": today_local().isoformat(), "_csrf_token": token})
    assert r.status_code == 400 and 'data-testid="batch-error"' in r.text
    assert (await Deal.select(Deal.title_status).where(Deal.id == ids[0]).first())["title_status"] == "待缴税费"  # nothing written
    r = await title.post("/pipeline/title-batch", data={"deal_ids": [str(ids[0])], "batch_no": "PC-1", "on": today_local().isoformat(), "_csrf_token": token})
    assert r.status_code == 303
    d = await Deal.select(Deal.title_status, Deal.acceptance_no, Deal.deed_tax, Deal.reg_fee).where(Deal.id == ids[0]).first()
    assert d["title_status"] == "已递交" and d["acceptance_no"] == "PC-1-001" and d["deed_tax"] > 0 and d["reg_fee"] == Decimal("80.00")


async def test_agent_with_power_of_attorney_and_combined_loan_split(new_client):
    sales = await sign_in(await new_client(), "sales")
    unit = await free_unit()
    url = f"/pipeline/units/{unit['id']}/subscribe"
    data = subscribe_data(unit, payment_method="组合", down_payment="900000.00", agent_name="代办人", agent_id_number="123", poa_note="")
    r = await post(sales, url, data, url)
    assert r.status_code == 400 and "身份证号应为 18 位" in r.text and "请填写委托书" in r.text
    data.update(agent_id_number=an_id(), poa_note="委托书 WT-001")
    assert (await post(sales, url, data, url)).status_code == 303
    deal = await pay_deposit(new_client, await Deal.select().where(Deal.unit == unit["id"]).order_by(Deal.id, ascending=False).first())
    from app.pipeline.tables import DealParty

    assert await DealParty.exists().where((DealParty.deal == deal["id"]) & (DealParty.role == "代理人") & (DealParty.note == "委托书 WT-001"))
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    loan = Decimal(deal["total_price"]) - Decimal("900000.00")
    base = {"result": "审核通过", "loan_amount": f"{loan:.2f}", "loan_bank": "公积金中心+建行", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}
    bad = await post(contract, f"/pipeline/deals/{deal['id']}/check", {**base, "commercial_amount": "100.00", "provident_amount": "100.00"}, page)
    assert bad.status_code == 400 and "商贷额与公积金贷款额之和应等于贷款额" in bad.text
    ok = await post(contract, f"/pipeline/deals/{deal['id']}/check", {**base, "commercial_amount": f"{loan - 400000:.2f}", "provident_amount": "400000.00"}, page)
    assert ok.status_code == 303
    d = await Deal.select(Deal.commercial_amount, Deal.provident_amount).where(Deal.id == deal["id"]).first()
    assert d["provident_amount"] == Decimal("400000.00")


async def test_signing_date_before_subscription_is_refused(new_client):
    unit, deal = await subscribed(new_client)
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    early = deal["subscribed_on"] - timedelta(days=1)
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"E-{deal['id']}", "online_no": "W", "signed_on": early.isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 400
    assert f"签约日期不能早于认购日期 {deal['subscribed_on']:%Y-%m-%d}" in r.text and 'data-testid="error-signed_on"' in r.text
    assert f'value="E-{deal["id"]}"' in r.text  # the entered values are kept
    d = await Deal.select(Deal.stage, Deal.signed_on).where(Deal.id == deal["id"]).first()
    assert d == {"stage": "已认购", "signed_on": None}
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"E-{deal['id']}", "online_no": "W", "signed_on": deal["subscribed_on"].isoformat(), "home_count": "首套"}, page)
    assert r.status_code == 303


async def test_unit_handed_over_before_filing_can_still_be_filed(new_client):
    """A unit handed over before its contract was filed: the filing is recorded, the deal and unit stay 已交付."""
    unit, deal = await subscribed(new_client)
    page = await check_and_sign(new_client, unit, deal, f"HF-{deal['id']}")
    sup = await sign_in(await new_client(), "supervisor")
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": today_local().isoformat()}, page)).status_code == 303
    await ready_for_keys(new_client, unit, deal, page)
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                      "keys_count": "2"}, page)).status_code == 303
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已交付"
    await file_contract(new_client, deal, page)  # prepared, submitted and filed though the unit is already handed over
    d = await Deal.select(Deal.stage, Deal.filing_status, Deal.filing_no).where(Deal.id == deal["id"]).first()
    assert d == {"stage": "已交付", "filing_status": "已备案", "filing_no": f"BA-{deal['id']}"}
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "已交付"
    bureau = await sign_in(await new_client(), "bureau")
    assert (await post(bureau, f"/pipeline/deals/{deal['id']}/filing/prereg_submit", {"on": today_local().isoformat()}, page)).status_code == 303
    assert (await post(bureau, f"/pipeline/deals/{deal['id']}/filing/prereg", {"prereg_no": "YG-1", "on": today_local().isoformat()}, page)).status_code == 303
    # the title steps (which need a 已交付 deal) still go on
    title = await title_to_fees(new_client, deal, page)
    assert (await post(title, f"/pipeline/deals/{deal['id']}/title/submit", {"acceptance_no": "SL-H", "on": today_local().isoformat()}, page)).status_code == 303


async def ready_for_keys(new_client, unit: dict, deal: dict, page: str) -> None:
    """After the 交房通知书 (A6): the appointment, the identity check (办理中) and the unit's maintenance fund paid in the
    permits register — the keys may be handed over."""
    from app.permits.tables import MaintenanceFund

    sup = await sign_in(await new_client(), "supervisor")
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": today_local().isoformat(), "appointment_time": "09:30"}, page)
    assert r.status_code == 303, r.text[:2000]
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "本人", "checked": "1"}, page)
    assert r.status_code == 303, r.text[:2000]
    fund = await MaintenanceFund.select(MaintenanceFund.id).where(MaintenanceFund.project == unit["project"]).first()
    bureau = await sign_in(await new_client(), "bureau")
    r = await post(bureau, f"/permits/fund/{fund['id']}/act/pay", {"unit": str(unit["id"]), "paid_on": today_local().isoformat(),
                                                                  "receipt_no": f"WX-{unit['id']}"}, f"/permits/fund/{fund['id']}")
    assert r.status_code == 303, r.text[:2000]


async def _to_handover(new_client, unit_where) -> tuple[dict, dict, str]:
    """A free unit matching `unit_where`, subscribed, signed, notified, booked, identity checked and its maintenance
    fund paid: ready to be handed over (the keys)."""
    unit = await Unit.select().where((Unit.status == "可售") & unit_where).order_by(Unit.id, ascending=False).first()
    assert unit, "no such free unit in the demo data"
    project = "JC01" if (await Unit.select(Unit.project.code).where(Unit.id == unit["id"]).first())["project.code"] == "JC01" else "JC02"
    deal = await subscribe_unit(new_client, unit, project)
    page = await check_and_sign(new_client, unit, deal, f"PB-{deal['id']}", project=project)
    sup = await sign_in(await new_client(), "supervisor")
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": today_local().isoformat()}, page)).status_code == 303
    await ready_for_keys(new_client, unit, deal, page)
    return unit, deal, page


async def test_area_settlement_by_inner_area_for_a_unit_priced_by_inner_area(new_client):
    unit, deal, page = await _to_handover(new_client, (Unit.pricing_basis == "套内面积") & (Unit.project.code == "JC02"))
    sup = await sign_in(await new_client(), "supervisor")
    form = await sup.get(page)
    assert 'data-testid="field-surveyed_inner_area"' in form.text and "按套内面积计价" in form.text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                  "keys_count": "2"}, page)
    assert r.status_code == 400 and "实测套内面积应为大于 0 的数字" in r.text
    inner = (Decimal(unit["area_inner"]) * Decimal("1.02")).quantize(Decimal("0.01"))  # +2% inner, building area unchanged
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                  "surveyed_inner_area": f"{inner}", "keys_count": "2"}, page)
    assert r.status_code == 303, r.text[:1000]
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["area_basis"] == "套内面积" and d["surveyed_inner_area"] == inner
    assert d["area_amount"] == ((inner - Decimal(unit["area_inner"])) * Decimal(deal["unit_price"])).quantize(Decimal("0.01")) > 0
    due = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "面积差")).first()
    assert due["amount_due"] == d["area_amount"]


async def test_unit_priced_per_unit_has_no_area_settlement(new_client):
    unit, deal, page = await _to_handover(new_client, Unit.pricing_basis == "按套")
    sup = await sign_in(await new_client(), "supervisor")
    form = await sup.get(page)
    assert 'data-testid="area-per-unit"' in form.text and 'data-testid="field-surveyed_area"' not in form.text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "keys_count": "2"}, page)
    assert r.status_code == 303, r.text[:1000]
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["area_basis"] == "按套" and d["area_amount"] == Decimal("0.00") and d["surveyed_area"] is None
    assert not await Instalment.exists().where((Instalment.deal == deal["id"]) & (Instalment.kind == "面积差"))
    timeline = await sup.get(page)
    assert "按套计价，不结算面积差" in timeline.text


async def test_deed_tax_follows_home_count_and_price_after_area_settlement(new_client):
    from app.pipeline.tables import DeedTaxBand

    unit, deal = await subscribed(new_client)
    contract = await sign_in(await new_client(), "contract")
    page = f"/pipeline/units/{unit['id']}"
    await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
    sign = {"contract_no": f"DT-{deal['id']}", "online_no": "W", "signed_on": today_local().isoformat()}
    r = await post(contract, f"/pipeline/deals/{deal['id']}/sign", sign, page)
    assert r.status_code == 400 and "请选择购房套数" in r.text and 'data-testid="error-home_count"' in r.text
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/sign", {**sign, "home_count": "三套及以上"}, page)).status_code == 303
    assert (await Deal.select(Deal.home_count).where(Deal.id == deal["id"]).first())["home_count"] == "三套及以上"
    sup = await sign_in(await new_client(), "supervisor")
    await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": today_local().isoformat()}, page)
    await ready_for_keys(new_client, unit, deal, page)
    surveyed = (Decimal(unit["area_build"]) * Decimal("1.01")).quantize(Decimal("0.01"))  # +1%: the buyer pays the difference
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": today_local().isoformat(), "surveyed_area": f"{surveyed}",
                                                                      "keys_count": "2"}, page)).status_code == 303
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    assert d["area_amount"] > 0
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "产权证"))
    title = await sign_in(await new_client(), "title")
    assert (await post(title, f"/pipeline/deals/{deal['id']}/title/complete", {}, page)).status_code == 303
    form = await title.get(page)
    assert '<option value="三套及以上" selected>' in form.text  # the home count recorded at signing
    third = DeedTaxBand.homes == "三套及以上"
    await DeedTaxBand.update({DeedTaxBand.rate: Decimal("4")}).where(third)  # the admin sets the local rate
    try:
        r = await post(title, f"/pipeline/deals/{deal['id']}/title/fees", {"home_count": "三套及以上", "copies": "1"}, page)
        assert r.status_code == 303, r.text[:1000]
    finally:
        await DeedTaxBand.update({DeedTaxBand.rate: Decimal("3")}).where(third)
    d = await Deal.select().where(Deal.id == deal["id"]).first()
    taxable = Decimal(deal["total_price"]) + d["area_amount"]
    assert d["deed_tax_rate"] == Decimal("4") and d["deed_tax"] == (taxable * Decimal("0.04")).quantize(Decimal("0.01"))


async def test_voided_unit_page_keeps_every_past_deal_with_timeline_and_records(new_client):
    """A5 voids the contract and returns the unit to 可售; a new buyer subscribes. The unit page still shows the voided
    deal's timeline and its 办理记录 (collapsed), below the current deal — and also while no deal is current."""
    unit, deal = await subscribed(new_client)
    page = await check_and_sign(new_client, unit, deal, f"PV-{deal['id']}")
    contract = await sign_in(await new_client(), "contract")
    rid, r = await submit(contract, "contract_void", {"deal_ref": f"PV-{deal['id']}", "reason": "退房", "penalty_waived": "0", "refund": "50000.00",
                                                      "note": "客户申请退房，原件已收回"})
    assert rid, r.text[:2000]
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    from app.pipeline.tables import VoidStep

    bureau = await sign_in(await new_client(), "bureau")  # A5: the bureau cancels the online signing; then the unit is saleable
    for s in await VoidStep.select().where(VoidStep.deal == deal["id"]).order_by(VoidStep.id):
        r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/{s['id']}", {"on": today_local().isoformat(), "receipt_no": f"HZ-{s['id']}"}, page)
        assert r.status_code == 303, r.text[:1000]
    assert (await Unit.select(Unit.status).where(Unit.id == unit["id"]).first())["status"] == "可售"
    # no current deal: the past deal is still there, with its records
    r = await contract.get(page)
    assert r.status_code == 200 and f'data-testid="past-deal-{deal["id"]}"' in r.text
    past = r.text.split(f'data-testid="past-deal-{deal["id"]}"')[1]
    assert f'data-testid="past-timeline-{deal["id"]}"' in past and f'data-testid="past-{deal["id"]}-stage-签约"' in past
    assert f"签约，合同编号 PV-{deal['id']}" in past.split("</details>")[0]
    # a new buyer subscribes: the current deal on top, the voided one below, each with its own records
    sales = await sign_in(await new_client(), "sales")
    url = f"/pipeline/units/{unit['id']}/subscribe"
    fresh = await Unit.select().where(Unit.id == unit["id"]).first()
    assert (await post(sales, url, subscribe_data(fresh, name="新客户"), url)).status_code == 303
    r = await contract.get(page)
    current_part, past_part = r.text.split('data-testid="past-deals"')
    assert 'data-testid="unit-timeline"' in current_part and f"签约，合同编号 PV-{deal['id']}" not in current_part
    assert f'data-testid="past-deal-{deal["id"]}"' in past_part and f"签约，合同编号 PV-{deal['id']}" in past_part
    assert "<details" in past_part  # collapsed


async def test_filing_limit_admin_change_applies_to_ledger_and_pipeline(new_client):
    """One source per limit: the admin's filing_days is what the 备案台账 (days left, the 逾期 filter), the unit
    timeline and the bureau's work queue all use — they used to disagree (the ledger kept a constant 30)."""
    from app.pipeline.tables import PipelineSetting

    unit, deal = await subscribed(new_client)
    signed = today_local() - timedelta(days=12)
    await Deal.update({Deal.subscribed_on: signed - timedelta(days=1)}).where(Deal.id == deal["id"])
    no = f"FL-{deal['id']}"
    page = await check_and_sign(new_client, unit, deal, no, signed_on=signed)
    bureau = await sign_in(await new_client(), "bureau")

    async def views() -> tuple[str, bool, bool, bool]:
        ledger = await bureau.get(f"/ledgers/filings?q={no}")
        overdue_filter = await bureau.get(f"/ledgers/filings?q={no}&status=逾期")
        timeline = (await bureau.get(page)).text.split('data-testid="stage-备案"')[1].split("</li>")[0]
        queue = (await bureau.get("/pipeline/queue")).text
        row = next((line for line in queue.split("<tr")[1:] if deal["number"] in line and "合同备案" in line), "")
        assert row, "the deal is in the bureau's queue"
        in_filter = any(no in r for r in overdue_filter.text.split('data-testid="row"')[1:])
        return ledger.text, in_filter, "逾期" in timeline, "table-danger" in row

    from app.core.workdays import add_calendar_days

    text, in_overdue, timeline_overdue, queue_overdue = await views()
    left = (await add_calendar_days(signed, 30) - today_local()).days  # 18, or more when day 30 is a rest day (民法典 203)
    assert f"剩 {left} 天" in text and not in_overdue and not timeline_overdue and not queue_overdue  # the SPEC's 30 days
    key = PipelineSetting.key == "filing_days"
    await PipelineSetting.update({PipelineSetting.value: Decimal("1")}).where(key)  # the admin shortens it
    try:
        text, in_overdue, timeline_overdue, queue_overdue = await views()
        late = (today_local() - await add_calendar_days(signed, 1)).days
        assert late > 0 and f"逾期 {late} 天" in text and in_overdue  # the ledger
        assert timeline_overdue and queue_overdue  # the pipeline
    finally:
        await PipelineSetting.update({PipelineSetting.value: Decimal("30")}).where(key)


async def test_checklists_and_instalment_offsets_are_admin_settings(new_client):
    from app.pipeline.tables import ChecklistItem, PipelineSetting

    assert [r["name"] for r in await ChecklistItem.select(ChecklistItem.name).where(ChecklistItem.checklist == "按揭").order_by(ChecklistItem.sort)][:2] == \
        ["身份证及户口簿", "婚姻证明"]
    await ChecklistItem.update({ChecklistItem.active: False}).where((ChecklistItem.checklist == "按揭") & (ChecklistItem.name == "征信授权书"))
    extra = await ChecklistItem.insert(ChecklistItem(checklist="按揭", name="公积金缴存证明", sort=99, active=True)).returning(ChecklistItem.id)
    await PipelineSetting.update({PipelineSetting.value: Decimal("10")}).where(PipelineSetting.key == "down_payment_due_days")
    try:
        unit, deal = await subscribed(new_client, payment_method="商贷", down_payment="900000.00")
        contract = await sign_in(await new_client(), "contract")
        page = f"/pipeline/units/{unit['id']}"
        loan = f"{Decimal(deal['total_price']) - Decimal('900000.00'):.2f}"
        await post(contract, f"/pipeline/deals/{deal['id']}/check", {"result": "审核通过", "loan_amount": loan, "loan_bank": "建行",
                                                                      "delivery_due": (today_local() + timedelta(days=90)).isoformat()}, page)
        assert (await post(contract, f"/pipeline/deals/{deal['id']}/sign", {"contract_no": f"CL-{deal['id']}", "online_no": "W",
                                                                            "signed_on": today_local().isoformat(), "home_count": "二套"}, page)).status_code == 303
        names = [d["name"] for d in await DealDocument.select(DealDocument.name).where(DealDocument.deal == deal["id"])]
        assert "公积金缴存证明" in names and "征信授权书" not in names
        down = await Instalment.select().where((Instalment.deal == deal["id"]) & (Instalment.kind == "首付款")).first()
        assert down["due_on"] == today_local() + timedelta(days=10)
    finally:
        await ChecklistItem.update({ChecklistItem.active: True}).where(ChecklistItem.name == "征信授权书")
        await ChecklistItem.delete().where(ChecklistItem.id == extra[0]["id"])
        await PipelineSetting.update({PipelineSetting.value: Decimal("7")}).where(PipelineSetting.key == "down_payment_due_days")
