"""The pipeline's actions. Each is one transaction with one audit row, and moves a deal (and its unit) only by a
conditional update on the state it expects, so a stale page or a double click cannot move anything twice."""
from __future__ import annotations

from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from piccolo.engine import engine_finder

from app.core import audit
from app.core.numbering import next_number
from app.core.numbers import format_pct
from app.core.db import write_transaction
from app.core.fields import Parser
from app.core.permissions import Perm
from app.core.scope import scoped
from app.core.timeutil import now, today_local
from app.core.validators import validate_mobile, validate_resident_id
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
    from app.pipeline.tables import PipelineSetting

    row = await PipelineSetting.select(PipelineSetting.value).where(PipelineSetting.key == key).first()
    return Decimal(row["value"]) if row else settings_spec()[key][1]


async def all_settings() -> dict[str, Decimal]:
    """Every pipeline limit in one query (the SPEC default where a key is missing): load once per request and pass
    down. Also kept for the rest of this request's context, for the few synchronous readers (current_limits)."""
    from app.pipeline.tables import PipelineSetting

    values = {k: v for k, (_, v) in settings_spec().items()}
    for r in await PipelineSetting.select(PipelineSetting.key, PipelineSetting.value):
        values[r["key"]] = Decimal(r["value"])
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
    from app.core.workdays import load_calendar

    cal = await load_calendar(today - timedelta(days=limit + 40), today + timedelta(days=60))
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


async def check(user, deal_id: int, values) -> dict:
    """The 合同专员's 审核单 check: 通过 or 退回补正 (with a reason)."""
    _require(user, "签约")
    p = Parser(values)
    result = p.choice("result", "审核结果", ["审核通过", "退回补正"])
    note = p.text("note", "审核意见", required=result == "退回补正", max_len=500)
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    changes: dict[Any, Any] = {Deal.check_status: result, Deal.check_note: note}
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
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, (Deal.stage == "已认购") & Deal.check_status.is_in(["待审", "退回补正"]), changes)
        await _audit(user, row, "check", f"审核单{result}" + (f"：{note}" if note else ""), {"check_status": deal["check_status"]}, {"check_status": result})
    return row


async def approve_overseas(user, deal_id: int, values) -> dict:
    _require(user, "签约")
    p = Parser(values)
    ref = p.text("overseas_ref", "备案审批文号", max_len=50)
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, Deal.overseas_status == "待审批", {Deal.overseas_status: "已批准", Deal.overseas_ref: ref})
        await _audit(user, row, "overseas", f"境外购房备案已批准（{ref}）")
    return row


