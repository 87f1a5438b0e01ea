"""The pipeline's actions. Each is one transaction with one audit row, and moves a deal (and its unit) only by a
conditional update on the state it expects, so a stale page or a double click cannot move anything twice."""
from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from piccolo.engine import engine_finder

from app.core import audit
from app.core.numbering import next_number
from app.core.numbers import format_pct
from app.core.db import write_transaction
from app.core.fields import FormValues, Parser
from app.core.permissions import Perm
from app.core.scope import scoped
from app.core.timeutil import now, today_local
from app.core.validators import mask_id_number, validate_mobile, validate_resident_id
from app.core.workdays import add_calendar_days, add_working_days, period_end
from app.estate.tables import Unit
from app.pipeline import rules
from app.pipeline.tables import Buyer, Deal, DealDocument, DealParty, Defect, Instalment

ID_TYPES = ["居民身份证", "港澳台居民居住证", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "护照", "外国人永久居留身份证"]
OVERSEAS_ID_TYPES = set(ID_TYPES[1:])
CHECKSUM_ID_TYPES = {"居民身份证", "港澳台居民居住证"}
PAYMENT_METHODS = ["一次性", "分期", "商贷", "公积金", "组合"]
LOAN_METHODS = {"商贷", "公积金", "组合"}
MARITAL = ["未婚", "已婚", "离异", "丧偶"]
CO_OWNERSHIP = ["单独所有", "共同共有", "按份共有"]
VOID_REASONS = ["退房", "换房", "更名/增减共有人", "录入错误", "贷款未获批", "面积误差>3%", "质量问题", "不可抗力", "其他"]
# The document checklists' SPEC defaults (A3 step 1, A7 step 1): seeded into ChecklistItem, read from there.
DEFAULT_CHECKLISTS = {
    "按揭": ("身份证及户口簿", "婚姻证明", "收入证明及6个月银行流水", "首付款收据", "买卖合同", "征信授权书"),
    "产权证": ("登记申请书", "身份证明", "已备案合同", "销售不动产发票", "契税完税凭证", "维修资金收据", "房屋测绘报告"),
    "备案": ("备案申请表", "已签署的买卖合同", "买受人身份证明", "公司营业执照", "商品房预售许可证", "委托书"),  # A4 step 1
    "归档原件": ("认购书", "买卖合同原件", "购房审核单", "身份证明复印件", "首付款收据"),  # the archive's originals per deal
}

# Who owns each stage (the work queue and the action forms follow this).
STAGE_OWNER = {"认购": "sales", "签约": "contract", "按揭": "mortgage", "备案": "bureau", "交房": "supervisor", "产权证": "title"}


# Every limit of the pipeline, its ledgers and the archive: PipelineSetting rows edited in the admin, seeded with
# these SPEC defaults (seeds/pipeline.py adds missing keys on every start). Code reads the setting, never a constant.
SETTINGS: dict[str, tuple[str, Decimal]] = {  # key: (label, SPEC default)
    "deposit_max_ratio": ("定金占总价的最高比例", Decimal("0.20")),
    "sign_days": ("认购后签约期限（天）", Decimal("5")),
    "mortgage_docs_days": ("签约后按揭资料提交期限（天）", Decimal("7")),
    "bank_approval_amber_wd": ("银行审批盖章：黄色提醒（工作日）", Decimal("3")),
    "bank_approval_wd": ("银行审批盖章时限（工作日，超过为红色）", Decimal("5")),
    "mortgage_register_days": ("银行批复后办理抵押登记的期限（天）", Decimal("15")),
    "release_wd": ("抵押登记后放款时限（工作日）", Decimal("2")),
    "filing_days": ("签约后备案期限（天）", Decimal("30")),
    "filing_remind_1": ("备案提醒：签约后第几天（第一次）", Decimal("20")),
    "filing_remind_2": ("备案提醒：签约后第几天（第二次）", Decimal("25")),
    "filing_remind_3": ("备案提醒：签约后第几天（第三次）", Decimal("28")),
    "down_payment_due_days": ("签约后首付款（扣除定金）的付款期限（天）", Decimal("7")),
    "balance_due_days": ("一次性/分期付款：签约后余款的付款期限（天）", Decimal("30")),
    "loan_due_days": ("按揭：签约后贷款到账的期限（天）", Decimal("60")),
    "dunning_1": ("回款催缴：第一次催缴（逾期第几天）", Decimal("1")),
    "dunning_2": ("回款催缴：第二次催缴（逾期第几天）", Decimal("7")),
    "dunning_3": ("回款催缴：第三次催缴（逾期第几天）", Decimal("15")),
    "dunning_demand": ("回款催缴：发书面催告（逾期第几天）", Decimal("30")),
    "handover_queue_days": ("合同交付日前多少天列入交房待办", Decimal("60")),
    "deemed_delivery_days": ("交房通知发出后视同交付的天数", Decimal("15")),
    "defect_due_days": ("交房整改单的整改期限（天）", Decimal("15")),
    "title_days": ("交房后办证期限（天，合同未约定时）", Decimal("90")),
    "area_tolerance_pct": ("面积误差比界限（±%，超出部分按规定处理）", Decimal("3")),
    "area_due_days": ("交房后面积差款项的结清期限（天）", Decimal("30")),
    "loan_default_days": ("资料借阅：默认借阅天数", Decimal("7")),
    "loan_max_days": ("资料借阅：最长借阅天数", Decimal("30")),
    "void_bureau_wd": ("合同作废批准后办理网签、备案、预告登记及贷款注销的时限（工作日）", Decimal("5")),
    "void_refund_days": ("合同作废批准后向客户退款的期限（天）", Decimal("30")),
}

_LIMITS: ContextVar[dict[str, Decimal] | None] = ContextVar("pipeline_limits", default=None)


def settings_spec() -> dict[str, tuple[str, Decimal]]:
    """Every pipeline limit with its label and SPEC default: the ones above plus each step module's `SETTINGS`."""
    from app.pipeline import steps

    return {**SETTINGS, **steps.collect_dict("SETTINGS")}


async def setting(key: str) -> Decimal:
    return (await all_settings())[key]


async def _read_settings() -> dict[str, Decimal]:
    from app.pipeline.tables import PipelineSetting

    values = {k: v for k, (_, v) in settings_spec().items()}
    for r in await PipelineSetting.select(PipelineSetting.key, PipelineSetting.value):
        values[r["key"]] = Decimal(r["value"])
    return values


async def all_settings() -> dict[str, Decimal]:
    """Every pipeline limit in one query (the SPEC default where a key is missing), read once per request
    (app/core/memo.py `kept`: kept by the process while the data version is unchanged). Also kept for
    the rest of this request's context, for the few synchronous readers (current_limits)."""
    from app.core import memo

    values = dict(await memo.kept("pipeline.settings", _read_settings))
    _LIMITS.set(values)
    return values


async def checklist(kind: str) -> list[str]:
    """The active items of a document checklist (admin table ChecklistItem), in order."""
    from app.pipeline.tables import ChecklistItem

    rows = await ChecklistItem.select(ChecklistItem.name, ChecklistItem.active).where(ChecklistItem.checklist == kind).order_by(
        ChecklistItem.sort).order_by(ChecklistItem.id)
    if not rows:  # not seeded yet (an empty checklist is made by deactivating its items)
        return list(DEFAULT_CHECKLISTS[kind])
    return [r["name"] for r in rows if r["active"]]


_FILING_CUTOFF: ContextVar[date | None] = ContextVar("filing_overdue_cutoff", default=None)


async def filing_overdue_cutoff(today: date, limit: int) -> date:
    """The latest signing date whose filing is overdue on `today`: the filing limit counts calendar days and ends on
    the next working day when its last day is a rest day (民法典 第二百零三条), so the unit page, the queue, the ledger,
    its 逾期 filter and the daily report all agree. One calendar load; the due date grows with the signing date, so
    the overdue signing dates are exactly those on or before the cutoff."""
    from app.core.workdays import calendar_for

    cal = await calendar_for(today - timedelta(days=limit + 40), today + timedelta(days=60))
    s = today - timedelta(days=limit + 1)
    while cal.add_calendar_days(s, limit) >= today:
        s -= timedelta(days=1)
    _FILING_CUTOFF.set(s)
    return s


def current_filing_cutoff() -> date:
    """The cutoff computed by this request's filing_overdue_cutoff() (for a synchronous list filter)."""
    value = _FILING_CUTOFF.get()
    if value is None:
        raise RuntimeError("filing cutoff not computed for this request: call `await filing_overdue_cutoff(...)` first")
    return value


def current_limits() -> dict[str, Decimal]:
    """The settings loaded by this request's all_settings() — for synchronous code such as a list filter's WHERE
    clause, which runs after the route loaded them. Raises if nothing loaded them (never a silent default)."""
    values = _LIMITS.get()
    if values is None:
        raise RuntimeError("pipeline settings not loaded for this request: call `await all_settings()` first")
    return values


def filing_reminders(limits: dict[str, Decimal]) -> tuple[int, ...]:
    return tuple(sorted(int(limits[k]) for k in ("filing_remind_1", "filing_remind_2", "filing_remind_3")))


def dunning_steps(limits: dict[str, Decimal]) -> tuple[tuple[int, str], ...]:
    """The 催缴 milestones (SPEC §B: D+1, D+7, D+15, then a 书面催告), latest first."""
    d1, d2, d3, demand = (int(limits[k]) for k in ("dunning_1", "dunning_2", "dunning_3", "dunning_demand"))
    return ((demand, "书面催告"), (d3, f"D+{d3} 催缴"), (d2, f"D+{d2} 催缴"), (d1, f"D+{d1} 催缴"))


async def deed_tax_table() -> list[rules.DeedTaxRate]:
    from app.pipeline.tables import DeedTaxBand

    rows = await DeedTaxBand.select(DeedTaxBand.homes, DeedTaxBand.max_area, DeedTaxBand.rate)
    bands = [rules.DeedTaxRate(r["homes"], Decimal(r["max_area"]) if r["max_area"] is not None else None, Decimal(r["rate"])) for r in rows]
    return bands or list(rules.DEFAULT_DEED_TAX)


def _deed_tax(deal: dict, homes: str, table: list[rules.DeedTaxRate]) -> tuple[Decimal, Decimal, Decimal]:
    """(rate, tax, taxable price) of a handed-over deal: on the price after the area settlement, by the surveyed
    building area (the forecast one for a 按套 unit), at the rate for the buyer's home count."""
    area = Decimal(deal["surveyed_area"] or deal["unit.area_build"])
    taxable = rules.taxable_price(Decimal(deal["total_price"]), deal["area_amount"])
    try:
        rate, tax = rules.deed_tax(taxable, area, homes=homes, table=table)
    except ValueError as e:
        raise PipelineError(str(e)) from None
    return rate, tax, taxable


class PipelineError(Exception):
    def __init__(self, message: str, field: str = "__all__", errors: dict | None = None):
        super().__init__(message)
        self.message, self.field = message, field
        self.errors = errors or {field: message}


def may_act(user, stage: str) -> bool:
    """The stage's owner role, its supervisors, or the system administrator."""
    return user.role in (STAGE_OWNER[stage], "supervisor", "dept_head", "sysadmin") or (stage == "认购" and user.role == "sales_manager") \
        or (stage == "产权证" and user.role in ("contract", "bureau"))


def _require(user, stage: str) -> None:
    if not may_act(user, stage):
        raise PipelineError(f"您的岗位不能办理「{stage}」环节")


async def _move(deal_id: int, where, changes: dict, message: str = "该记录的状态已经变化（可能已被他人办理），请刷新页面") -> dict:
    """Conditional update of a deal: applies `changes` only if `where` still holds. Returns the updated row."""
    changes = {**changes, Deal.version: Deal.version + 1}
    rows = await Deal.update(changes).where((Deal.id == deal_id) & where).returning(*Deal.all_columns())
    if not rows:
        raise PipelineError(message)
    return rows[0]


async def _reminders_done(deal_id: int, step: str) -> None:
    """The reminders (app.pipeline.remind) this step has answered are closed, in the step's transaction."""
    from app.pipeline.remind import step_done

    await step_done(deal_id, step)


async def _unit_status(unit_id: int, from_statuses: list[str], to: str) -> None:
    rows = await Unit.update({Unit.status: to}).where((Unit.id == unit_id) & Unit.status.is_in(from_statuses)).returning(Unit.id)
    if not rows:
        raise PipelineError(f"房源当前状态不允许变为「{to}」，请刷新页面")


async def _audit(user, deal: dict, action: str, summary: str, before: dict | None = None, after: dict | None = None) -> None:
    await audit.record(actor=user, action=f"pipeline.{action}", entity="pl_deal", entity_id=deal["id"], summary=f"{deal['number']} {summary}",
                       before=before, after=after)


# ---------------------------------------------------------------- A1 认购


def _parse_person(p: Parser, prefix: str, label: str, *, required: bool = True) -> dict | None:
    name = p.text(f"{prefix}name", f"{label}姓名", required=required, max_len=50)
    if not required and not name:
        return None
    id_type = p.choice(f"{prefix}id_type", "证件类型", ID_TYPES)
    id_number = p.raw(f"{prefix}id_number").upper()
    if id_type in CHECKSUM_ID_TYPES:
        err = validate_resident_id(id_number)
        if err:
            p.fail(f"{prefix}id_number", err)
    elif not id_number:
        p.fail(f"{prefix}id_number", "请填写证件号码")
    elif len(id_number) > 30:
        p.fail(f"{prefix}id_number", "证件号码最多 30 位")
    mobile = p.raw(f"{prefix}mobile")
    if required or mobile:
        err = validate_mobile(mobile)
        if err:
            p.fail(f"{prefix}mobile", err)
    return {"name": name, "id_type": id_type, "id_number": id_number, "mobile": mobile, "overseas": id_type in OVERSEAS_ID_TYPES}


SUB_BEFORE = ("草稿", "优惠待批", "待收定金")  # before 已认购: Deal.stage 认购中, the unit 保留
SUB_STAGE = "认购中"
SUB_SIGNED = ("已认购", "")  # a subscription in force ("" = a deal from before the states were kept)


def _parse_terms(p: Parser, max_ratio: Decimal) -> dict:
    """成交条件 of the 认购书: price, 优惠, 定金 (≤ 20% of the total), 付款方式, 首付款."""
    unit_price = p.money("unit_price", "成交单价")
    total = p.money("total_price", "成交总价")
    discount = p.text("discount_note", "优惠说明", required=False, max_len=200)
    deposit = p.money("deposit", "定金")
    if deposit is not None and total is not None:
        err = rules.deposit_error(deposit, total, max_ratio)
        if err:
            p.fail("deposit", err)
    method = p.choice("payment_method", "付款方式", PAYMENT_METHODS)
    down = p.money("down_payment", "首付款", allow_zero=True)
    if down is not None and total is not None and down > total:
        p.fail("down_payment", "首付款不能超过总价")
    return {"unit_price": unit_price, "total_price": total, "discount_note": discount, "deposit": deposit, "payment_method": method,
            "down_payment": down}


def _terms_changes(t: dict) -> dict:
    return {Deal.unit_price: t["unit_price"], Deal.total_price: t["total_price"], Deal.discount_note: t["discount_note"], Deal.deposit: t["deposit"],
            Deal.payment_method: t["payment_method"], Deal.down_payment: t["down_payment"],
            Deal.loan_amount: (t["total_price"] - t["down_payment"]) if t["payment_method"] in LOAN_METHODS else Decimal("0.00")}


