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


async def subscribe(user, unit_id: int, values) -> dict:
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
    unit_price = p.money("unit_price", "成交单价")
    total = p.money("total_price", "成交总价")
    discount = p.text("discount_note", "优惠说明", required=False, max_len=200)
    deposit = p.money("deposit", "定金")
    if deposit is not None and total is not None:
        err = rules.deposit_error(deposit, total, await setting("deposit_max_ratio"))
        if err:
            p.fail("deposit", err)
    method = p.choice("payment_method", "付款方式", PAYMENT_METHODS)
    down = p.money("down_payment", "首付款", allow_zero=True)
    if down is not None and total is not None and down > total:
        p.fail("down_payment", "首付款不能超过总价")
    deadline = p.date("sign_deadline", "签约截止日")
    if deadline and deadline < today_local():
        p.fail("sign_deadline", "签约截止日不能早于今天")
    if p.errors:
        raise PipelineError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        await _unit_status(unit_id, ["可售", "保留"], "已认购")
        b = Buyer(name=buyer["name"], id_type=buyer["id_type"], id_number=buyer["id_number"], mobile=buyer["mobile"], address=address,
                  marital=marital, spouse_name=spouse, overseas=buyer["overseas"], created_at=now())
        await b.save()
        deal = Deal(number=await next_number("RG"), unit=unit_id, project=unit["project"], buyer=b.id, co_ownership=co_ownership, stage="已认购",
                    unit_price=unit_price, total_price=total, discount_note=discount, deposit=deposit, payment_method=method, down_payment=down,
                    loan_amount=(total - down) if method in LOAN_METHODS else Decimal("0.00"),
                    sign_deadline=deadline, salesperson=user.employee_id, subscribed_on=today_local(),
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
        dep = await Instalment.insert(Instalment(deal=deal.id, kind="定金", amount_due=deposit, due_on=today_local(), received=deposit,
                                                 received_on=today_local())).returning(Instalment.id)
        from app.pipeline.receipts import auto_receipt

        await auto_receipt(deal.id, dep[0]["id"], "定金", deposit, today_local(), "转账", "认购时收取定金", user.employee_id)
        row = deal.to_dict()
        await audit.record(actor=user, action="pipeline.subscribe", entity="pl_deal", entity_id=deal.id,
                           summary=f"{row['number']} 认购 {unit['room_no']}，总价 {total:,.2f} 元，定金 {deposit:,.2f} 元",
                           before={"unit_status": unit["status"]}, after={"unit_status": "已认购", "stage": "已认购"})
    return row


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
    if doc["stage"] == "备案":
        if not may_prepare_filing(user):
            raise PipelineError("您的岗位不能办理「备案」环节")
    else:
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
    add("认购", "已认购", True, None, f"定金 {Decimal(deal['deposit']):,.2f} 元 · {deal['payment_method']}")
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
    add("交房", hs, hs in ("已交付", "视同交付"), deal["delivery_due"] if hs in ("待通知", "已通知") else None,
        (rules.PER_UNIT_TEXT if deal["area_basis"] == "按套" else
         f"面积差（按{deal['area_basis'] or '建筑面积'}）{format_pct(deal['area_ratio'])}，结算 {Decimal(deal['area_amount']):,.2f} 元")
        if deal["area_amount"] is not None else "")
    ts = deal["title_status"]
    title_due = rules.title_deadline(deal["title_deadline"], deal["handed_over_on"], deal["signed_on"] or deal["subscribed_on"], int(limits["title_days"]))
    first = await first_registration(deal["project"]) if ts in TITLE_UNSUBMITTED else None
    lapse = rules.prereg_lapse(first["registered_on"] if first else None, int(limits["prereg_lapse_days"]))
    fees = ""
    if deal["deed_tax"] is not None:
        fees = f"契税 {deal['deed_tax_rate']}% 计 {Decimal(deal['deed_tax']):,.2f} 元" + (
            f"，登记费 {Decimal(deal['reg_fee']):,.2f} 元（{deal['title_copies']} 本）" if deal["reg_fee"] is not None else "")
    due = await period_end(title_due) if title_due and ts in TITLE_OPEN else None
    if lapse and (due is None or lapse < due):
        due = lapse  # the pre-registration's lapse comes first
    days_amber = int(limits["title_remind_days"])
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
        (due - timedelta(days=days_amber)) if due else None)
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