async def sign(user, deal_id: int, values) -> dict:
    _require(user, "签约")
    p = Parser(values)
    contract_no = p.text("contract_no", "合同编号", max_len=50)
    online_no = p.text("online_no", "网签备案号", max_len=50)
    signed_on = p.date("signed_on", "签约日期")
    homes = p.choice("home_count", "购房套数", rules.HOME_COUNTS)
    if signed_on and signed_on > today_local():
        p.fail("signed_on", "签约日期不能晚于今天")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if signed_on and signed_on <= today_local() and signed_on < deal["subscribed_on"]:
        p.fail("signed_on", f"签约日期不能早于认购日期 {deal['subscribed_on']:%Y-%m-%d}")
    if deal["check_status"] != "审核通过":
        p.fail("__all__", "审核单尚未通过，不能签约")
    if deal["overseas_status"] == "待审批":
        p.fail("__all__", "境外/港澳台买受人须先完成安全厅备案审批，才能签约")
    unit = await Unit.select(Unit.sealed, Unit.mortgaged).where(Unit.id == deal["unit"]).first()
    if unit["sealed"]:
        p.fail("__all__", "该房源已被查封，不能签约，请上报客服副经理并转法务")
    elif unit["mortgaged"]:
        p.fail("__all__", "该房源的在建工程抵押尚未解除，不能签约；请先发起解押审批")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    loan = deal["payment_method"] in LOAN_METHODS
    limits = await all_settings()
    async with write_transaction():
        row = await _move(deal_id, (Deal.stage == "已认购") & (Deal.check_status == "审核通过") & (Deal.overseas_status != "待审批"), {
            Deal.stage: "已签约", Deal.contract_no: contract_no, Deal.online_no: online_no, Deal.signed_on: signed_on, Deal.home_count: homes,
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


# ---------------------------------------------------------------- A3 按揭


MORTGAGE_STEPS = {  # action: (from status, to status, date column, label)
    "bank_submit": ("资料收集中", "银行审批中", Deal.bank_submitted_on, "送银行审批"),
    "bank_approve": ("银行审批中", "银行已批", Deal.bank_approved_on, "银行批复"),
    "register": ("银行已批", "抵押已登记", Deal.registered_on, "抵押登记完成"),
    "release": ("抵押已登记", "已放款", Deal.released_on, "银行放款"),
}


async def receive_document(user, deal_id: int, doc_id: int, received: bool) -> None:
    doc = await DealDocument.select(DealDocument.stage, DealDocument.name, DealDocument.received_on).where(
        (DealDocument.id == doc_id) & (DealDocument.deal == deal_id)).first()
    if not doc:
        raise PipelineError("资料项不存在")
    _require(user, doc["stage"] if doc["stage"] in STAGE_OWNER else "签约")
    async with write_transaction():
        await DealDocument.update({DealDocument.received_on: today_local() if received else None}).where(DealDocument.id == doc_id)
        deal = await Deal.select(Deal.id, Deal.number).where(Deal.id == deal_id).first()
        await _audit(user, deal, "document", f"{doc['stage']}资料「{doc['name']}」{'已收' if received else '改为未收'}")


async def mortgage_step(user, deal_id: int, action: str, values) -> dict:
    _require(user, "按揭")
    if action not in MORTGAGE_STEPS:
        raise PipelineError("未知的操作")
    src, dst, col, label = MORTGAGE_STEPS[action]
    p = Parser(values)
    on = p.date("on", f"{label}日期")
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    changes: dict[Any, Any] = {Deal.mortgage_status: dst, col: on}
    if action == "bank_submit":
        missing = await DealDocument.count().where((DealDocument.deal == deal_id) & (DealDocument.stage == "按揭") & DealDocument.received_on.is_null())
        if missing:
            p.fail("__all__", f"还有 {missing} 项按揭资料未收齐，不能送审")
    if action == "release":
        amount = p.money("amount", "放款金额")
        changes[Deal.released_amount] = amount
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, Deal.mortgage_status == src, changes)
        if action == "release":  # the bank's release is a receipt on the 贷款 instalment (财务 records the received amount [S 4.4])
            from app.pipeline.receipts import auto_receipt, outstanding

            for inst in await Instalment.select().where((Instalment.deal == deal_id) & (Instalment.kind == "贷款")):
                left = outstanding(inst)
                if left > 0:
                    await Instalment.update({Instalment.received: inst["amount_due"], Instalment.received_on: on}).where(Instalment.id == inst["id"])
                    await auto_receipt(deal_id, inst["id"], "贷款", left, on, "按揭放款", f"{row['loan_bank']}放款", user.employee_id)
        await _audit(user, row, f"mortgage.{action}", f"按揭：{label}（{on}）", {"mortgage_status": src}, {"mortgage_status": dst})
        await _reminders_done(deal_id, f"mortgage.{action}")
    return row


# ---------------------------------------------------------------- A4 备案


async def filing_step(user, deal_id: int, action: str, values) -> dict:
    _require(user, "备案")
    p = Parser(values)
    on = p.date("on", "日期")
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    deal = await Deal.select().where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if action == "submit":
        where, changes, label = Deal.filing_status == "待备案", {Deal.filing_status: "已报送", Deal.filing_submitted_on: on}, "备案资料已报送"
    elif action == "filed":
        no = p.text("filing_no", "备案号", max_len=50)
        where, changes, label = Deal.filing_status == "已报送", {Deal.filing_status: "已备案", Deal.filing_no: no, Deal.filed_on: on, Deal.stage: "已备案"}, f"已备案（{no}）"
    elif action == "prereg":
        no = p.text("prereg_no", "预告登记证明号", max_len=50)
        where, changes, label = (Deal.filing_status == "已备案") & (Deal.prereg_no == ""), {Deal.prereg_no: no, Deal.prereg_on: on}, f"已预告登记（{no}）"
    else:
        raise PipelineError("未知的操作")
    if on and deal["signed_on"] and on < deal["signed_on"]:
        p.fail("on", "日期不能早于签约日期")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    if action == "filed" and deal["stage"] != "已签约":
        # a unit handed over before its contract was filed: the filing is recorded, the deal and the unit stay
        # 已交付 (their later state); only a 已签约 deal moves on to 已备案
        changes.pop(Deal.stage)
    async with write_transaction():
        stage_now = Deal.stage == deal["stage"] if action == "filed" else Deal.stage.is_in(["已签约", "已备案", "已交付"])
        row = await _move(deal_id, where & Deal.stage.is_in(["已签约", "已备案", "已交付"]) & stage_now, changes)
        if action == "filed" and deal["stage"] == "已签约":
            await _unit_status(deal["unit"], ["已签约"], "已备案")
        await _audit(user, row, f"filing.{action}", label)
        await _reminders_done(deal_id, f"filing.{action}")
    return row


# ---------------------------------------------------------------- A6 交房


async def handover_notice(user, deal_id: int, values) -> dict:
    _require(user, "交房")
    p = Parser(values)
    on = p.date("on", "通知发出日期")
    tracking = p.text("tracking", "邮寄单号", required=False, max_len=50)
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, (Deal.handover_status == "待通知") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "已通知", Deal.notice_sent_on: on})
        await _audit(user, row, "handover.notice", f"交房通知已发出{('（' + tracking + '）') if tracking else ''}")
    return row