async def subscribe(user, unit_id: int, values) -> dict:
    """The 置业顾问 fills in the 认购书: saved as a 草稿 (`action=draft`) or submitted at once (see _submit). The unit is
    保留 from now until the 定金 is received (then 已认购) or the subscription ends (then 可售)."""
    _require(user, "认购")
    unit = await Unit.select().where(Unit.id == unit_id).first()
    if not unit:
        raise PipelineError("房源不存在")
    if not user.sees_project(unit["project"]):
        raise PipelineError("该项目不在您的数据范围内")
    p = Parser(values)
    buyer = _parse_person(p, "", "买受人")
    address = p.text("address", "通讯地址", max_len=200)
    marital = p.choice("marital", "婚姻状况", MARITAL)
    spouse = p.text("spouse_name", "配偶姓名", required=marital == "已婚", max_len=50)
    co_ownership = p.choice("co_ownership", "共有方式", CO_OWNERSHIP)
    co_owners = []
    names, ids, shares = p.getall("co_name"), p.getall("co_id_number"), p.getall("co_share")
    for i, name in enumerate(names):
        idn = (ids[i] if i < len(ids) else "").upper()
        share_raw = shares[i] if i < len(shares) else ""
        if not name and not idn and not share_raw:
            continue
        if not name:
            p.fail(f"co_name_{i}", "请填写共有人姓名")
        err = validate_resident_id(idn)
        if err:
            p.fail(f"co_id_number_{i}", err)
        share = None
        if co_ownership == "按份共有":
            share = p.money(f"co_share_{i}", "份额", raw=share_raw)
        co_owners.append({"name": name, "id_number": idn, "share": share})
    buyer_share = p.money("buyer_share", "买受人份额", required=co_ownership == "按份共有") if co_ownership == "按份共有" else None
    agent = None
    if p.raw("agent_name") or p.raw("agent_id_number"):
        agent_name = p.text("agent_name", "代理人姓名", max_len=50)
        agent_id = p.raw("agent_id_number").upper()
        err = validate_resident_id(agent_id)
        if err:
            p.fail("agent_id_number", err)
        poa = p.text("poa_note", "委托书", max_len=200)
        if buyer["overseas"] and "公证" not in poa:
            p.fail("poa_note", "买受人在境外时，委托书须经公证，请注明公证书编号")
        agent = {"name": agent_name, "id_number": agent_id, "note": poa}
    if co_ownership != "单独所有" and not co_owners:
        p.fail("co_name_0", "共同共有或按份共有须填写至少一位共有人")
    if co_ownership == "单独所有" and co_owners:
        p.fail("co_ownership", "单独所有不能有共有人")
    if co_ownership == "按份共有" and buyer_share is not None and all(c["share"] is not None for c in co_owners):
        err = rules.shares_error([buyer_share, *[c["share"] for c in co_owners]])
        if err:
            p.fail("buyer_share", err)
    limits = await all_settings()
    terms = _parse_terms(p, limits["deposit_max_ratio"])
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    draft = (values.get("action") or "") == "draft"
    today = today_local()
    async with write_transaction():
        if await Deal.exists().where((Deal.unit == unit_id) & Deal.stage.not_in(["已作废", "已退订"])):
            raise PipelineError("该房源已有在办的认购或合同，请刷新页面")
        await _unit_status(unit_id, ["可售", "保留"], "保留")
        b = Buyer(name=buyer["name"], id_type=buyer["id_type"], id_number=buyer["id_number"], mobile=buyer["mobile"], address=address,
                  marital=marital, spouse_name=spouse, overseas=buyer["overseas"], created_at=now())
        await b.save()
        t = terms
        deal = Deal(number=await next_number("RG"), unit=unit_id, project=unit["project"], buyer=b.id, co_ownership=co_ownership, stage=SUB_STAGE,
                    subscription_status="草稿", unit_price=t["unit_price"], total_price=t["total_price"], discount_note=t["discount_note"],
                    deposit=t["deposit"], payment_method=t["payment_method"], down_payment=t["down_payment"],
                    loan_amount=(t["total_price"] - t["down_payment"]) if t["payment_method"] in LOAN_METHODS else Decimal("0.00"),
                    # provisional: the real deadline counts `sign_days` from the day the 定金 is received (deposit_received)
                    sign_deadline=today + timedelta(days=int(limits["sign_days"])), salesperson=user.employee_id, subscribed_on=today,
                    overseas_status="待审批" if buyer["overseas"] else "", created_at=now())
        await deal.save()
        await DealParty.insert(DealParty(deal=deal.id, buyer=b.id, role="买受人", share=buyer_share))
        for c in co_owners:
            cb = Buyer(name=c["name"], id_type="居民身份证", id_number=c["id_number"], created_at=now())
            await cb.save()
            await DealParty.insert(DealParty(deal=deal.id, buyer=cb.id, role="共有人", share=c["share"]))
        if agent:
            ab = Buyer(name=agent["name"], id_type="居民身份证", id_number=agent["id_number"], created_at=now())
            await ab.save()
            await DealParty.insert(DealParty(deal=deal.id, buyer=ab.id, role="代理人", note=agent["note"]))
        row = deal.to_dict()
        await audit.record(actor=user, action="pipeline.subscription.draft", entity="pl_deal", entity_id=deal.id,
                           summary=f"{row['number']} 认购书草稿 {unit['room_no']}，总价 {t['total_price']:,.2f} 元，定金 {t['deposit']:,.2f} 元",
                           before={"unit_status": unit["status"]}, after={"unit_status": "保留", "subscription_status": "草稿"})
        if not draft:
            row = await _submit(user, row, Decimal(unit["total_price"]), limits)
    return row


async def _submit(user, deal: dict, list_total: Decimal, limits: dict) -> dict:
    """草稿 → 优惠待批 (a 优惠 beyond the price list: the 认购优惠 request on the approval engine) or → 待收定金 (none).
    Inside the caller's transaction."""
    d = rules.discount_of(list_total, Decimal(deal["total_price"]), deal["discount_note"], limits["discount_manager_max_pct"])
    if d.needs_approval:
        from app.pipeline.steps.subscription import DISCOUNT
        from app.workflow import engine

        result = await DISCOUNT.form.parse({"deal_ref": deal["number"]}, user, None)
        if result.errors:
            raise PipelineError(next(iter(result.errors.values())))
        try:
            req = await engine.submit(user, DISCOUNT, result)
        except engine.WorkflowError as e:
            raise PipelineError(e.message) from None
        row = await Deal.select().where(Deal.id == deal["id"]).first()
        chain = "销售经理、营销副总、总经理" if d.special else "销售经理"
        await _audit(user, row, "subscription.submit", f"提交认购书，优惠 {d.amount:,.2f} 元（表价的 {d.pct}%）"
                     f"{'，特殊优惠' if d.special else ''}，送{chain}审批（{req['number']}）", {"subscription_status": "草稿"},
                     {"subscription_status": "优惠待批"})
        return row
    row = await _move(deal["id"], Deal.subscription_status == "草稿", {Deal.subscription_status: "待收定金"})
    await _open_deposit(row)
    await _audit(user, row, "subscription.submit", f"提交认购书（无优惠），待财务收取定金 {Decimal(row['deposit']):,.2f} 元",
                 {"subscription_status": "草稿"}, {"subscription_status": "待收定金"})
    return row


async def _open_deposit(deal: dict) -> None:
    """待收定金: the 定金 instalment, unpaid; finance's receipt of it makes the subscription 已认购 (deposit_received)."""
    await Instalment.delete().where((Instalment.deal == deal["id"]) & (Instalment.kind == "定金") & (Instalment.received == 0))
    await Instalment.insert(Instalment(deal=deal["id"], kind="定金", amount_due=Decimal(deal["deposit"]), due_on=today_local()))


async def _subscription_deal(user, deal_id: int, statuses: tuple[str, ...]) -> dict:
    deal = await Deal.select(Deal.all_columns(), Deal.unit.total_price, Deal.unit.room_no).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if not user.sees_project(deal["project"]):
        raise PipelineError("该项目不在您的数据范围内")
    if deal["subscription_status"] not in statuses:
        raise PipelineError(f"该认购书当前为「{deal['subscription_status'] or '已认购'}」，不能办理此操作，请刷新页面")
    return deal


async def submit_draft(user, deal_id: int, values) -> dict:
    """A 草稿 (new, or back after its 优惠 was not approved) is submitted, with its 成交条件 as corrected on the form."""
    _require(user, "认购")
    deal = await _subscription_deal(user, deal_id, ("草稿",))
    limits = await all_settings()
    p = Parser(values)
    terms = _parse_terms(p, limits["deposit_max_ratio"])
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, Deal.subscription_status == "草稿", _terms_changes(terms))
        return await _submit(user, row, Decimal(deal["unit.total_price"]), limits)


async def abandon_draft(user, deal_id: int) -> dict:
    """放弃 a 草稿 (the customer did not go on): the subscription ends 已退订 and the unit is 可售 again."""
    _require(user, "认购")
    deal = await _subscription_deal(user, deal_id, ("草稿",))
    async with write_transaction():
        row = await _move(deal_id, Deal.subscription_status == "草稿", {Deal.subscription_status: "已退订", Deal.stage: "已退订"})
        await _unit_status(deal["unit"], ["保留"], "可售")
        await _audit(user, row, "subscription.abandon", "放弃认购书草稿，房源恢复可售", {"subscription_status": "草稿", "unit_status": "保留"},
                     {"subscription_status": "已退订", "unit_status": "可售"})
    return row


async def deposit_received(user, deal_id: int, on: date) -> dict | None:
    """Finance has received the whole 定金 (receipts.record_receipt, in its transaction): 待收定金 → 已认购, the unit
    保留 → 已认购, and the signing deadline runs `sign_days` from that day. Nothing for a deal in another state."""
    deal = await Deal.select(Deal.id, Deal.unit, Deal.subscription_status).where(Deal.id == deal_id).first()
    if not deal or deal["subscription_status"] != "待收定金":
        return None
    deadline = await add_calendar_days(on, int(await setting("sign_days")))
    row = await _move(deal_id, Deal.subscription_status == "待收定金", {
        Deal.subscription_status: "已认购", Deal.stage: "已认购", Deal.subscribed_on: on, Deal.deposit_received_on: on, Deal.sign_deadline: deadline})
    await _unit_status(deal["unit"], ["保留"], "已认购")
    await _audit(user, row, "subscription.deposit", f"定金 {Decimal(row['deposit']):,.2f} 元已收，认购生效，签约截止日 {deadline:%Y-%m-%d}",
                 {"subscription_status": "待收定金", "unit_status": "保留"}, {"subscription_status": "已认购", "unit_status": "已认购"})
    return row


async def expire_subscriptions(today: date) -> list[dict]:
    """After D0 an unsigned subscription is 逾期未签 (a conditional update; audited as the system). Run by the reminders."""
    async with write_transaction():
        rows = await Deal.update({Deal.subscription_status: "逾期未签", Deal.version: Deal.version + 1}).where(
            (Deal.stage == "已认购") & Deal.subscription_status.is_in(list(SUB_SIGNED)) & Deal.signed_on.is_null()
            & (Deal.sign_deadline < today)).returning(Deal.id, Deal.number, Deal.sign_deadline)
        for r in rows:
            await _audit(None, r, "subscription.overdue", f"签约截止日 {r['sign_deadline']:%Y-%m-%d} 已过，客户未签约：逾期未签",
                         {"subscription_status": "已认购"}, {"subscription_status": "逾期未签"})
    return rows


async def subscription_info(deal_id: int) -> dict:
    """The 认购书's 优惠 approvals and 退订 proposals (latest first), for the unit page and the printed 认购书."""
    from app.pipeline.tables_subscription import SubscriptionCancel, SubscriptionDiscount

    discounts = await SubscriptionDiscount.select(SubscriptionDiscount.all_columns(), SubscriptionDiscount.request.number,
                                                  SubscriptionDiscount.request.status).where(
        SubscriptionDiscount.deal == deal_id).order_by(SubscriptionDiscount.id, ascending=False)
    cancels = await SubscriptionCancel.select(SubscriptionCancel.all_columns(), SubscriptionCancel.request.number,
                                              SubscriptionCancel.request.status).where(
        SubscriptionCancel.deal == deal_id).order_by(SubscriptionCancel.id, ascending=False)
    approved = next((x for x in discounts if x["request.status"] == "已通过"), None)
    return {"discounts": discounts, "approved_discount": approved, "cancels": cancels,
            "open_cancel": next((c for c in cancels if c["request.status"] in ("审批中", "已退回")), None)}


async def propose_cancel(user, deal_id: int, values) -> dict:
    """The 销售经理 proposes 退订 or 没收定金 for a 逾期未签 subscription (or one the customer withdraws before its deadline),
    on the approval engine (客服副经理 → 财务)."""
    from app.pipeline.steps.subscription import CANCEL
    from app.workflow import engine

    if not CANCEL.starters.allows(user):
        raise PipelineError("只有销售经理可以提出退订或没收定金")
    deal = await _subscription_deal(user, deal_id, ("已认购", "逾期未签", ""))
    result = await CANCEL.form.parse({**{k: values.get(k) or "" for k in ("outcome", "cause", "note")}, "deal_ref": deal["number"]}, user, None)
    if result.errors:
        raise PipelineError("请修改标红的项目", errors={("__all__" if k == "deal_ref" else k): v for k, v in result.errors.items()})
    try:
        async with write_transaction():
            req = await engine.submit(user, CANCEL, result)
            await _audit(user, deal, "subscription.cancel", f"提出{result.cleaned['outcome']}（{result.cleaned['cause']}），送客服副经理、财务审批（{req['number']}）")
    except engine.WorkflowError as e:
        raise PipelineError(e.message) from None
    return req


# ---------------------------------------------------------------- A2 签约

# 签约 (A2): 审核单待审 → 审核退回 | 审核通过 → 境外审批中 (overseas buyers) → 网签草拟 → 待客户签字 → 已签约
SIGN_STATES = ("审核单待审", "审核退回", "审核通过", "境外审批中", "网签草拟", "待客户签字", "已签约")
SIGN_OPEN = ("审核单待审", "审核退回", "审核通过", "境外审批中", "网签草拟", "待客户签字")
# the 合同专员's checks of the 审核单 (SPEC A2 step 2), each ticked before it passes
SIGN_CHECKS = ("房号、面积、价格与销控数据及认购书一致", "优惠已经审批", "付款方式、交付日期及补充协议已核对", "身份证明、婚姻证明及购房资格证明齐全")
SIGN_ENTRIES = ("合同台账", "RIS", "预警预报系统")  # recorded on the signing day (SPEC A2 step 7)
OUTAGE_PARTIES = ("信息中心", "网通")
DEFAULT_CHECKLISTS["签约"] = ("买受人身份证明", "共有人身份证明", "婚姻证明（结婚证/离婚证/单身声明）", "购房资格证明", "户口簿", "首付款收据")


async def _sign_check(deal_id: int) -> dict | None:
    from app.pipeline.tables_signing import SignCheck

    return await SignCheck.select().where(SignCheck.deal == deal_id).first()


async def _overseas_gate(deal: dict) -> dict | None:
    """The buyer's 境外购房备案 in the permits register (None when the buyer is not overseas or none is registered)."""
    from app.permits import gate

    buyer = await Buyer.select(Buyer.id_number, Buyer.overseas).where(Buyer.id == deal["buyer"]).first()
    if not buyer or not (buyer["overseas"] or deal.get("overseas_status")):
        return None
    return await gate.filing_for(deal["project"], buyer["id_number"])


async def _is_overseas(deal: dict) -> bool:
    buyer = await Buyer.select(Buyer.overseas).where(Buyer.id == deal["buyer"]).first()
    return bool(deal.get("overseas_status")) or bool(buyer and buyer["overseas"])


async def _ensure_filing(user, deal: dict) -> dict:
    """The permits register's record for this overseas buyer, created from the deal if missing (in the caller's transaction)."""
    from app.permits import gate

    info = await Deal.select(Deal.buyer.name, Deal.buyer.id_type, Deal.buyer.id_number, Deal.unit.room_no, Deal.unit.building.name).where(
        Deal.id == deal["id"]).first()
    if not user.employee_id:
        raise PipelineError("您的账号没有对应的员工档案，不能登记境外购房备案")
    return await gate.ensure_filing(user, project_id=deal["project"], buyer_name=info["buyer.name"], id_type=info["buyer.id_type"],
                                    id_no=info["buyer.id_number"], room=f"{info['unit.building.name']} {info['unit.room_no']}")


def _sign_blocks(unit: dict) -> str:
    if unit["sealed"]:
        return "该房源已被查封，不能签约，请上报客服副经理并转法务"
    if unit["mortgaged"]:
        return "该房源的在建工程抵押尚未解除，不能签约；请先发起解押审批"
    return ""


async def submit_check(user, deal_id: int, values) -> dict:
    """The 置业顾问 submits the 购房审核单 (审核单待审), or corrects and resubmits a returned one. The sheet's figures must
    agree with the 认购书; the 首付款 receipt must be a receipt of this deal; 贷款额 = 总价 − 首付; 办证期限 after 交付日期."""
    from app.pipeline.tables import Receipt
    from app.pipeline.tables_signing import SignCheck

    _require(user, "认购")
    deal = await Deal.select(Deal.all_columns(), Deal.unit.area_build, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name).where(
        Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if not user.sees_project(deal["project"]):
        raise PipelineError("该项目不在您的数据范围内")
    p = Parser(values)
    area = p.money("area", "面积")
    unit_price = p.money("unit_price", "单价")
    total = p.money("total_price", "总价")
    method = p.choice("payment_method", "付款方式", PAYMENT_METHODS)
    down = p.money("down_payment", "首付款", allow_zero=True)
    for name, value, expected, label in (("area", area, deal["unit.area_build"], "面积"), ("unit_price", unit_price, deal["unit_price"], "单价"),
                                         ("total_price", total, deal["total_price"], "总价"), ("down_payment", down, deal["down_payment"], "首付款")):
        if value is not None and err_differs(value, expected):
            p.fail(name, f"{label}与认购书及销控数据不一致（应为 {Decimal(expected):,.2f}）")
    if method and method != deal["payment_method"]:
        p.fail("payment_method", f"付款方式与认购书不一致（认购书为{deal['payment_method']}）")
    receipt_no = p.text("receipt_no", "首付款收据号", max_len=50)
    if receipt_no and not await Receipt.exists().where((Receipt.deal == deal_id) & (Receipt.voucher_no == receipt_no) & (Receipt.amount > 0)):
        p.fail("receipt_no", "本交易没有这张收据，请核对财务开具的收据号")
    loan, bank, commercial, provident = Decimal("0.00"), "", Decimal("0.00"), Decimal("0.00")
    if deal["payment_method"] in LOAN_METHODS:
        loan = p.money("loan_amount", "贷款额")
        bank = p.text("loan_bank", "贷款银行", max_len=50)
        if loan is not None:
            err = rules.loan_error(Decimal(deal["total_price"]), Decimal(deal["down_payment"]), loan)
            if err:
                p.fail("loan_amount", err)
        if deal["payment_method"] == "组合":
            commercial = p.money("commercial_amount", "商贷额", allow_zero=True)
            provident = p.money("provident_amount", "公积金贷款额", allow_zero=True)
            if loan is not None and commercial is not None and provident is not None:
                err = rules.loan_split_error(loan, commercial, provident)
                if err:
                    p.fail("provident_amount", err)
    delivery = p.date("delivery_due", "交付日期")
    if delivery and delivery <= today_local():
        p.fail("delivery_due", "交付日期应晚于今天")
    title_deadline = p.date("title_deadline", "办证期限")
    if title_deadline and delivery and title_deadline <= delivery:
        p.fail("title_deadline", "办证期限应晚于交付日期")
    supplement = p.flag("supplement")
    supplement_text = p.text("supplement_text", "补充协议内容", required=supplement, max_len=2000)
    if not supplement and supplement_text:
        p.fail("supplement", "填写了补充协议内容，请勾选“有补充协议”")
    if deal["stage"] != "已认购" or deal["sign_status"] not in ("", "审核退回"):
        p.fail("__all__", "该交易的审核单已提交或已审核，不能再提交")
    elif deal["subscription_status"] not in ("", "已认购"):
        p.fail("__all__", f"认购尚未完成（{deal['subscription_status']}），不能提交审核单")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    parties = await DealParty.select(DealParty.role, DealParty.buyer.name).where(DealParty.deal == deal_id).order_by(DealParty.id)
    buyers = "、".join(f"{x['buyer.name']}（{x['role']}）" for x in parties if x["role"] in ("买受人", "共有人"))[:300]
    room = f"{deal['project.name']} {deal['unit.building.name']} {deal['unit.room_no']}"[:100]
    fields = dict(room=room, buyers=buyers, area=area, unit_price=unit_price, total_price=total, payment_method=method, down_payment=down,
                  receipt_no=receipt_no, loan_amount=loan, loan_bank=bank, commercial_amount=commercial, provident_amount=provident,
                  delivery_due=delivery, title_deadline=title_deadline, supplement=supplement, supplement_text=supplement_text)
    async with write_transaction():
        row = await _move(deal_id, (Deal.stage == "已认购") & Deal.sign_status.is_in(["", "审核退回"]),
                          {Deal.sign_status: "审核单待审", Deal.check_status: "待审"})
        existing = await _sign_check(deal_id)
        if existing:
            await SignCheck.update({**{getattr(SignCheck, k): v for k, v in fields.items()}, SignCheck.status: "待审", SignCheck.submitted_by: user.employee_id,
                                    SignCheck.submitted_at: now()}).where(SignCheck.id == existing["id"])
            number = existing["number"]
        else:
            number = await next_number("SH")
            await SignCheck.insert(SignCheck(deal=deal_id, number=number, status="待审", submitted_by=user.employee_id, submitted_at=now(), **fields))
        if not await DealDocument.exists().where((DealDocument.deal == deal_id) & (DealDocument.stage == "签约")):
            await DealDocument.insert(*[DealDocument(deal=deal_id, stage="签约", name=n) for n in await checklist("签约")])
        await _audit(user, row, "sign.submit", f"{'重新提交' if existing else '提交'}购房审核单 {number}",
                     {"sign_status": deal["sign_status"]}, {"sign_status": "审核单待审"})
    return row


def err_differs(value: Decimal, expected) -> bool:
    return Decimal(value).quantize(Decimal("0.01")) != Decimal(expected).quantize(Decimal("0.01"))


async def check(user, deal_id: int, values) -> dict:
    """The 合同专员's 审核单 check: 通过 (every check of SPEC A2 step 2 ticked, the 签约 documents all received) or 退回补正 with
    a reason (the 置业顾问 corrects and resubmits). An overseas buyer then waits for the permits register's 境外购房备案.
    A deal whose 置业顾问 submitted no sheet (sign_status "": a paper 审核单, imported or older deals) is checked on the
    deal's own figures, the 合同专员 entering the loan and the delivery date as before."""
    from app.pipeline.tables_signing import SignCheck

    _require(user, "签约")
    p = Parser(values)
    result = p.choice("result", "审核结果", ["审核通过", "退回补正"])
    note = p.text("note", "审核意见", required=result == "退回补正", max_len=500)
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    sheet = await _sign_check(deal_id) if deal["sign_status"] == "审核单待审" else None
    changes: dict[Any, Any] = {Deal.check_status: result, Deal.check_note: note}
    if sheet is not None:
        where = (Deal.stage == "已认购") & (Deal.sign_status == "审核单待审")
        if result == "审核通过":
            ticked = set(p.getall("checks"))
            left = [c for c in SIGN_CHECKS if c not in ticked]
            if left:
                p.fail("checks", f"请逐项核对后勾选：{'；'.join(left)}")
            missing = await DealDocument.count().where((DealDocument.deal == deal_id) & (DealDocument.stage == "签约") & DealDocument.received_on.is_null())
            if missing:
                p.fail("checks", f"还有 {missing} 项签约资料未收齐，不能通过")
            changes.update({Deal.loan_amount: sheet["loan_amount"], Deal.loan_bank: sheet["loan_bank"], Deal.commercial_amount: sheet["commercial_amount"],
                            Deal.provident_amount: sheet["provident_amount"], Deal.delivery_due: sheet["delivery_due"],
                            Deal.title_deadline: sheet["title_deadline"]})
    else:
        where = (Deal.stage == "已认购") & (Deal.sign_status == "") & Deal.check_status.is_in(["待审", "退回补正"])
        if deal["sign_status"] not in ("",):
            p.fail("__all__", "审核单不在待审状态，请刷新页面")
        if result == "审核通过":
            if deal["payment_method"] in LOAN_METHODS:
                loan = p.money("loan_amount", "贷款额")
                bank = p.text("loan_bank", "贷款银行", max_len=50)
                if loan is not None:
                    err = rules.loan_error(Decimal(deal["total_price"]), Decimal(deal["down_payment"]), loan)
                    if err:
                        p.fail("loan_amount", err)
                changes.update({Deal.loan_amount: loan or Decimal("0.00"), Deal.loan_bank: bank})
                if deal["payment_method"] == "组合":
                    commercial = p.money("commercial_amount", "商贷额", allow_zero=True)
                    provident = p.money("provident_amount", "公积金贷款额", allow_zero=True)
                    if loan is not None and commercial is not None and provident is not None:
                        err = rules.loan_split_error(loan, commercial, provident)
                        if err:
                            p.fail("provident_amount", err)
                    changes.update({Deal.commercial_amount: commercial or Decimal("0.00"), Deal.provident_amount: provident or Decimal("0.00")})
            delivery = p.date("delivery_due", "交付日期")
            if delivery and deal["signed_on"] is None and delivery <= today_local():
                p.fail("delivery_due", "交付日期应晚于今天")
            changes[Deal.delivery_due] = delivery
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    overseas = await _is_overseas(deal)
    async with write_transaction():
        filing = None
        if result == "审核通过":
            if overseas:
                filing = await _ensure_filing(user, deal)
            from app.permits import gate

            changes[Deal.sign_status] = "境外审批中" if overseas and not gate.approved(filing) else "审核通过"
        elif sheet is not None:
            changes[Deal.sign_status] = "审核退回"
        row = await _move(deal_id, where, changes)
        if sheet is not None:
            await SignCheck.update({SignCheck.status: "通过" if result == "审核通过" else "退回", SignCheck.return_reason: note if result == "退回补正" else "",
                                    SignCheck.checks: "\n".join(c for c in SIGN_CHECKS if c in set(p.getall("checks"))),
                                    SignCheck.reviewer: user.employee_id, SignCheck.reviewed_at: now()}).where(SignCheck.id == sheet["id"])
        label = f"审核单{sheet['number'] + ' ' if sheet else ''}{result}" + (f"：{note}" if note else "")
        if filing is not None:
            label += f"；境外购房备案{filing['status']}"
        await _audit(user, row, "check", label, {"check_status": deal["check_status"], "sign_status": deal["sign_status"]},
                     {"check_status": result, "sign_status": row["sign_status"]})
    return row


async def approve_overseas(user, deal_id: int, values) -> dict:
    """Record the 安全厅备案审批 from the unit page: it is written into the permits register's record for this buyer (the one
    record), and the deal goes on (境外审批中 → 审核通过)."""
    from app.permits import gate

    _require(user, "签约")
    p = Parser(values)
    ref = p.text("overseas_ref", "备案审批文号", max_len=50)
    on = p.date("approved_on", "批准日期", required=False) or today_local()
    if on > today_local():
        p.fail("approved_on", "批准日期不能晚于今天")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if deal["sign_status"] != "境外审批中":
        p.fail("__all__", "该交易不在境外备案审批中，请刷新页面")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    async with write_transaction():
        filing = await _ensure_filing(user, deal)
        if filing["status"] == gate.PENDING:
            if filing["applied_on"] and on < filing["applied_on"]:
                raise PipelineError(f"批准日期不能早于申请日期（{filing['applied_on']:%Y-%m-%d}）", "approved_on")
            if not await gate.approve(user, filing["id"], ref, on):
                raise PipelineError("境外购房备案的状态已经变化，请刷新页面")
        elif filing["status"] != gate.APPROVED:
            raise PipelineError(f"境外购房备案为「{filing['status']}」，不能签约")
        row = await _move(deal_id, (Deal.stage == "已认购") & (Deal.sign_status == "境外审批中"), {Deal.sign_status: "审核通过"})
        await _audit(user, row, "overseas", f"境外购房备案已批准（{ref}）", {"sign_status": "境外审批中"}, {"sign_status": "审核通过"})
    return row


async def _gate_error(deal: dict) -> str:
    """Why the deal may not go on to 网签/签约 now (the overseas filing, a court seal, the construction mortgage), or ""."""
    from app.permits import gate

    if await _is_overseas(deal) and not gate.approved(await _overseas_gate(deal)):
        return "境外/港澳台买受人须先完成安全厅备案审批（证件及手续 › 境外购房备案登记批准），才能签约"
    unit = await Unit.select(Unit.sealed, Unit.mortgaged).where(Unit.id == deal["unit"]).first()
    return _sign_blocks(unit)


async def draft(user, deal_id: int, values) -> dict:
    """网签草拟: the 合同专员 has entered the contract in the 联机备案/网签 system and records its numbers."""
    _require(user, "签约")
    p = Parser(values)
    contract_no = p.text("contract_no", "合同编号", max_len=50)
    online_no = p.text("online_no", "网签号（系统合同编号）", max_len=50)
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if deal["sign_status"] not in ("审核通过", "境外审批中") or await _sign_check(deal_id) is None:
        p.fail("__all__", "审核单尚未通过，不能网签")
    else:
        err = await _gate_error(deal)
        if err:
            p.fail("__all__", err)
    if contract_no and await Deal.exists().where((Deal.contract_no == contract_no) & (Deal.id != deal_id)):
        p.fail("contract_no", "该合同编号已被其他交易使用")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, (Deal.stage == "已认购") & Deal.sign_status.is_in(["审核通过", "境外审批中"]),
                          {Deal.sign_status: "网签草拟", Deal.contract_no: contract_no, Deal.online_no: online_no})
        await _audit(user, row, "sign.draft", f"网签草拟，合同编号 {contract_no}，网签号 {online_no}", {"sign_status": deal["sign_status"]},
                     {"sign_status": "网签草拟"})
    return row


async def printed(user, deal_id: int, values) -> dict:
    """The contract is printed from the 网签 system and waits for the customer's signature and fingerprint."""
    _require(user, "签约")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    async with write_transaction():
        row = await _move(deal_id, (Deal.stage == "已认购") & (Deal.sign_status == "网签草拟"), {Deal.sign_status: "待客户签字"})
        await _audit(user, row, "sign.print", f"合同 {deal['contract_no']} 已打印，待客户签字按手印", {"sign_status": "网签草拟"}, {"sign_status": "待客户签字"})
    return row


async def sign(user, deal_id: int, values) -> dict:
    """已签约: the customer has signed (the signing date). From 待客户签字; a deal checked without a submitted sheet
    (sign_status 审核通过/境外审批中 and no 审核单) records its contract and 网签 numbers here in one step."""
    _require(user, "签约")
    p = Parser(values)
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    one_step = deal["sign_status"] in ("审核通过", "境外审批中", "") and await _sign_check(deal_id) is None
    if one_step:
        contract_no = p.text("contract_no", "合同编号", max_len=50)
        online_no = p.text("online_no", "网签备案号", max_len=50)
    else:
        contract_no, online_no = deal["contract_no"], deal["online_no"]
    signed_on = p.date("signed_on", "签约日期")
    homes = p.choice("home_count", "购房套数", rules.HOME_COUNTS)
    if signed_on and signed_on > today_local():
        p.fail("signed_on", "签约日期不能晚于今天")
    if signed_on and signed_on <= today_local() and signed_on < deal["subscribed_on"]:
        p.fail("signed_on", f"签约日期不能早于认购日期 {deal['subscribed_on']:%Y-%m-%d}")
    # one step: also a deal checked before the 签约 states were kept (sign_status "", check_status 审核通过)
    sources = ["审核通过", "境外审批中", ""] if one_step else ["待客户签字"]
    if deal["check_status"] != "审核通过" or deal["sign_status"] not in sources:
        p.fail("__all__", "审核单尚未通过，不能签约" if deal["check_status"] != "审核通过" else "合同尚未网签打印，不能确认签约")
    else:
        err = await _gate_error(deal)
        if err:
            p.fail("__all__", err)
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    loan = deal["payment_method"] in LOAN_METHODS
    limits = await all_settings()
    async with write_transaction():
        row = await _move(deal_id, (Deal.stage == "已认购") & (Deal.check_status == "审核通过") & Deal.sign_status.is_in(sources), {
            Deal.stage: "已签约", Deal.sign_status: "已签约", Deal.subscription_status: "已转签约",
            Deal.contract_no: contract_no, Deal.online_no: online_no, Deal.signed_on: signed_on, Deal.home_count: homes,
            Deal.filing_status: "待备案", Deal.handover_status: "待通知",
            Deal.mortgage_status: "资料收集中" if loan else "",
            Deal.docs_due: (await add_calendar_days(signed_on, int(limits["mortgage_docs_days"]))) if loan else None,
        })
        await _unit_status(deal["unit"], ["已认购"], "已签约")
        dues = [Instalment(deal=deal_id, kind="首付款", amount_due=Decimal(deal["down_payment"]) - Decimal(deal["deposit"]),
                           due_on=signed_on + timedelta(days=int(limits["down_payment_due_days"])))]
        if loan:
            dues.append(Instalment(deal=deal_id, kind="贷款", amount_due=Decimal(deal["loan_amount"]),
                                   due_on=signed_on + timedelta(days=int(limits["loan_due_days"]))))
            await DealDocument.insert(*[DealDocument(deal=deal_id, stage="按揭", name=n) for n in await checklist("按揭")])
        elif Decimal(deal["total_price"]) > Decimal(deal["down_payment"]):
            dues.append(Instalment(deal=deal_id, kind="房款", amount_due=Decimal(deal["total_price"]) - Decimal(deal["down_payment"]),
                                   due_on=signed_on + timedelta(days=int(limits["balance_due_days"]))))
        await Instalment.insert(*[d for d in dues if d.amount_due > 0])
        await _audit(user, row, "sign", f"签约，合同编号 {contract_no}，网签号 {online_no}，买受人{homes}", {"stage": "已认购"}, {"stage": "已签约"})
        await _reminders_done(deal_id, "sign")
    return row