async def handover(user, deal_id: int, values) -> dict:
    """The handover day: surveyed area → 面积差 settlement by the 3% rule; keys and meters; defects; unit 已交付."""
    _require(user, "交房")
    p = Parser(values)
    on = p.date("on", "交付日期")
    if on and on > today_local():
        p.fail("on", "交付日期不能晚于今天")
    deal = await Deal.select(Deal.all_columns(), Deal.unit.area_build, Deal.unit.area_inner, Deal.unit.pricing_basis).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
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
    surveyed = area("surveyed_area", "实测建筑面积") if basis != "按套" else None
    surveyed_inner = area("surveyed_inner_area", "实测套内面积") if basis == "套内面积" else None
    keys = p.integer("keys_count", "钥匙数量", minimum=0, maximum=50)
    meters = p.text("meter_readings", "水电气表读数", required=False, max_len=200)
    defects = [d for d in p.getall("defect") if d][:20]
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    limits = await all_settings()
    settlement = rules.settle_by_basis(basis, contract_build=Decimal(deal["unit.area_build"]), contract_inner=Decimal(deal["unit.area_inner"]),
                                       surveyed_build=surveyed, surveyed_inner=surveyed_inner, unit_price=Decimal(deal["unit_price"]),
                                       tolerance=limits["area_tolerance_pct"])
    async with write_transaction():
        row = await _move(deal_id, (Deal.handover_status == "已通知") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "已交付", Deal.handed_over_on: on, Deal.surveyed_area: surveyed, Deal.surveyed_inner_area: surveyed_inner,
            Deal.area_basis: basis, Deal.area_ratio: settlement.ratio,
            Deal.area_amount: settlement.amount, Deal.keys_count: keys, Deal.meter_readings: meters, Deal.stage: "已交付",
            Deal.title_status: "资料收集中"})
        await _unit_status(deal["unit"], ["已签约", "已备案"], "已交付")
        if settlement.amount:
            await Instalment.insert(Instalment(deal=deal_id, kind="面积差", amount_due=settlement.amount,
                                               due_on=on + timedelta(days=int(limits["area_due_days"]))))
        for d in defects:
            await Defect.insert(Defect(deal=deal_id, location=d[:50], category="交房整改", description=d,
                                       due_on=on + timedelta(days=int(limits["defect_due_days"]))))
        await DealDocument.insert(*[DealDocument(deal=deal_id, stage="产权证", name=n) for n in await checklist("产权证")])
        measured = "" if basis == "按套" else f"实测建筑面积 {surveyed}㎡" + (f"、套内面积 {surveyed_inner}㎡" if surveyed_inner is not None else "") + "，"
        await _audit(user, row, "handover", f"交房；{measured}{settlement.explanation}，结算 {settlement.amount:,.2f} 元",
                     {"stage": deal["stage"]}, {"stage": "已交付", "area_amount": settlement.amount})
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
        row = await _move(deal_id, (Deal.handover_status == "已通知") & Deal.stage.is_in(["已签约", "已备案"]), {
            Deal.handover_status: "视同交付", Deal.handed_over_on: today_local(), Deal.stage: "已交付", Deal.title_status: "资料收集中"})
        await _unit_status(deal["unit"], ["已签约", "已备案"], "已交付")
        await DealDocument.insert(*[DealDocument(deal=deal_id, stage="产权证", name=n) for n in await checklist("产权证")])
        await _audit(user, row, "handover.deemed", f"视同交付（通知发出于 {deal['notice_sent_on']}，业主未到场），物业费自今日起算")
    return row