async def record_entry(user, deal_id: int, values) -> dict:
    """SPEC A2 step 7: the contract recorded in the 合同台账, RIS or the 预警预报系统 (who and when). Each once."""
    from app.pipeline.tables_signing import SigningEntry

    _require(user, "签约")
    p = Parser(values)
    system = p.choice("system", "系统", SIGN_ENTRIES)
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if deal["sign_status"] != "已签约" or deal["stage"] in ("已作废", "已退订"):
        p.fail("__all__", "合同签约后才能登记当日录入")
    if p.errors:  # the form is one button per system: the message goes at the top of the card
        raise PipelineError(p.errors.get("__all__") or next(iter(p.errors.values())))
    try:
        async with write_transaction():
            await SigningEntry.insert(SigningEntry(deal=deal_id, system=system, key=f"{deal_id}:{system}", done_by=user.employee_id, done_at=now()))
            done = {r["system"] for r in await SigningEntry.select(SigningEntry.system).where(SigningEntry.deal == deal_id)}
            left = [s for s in SIGN_ENTRIES if s not in done]
            await _audit(user, deal, "sign.entry", f"已录入{system}" + ("；当日录入已全部完成" if not left else f"；尚缺{'、'.join(left)}"))
            if not left:
                await _reminders_done(deal_id, "sign.entries")
    except Exception as e:
        if "unique" in f"{type(e).__name__} {e}".lower():
            raise PipelineError(f"{system}已登记过录入") from None
        raise
    return deal


async def signing_entries(deal_ids: list[int]) -> dict[int, list[dict]]:
    """The same-day entries of these deals (one query), with who recorded them."""
    from app.pipeline.tables_signing import SigningEntry

    out: dict[int, list[dict]] = {}
    if deal_ids:
        for r in await SigningEntry.select(SigningEntry.deal, SigningEntry.system, SigningEntry.done_at, SigningEntry.done_by.name).where(
                SigningEntry.deal.is_in(deal_ids)).order_by(SigningEntry.id):
            out.setdefault(r["deal"], []).append(r)
    return out


def _parse_moment(p: Parser, name: str, label: str, *, required: bool = True):
    from datetime import datetime

    from app.core.timeutil import SHANGHAI

    raw = p.raw(name)
    if not raw:
        if required:
            p.fail(name, f"请填写{label}")
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "T"))
    except ValueError:
        p.fail(name, f"{label}的格式应为 2026-11-28 14:05")
        return None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


async def outage_deal_choices(user, limit: int = 200) -> list[dict]:
    """Contracts an outage may have held up: deals in the user's projects being signed now or signed in the last 30 days."""
    since = today_local() - timedelta(days=30)
    q = Deal.select(Deal.id, Deal.number, Deal.contract_no, Deal.sign_status, Deal.unit.room_no, Deal.unit.building.name, Deal.buyer.name).where(
        Deal.sign_status.is_in(["审核通过", "境外审批中", "网签草拟", "待客户签字"]) | ((Deal.sign_status == "已签约") & (Deal.signed_on >= since))
        | ((Deal.stage == "已签约") & (Deal.signed_on >= since))).order_by(Deal.id, ascending=False).limit(limit)
    return await scoped(q, Deal.project, user)


async def save_outage(user, outage_id: int | None, values) -> int:
    """联机备案故障记录: new or corrected, with the contracts it held up (deals in the user's projects only); audited."""
    from app.pipeline.tables_signing import Outage, OutageDeal

    _require(user, "签约")
    p = Parser(values)
    started = _parse_moment(p, "started_at", "故障开始时间")
    ended = _parse_moment(p, "ended_at", "恢复时间", required=False)
    if started and ended and ended < started:
        p.fail("ended_at", "恢复时间不能早于故障开始时间")
    if started and started > now() + timedelta(minutes=5):
        p.fail("started_at", "故障开始时间不能晚于现在")
    cause = p.text("cause", "故障原因", max_len=200)
    action = p.text("action_taken", "处理情况", required=False, max_len=2000)
    parties = [x for x in p.getall("coordinated") if x]
    if any(x not in OUTAGE_PARTIES for x in parties):
        p.fail("coordinated", "协调单位的选项无效")
    ids = []
    for raw in p.getall("deal_ids"):
        if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) < 2**31:
            ids.append(int(raw))
        elif raw:
            p.fail("deal_ids", "所选合同无效")
    ids = sorted(set(ids))
    if ids:
        q = scoped(Deal.select(Deal.id).where(Deal.id.is_in(ids)), Deal.project, user)
        if len(await q) != len(ids):
            p.fail("deal_ids", "所选合同中有不在您数据范围内的，请刷新后重选")
    before = None
    if outage_id is not None:
        before = await Outage.select().where(Outage.id == outage_id).first()
        if not before:
            raise PipelineError("故障记录不存在")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    data = {"started_at": started, "ended_at": ended, "cause": cause, "action_taken": action, "coordinated": "、".join(x for x in OUTAGE_PARTIES if x in parties)}
    async with write_transaction():
        if outage_id is None:
            row = Outage(**data, recorded_by=user.employee_id, created_at=now())
            await row.save()
            outage_id = row.id
            old_ids: list[int] = []
        else:
            await Outage.update({getattr(Outage, k): v for k, v in data.items()}).where(Outage.id == outage_id)
            old_ids = [r["deal"] for r in await OutageDeal.select(OutageDeal.deal).where(OutageDeal.outage == outage_id)]
            await OutageDeal.delete().where(OutageDeal.outage == outage_id)
        if ids:
            await OutageDeal.insert(*[OutageDeal(outage=outage_id, deal=i) for i in ids])
        shown = {k: (v.isoformat(timespec="minutes") if hasattr(v, "isoformat") else v) for k, v in data.items()}
        if before is None:
            await audit.record(actor=user, action="pipeline.outage", entity="pl_outage", entity_id=outage_id,
                               summary=f"登记联机备案故障：{cause}，影响合同 {len(ids)} 份", after={**shown, "deals": ids})
        else:
            await audit.record(actor=user, action="pipeline.outage_update", entity="pl_outage", entity_id=outage_id,
                               summary=f"修改联机备案故障：{cause}，影响合同 {len(ids)} 份",
                               before={"cause": before["cause"], "deals": old_ids, "action_taken": before["action_taken"],
                                       "ended_at": before["ended_at"].isoformat(timespec="minutes") if before["ended_at"] else ""},
                               after={**shown, "deals": ids})
    return outage_id


# ---------------------------------------------------------------- A3 按揭


MORTGAGE_STATES = ["资料收集中", "资料逾期", "资料齐全", "待面签", "已面签", "银行审批中", "银行已批", "抵押登记中", "抵押已登记", "放款中",
                   "已放款", "担保解除"]
MORTGAGE_EXITS = ["贷款被拒", "转付款方式"]
MORTGAGE_OPEN = MORTGAGE_STATES[:-2] + ["贷款被拒"]  # the 按揭专员 still has something to do (已放款 waits for the title)
DOCS_OPEN = ("资料收集中", "资料逾期")
REPAYMENT_METHODS = ["等额本息", "等额本金"]
ATTENDANCE = ["已到场", "未到场"]
PROVIDENT_KIND = "公积金项目备案"  # the permits register's kind (app/permits/kinds.AGREEMENT_KINDS)

MORTGAGE_STEPS = {  # action: (from states, to state, label); every one by the 按揭专员 (the 按揭 stage's owner)
    "appoint": (("资料齐全", "待面签"), "待面签", "预约面签"),
    "attend": (("待面签",), "待面签", "登记面签结果"),  # → 已面签 once every required person attended
    "bank_submit": (("已面签",), "银行审批中", "送银行审批"),
    "bank_approve": (("银行审批中",), "银行已批", "银行批复"),
    "refuse": (("银行审批中",), "贷款被拒", "银行拒贷"),
    "register_submit": (("银行已批",), "抵押登记中", "抵押登记受理"),
    "register": (("抵押登记中",), "抵押已登记", "抵押登记完成"),
    "release_apply": (("抵押已登记",), "放款中", "提交放款"),
    "release": (("放款中",), "已放款", "银行放款"),
    "guarantee": (("已放款",), "担保解除", "解除阶段性担保及保证金"),
    "rebank": (("贷款被拒",), "资料收集中", "更换贷款银行"),
    "lower_loan": (("贷款被拒",), "已面签", "降低贷款额、补交首付"),
    "switch": (("贷款被拒",), "转付款方式", "改为一次性付款"),
}


def mortgage_state_label(status: str) -> str:
    return "资料逾期(催交)" if status == "资料逾期" else status


async def _docs_state(deal_id: int) -> None:
    """The checklist decides 资料收集中/资料逾期 ↔ 资料齐全 (inside the caller's transaction)."""
    missing = await DealDocument.count().where((DealDocument.deal == deal_id) & (DealDocument.stage == "按揭") & DealDocument.received_on.is_null())
    if not missing:
        rows = await Deal.update({Deal.mortgage_status: "资料齐全", Deal.docs_complete_on: today_local(), Deal.version: Deal.version + 1}).where(
            (Deal.id == deal_id) & Deal.mortgage_status.is_in(list(DOCS_OPEN))).returning(Deal.id)
        if rows:
            await _reminders_done(deal_id, "mortgage.docs")
    else:
        deal = await Deal.select(Deal.docs_due).where(Deal.id == deal_id).first()
        back = "资料逾期" if deal["docs_due"] and deal["docs_due"] < today_local() else "资料收集中"
        await Deal.update({Deal.mortgage_status: back, Deal.docs_complete_on: None, Deal.version: Deal.version + 1}).where(
            (Deal.id == deal_id) & (Deal.mortgage_status == "资料齐全"))


async def receive_document(user, deal_id: int, doc_id: int, received: bool) -> None:
    doc = await DealDocument.select(DealDocument.stage, DealDocument.name, DealDocument.received_on).where(
        (DealDocument.id == doc_id) & (DealDocument.deal == deal_id)).first()
    if not doc:
        raise PipelineError("资料项不存在")
    if doc["stage"] == "备案":
        if not may_prepare_filing(user):
            raise PipelineError("您的岗位不能办理「备案」环节")
    else:
        _require(user, doc["stage"] if doc["stage"] in STAGE_OWNER else "签约")
    async with write_transaction():
        await DealDocument.update({DealDocument.received_on: today_local() if received else None}).where(DealDocument.id == doc_id)
        deal = await Deal.select(Deal.id, Deal.number, Deal.mortgage_status).where(Deal.id == deal_id).first()
        if doc["stage"] == "按揭" and deal["mortgage_status"] in (*DOCS_OPEN, "资料齐全"):
            await _docs_state(deal_id)
        await _audit(user, deal, "document", f"{doc['stage']}资料「{doc['name']}」{'已收' if received else '改为未收'}")


async def provident_agreement(project_id: int, on: date) -> dict | None:
    """The project's valid 公积金项目备案 (permits register, SPEC §C) on `on`, or None."""
    from app.permits.tables import LoanAgreement

    return await LoanAgreement.select(LoanAgreement.reg_no, LoanAgreement.institution, LoanAgreement.end_on).where(
        (LoanAgreement.kind == PROVIDENT_KIND) & (LoanAgreement.project == project_id) & (LoanAgreement.active == True)  # noqa: E712
        & (LoanAgreement.start_on <= on) & (LoanAgreement.end_on >= on)).first()


def _loan_fields(p: Parser, deal: dict, loan: Decimal) -> dict:
    """The loan's terms on the bank submission (SPEC A3 Fields). 商贷额 + 公积金额 = the 审核单 贷款额."""
    method = deal["payment_method"]
    if method == "组合":
        commercial = p.money("commercial_amount", "商贷额", allow_zero=True)
        provident = p.money("provident_amount", "公积金贷款额", allow_zero=True)
        if commercial is not None and provident is not None:
            err = rules.loan_split_error(loan, commercial, provident)
            if err:
                p.fail("provident_amount", err)
    elif method == "公积金":
        commercial, provident = Decimal("0.00"), loan
    else:
        commercial, provident = loan, Decimal("0.00")
    months = p.integer("loan_term_months", "贷款年限（月）", minimum=1, maximum=360)
    bp = p.integer("loan_rate_bp", "利率加减点（基点）", minimum=-500, maximum=500)
    return {Deal.loan_bank: p.text("loan_bank", "贷款银行", max_len=50), Deal.loan_branch: p.text("loan_branch", "支行", required=False, max_len=50),
            Deal.commercial_amount: commercial or Decimal("0.00"), Deal.provident_amount: provident or Decimal("0.00"),
            Deal.loan_term_months: months or 0, Deal.loan_rate_bp: bp,
            Deal.repayment_method: p.choice("repayment_method", "还款方式", REPAYMENT_METHODS),
            Deal.borrower: p.text("borrower", "借款人", max_len=50), Deal.co_borrower: p.text("co_borrower", "共同借款人", required=False, max_len=100),
            Deal.guarantee_deposit: p.money("guarantee_deposit", "按揭保证金", allow_zero=True) or Decimal("0.00")}


def down_payment_ratio(deal: dict) -> Decimal | None:
    """首付比例 (computed): 首付款 / 总价, in %."""
    total = Decimal(deal["total_price"] or 0)
    return (Decimal(deal["down_payment"]) * 100 / total).quantize(Decimal("0.01")) if total else None


async def _finance_told(deal: dict, text: str) -> None:
    """The release is reported to 财务 (SPEC A3 step 7): the 会计 and the 财务经理 of the deal's project."""
    from app.core.notify import notify
    from app.pipeline.remind import _owners

    for role in ("accountant", "finance_manager"):
        for uid in await _owners(role, deal["project"]):
            await notify(uid, text, f"/pipeline/units/{deal['unit']}", "pipeline", ref=f"deal:{deal['id']}:released")


async def mortgage_step(user, deal_id: int, action: str, values) -> dict:
    """One 按揭 action of the 按揭专员 (MORTGAGE_STEPS): parsed, then one transaction moving the deal from the state it
    expects, with its audit row and the reminders it answers closed."""
    _require(user, "按揭")
    if action not in MORTGAGE_STEPS:
        raise PipelineError("未知的操作")
    src, dst, label = MORTGAGE_STEPS[action]
    deal = await Deal.select(Deal.all_columns(), Deal.buyer.name, Deal.buyer.marital, Deal.buyer.spouse_name).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if deal["stage"] in ("已作废", "已退订"):
        raise PipelineError("该合同已作废，不能再办理按揭")
    p = Parser(values)
    today = today_local()
    changes: dict[Any, Any] = {Deal.mortgage_status: dst}
    detail = ""
    from app.pipeline.tables_mortgage import MortgageAppointment

    appointments: list = []
    results: list[tuple[int, str]] = []
    limits = await all_settings()

    def past_date(name: str, what: str) -> date | None:
        on = p.date(name, what)
        if on and on > today:
            p.fail(name, "日期不能晚于今天")
        return on

    if action == "appoint":
        people = [("买受人", deal["buyer.name"], "buyer")]
        if deal["buyer.marital"] == "已婚":
            people.append(("配偶", deal["buyer.spouse_name"], "spouse"))
        pending = {r["person"] for r in await MortgageAppointment.select(MortgageAppointment.person).where(
            (MortgageAppointment.deal == deal_id) & (MortgageAppointment.result == ""))}
        attended = {r["person"] for r in await MortgageAppointment.select(MortgageAppointment.person).where(
            (MortgageAppointment.deal == deal_id) & (MortgageAppointment.result == "已到场"))}
        for person, name, key in people:
            if person in attended or person in pending:
                continue
            on = p.date(f"{key}_day", f"{person}面签日期")
            if on and on < today:
                p.fail(f"{key}_day", "面签日期不能早于今天")
            place = p.text(f"{key}_place", f"{person}面签地点", max_len=100)
            appointments.append(MortgageAppointment(deal=deal_id, person=person, name=name or "", day=on, place=place))
        if not appointments and not p.errors:
            p.fail("__all__", "需要面签的人都已预约或已到场")
        detail = "；".join(f"{a.person}{a.name} {a.day} {a.place}" for a in appointments)
    elif action == "attend":
        rows = await MortgageAppointment.select().where((MortgageAppointment.deal == deal_id) & (MortgageAppointment.result == ""))
        for r in rows:
            v = p.raw(f"result_{r['id']}")
            if not v:
                continue
            if v not in ATTENDANCE:
                p.fail(f"result_{r['id']}", "请选择已到场或未到场")
            elif r["day"] > today:
                p.fail(f"result_{r['id']}", f"预约日期 {r['day']} 还未到，不能登记结果")
            else:
                results.append((r["id"], v))
        if not results and not p.errors:
            p.fail("__all__", "请至少登记一人的面签结果")
        names = {r["id"]: f"{r['person']}{r['name']}" for r in rows}
        detail = "；".join(f"{names[i]}{v}" for i, v in results)
    elif action == "bank_submit":
        changes[Deal.bank_submitted_on] = past_date("on", "送审日期")
        changes.update(_loan_fields(p, deal, Decimal(deal["loan_amount"])))
        if deal["payment_method"] in ("公积金", "组合"):
            agreement = await provident_agreement(deal["project"], changes[Deal.bank_submitted_on] or today)
            if not agreement:
                p.fail("__all__", "该项目没有有效的公积金项目备案（证件及手续 → 公积金备案及按揭合作协议），公积金贷款不能送审；请先办理或续期备案")
        detail = f"{changes[Deal.loan_bank]}{changes[Deal.loan_branch]}，{deal['payment_method']} {Decimal(deal['loan_amount']):,.2f} 元，" \
                 f"{changes[Deal.loan_term_months]} 个月，LPR{(changes[Deal.loan_rate_bp] or 0):+d}bp，{changes[Deal.repayment_method]}"
    elif action == "bank_approve":
        changes[Deal.bank_approved_on] = past_date("on", "批复日期")
    elif action == "refuse":
        changes[Deal.refused_on] = past_date("on", "拒贷日期")
        changes[Deal.refuse_reason] = p.text("reason", "拒贷原因", max_len=200)
        detail = changes[Deal.refuse_reason]
    elif action == "register_submit":
        changes[Deal.reg_accepted_on] = past_date("on", "抵押受理日期")
    elif action == "register":
        changes[Deal.registered_on] = past_date("on", "抵押登记日期")
        changes[Deal.reg_cert_no] = p.text("reg_cert_no", "登记证明号", max_len=50)
        detail = f"登记证明号 {changes[Deal.reg_cert_no]}"
    elif action == "release_apply":
        changes[Deal.release_applied_on] = past_date("on", "提交放款日期")
    elif action == "release":
        changes[Deal.released_on] = past_date("on", "放款日期")
        changes[Deal.released_amount] = p.money("amount", "放款金额")
        detail = f"{changes[Deal.released_amount] or 0:,.2f} 元"
    elif action == "guarantee":
        if deal["title_status"] != "已交付业主":
            p.fail("__all__", "产权证交付业主后才能解除阶段性担保和按揭保证金")
        changes[Deal.guarantee_released_on] = past_date("on", "解除日期")
        changes[Deal.guarantee_released_amount] = p.money("amount", "退回保证金金额", allow_zero=True)
        detail = f"退回保证金 {changes[Deal.guarantee_released_amount] or 0:,.2f} 元"
    elif action == "rebank":
        changes[Deal.loan_bank] = p.text("loan_bank", "新的贷款银行", max_len=50)
        changes[Deal.loan_branch] = p.text("loan_branch", "支行", required=False, max_len=50)
        if changes[Deal.loan_bank] and changes[Deal.loan_bank] == deal["loan_bank"]:
            p.fail("loan_bank", "请填写另一家银行")
        changes[Deal.docs_due] = await add_calendar_days(today, int(limits["mortgage_docs_days"]))
        changes.update({Deal.docs_complete_on: None, Deal.docs_demand_on: None, Deal.face_signed_on: None, Deal.bank_submitted_on: None,
                        Deal.refused_on: None})
        detail = f"由{deal['loan_bank']}改为{changes[Deal.loan_bank]}{changes[Deal.loan_branch]}，重新收集资料（{changes[Deal.docs_due]} 前）"
    elif action == "lower_loan":
        new_loan = p.money("loan_amount", "新的贷款额")
        old_loan = Decimal(deal["loan_amount"])
        if new_loan is not None and new_loan >= old_loan:
            p.fail("loan_amount", f"新的贷款额应低于原贷款额 {old_loan:,.2f} 元")
        if new_loan is not None and new_loan < old_loan:
            top_up = old_loan - new_loan
            changes.update({Deal.loan_amount: new_loan, Deal.down_payment: Decimal(deal["down_payment"]) + top_up, Deal.refused_on: None,
                            Deal.commercial_amount: new_loan if deal["payment_method"] == "商贷" else Decimal("0.00"),
                            Deal.provident_amount: new_loan if deal["payment_method"] == "公积金" else Decimal("0.00")})
            detail = f"贷款额 {old_loan:,.2f} → {new_loan:,.2f} 元，补交首付 {top_up:,.2f} 元，首付比例 " \
                     f"{down_payment_ratio({**deal, 'down_payment': Decimal(deal['down_payment']) + top_up})}%"
    elif action == "switch":
        if p.raw("confirm") != "1":
            p.fail("confirm", "请确认客户已书面同意改为一次性付款")
        changes.update({Deal.payment_method: "一次性", Deal.loan_amount: Decimal("0.00"), Deal.commercial_amount: Decimal("0.00"),
                        Deal.provident_amount: Decimal("0.00")})
        detail = f"原{deal['payment_method']} {Decimal(deal['loan_amount']):,.2f} 元改为一次性付款，" \
                 f"房款 {int(limits['balance_due_days'])} 天内付清"
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    async with write_transaction():
        if action == "attend":
            changes.pop(Deal.mortgage_status)
            for i, v in results:
                await MortgageAppointment.update({MortgageAppointment.result: v}).where(
                    (MortgageAppointment.id == i) & (MortgageAppointment.result == ""))
            need = {"买受人", "配偶"} if deal["buyer.marital"] == "已婚" else {"买受人"}
            came = {r["person"] for r in await MortgageAppointment.select(MortgageAppointment.person).where(
                (MortgageAppointment.deal == deal_id) & (MortgageAppointment.result == "已到场"))}
            if need <= came:
                changes.update({Deal.mortgage_status: "已面签", Deal.face_signed_on: today})
                detail += "，面签完成"
        row = await _move(deal_id, Deal.mortgage_status.is_in(list(src)) & Deal.stage.not_in(["已作废", "已退订"]), changes)
        if action == "appoint":
            await MortgageAppointment.insert(*appointments)
        elif action == "rebank":  # the new bank's checklist starts over, and its 面签
            await DealDocument.update({DealDocument.received_on: None}).where((DealDocument.deal == deal_id) & (DealDocument.stage == "按揭"))
            await MortgageAppointment.update({MortgageAppointment.result: "未到场"}).where(
                (MortgageAppointment.deal == deal_id) & (MortgageAppointment.result == ""))
            await MortgageAppointment.delete().where((MortgageAppointment.deal == deal_id) & (MortgageAppointment.result == "已到场"))
        elif action == "lower_loan":
            top_up = changes[Deal.down_payment] - Decimal(deal["down_payment"])
            for inst in await Instalment.select(Instalment.id, Instalment.amount_due).where(
                    (Instalment.deal == deal_id) & (Instalment.kind == "贷款") & (Instalment.received == 0)):
                await Instalment.update({Instalment.amount_due: Decimal(inst["amount_due"]) - top_up}).where(Instalment.id == inst["id"])
            await Instalment.insert(Instalment(deal=deal_id, kind="首付款", amount_due=top_up,
                                               due_on=today + timedelta(days=int(limits["down_payment_due_days"]))))
        elif action == "switch":  # the 贷款 instalment becomes a 房款 one of the same amount; the checklist is closed
            from app.pipeline.receipts import outstanding

            left = Decimal("0.00")
            for inst in await Instalment.select().where((Instalment.deal == deal_id) & (Instalment.kind == "贷款")):
                left += outstanding(inst)
                await Instalment.delete().where((Instalment.id == inst["id"]) & (Instalment.received == 0))
            if left > 0:
                await Instalment.insert(Instalment(deal=deal_id, kind="房款", amount_due=left, due_on=today + timedelta(days=int(limits["balance_due_days"]))))
            await DealDocument.delete().where((DealDocument.deal == deal_id) & (DealDocument.stage == "按揭") & DealDocument.received_on.is_null())
        elif action == "release":  # the bank's release is a receipt on the 贷款 instalment (财务 records the received amount [S 4.4])
            from app.pipeline.receipts import auto_receipt, outstanding

            on = changes[Deal.released_on]
            for inst in await Instalment.select().where((Instalment.deal == deal_id) & (Instalment.kind == "贷款")):
                left = outstanding(inst)
                if left > 0:
                    await Instalment.update({Instalment.received: inst["amount_due"], Instalment.received_on: on}).where(Instalment.id == inst["id"])
                    await auto_receipt(deal_id, inst["id"], "贷款", left, on, "按揭放款", f"{row['loan_bank']}放款", user.employee_id)
            await _finance_told(row, f"{row['number']} {row['loan_bank']}已放款 {changes[Deal.released_amount]:,.2f} 元（{on}），请核对到账")
        await _audit(user, row, f"mortgage.{action}", f"按揭：{label}" + (f"（{detail}）" if detail else ""),
                     {"mortgage_status": deal["mortgage_status"]}, {"mortgage_status": row["mortgage_status"]})
        await _reminders_done(deal_id, f"mortgage.{action}")
    return row


# ---------------------------------------------------------------- A4 备案

# The filing's states (SPEC A4) in order; before 已备案 the 30-day clock runs; from 已报送 on something is lodged at the
# bureau (a voided contract must have it cancelled).
FILING_STATES = ("待备案", "资料准备", "已报送", "退件补正", "已备案", "预告登记中", "已预告登记", "合同已交接")
FILING_OPEN = ["待备案", "资料准备", "已报送", "退件补正"]
FILING_LODGED = ("已报送", "退件补正", "已备案", "预告登记中", "已预告登记", "合同已交接")
FILING_DONE = ("已备案", "预告登记中", "已预告登记", "合同已交接")
FILING_STAGES = ["已签约", "已备案", "已交付"]  # a unit handed over before filing can still be filed


def may_prepare_filing(user) -> bool:
    """The 合同专员 prepares the file and receives the filed contracts [S 3.4]; the 房管局专员 files it [S 5.3]."""
    return may_act(user, "备案") or may_act(user, "签约")


async def mortgage_block(unit_id: int, key: str, what: str) -> str | None:
    """A unit still under the 在建工程抵押 blocks filing or titling where the local rule says so (setting `key` 1/0)."""
    if not int(await setting(key)):
        return None
    unit = await Unit.select(Unit.mortgaged).where(Unit.id == unit_id).first()
    if unit and unit["mortgaged"]:
        return f"该房源的在建工程抵押尚未解除，按本地规定不能{what}；请先办理解押（A8 在建工程抵押撤销）"
    return None


async def _seal_request(p: Parser, name: str) -> str:
    """The 用章申请 (E3) that stamped the file: optional, but when given it must be an existing seal request."""
    from app.workflow.tables import Request

    no = p.text(name, "用章申请单号", required=False, max_len=30).upper()
    if no and not await Request.exists().where((Request.number == no) & (Request.flow == "seal")):
        p.fail(name, "没有这个用章申请单号，请先在审批中发起用章申请")
    return no


async def filing_step(user, deal_id: int, action: str, values) -> dict:
    """One step of A4: 资料准备 (the checklist), 报送 with the 受理号, 退件 and 重新报送, 备案号, 预告登记, the hand-over of the
    filed contracts to the 合同专员."""
    if action == "handed":  # the 合同专员 confirms receiving the filed contracts [S 3.4, 5.3]
        if not may_act(user, "签约"):
            raise PipelineError("已备案合同由合同专员确认接收")
    elif action == "prepare":
        if not may_prepare_filing(user):
            raise PipelineError("您的岗位不能办理「备案」环节")
    else:
        _require(user, "备案")
    p = Parser(values)
    on = p.date("on", "日期")
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    status = Deal.filing_status
    if action == "prepare":
        where, changes, label = status == "待备案", {status: "资料准备"}, "开始准备备案资料"
    elif action in ("submit", "resubmit"):
        src = "资料准备" if action == "submit" else "退件补正"
        no = p.text("acceptance_no", "受理号", max_len=50)
        seal_no = await _seal_request(p, "seal_no")
        missing = await DealDocument.select(DealDocument.name).where(
            (DealDocument.deal == deal_id) & (DealDocument.stage == "备案") & DealDocument.received_on.is_null())
        if missing:
            p.fail("__all__", "备案资料未齐：" + "、".join(m["name"] for m in missing) + "，不能报送")
        blocked = await mortgage_block(deal["unit"], "mortgage_blocks_filing", "备案")
        if blocked:
            p.fail("__all__", blocked)
        changes = {status: "已报送", Deal.filing_submitted_on: on, Deal.filing_acceptance_no: no}
        if seal_no or action == "submit":
            changes[Deal.filing_seal_no] = seal_no
        where = status == src
        label = ("备案资料已报送" if action == "submit" else "补正后重新报送") + f"（受理号 {no}" + (f"，用章 {seal_no}" if seal_no else "") + "）"
    elif action == "returned":
        reason = p.text("reason", "退件原因", max_len=200)
        where, changes = status == "已报送", {status: "退件补正", Deal.filing_return_reason: reason, Deal.filing_returned_on: on,
                                              Deal.filing_returns: Deal.filing_returns + 1}
        label = f"备案退件：{reason}"
    elif action == "filed":
        no = p.text("filing_no", "备案号", max_len=50)
        where, changes, label = status == "已报送", {status: "已备案", Deal.filing_no: no, Deal.filed_on: on, Deal.stage: "已备案"}, f"已备案（{no}）"
    elif action == "prereg_submit":
        where, changes, label = status == "已备案", {status: "预告登记中", Deal.prereg_submitted_on: on}, "已申请预告登记"
    elif action == "prereg":
        no = p.text("prereg_no", "预告登记证明号", max_len=50)
        where, changes, label = status == "预告登记中", {status: "已预告登记", Deal.prereg_no: no, Deal.prereg_on: on}, f"已预告登记（{no}）"
    elif action == "handed":
        where, changes = status == "已预告登记", {status: "合同已交接", Deal.contract_handed_on: on, Deal.contract_received_by: user.display_name[:50]}
        label = f"已备案合同已交合同专员（{user.display_name} 确认收到）"
    else:
        raise PipelineError("未知的操作")
    if on and deal["signed_on"] and on < deal["signed_on"]:
        p.fail("on", "日期不能早于签约日期")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    if action == "filed" and deal["stage"] != "已签约":
        # a unit handed over before its contract was filed: the filing is recorded, the deal and the unit stay
        # 已交付 (their later state); only a 已签约 deal moves on to 已备案
        changes.pop(Deal.stage)
    async with write_transaction():
        stage_now = Deal.stage == deal["stage"] if action == "filed" else Deal.stage.is_in(FILING_STAGES)
        row = await _move(deal_id, where & Deal.stage.is_in(FILING_STAGES) & stage_now, changes)
        if action == "filed" and deal["stage"] == "已签约":
            await _unit_status(deal["unit"], ["已签约"], "已备案")
        if action == "prepare" and not await DealDocument.exists().where((DealDocument.deal == deal_id) & (DealDocument.stage == "备案")):
            await DealDocument.insert(*[DealDocument(deal=deal_id, stage="备案", name=n) for n in await checklist("备案")])
        await _audit(user, row, f"filing.{action}", label, {"filing_status": deal["filing_status"]}, {"filing_status": row["filing_status"]})
        await _reminders_done(deal_id, f"filing.{action}")
    return row


# ---------------------------------------------------------------- A6 交房
# States (Deal.handover_status): 待通知 → 已通知 → 已预约 → 办理中 → 已交付 | 有条件交付 (→ 整改闭环) | 拒收 (→ 已预约);
# 视同交付 after a valid notice when the buyer does not come. Each move only by the 交房 owner (客服主管); the 问题单's
# rectification by the 项目部 (project_engineer), its 复验 by the 客服中心.

HANDOVER_OPEN = ["待通知", "已通知", "已预约", "办理中", "拒收"]  # not yet handed over
HANDED_OVER = ["已交付", "有条件交付", "整改闭环", "视同交付"]
NOTICE_METHODS = ["EMS", "挂号信"]
IDENTITY_BY = ["本人", "代理人"]
DEFECT_STATES = ["待整改", "整改中", "待复验", "已通过"]


def _plain(values) -> "FormValues":
    """A form's values as a dict that still answers getall (to fill in a blank field server-side)."""
    if hasattr(values, "getall"):
        return FormValues({k: (values.getall(k) if len(values.getall(k)) > 1 else values.get(k)) for k in values.keys()})
    return FormValues(values)


def may_rectify(user) -> bool:
    """项目部 (项目部工程师) records the contractor's rectification and the 项目部/监理 check."""
    return user.role in ("project_engineer", "sysadmin")


def handover_day(deal: dict) -> date | None:
    """The 交房日期: the one the notice announced, else the contract's delivery date."""
    return deal.get("handover_date") or deal.get("delivery_due")


async def fund_paid(unit_id: int) -> dict | None:
    """The unit's maintenance-fund payment in the permits register (SPEC §C 维修基金; one per unit), or None."""
    from app.permits.tables import FundPayment  # the register's per-unit payment (the permits domain records it)

    return await FundPayment.select(FundPayment.amount, FundPayment.paid_on, FundPayment.receipt_no).where(FundPayment.unit == unit_id).first()


async def open_issues(unit_id: int) -> int:
    """Open 问题单 of the 房屋验收 on this unit."""
    from app.pipeline.tables_handover import InspectionDefect

    return await InspectionDefect.count().where((InspectionDefect.unit == unit_id) & (InspectionDefect.status != "已通过"))