# ---------------------------------------------------------------- A7 产权证


async def title_step(user, deal_id: int, action: str, values) -> dict:
    _require(user, "产权证")
    p = Parser(values)
    on = p.date("on", "日期")
    if on and on > today_local():
        p.fail("on", "日期不能晚于今天")
    deal = await Deal.select(Deal.all_columns(), Deal.unit.area_build).where(Deal.id == deal_id).first()
    if not deal:
        raise PipelineError("记录不存在")
    if action == "submit":
        missing = await DealDocument.count().where((DealDocument.deal == deal_id) & (DealDocument.stage == "产权证") & DealDocument.received_on.is_null())
        if missing:
            p.fail("__all__", f"还有 {missing} 项办证资料未收齐，不能递交")
        homes = p.choice("home_count", "购房套数", rules.HOME_COUNTS)
        no = p.text("acceptance_no", "受理号", max_len=50)
        rate = tax = taxable = None
        if homes:
            rate, tax, taxable = _deed_tax(deal, homes, await deed_tax_table())
        where = Deal.title_status == "资料收集中"
        changes = {Deal.title_status: "已递交", Deal.title_submitted_on: on, Deal.acceptance_no: no, Deal.home_count: homes,
                   Deal.deed_tax_rate: rate, Deal.deed_tax: tax}
        label = f"办证资料已递交（受理号 {no}，{homes}，计税价格 {taxable or 0:,.2f} 元，契税 {rate}% 计 {tax or 0:,.2f} 元）"
    elif action == "issued":
        no = p.text("cert_no", "不动产权证号", max_len=50)
        where, changes, label = Deal.title_status == "已递交", {Deal.title_status: "已领证", Deal.issued_on: on, Deal.cert_no: no}, f"已领证（{no}）"
    elif action == "deliver":
        who = p.text("recipient", "领取人", max_len=50)
        where, changes, label = Deal.title_status == "已领证", {Deal.title_status: "已交付业主", Deal.delivered_on: on, Deal.recipient: who, Deal.stage: "已办证"}, f"产权证已交付业主（领取人 {who}）"
    else:
        raise PipelineError("未知的操作")
    if p.errors:
        raise PipelineError(p.errors.get("__all__", "请修改标红的项目"), errors=p.errors)
    async with write_transaction():
        row = await _move(deal_id, where & (Deal.stage == "已交付"), changes)
        if action == "deliver":
            await _unit_status(deal["unit"], ["已交付"], "已办证")
        await _audit(user, row, f"title.{action}", label)
    return row