async def handover_notice(user, deal_id: int, values) -> dict:
    """交房通知书 by EMS or registered post (tracking number kept) plus SMS, at least N calendar days before the 交房日期."""
    _require(user, "交房")
    p = Parser(values)
    on = p.date("on", "通知发出日期")
    if on and on > today_local():
        p.fail("on", "发出日期不能晚于今天")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    default_day = handover_day(deal)  # the approved 交房公告's day, else the contract's delivery date
    day = p.date("handover_date", "交房日期", required=not default_day) or default_day
    method = p.raw("method") or "EMS"
    if method not in NOTICE_METHODS:
        p.fail("method", "请选择邮寄方式")
    tracking = p.text("tracking", "邮寄单号", required=False, max_len=50)
    sms = p.raw("sms") == "1"
    min_days = int(await setting("notice_min_days"))
    if on and day:
        err = rules.notice_error(on, day, min_days)
        if err:
            p.fail("handover_date" if p.raw("handover_date") else "on", err)
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, (Deal.handover_status == "待通知") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "已通知", Deal.notice_sent_on: on, Deal.handover_date: day, Deal.notice_method: method,
            Deal.notice_tracking: tracking, Deal.notice_sms: sms})
        await _audit(user, row, "handover.notice", f"交房通知书已{method}寄出{('（' + tracking + '）') if tracking else ''}"
                                                   f"{'，并发短信' if sms else ''}，交房日期 {day.isoformat()}")
        await _reminders_done(deal_id, "handover.notice")
    return row


async def handover_book(user, deal_id: int, values) -> dict:
    """预约: the buyer's appointment (also the re-booking after a 拒收); the notice's proof of receipt may come with it."""
    _require(user, "交房")
    p = Parser(values)
    day = p.date("appointment_on", "预约日期")
    time = p.raw("appointment_time")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time):
        p.fail("appointment_time", "请填写预约时间，如 09:30")
    received = p.date("notice_received_on", "通知书签收日期", required=False)
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if day and deal["notice_sent_on"] and day < deal["notice_sent_on"]:
        p.fail("appointment_on", "预约日期不能早于交房通知发出日期")
    if received and (received > today_local() or (deal["notice_sent_on"] and received < deal["notice_sent_on"])):
        p.fail("notice_received_on", "签收日期应在通知发出日期与今天之间")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    changes = {Deal.handover_status: "已预约", Deal.appointment_on: day, Deal.appointment_time: time}
    if received:
        changes[Deal.notice_received_on] = received
    async with write_transaction():
        row = await _move(deal_id, Deal.handover_status.is_in(["已通知", "拒收"]) & Deal.stage.is_in(["已签约", "已备案"]), changes)
        again = "重新预约" if deal["handover_status"] == "拒收" else "预约"
        await _audit(user, row, "handover.book", f"交房{again} {day.isoformat()} {time}" + (f"，通知书签收于 {received.isoformat()}" if received else ""))
    return row


async def handover_identify(user, deal_id: int, values) -> dict:
    """办理中: identity checked — the owner, or the agent with the power of attorney (a 代理人 on the deal)."""
    _require(user, "交房")
    p = Parser(values)
    who = p.choice("identity_by", "到场人", IDENTITY_BY)
    note = p.text("identity_note", "核验说明", required=False, max_len=100)
    if p.raw("checked") != "1":
        p.fail("checked", "请核对证件原件后勾选")
    if who == "代理人" and not await DealParty.exists().where((DealParty.deal == deal_id) & (DealParty.role == "代理人")):
        p.fail("identity_by", "该交易没有登记代理人及委托书，代理人不能代办交房")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, (Deal.handover_status == "已预约") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "办理中", Deal.identity_by: who, Deal.identity_note: note})
        await _audit(user, row, "handover.identify", f"交房身份核验：{who}到场" + (f"（{note}）" if note else ""))
    return row


async def handover_refuse(user, deal_id: int, values) -> dict:
    """拒收 on quality grounds: the reasons are recorded, go on the 整改单, and the buyer is booked again once rectified."""
    _require(user, "交房")
    p = Parser(values)
    reason = p.text("reason", "拒收原因", max_len=500)
    defects = [d for d in p.getall("defect") if d][:20]
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    limits = await all_settings()
    async with write_transaction():
        row = await _move(deal_id, (Deal.handover_status == "办理中") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "拒收", Deal.refusal_reason: reason})
        for d in defects or [reason]:
            await Defect.insert(Defect(deal=deal_id, location=d[:50], category="拒收整改", description=d, created_at=now(),
                                       due_on=today_local() + timedelta(days=int(limits["defect_due_days"]))))
        await _audit(user, row, "handover.refuse", f"业主拒收：{reason}")
    return row


async def handover(user, deal_id: int, values) -> dict:
    """The handover day, after the identity check: the maintenance fund must be paid (permits register); surveyed area →
    面积差 settlement by the 3% rule; keys and meters; 已交付, or 有条件交付 with its 整改单; the late-delivery penalty."""
    _require(user, "交房")
    p = Parser(values)
    on = p.date("on", "交付日期")
    if on and on > today_local():
        p.fail("on", "交付日期不能晚于今天")
    deal = await Deal.select(Deal.all_columns(), Deal.unit.area_build, Deal.unit.area_inner, Deal.unit.pricing_basis).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if deal["handover_status"] != "办理中":
        raise PipelineError("请先登记预约并核验到场人身份（办理中）后再交付")
    basis = deal["unit.pricing_basis"] or "建筑面积"

    def area(name: str, label: str) -> Decimal | None:
        raw = p.raw(name)
        try:
            value = Decimal(raw)
            if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("100000000"):
                raise ValueError
            return value
        except Exception:
            p.fail(name, f"{label}应为大于 0 的数字，最多两位小数")
            return None

    # the form asks for the surveyed areas the basis needs: 建筑面积 → building area; 套内面积 → inner area (the
    # settlement) and building area (the certificate, the deed-tax band); 按套 → none (no area settlement)
    confirmed = await surveyed_of(deal["unit"])  # 确权面积 entered before the day: used where the fields are left blank
    if confirmed and basis != "按套":
        if not p.raw("surveyed_area"):
            p.values = {**_plain(p.values), "surveyed_area": f"{Decimal(confirmed['area_build']):.2f}"}
        if basis == "套内面积" and not p.raw("surveyed_inner_area") and confirmed["area_inner"] is not None:
            p.values = {**_plain(p.values), "surveyed_inner_area": f"{Decimal(confirmed['area_inner']):.2f}"}
    surveyed = area("surveyed_area", "实测建筑面积") if basis != "按套" else None
    surveyed_inner = area("surveyed_inner_area", "实测套内面积") if basis == "套内面积" else None
    keys = p.integer("keys_count", "钥匙数量", minimum=0, maximum=50)
    meters = p.text("meter_readings", "水电气表读数", required=False, max_len=200)
    defects = [d for d in p.getall("defect") if d][:20]
    fund = await fund_paid(deal["unit"])
    if not fund:
        p.fail("__all__", "该房源的维修资金尚未缴存（证件台账·维修基金未登记缴存），缴清后才能交付钥匙")
    issues = await open_issues(deal["unit"])
    if issues and not defects:
        p.fail("defect", f"该房源还有 {issues} 张房屋验收问题单未通过复验：请列出整改问题，按有条件交付办理")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    limits = await all_settings()
    settlement = rules.settle_by_basis(basis, contract_build=Decimal(deal["unit.area_build"]), contract_inner=Decimal(deal["unit.area_inner"]),
                                       surveyed_build=surveyed, surveyed_inner=surveyed_inner, unit_price=Decimal(deal["unit_price"]),
                                       tolerance=limits["area_tolerance_pct"])
    paid_rows = await Instalment.select(Instalment.received).where((Instalment.deal == deal_id) & (Instalment.kind != "面积差"))
    paid = sum((Decimal(r["received"]) for r in paid_rows), Decimal("0.00"))
    late_days, penalty = rules.late_delivery_penalty(deal["delivery_due"], on, paid, limits["late_penalty_daily_pct"])
    status = "有条件交付" if defects else "已交付"
    async with write_transaction():
        row = await _move(deal_id, (Deal.handover_status == "办理中") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: status, Deal.handed_over_on: on, Deal.surveyed_area: surveyed, Deal.surveyed_inner_area: surveyed_inner,
            Deal.area_basis: basis, Deal.area_ratio: settlement.ratio,
            Deal.area_amount: settlement.amount, Deal.keys_count: keys, Deal.meter_readings: meters, Deal.stage: "已交付",
            Deal.title_status: "资料收集中", Deal.late_days: late_days, Deal.late_penalty: penalty if late_days else None})
        await _unit_status(deal["unit"], ["已签约", "已备案"], "已交付")
        if settlement.amount:
            await Instalment.insert(Instalment(deal=deal_id, kind="面积差", amount_due=settlement.amount,
                                               due_on=on + timedelta(days=int(limits["area_due_days"]))))
        for d in defects:
            await Defect.insert(Defect(deal=deal_id, location=d[:50], category="交房整改", description=d, created_at=now(),
                                       due_on=on + timedelta(days=int(limits["defect_due_days"]))))
        await DealDocument.insert(*[DealDocument(deal=deal_id, stage="产权证", name=n) for n in await checklist("产权证")])
        measured = "" if basis == "按套" else f"实测建筑面积 {surveyed}㎡" + (f"、套内面积 {surveyed_inner}㎡" if surveyed_inner is not None else "") + "，"
        late = f"；逾期交付 {late_days} 天，违约金 {penalty:,.2f} 元" if late_days else ""
        await _audit(user, row, "handover", f"{status}；{measured}{settlement.explanation}，结算 {settlement.amount:,.2f} 元；"
                                            f"维修资金凭证 {fund['receipt_no']}{late}",
                     {"stage": deal["stage"]}, {"stage": "已交付", "handover_status": status, "area_amount": settlement.amount})
        await _reminders_done(deal_id, "handover")
    return row


async def deemed_delivery(user, deal_id: int) -> dict:
    """视同交付: the buyer did not come after a valid notice; the contract's deemed-delivery clause applies."""
    _require(user, "交房")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    days = int(await setting("deemed_delivery_days"))
    if deal["notice_sent_on"] is None or deal["notice_sent_on"] > today_local() - timedelta(days=days):
        raise PipelineError(f"交房通知发出满 {days} 天后才能按视同交付处理")
    async with write_transaction():
        row = await _move(deal_id, Deal.handover_status.is_in(["已通知", "已预约"]) & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "视同交付", Deal.handed_over_on: today_local(), Deal.stage: "已交付", Deal.title_status: "资料收集中"})
        await _unit_status(deal["unit"], ["已签约", "已备案"], "已交付")
        await DealDocument.insert(*[DealDocument(deal=deal_id, stage="产权证", name=n) for n in await checklist("产权证")])
        await _audit(user, row, "handover.deemed", f"视同交付（通知发出于 {deal['notice_sent_on']}，业主未到场），物业费自今日起算")
        await _reminders_done(deal_id, "handover")
    return row


# ---- 问题单 (房屋验收) and 整改单 (交房): one state machine for both tables

def defect_table(kind: str):
    from app.pipeline.tables_handover import InspectionDefect

    return {"issue": InspectionDefect, "defect": Defect}[kind]


async def defect_row(kind: str, defect_id: int) -> dict | None:
    """A 问题单 (kind issue) or 整改单 (kind defect) with its unit, project and, for a 整改单, its deal."""
    t = defect_table(kind)
    if kind == "issue":
        return await t.select(t.all_columns(), t.unit.room_no, t.unit.building.name, t.unit.project.as_alias("project"),
                              t.unit.project.name.as_alias("project_name"), t.plan.contractor.as_alias("plan_contractor")).where(t.id == defect_id).first()
    row = await t.select(t.all_columns(), t.deal.unit.as_alias("unit"), t.deal.unit.room_no.as_alias("unit.room_no"),
                         t.deal.unit.building.name.as_alias("unit.building.name"), t.deal.project.as_alias("project"),
                         t.deal.project.name.as_alias("project_name"), t.deal.number.as_alias("deal_number")).where(t.id == defect_id).first()
    return row


def defect_actions(user, row: dict) -> list[str]:
    """What this user may do on the 问题单 now (the template shows only these)."""
    s = row["status"]
    out = []
    if may_rectify(user) and s == "待整改":
        out.append("start")
    if may_rectify(user) and s == "整改中":
        out.append("rectified")
    if may_act(user, "交房") and s == "待复验":
        out.append("recheck")
    return out


async def _close_rectification(user, unit_id: int) -> None:
    """有条件交付 → 整改闭环 once every 整改单 of the deal and every 问题单 of its unit has passed its 复验."""
    from app.pipeline.tables_handover import InspectionDefect

    deal = await Deal.select(Deal.id, Deal.number, Deal.unit).where((Deal.unit == unit_id) & (Deal.handover_status == "有条件交付")).first()
    if not deal:
        return
    if await Defect.exists().where((Defect.deal == deal["id"]) & (Defect.status != "已通过")) or await open_issues(unit_id):
        return
    rows = await Deal.update({Deal.handover_status: "整改闭环", Deal.version: Deal.version + 1}).where(
        (Deal.id == deal["id"]) & (Deal.handover_status == "有条件交付")).returning(Deal.id)
    if rows:
        await audit.record(actor=user, action="pipeline.handover.closed", entity="pl_deal", entity_id=deal["id"],
                           summary=f"{deal['number']} 交房整改全部复验通过，整改闭环")


async def defect_step(user, kind: str, defect_id: int, action: str, values) -> dict:
    """待整改 → 整改中 (项目部) → 待复验 (项目部 records the rectification and the 项目部/监理 check) → 已通过, or back to
    整改中 when the 客服中心's 复验 fails."""
    row = await defect_row(kind, defect_id)
    if not row:
        raise PipelineError("问题单不存在")
    if not user.sees_project(row["project"]):
        raise PipelineError("该项目不在您的数据范围内")
    if action not in defect_actions(user, row) and action in ("start", "rectified", "recheck"):
        who = "客服中心（客服主管）" if action == "recheck" else "项目部工程师"
        if (action == "recheck" and not may_act(user, "交房")) or (action != "recheck" and not may_rectify(user)):
            raise PipelineError(f"只有{who}可以办理这一步")
    p = Parser(values)
    t = defect_table(kind)
    if action == "start":
        note = p.text("note", "整改安排", required=False, max_len=500)
        where, changes, label = t.status == "待整改", {t.status: "整改中", t.rectify_note: note}, "施工单位开始整改" + (f"：{note}" if note else "")
    elif action == "rectified":
        note = p.text("note", "整改情况及项目部/监理验收意见", max_len=500)
        where, changes, label = t.status == "整改中", {t.status: "待复验", t.rectify_note: note}, f"整改完成，项目部/监理已验收：{note}"
    elif action == "recheck":
        result = p.choice("result", "复验结论", ["通过", "不通过"])
        note = p.text("note", "复验意见", required=result == "不通过", max_len=500)
        if result == "通过":
            changes, label = {t.status: "已通过", t.recheck_note: note, t.closed_on: today_local()}, "复验通过" + (f"：{note}" if note else "")
        else:
            changes, label = {t.status: "整改中", t.recheck_note: note}, f"复验不通过，退回整改：{note}"
        where = t.status == "待复验"
    else:
        raise PipelineError("未知的操作")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        done = await t.update(changes).where((t.id == defect_id) & where).returning(t.id, t.status)
        if not done:
            raise PipelineError("该问题单的状态已经变化（可能已被他人办理），请刷新页面")
        name = "问题单" if kind == "issue" else "整改单"
        await audit.record(actor=user, action=f"pipeline.defect.{action}", entity=f"pl_{kind}", entity_id=defect_id,
                           summary=f"{name} {row['unit.building.name']}-{row['unit.room_no']} {row['location']}：{label}",
                           before={"status": row["status"]}, after={"status": done[0]["status"]})
        if done[0]["status"] == "已通过":
            await _close_rectification(user, row["unit"])
    return done[0]


# ---- 房屋验收计划 and the key hand-over from the 施工单位


async def create_plan(user, values) -> dict:
    """房屋验收计划进度表 of one building, drawn up by the 客服中心 after the 竣工验收."""
    from app.estate.tables import Building
    from app.pipeline.tables_handover import InspectionPlan

    _require(user, "交房")
    p = Parser(values)
    from app.core.fields import parse_id

    bid = parse_id(p.raw("building"))
    building = await Building.select(Building.id, Building.project, Building.name).where(Building.id == bid).first() if bid else None
    if not building or not user.sees_project(building["project"]):
        p.fail("building", "请选择楼栋")
    start = p.date("starts_on", "验收开始日期")
    end = p.date("ends_on", "验收结束日期")
    if start and end and end < start:
        p.fail("ends_on", "结束日期不能早于开始日期")
    scope_note = p.text("units_note", "验收范围", max_len=200)
    dept = p.text("project_dept", "项目部参加人", max_len=100)
    sup = p.text("supervisor_co", "监理单位", max_len=100)
    contractor = p.text("contractor", "施工单位", max_len=100)
    note = p.text("note", "备注", required=False, max_len=1000)
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = (await InspectionPlan.insert(InspectionPlan(project=building["project"], building=building["id"], starts_on=start, ends_on=end,
                                                          units_note=scope_note, project_dept=dept, supervisor_co=sup, contractor=contractor,
                                                          note=note, created_by=getattr(user, "employee_id", None), created_at=now())
                                           ).returning(InspectionPlan.id))[0]
        await audit.record(actor=user, action="pipeline.inspection", entity="pl_inspection_plan", entity_id=row["id"],
                           summary=f"房屋验收计划：{building['name']} {start.isoformat()} 至 {end.isoformat()}（{contractor}）")
    return row


async def plan_page(plan_id: int) -> dict | None:
    from app.estate.tables import Unit as U
    from app.pipeline.tables_handover import InspectionDefect, InspectionPlan, KeyReceipt

    plan = await InspectionPlan.select(InspectionPlan.all_columns(), InspectionPlan.building.name, InspectionPlan.project.name).where(
        InspectionPlan.id == plan_id).first()
    if not plan:
        return None
    units = await U.select(U.id, U.room_no, U.status).where(U.building == plan["building"]).order_by(U.floor).order_by(U.room_no).limit(500)
    issues = await InspectionDefect.select(InspectionDefect.all_columns(), InspectionDefect.unit.room_no).where(
        InspectionDefect.plan == plan_id).order_by(InspectionDefect.id).limit(500)
    keys = {k["unit"]: k for k in await KeyReceipt.select().where(KeyReceipt.plan == plan_id)}
    open_by_unit: dict[int, int] = {}
    for i in issues:
        if i["status"] != "已通过":
            open_by_unit[i["unit"]] = open_by_unit.get(i["unit"], 0) + 1
    for u in units:
        u["open"], u["keys"] = open_by_unit.get(u["id"], 0), keys.get(u["id"])
    return {"plan": plan, "units": units, "issues": issues}


async def add_issue(user, plan_id: int, values) -> dict:
    """A 问题单 found at the 房屋验收: unit, 部位, 类别, responsible 施工单位, promised date (photos on its page)."""
    from app.core.fields import parse_id
    from app.estate.tables import Unit as U
    from app.pipeline.tables_handover import InspectionDefect, InspectionPlan

    _require(user, "交房")
    plan = await InspectionPlan.select().where(InspectionPlan.id == plan_id).first()
    if not plan or not user.sees_project(plan["project"]):
        raise PipelineError("验收计划不存在")
    p = Parser(values)
    uid = parse_id(p.raw("unit"))
    if not uid or not await U.exists().where((U.id == uid) & (U.building == plan["building"])):
        p.fail("unit", "请选择本楼栋的房号")
    location = p.text("location", "部位", max_len=50)
    category = p.choice("category", "类别", ISSUE_CATEGORIES)
    contractor = p.text("contractor", "责任施工单位", max_len=100)
    due = p.date("due_on", "整改期限")
    if due and due < today_local():
        p.fail("due_on", "整改期限不能早于今天")
    description = p.text("description", "问题描述", max_len=1000)
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = (await InspectionDefect.insert(InspectionDefect(plan=plan_id, unit=uid, location=location, category=category, contractor=contractor,
                                                              due_on=due, description=description, created_at=now(),
                                                              created_by=getattr(user, "employee_id", None))).returning(InspectionDefect.id))[0]
        await audit.record(actor=user, action="pipeline.issue", entity="pl_issue", entity_id=row["id"],
                           summary=f"房屋验收问题单：{location}（{category}），{contractor}，期限 {due.isoformat()}")
    return row


ISSUE_CATEGORIES = ["土建", "门窗", "水电", "墙地面", "防水渗漏", "设备", "公共部位", "其他"]


async def record_keys(user, plan_id: int, values) -> dict:
    """The 施工单位 hands a unit's keys to the 客服中心 (keys received, date)."""
    from app.core.fields import parse_id
    from app.estate.tables import Unit as U
    from app.pipeline.tables_handover import InspectionPlan, KeyReceipt

    _require(user, "交房")
    plan = await InspectionPlan.select().where(InspectionPlan.id == plan_id).first()
    if not plan or not user.sees_project(plan["project"]):
        raise PipelineError("验收计划不存在")
    p = Parser(values)
    uid = parse_id(p.raw("unit"))
    if not uid or not await U.exists().where((U.id == uid) & (U.building == plan["building"])):
        p.fail("unit", "请选择本楼栋的房号")
    elif await KeyReceipt.exists().where(KeyReceipt.unit == uid):
        p.fail("unit", "该房源的钥匙已登记接收")
    keys = p.integer("keys_count", "钥匙数量", minimum=1, maximum=50)
    on = p.date("received_on", "接收日期")
    if on and on > today_local():
        p.fail("received_on", "接收日期不能晚于今天")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = (await KeyReceipt.insert(KeyReceipt(plan=plan_id, unit=uid, keys_count=keys, received_on=on, contractor=plan["contractor"],
                                                  recorded_by=getattr(user, "employee_id", None))).returning(KeyReceipt.id))[0]
        await audit.record(actor=user, action="pipeline.keys", entity="pl_inspection_plan", entity_id=plan_id,
                           summary=f"接收施工单位（{plan['contractor']}）移交的钥匙 {keys} 把，房源 {uid}，{on.isoformat()}")
    return row


# ---- 确权面积 and the 面积差对照表 (6b)


async def area_table(building_id: int) -> list[dict]:
    """The 面积差对照表 of a building: every unit with a live deal, its contract and surveyed (确权) areas, the deviation
    ratio and the amount by the 3 % rule (rules.settle_by_basis). Two queries, no query per row."""
    from app.pipeline.tables_handover import SurveyedArea

    tolerance = await setting("area_tolerance_pct")
    deals = await Deal.select(Deal.id, Deal.unit, Deal.unit.room_no, Deal.unit.area_build, Deal.unit.area_inner, Deal.unit.pricing_basis,
                              Deal.unit_price, Deal.buyer.name, Deal.handover_status).where(
        (Deal.unit.building == building_id) & Deal.stage.is_in(["已签约", "已备案", "已交付", "已办证"])).order_by(Deal.unit.floor).order_by(
        Deal.unit.room_no).limit(1000)
    surveyed = {r["unit"]: r for r in await SurveyedArea.select().where(SurveyedArea.unit.is_in([d["unit"] for d in deals] or [0]))}
    out = []
    for d in deals:
        s = surveyed.get(d["unit"])
        basis = d["unit.pricing_basis"] or "建筑面积"
        row = {**d, "basis": basis, "surveyed": s, "ratio": None, "amount": None, "explanation": ""}
        if s and not (basis == "套内面积" and s["area_inner"] is None):
            st = rules.settle_by_basis(basis, contract_build=Decimal(d["unit.area_build"]), contract_inner=Decimal(d["unit.area_inner"]),
                                       surveyed_build=Decimal(s["area_build"]) if basis != "按套" else None,
                                       surveyed_inner=Decimal(s["area_inner"]) if basis == "套内面积" else None,
                                       unit_price=Decimal(d["unit_price"]), tolerance=tolerance)
            row.update(ratio=st.ratio, amount=st.amount, explanation=st.explanation)
        out.append(row)
    return out


async def record_surveyed(user, building_id: int, values) -> int:
    """确权面积 of a building's units (the surveyor's report), entered on the 对照表: fields area_build_<unit>, area_inner_<unit>.
    All or nothing, one transaction; a unit left blank keeps what it had."""
    from app.estate.tables import Building
    from app.pipeline.tables_handover import SurveyedArea

    _require(user, "交房")
    b = await Building.select(Building.project).where(Building.id == building_id).first()
    if not b or not user.sees_project(b["project"]):
        raise PipelineError("楼栋不存在或不在您的数据范围内")
    units = {r["id"]: r for r in await Unit.select(Unit.id, Unit.room_no).where(Unit.building == building_id)}
    p = Parser(values)

    def area(name: str, label: str) -> Decimal | None:
        raw = p.raw(name)
        if not raw:
            return None
        try:
            v = Decimal(raw)
            if not v.is_finite() or v <= 0 or v.as_tuple().exponent < -2 or v >= Decimal("100000"):
                raise ValueError
            return v
        except Exception:
            p.fail(name, f"{label}应为大于 0 的数字，最多两位小数")
            return None

    rows = []
    for uid, u in units.items():
        build = area(f"area_build_{uid}", f"{u['room_no']} 确权建筑面积")
        inner = area(f"area_inner_{uid}", f"{u['room_no']} 确权套内面积")
        if inner is not None and build is None:
            p.fail(f"area_build_{uid}", f"{u['room_no']} 请同时填写确权建筑面积")
        if build is not None:
            rows.append((uid, build, inner))
    if not rows and not p.errors:
        p.fail("__all__", "请至少填写一户的确权面积")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    async with write_transaction():
        await SurveyedArea.delete().where(SurveyedArea.unit.is_in([r[0] for r in rows]))
        await SurveyedArea.insert(*[SurveyedArea(unit=uid, area_build=build, area_inner=inner, recorded_on=today_local(),
                                                 recorded_by=getattr(user, "employee_id", None)) for uid, build, inner in rows])
        await audit.record(actor=user, action="pipeline.surveyed", entity="pl_surveyed_area", entity_id=building_id,
                           summary=f"录入确权面积 {len(rows)} 户", after={"units": [r[0] for r in rows]})
    return len(rows)


async def surveyed_of(unit_id: int) -> dict | None:
    from app.pipeline.tables_handover import SurveyedArea

    return await SurveyedArea.select().where(SurveyedArea.unit == unit_id).first()


# ---------------------------------------------------------------- A7 产权证

TITLE_STATES = ("资料收集中", "资料待补", "资料齐备", "待缴税费", "已递交", "审核中", "已登簿", "已领证", "已通知业主", "已交付业主", "归档")
TITLE_OPEN = list(TITLE_STATES[:-2])  # the deadline runs until the certificate reaches the owner
TITLE_UNSUBMITTED = ["资料收集中", "资料待补", "资料齐备", "待缴税费"]  # the pre-registration may lapse (民法典 221)
TITLE_DONE = ("已交付业主", "归档")
# action: (from states, to state, date column, label)
TITLE_STEPS = {
    "missing": (("资料收集中", "资料待补"), "资料待补", Deal.title_missing_on, "发出补件通知"),
    "complete": (("资料收集中", "资料待补"), "资料齐备", None, "办证资料齐备"),
    "fees": (("资料齐备",), "待缴税费", None, "核定税费"),
    "submit": (("待缴税费",), "已递交", Deal.title_submitted_on, "递交办证"),
    "review": (("已递交",), "审核中", Deal.reviewed_on, "登记机构审核中"),
    "booked": (("审核中",), "已登簿", Deal.booked_on, "已登簿"),
    "issued": (("已登簿",), "已领证", Deal.issued_on, "已领证"),
    "notify": (("已领证",), "已通知业主", Deal.owner_notified_on, "已通知业主领证"),
    "deliver": (("已通知业主",), "已交付业主", Deal.delivered_on, "产权证已交付业主"),
    "archive": (("已交付业主",), "归档", Deal.archived_on, "产权证资料归档"),
}


async def title_fees(deal: dict, homes: str, copies: int, limits: dict[str, Decimal] | None = None,
                     table: list[rules.DeedTaxRate] | None = None) -> dict:
    """契税 (on the price after the area settlement, by the surveyed area, at the home count's rate) and 登记费 (per case,
    one certificate free, each extra copy charged); `deal` needs total_price, area_amount, surveyed_area, unit.area_build."""
    limits = limits if limits is not None else await all_settings()
    rate, tax, taxable = _deed_tax(deal, homes, table if table is not None else await deed_tax_table())
    fee = rules.registration_fee(copies, per_case=limits["reg_fee_case"], per_extra_copy=limits["reg_fee_extra_copy"],
                                 free_copies=int(limits["reg_fee_free_copies"]))
    return {"rate": rate, "tax": tax, "taxable": taxable, "reg_fee": fee, "total": tax + fee}


async def unpaid_of(deal_ids: list[int]) -> dict[int, list[str]]:
    """What each deal still owes (instalments with money outstanding, the 面积差 among them): {deal: ["面积差 1,234.00 元", …]}.
    Refunds owed to the buyer (negative) do not block."""
    from app.pipeline.receipts import outstanding

    out: dict[int, list[str]] = {}
    if not deal_ids:
        return out
    for inst in await Instalment.select(Instalment.deal, Instalment.kind, Instalment.amount_due, Instalment.received).where(
            Instalment.deal.is_in(deal_ids)).order_by(Instalment.due_on):
        left = outstanding(inst)
        if left > 0:
            out.setdefault(inst["deal"], []).append(f"{inst['kind']} {left:,.2f} 元")
    return out


def _unpaid_message(items: list[str]) -> str:
    return "尚有未结清款项：" + "、".join(items) + "，结清后才能递交办证（请财务登记收款）"


async def _advance_request(p: Parser, name: str) -> str:
    """The 借款 (E14, 业务借款) that advanced the fees: optional, but when given it must be an existing advance request."""
    from app.workflow.tables import Request

    no = p.text(name, "借款单号", required=False, max_len=30).upper()
    if no and not await Request.exists().where((Request.number == no) & (Request.flow == "advance")):
        p.fail(name, "没有这个借款单号，请先在审批中发起借款（业务借款）")
    return no


def _recipient(p: Parser, deal: dict) -> dict:
    """The recipient of the certificate: name and ID (validated); someone other than the owner needs a 委托书."""
    who = p.text("recipient", "领取人", max_len=50)
    id_type = p.choice("recipient_id_type", "证件类型", ID_TYPES)
    idn = p.raw("recipient_id_number").upper()
    if id_type in CHECKSUM_ID_TYPES:
        err = validate_resident_id(idn)
        if err:
            p.fail("recipient_id_number", err)
    elif not idn:
        p.fail("recipient_id_number", "请填写领取人证件号码")
    elif len(idn) > 30:
        p.fail("recipient_id_number", "证件号码最多 30 位")
    owner = who == deal["buyer.name"] and idn == (deal["buyer.id_number"] or "").upper()
    poa = p.text("poa", "委托书", required=False, max_len=200)
    if who and idn and not owner and not poa:
        p.fail("poa", "领取人不是业主本人（姓名与证件号须与买受人一致），须登记业主的委托书（编号或公证书号）")
    return {"name": who, "id_type": id_type, "id_number": idn, "poa": "" if owner else poa, "owner": owner}


async def title_step(user, deal_id: int, action: str, values) -> dict:
    _require(user, "产权证")
    if action not in TITLE_STEPS:
        raise PipelineError("未知的操作")
    srcs, dst, col, label = TITLE_STEPS[action]
    p = Parser(values)
    on = p.date("on", "日期") if col is not None else None
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    deal = await Deal.select(Deal.all_columns(), Deal.unit.area_build, Deal.buyer.name, Deal.buyer.id_number).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if on and deal["handed_over_on"] and on < deal["handed_over_on"] and action in ("missing", "submit"):
        p.fail("on", "日期不能早于交房日期")
    changes: dict[Any, Any] = {Deal.title_status: dst}
    if col is not None:
        changes[col] = on
    after: dict[str, Any] = {"title_status": dst}
    docs = await DealDocument.select(DealDocument.name, DealDocument.received_on).where(
        (DealDocument.deal == deal_id) & (DealDocument.stage == "产权证")).order_by(DealDocument.id)
    missing = [d["name"] for d in docs if d["received_on"] is None]
    if action == "missing":
        note = p.text("note", "补充说明", required=False, max_len=300)
        if not missing and not note:
            p.fail("note", "资料已全部收到；如仍需补件，请写明需补的资料")
        changes[Deal.title_missing] = "\n".join(missing + ([note] if note else []))
        label = f"发出补件通知：{'、'.join(missing + ([note] if note else []))}"
    elif action == "complete":
        if missing:
            p.fail("__all__", "办证资料未齐：" + "、".join(missing) + "，请先发补件通知")
        changes[Deal.title_missing] = ""
    elif action == "fees":
        homes = p.choice("home_count", "购房套数", rules.HOME_COUNTS)
        copies = p.integer("copies", "证书份数", minimum=1, maximum=int(await setting("title_max_copies")))
        if p.errors:
            raise PipelineError("请修改标红的项目", errors=p.errors)
        fees = await title_fees(deal, homes, copies)
        changes.update({Deal.home_count: homes, Deal.title_copies: copies, Deal.deed_tax_rate: fees["rate"], Deal.deed_tax: fees["tax"],
                        Deal.reg_fee: fees["reg_fee"]})
        label = (f"核定税费：{homes}，计税价格 {fees['taxable']:,.2f} 元，契税 {fees['rate']}% 计 {fees['tax']:,.2f} 元；"
                 f"登记费 {fees['reg_fee']:,.2f} 元（{copies} 本证书）")
        after.update({"deed_tax": fees["tax"], "reg_fee": fees["reg_fee"]})
    elif action == "submit":
        no = p.text("acceptance_no", "受理号", max_len=50)
        advance = await _advance_request(p, "advance_no")
        unpaid = (await unpaid_of([deal_id])).get(deal_id)
        if unpaid:
            p.fail("__all__", _unpaid_message(unpaid))
        blocked = await mortgage_block(deal["unit"], "mortgage_blocks_title", "办理产权证")
        if blocked:
            p.fail("__all__", blocked)
        changes.update({Deal.acceptance_no: no, Deal.title_advance_no: advance})
        label = f"办证资料已递交（受理号 {no}" + (f"，税费由借款 {advance} 垫付" if advance else "") + "）"
    elif action == "issued":
        no = p.text("cert_no", "不动产权证号", max_len=50)
        changes[Deal.cert_no] = no
        label = f"已领证（{no}）"
    elif action == "deliver":
        r = _recipient(p, deal)
        changes.update({Deal.recipient: r["name"], Deal.recipient_id_type: r["id_type"], Deal.recipient_id_number: r["id_number"],
                        Deal.recipient_poa: r["poa"], Deal.stage: "已办证"})
        label = f"产权证已交付业主（领取人 {r['name']}" + ("，业主本人" if r["owner"] else f"，凭委托书 {r['poa']}") + "）"
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    stage = Deal.stage == ("已办证" if action == "archive" else "已交付")
    async with write_transaction():
        row = await _move(deal_id, Deal.title_status.is_in(list(srcs)) & stage, changes)
        if action == "deliver":
            await _unit_status(deal["unit"], ["已交付"], "已办证")
        await _audit(user, row, f"title.{action}", label, {"title_status": deal["title_status"]}, after)
        await _reminders_done(deal_id, f"title.{action}")
    return row