async def title_batch_candidates(user) -> list[dict]:
    """Deals whose title documents are complete and not yet submitted (in the user's projects)."""
    q = Deal.select(Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name,
                    Deal.handed_over_on).where(
        (Deal.title_status == "资料收集中") & (Deal.stage == "已交付")
        & Deal.id.not_in(DealDocument.select(DealDocument.deal).where((DealDocument.stage == "产权证") & DealDocument.received_on.is_null()))
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
        raise PipelineError("所选记录中有资料未齐或不在您的数据范围内的，请刷新后重选", "deal_ids")
    table = await deed_tax_table()
    deals = {d["id"]: d for d in await Deal.select(Deal.id, Deal.total_price, Deal.area_amount, Deal.surveyed_area, Deal.unit.area_build,
                                                   Deal.home_count).where(Deal.id.is_in(ids))}
    async with write_transaction():
        for i, deal_id in enumerate(sorted(ids), 1):
            d = deals[deal_id]
            rate, tax, taxable = _deed_tax(d, d["home_count"], table)  # the home count recorded at signing
            no = f"{batch_no}-{i:03d}"
            row = await _move(deal_id, Deal.title_status == "资料收集中", {Deal.title_status: "已递交", Deal.title_submitted_on: on,
                                                                         Deal.acceptance_no: no, Deal.deed_tax_rate: rate, Deal.deed_tax: tax})
            await _audit(user, row, "title.submit", f"批量递交办证（批次 {batch_no}，受理号 {no}，{d['home_count']}，计税价格 {taxable:,.2f} 元，"
                                                    f"契税 {rate}% 计 {tax:,.2f} 元）")
    return len(ids)


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
    add("签约", "已签约" if signed else f"审核单{deal['check_status']}" + ("，境外备案待审批" if deal["overseas_status"] == "待审批" else ""),
        signed, None if signed else deal["sign_deadline"], f"合同 {deal['contract_no']} · 网签 {deal['online_no']}" if signed else "")
    if loan:
        due = amber_from = None
        ms = deal["mortgage_status"]
        if ms == "资料收集中":
            due = deal["docs_due"]
        elif ms == "银行审批中" and deal["bank_submitted_on"]:  # amber at 3 WD, red after 5 WD [S 4.3]
            due = await add_working_days(deal["bank_submitted_on"], int(limits["bank_approval_wd"]))
            amber_from = await add_working_days(deal["bank_submitted_on"], int(limits["bank_approval_amber_wd"]))
        elif ms == "抵押已登记" and deal["registered_on"]:
            due = await add_working_days(deal["registered_on"], int(limits["release_wd"]))
        add("按揭", ms, ms == "已放款", due, f"{deal['loan_bank']} 贷款 {Decimal(deal['loan_amount']):,.2f} 元", amber_from)
    fs = deal["filing_status"]
    add("备案", fs, fs == "已备案", await period_end(rules.filing_due(deal["signed_on"], int(limits["filing_days"]))) if signed and fs != "已备案" else None,
        f"备案号 {deal['filing_no']}" + (f" · 预告登记 {deal['prereg_no']}" if deal["prereg_no"] else "") if fs == "已备案" else "")
    hs = deal["handover_status"]
    add("交房", hs, hs in ("已交付", "视同交付"), deal["delivery_due"] if hs in ("待通知", "已通知") else None,
        (rules.PER_UNIT_TEXT if deal["area_basis"] == "按套" else
         f"面积差（按{deal['area_basis'] or '建筑面积'}）{format_pct(deal['area_ratio'])}，结算 {Decimal(deal['area_amount']):,.2f} 元")
        if deal["area_amount"] is not None else "")
    ts = deal["title_status"]
    title_days = int(limits["title_days"])
    title_due = rules.title_due(deal["handed_over_on"], deal["signed_on"] or deal["subscribed_on"], presale=True, days=title_days)
    add("产权证", ts, ts == "已交付业主", await period_end(title_due) if title_due and ts and ts != "已交付业主" else None,
        " · ".join(x for x in (f"{deal['home_count']}" + (f"，契税 {deal['deed_tax_rate']}% 计 {Decimal(deal['deed_tax']):,.2f} 元" if deal["deed_tax"] is not None else "")
                               if ts else "", f"证号 {deal['cert_no']}" if deal["cert_no"] else "") if x))
    if voided:
        for s in out:
            if not s["done"]:
                s["status"], s["overdue"], s["due"] = "已作废", False, None
    return out


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