async def title_batch_candidates(user) -> list[dict]:
    """Deals whose fees are assessed (待缴税费) and that owe nothing, not yet submitted (in the user's projects)."""
    from piccolo.query import WhereRaw

    owing = Instalment.select(Instalment.deal).where(WhereRaw("amount_due > received"))
    q = Deal.select(Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name,
                    Deal.handed_over_on, Deal.deed_tax, Deal.reg_fee).where(
        (Deal.title_status == "待缴税费") & (Deal.stage == "已交付") & Deal.id.not_in(owing)
    ).order_by(Deal.handed_over_on).limit(200)
    q = scoped(q, Deal.project, user)
    return await q


async def title_batch(user, values) -> int:
    """批量递交: the selected deals are submitted together under one batch number, all or none (one transaction)."""
    _require(user, "产权证")
    p = Parser(values)
    batch_no = p.text("batch_no", "批次号", max_len=40)
    on = p.date("on", "递交日期")
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    advance = await _advance_request(p, "advance_no")
    ids = []
    for raw in p.getall("deal_ids"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    if not ids:
        p.fail("deal_ids", "请至少选择一户")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    allowed = {d["id"] for d in await title_batch_candidates(user)}
    if not set(ids) <= allowed:
        unpaid = await unpaid_of(sorted(set(ids) - allowed))
        if unpaid:
            raise PipelineError("所选记录中有未结清款项的：" + "；".join(f"{k} 号记录 {'、'.join(v)}" for k, v in unpaid.items()), "deal_ids")
        raise PipelineError("所选记录中有资料未齐、税费未核定或不在您的数据范围内的，请刷新后重选", "deal_ids")
    units = {d["id"]: d["unit"] for d in await Deal.select(Deal.id, Deal.unit).where(Deal.id.is_in(ids))}
    if int(await setting("mortgage_blocks_title")):
        held = await Unit.select(Unit.room_no).where(Unit.id.is_in(list(units.values())) & (Unit.mortgaged == True))  # noqa: E712
        if held:
            raise PipelineError("在建工程抵押尚未解除的房源不能办理产权证：" + "、".join(h["room_no"] for h in held) + "；请先办理解押（A8）", "deal_ids")
    async with write_transaction():
        for i, deal_id in enumerate(sorted(ids), 1):
            no = f"{batch_no}-{i:03d}"
            row = await _move(deal_id, (Deal.title_status == "待缴税费") & (Deal.stage == "已交付"), {
                Deal.title_status: "已递交", Deal.title_submitted_on: on, Deal.acceptance_no: no, Deal.title_advance_no: advance})
            await _audit(user, row, "title.submit", f"批量递交办证（批次 {batch_no}，受理号 {no}" + (f"，税费由借款 {advance} 垫付" if advance else "") + "）",
                         {"title_status": "待缴税费"}, {"title_status": "已递交"})
            await _reminders_done(deal_id, "title.submit")
    return len(ids)


async def first_registration(project_id: int) -> dict | None:
    """The project's 首次登记 (the earliest recorded), from which the pre-registration's 90 days run."""
    from app.pipeline.tables_title import FirstRegistration

    return await FirstRegistration.select().where(FirstRegistration.project == project_id).order_by(FirstRegistration.registered_on).first()


# ---------------------------------------------------------------- reading


async def deal_page(deal_id: int) -> dict | None:
    deal = await Deal.select(Deal.all_columns(), Deal.buyer.name, Deal.buyer.id_type, Deal.buyer.id_number, Deal.buyer.mobile,
                             Deal.salesperson.name, Deal.unit.room_no, Deal.unit.area_build).where(Deal.id == deal_id).first()
    if not deal:
        return None
    parties = await DealParty.select(DealParty.all_columns(), DealParty.buyer.name, DealParty.buyer.id_number, DealParty.buyer.mobile).where(DealParty.deal == deal_id)
    docs = await DealDocument.select().where(DealDocument.deal == deal_id).order_by(DealDocument.id)
    defects = await Defect.select().where(Defect.deal == deal_id)
    dues = await Instalment.select().where(Instalment.deal == deal_id).order_by(Instalment.due_on)
    return {"deal": deal, "parties": parties, "docs": docs, "defects": defects, "dues": dues}


async def mortgage_due(deal: dict, limits: dict[str, Decimal], cal=None) -> tuple[date | None, date | None, str]:
    """(due, amber from, detail) of the 按揭 step in its state: the documents' deadline, the bank's 3/5 WD clock [S 4.3],
    the registration period, the release's 2 WD [S 4.4]. `cal`: a loaded WorkCalendar (the queue passes one for all rows)."""
    from app.core.workdays import calendar_for

    ms = deal["mortgage_status"]
    base = deal["bank_submitted_on"] or deal["bank_approved_on"] or deal["registered_on"] or deal["docs_due"] or today_local()
    if cal is None:
        cal = await calendar_for(base - timedelta(days=10), max(base, today_local()) + timedelta(days=120))
    due = amber = None
    loan = f"{deal['loan_bank']}{deal.get('loan_branch') or ''} 贷款 {Decimal(deal['loan_amount']):,.2f} 元"
    detail = loan
    if ms in DOCS_OPEN:
        due = deal["docs_due"]
        if deal.get("docs_demand_on"):
            detail += f" · 已于 {deal['docs_demand_on']} 转法务书面催告"
    elif ms == "银行审批中" and deal["bank_submitted_on"]:  # amber at 3 WD, red after 5 WD [S 4.3]
        due = cal.add_working_days(deal["bank_submitted_on"], int(limits["bank_approval_wd"]))
        amber = cal.add_working_days(deal["bank_submitted_on"], int(limits["bank_approval_amber_wd"]))
    elif ms in ("银行已批", "抵押登记中") and deal["bank_approved_on"]:
        due = cal.add_calendar_days(deal["bank_approved_on"], int(limits["mortgage_register_days"]))
    elif ms in ("抵押已登记", "放款中") and deal["registered_on"]:
        due = cal.add_working_days(deal["registered_on"], int(limits["release_wd"]))
    if deal.get("reg_cert_no"):
        detail += f" · 登记证明号 {deal['reg_cert_no']}"
    if ms == "贷款被拒":
        detail += f" · {deal.get('refused_on')} 被拒：{deal.get('refuse_reason')}"
    elif ms == "已放款":
        detail += f" · 已放款 {Decimal(deal['released_amount']):,.2f} 元，待产权证交付后解除阶段性担保"
    elif ms == "担保解除":
        detail += f" · {deal.get('guarantee_released_on')} 已解除阶段性担保"
    elif ms == "转付款方式":
        detail = "贷款被拒后改为一次性付款"
    return due, amber, detail


async def stages_of(deal: dict, today: date | None = None, limits: dict[str, Decimal] | None = None) -> list[dict]:
    """The unit timeline: each stage with its owner, status, due date (working days where the SPEC says WD).
    `limits`: the pipeline settings, loaded once by the caller (all_settings())."""
    t = today or today_local()
    limits = limits if limits is not None else await all_settings()
    loan = deal["payment_method"] in LOAN_METHODS
    out = []

    def add(name, status, done, due=None, detail="", amber_from=None):
        overdue = (not done) and due is not None and due < t and status not in ("", "未开始")
        amber = (not done) and not overdue and amber_from is not None and amber_from <= t
        out.append({"name": name, "owner": STAGE_OWNER[name], "status": status or "未开始", "done": done, "due": due, "overdue": overdue,
                    "amber": amber, "detail": detail})

    voided = deal["stage"] == "已作废"
    ss = deal["subscription_status"] or "已认购"  # "" = a deal from before the states were kept
    if deal["signed_on"] is not None and ss in ("已认购", "逾期未签"):
        ss = "已转签约"
    sub_due = deal["sign_deadline"] if ss in ("已认购", "逾期未签") else None
    add("认购", ss, ss == "已转签约", sub_due, f"定金 {Decimal(deal['deposit']):,.2f} 元 · {deal['payment_method']}"
        + (f" · 优惠：{deal['discount_note']}" if deal["discount_note"] else "") + (" · 签约截止日已过" if ss == "逾期未签" else ""),
        sub_due - timedelta(days=1) if sub_due else None)
    if ss == "逾期未签":
        out[-1]["overdue"] = True
    signed = deal["signed_on"] is not None
    ss = "已签约" if signed else (deal.get("sign_status") or ("审核退回" if deal["check_status"] == "退回补正" else "待提交审核单"))
    add("签约", ss, signed, None if signed else deal["sign_deadline"],
        f"合同 {deal['contract_no']} · 网签 {deal['online_no']}" if signed or ss in ("网签草拟", "待客户签字") else
        ("待安全厅备案审批（证件及手续 › 境外购房备案）" if ss == "境外审批中" else ""))
    if loan or deal["mortgage_status"] in MORTGAGE_EXITS:
        due, amber_from, detail = await mortgage_due(deal, limits)
        ms = deal["mortgage_status"]
        add("按揭", mortgage_state_label(ms), ms in ("已放款", "担保解除", "转付款方式"), due, detail, amber_from)
    fs = deal["filing_status"]
    filing_due = await period_end(rules.filing_due(deal["signed_on"], int(limits["filing_days"]))) if signed and fs in FILING_OPEN else None
    add("备案", fs, fs == "合同已交接", filing_due,
        " · ".join(x for x in (
            f"受理号 {deal['filing_acceptance_no']}" if deal["filing_acceptance_no"] and fs in ("已报送", "退件补正") else "",
            f"退件：{deal['filing_return_reason']}" if fs == "退件补正" else "",
            f"备案号 {deal['filing_no']}" if deal["filing_no"] else "",
            f"预告登记 {deal['prereg_no']}" if deal["prereg_no"] else "",
            f"用章 {deal['filing_seal_no']}" if deal["filing_seal_no"] else "",
            f"合同已交 {deal['contract_received_by']}" if fs == "合同已交接" else "",
            "预告登记后将备案合同交合同专员" if fs == "已预告登记" else "") if x))
    hs = deal["handover_status"]
    add("交房", *handover_entry(deal, t, limits))
    ts = deal["title_status"]
    title_due = rules.title_deadline(deal["title_deadline"], deal["handed_over_on"], deal["signed_on"] or deal["subscribed_on"], int(limits["title_days"]))
    first = await first_registration(deal["project"]) if ts in TITLE_UNSUBMITTED else None
    lapse = rules.prereg_lapse(first["registered_on"] if first else None, int(limits["prereg_lapse_days"]))
    fees = ""
    if deal["deed_tax"] is not None:
        fees = f"契税 {deal['deed_tax_rate']}% 计 {Decimal(deal['deed_tax']):,.2f} 元" + (
            f"，登记费 {Decimal(deal['reg_fee']):,.2f} 元（{deal['title_copies']} 本）" if deal["reg_fee"] is not None else "")
    due = await period_end(title_due) if title_due and ts in TITLE_OPEN else None
    days_amber = int(limits["title_remind_days"])
    # amber from the day the first reminder goes out (steps/title.py: `title_remind_days` before the 办证期限 itself,
    # not before the working day a weekend moves it to)
    amber_from = (title_due - timedelta(days=days_amber)) if due else None
    if lapse and (due is None or lapse < due):
        due = lapse  # the pre-registration's lapse comes first
        amber_from = lapse - timedelta(days=days_amber)
    add("产权证", ts, ts in TITLE_DONE, due,
        " · ".join(x for x in (
            f"{deal['home_count']}" if ts else "",
            f"办证期限 {title_due:%Y-%m-%d}" + ("（合同约定）" if deal["title_deadline"] else "（法定 " + str(int(limits["title_days"])) + " 天）")
            if title_due and ts in TITLE_OPEN else "",
            f"预告登记失效日 {lapse:%Y-%m-%d}（首次登记 {first['registered_on']:%Y-%m-%d}）" if lapse else "",
            f"待补：{deal['title_missing'].replace(chr(10), '、')}" if ts == "资料待补" and deal["title_missing"] else "",
            fees,
            f"受理号 {deal['acceptance_no']}" if deal["acceptance_no"] else "",
            f"证号 {deal['cert_no']}" if deal["cert_no"] else "",
            f"领取人 {deal['recipient']}（{mask_id_number(deal['recipient_id_number'])}）" + (f"，凭委托书 {deal['recipient_poa']}" if deal["recipient_poa"] else "")
            if ts in TITLE_DONE and deal["recipient"] else "") if x),
        amber_from)
    if voided:
        for s in out:
            if not s["done"]:
                s["status"], s["overdue"], s["due"] = "已作废", False, None
    return out


def handover_entry(deal: dict, today: date, limits: dict[str, Decimal]) -> tuple:
    """The timeline's 交房 entry: (status, done, due, detail) — every state passed with its date, the current one's due."""
    hs = deal["handover_status"]
    day = handover_day(deal)
    n = int(limits["notice_min_days"])
    due = None
    if hs == "待通知" and day:
        due = rules.notice_deadline(day, n)  # the last day the notice may go out
    elif hs == "已通知":
        due = day
    elif hs == "已预约":
        due = deal["appointment_on"]
    elif hs == "办理中":
        due = today
    parts = []
    if deal["notice_sent_on"]:
        parts.append(f"通知 {deal['notice_sent_on']}（{deal['notice_method'] or 'EMS'} {deal['notice_tracking']}{'，短信' if deal['notice_sms'] else ''}"
                     f"{'，签收 ' + str(deal['notice_received_on']) if deal['notice_received_on'] else ''}）· 交房日 {day}")
    elif day:
        parts.append(f"交房日 {day}，通知书最晚 {rules.notice_deadline(day, n)} 发出")
    if deal["appointment_on"]:
        parts.append(f"预约 {deal['appointment_on']} {deal['appointment_time']}")
    if deal["identity_by"]:
        parts.append(f"{deal['identity_by']}到场")
    if hs == "拒收":
        parts.append(f"拒收：{deal['refusal_reason']}，整改后重新预约")
    if deal["handed_over_on"]:
        parts.append(f"{'视同交付' if hs == '视同交付' else '交付'} {deal['handed_over_on']}")
    if deal["area_amount"] is not None:
        parts.append(rules.PER_UNIT_TEXT if deal["area_basis"] == "按套" else
                     f"面积差（按{deal['area_basis'] or '建筑面积'}）{format_pct(deal['area_ratio'])}，结算 {Decimal(deal['area_amount']):,.2f} 元")
    if deal["late_days"]:
        parts.append(f"逾期交付 {deal['late_days']} 天，违约金 {Decimal(deal['late_penalty'] or 0):,.2f} 元")
    done = hs in ("已交付", "视同交付", "整改闭环")
    return hs, done, due, " · ".join(parts)


def can_unmask(user) -> bool:
    return user.can(Perm.CUSTOMER_UNMASK)


async def reaches_person(user, buyer_id: int) -> bool:
    """A person's record (buyer, co-owner or agent) is within the user's scope when one deal they are party to — as the
    buyer or through DealParty — is in a project the user sees. A person on no deal is reached only with all projects."""
    from app.pipeline.tables import DealParty

    if user.all_projects:
        return True
    projects = list(user.project_ids) or [0]
    if await Deal.exists().where((Deal.buyer == buyer_id) & Deal.project.is_in(projects)):
        return True
    return await DealParty.exists().where((DealParty.buyer == buyer_id) & DealParty.deal.project.is_in(projects))
