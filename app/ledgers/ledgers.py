"""The seven ledgers of SPEC §B as declarations over the pipeline's tables: each a Listing (filters, sort, SQL paging,
project scope), its presented columns and its export columns. Ageing columns are computed per row from the row's
dates (and one grouped query per page for child counts) — never by loading a whole table."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.core.listing import Col, Filter, Listing
from app.core.numbers import format_pct
from app.core.timeutil import today_local
from app.ledgers import rules
from app.ledgers.base import Correctable as C, Ledger, XCol, clause_filter, days_between, project_choices, scope_on, unit_label
from app.pipeline.receipts import open_clause, settled_clause
from app.pipeline.services import PAYMENT_METHODS, VOID_REASONS, current_filing_cutoff, current_limits, dunning_steps
from app.pipeline.tables import Deal, DealDocument, DealVoid, Defect, Instalment

CLOSED = ["已作废", "已退订"]
DEAL_STAGES = ["已签约", "已备案", "已交付", "已办证", "已作废"]

# ---------------------------------------------------------------- shared pieces of the deal-based ledgers

DEAL_BASE = [Deal.id, Deal.unit, Deal.number, Deal.contract_no, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no,
             Deal.buyer.name]


def two(v: Any) -> str:
    """A ㎡ or % figure with two decimals for the page (SQLite hands back 121.1 for 121.10)."""
    return "" if v is None else f"{Decimal(str(v)):.2f}"


def _deal_common(r: dict[str, Any]) -> None:
    r["unit_id"] = r.get("unit")
    r["project_name"] = r.get("project.name")
    r["unit_label"] = unit_label(r)
    r["buyer_name"] = r.get("buyer.name")
    r["contract"] = r.get("contract_no") or r.get("number")


def _q(*extra) -> Filter:
    return Filter("q", "合同编号/客户/房号", "text", columns=[Deal.contract_no, Deal.number, Deal.buyer.name, Deal.unit.room_no, *extra],
                  placeholder="合同编号、客户姓名或房号")


PROJECT = Filter("project", "项目", "select", columns=[Deal.project], choices=project_choices)
COMMON_HEAD = [XCol("contract", "合同编号", width=18), XCol("project_name", "项目", width=16), XCol("unit_label", "房号", width=12),
               XCol("buyer_name", "买受人", width=10)]


CORRECTED = Col("correction_text", "更正", link="{correction_url}", testid="correction-link")  # filled by corrections.mark


def _page_head(link: bool = True) -> list[Col]:
    return [
        Col("contract", "合同编号", sort=Deal.contract_no, link="/pipeline/units/{unit_id}" if link else "", testid="deal-link"),
        Col("project_name", "项目", sort=Deal.project.name),
        Col("unit_label", "房号", sort=Deal.unit),
        Col("buyer_name", "买受人", sort=Deal.buyer.name),
    ]


# ---------------------------------------------------------------- 合同台账


async def _contracts(rows: list[dict[str, Any]], user) -> None:
    for r in rows:
        _deal_common(r)
        r["id_number"] = r.get("buyer.id_number")
        r["mobile"] = r.get("buyer.mobile")
        r["area"] = r.get("unit.area_build")
        r["area_text"] = two(r["area"])
        r["salesperson"] = r.get("salesperson.name") or ""
        r["filing"] = " ".join(x for x in (r.get("filing_no") or "", str(r["filed_on"]) if r.get("filed_on") else "") if x)


CONTRACTS = Ledger(
    code="contracts", title="合同台账", clause="§B 合同台账；71p 3.2 签约当日登记",
    description="每份已签约合同一行（含已作废），由签约、备案、交房、办证各环节的记录自动生成。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=Deal,
        select=[*DEAL_BASE, Deal.online_no, Deal.buyer.id_number, Deal.buyer.mobile, Deal.unit.area_build, Deal.unit_price, Deal.total_price,
                Deal.payment_method, Deal.signed_on, Deal.filing_no, Deal.filed_on, Deal.prereg_no, Deal.handed_over_on, Deal.title_status,
                Deal.salesperson.name, Deal.stage],
        columns=[
            *_page_head(),
            CORRECTED,
            Col("online_no", "网签号"),
            Col("id_number", "身份证号"),
            Col("mobile", "手机"),
            Col("area_text", "面积㎡", sort=Deal.unit.area_build),
            Col("total_price", "总价", sort=Deal.total_price, fmt="money"),
            Col("payment_method", "付款方式"),
            Col("signed_on", "签约日期", sort=Deal.signed_on, fmt="date"),
            Col("filing", "备案号及日期"),
            Col("handed_over_on", "交房日期", fmt="date"),
            Col("title_status", "办证"),
            Col("stage", "状态", sort=Deal.stage, fmt="badge"),
        ],
        filters=[
            PROJECT,
            Filter("stage", "状态", "select", columns=[Deal.stage], choices=[(s, s) for s in DEAL_STAGES]),
            Filter("method", "付款方式", "select", columns=[Deal.payment_method], choices=[(s, s) for s in PAYMENT_METHODS]),
            Filter("signed_from", "签约日期从", "date_from", columns=[Deal.signed_on]),
            Filter("signed_to", "签约日期至", "date_to", columns=[Deal.signed_on]),
            _q(Deal.online_no),
        ],
        default_sort="signed_on", default_desc=True, base_url="/ledgers/contracts", target_id="ledger-list", scope=scope_on(Deal.project),
        extra_where=(Deal.signed_on.is_not_null(),),
    ),
    export_columns=[
        XCol("contract", "合同编号", width=18), XCol("online_no", "网签号", width=14), XCol("project_name", "项目", width=16),
        XCol("unit.building.name", "楼栋", width=8), XCol("unit.room_no", "房号", width=8), XCol("buyer_name", "买受人", width=10),
        XCol("id_number", "身份证号", width=21), XCol("mobile", "手机号", width=14), XCol("area", "建筑面积（㎡）", "area", 12),
        XCol("unit_price", "成交单价（元/㎡）", "money", 14), XCol("total_price", "成交总价（元）", "money", 16), XCol("payment_method", "付款方式", width=9),
        XCol("signed_on", "签约日期", "date", 12), XCol("filing_no", "备案号", width=14), XCol("filed_on", "备案日期", "date", 12),
        XCol("prereg_no", "预告登记号", width=14), XCol("handed_over_on", "交房日期", "date", 12), XCol("title_status", "办证状态", width=10),
        XCol("salesperson", "置业顾问", width=10), XCol("stage", "状态", width=8),
    ],
    corrections=(C("online_no", "网签号"), C("filing_no", "备案号"), C("filed_on", "备案日期", "date"), C("prereg_no", "预告登记号")),
    decorate=_contracts,
)


# ---------------------------------------------------------------- 回款台账


def _inst_q() -> Filter:
    return Filter("q", "合同编号/客户/房号", "text", columns=[Instalment.deal.contract_no, Instalment.deal.number, Instalment.deal.buyer.name,
                                                       Instalment.deal.unit.room_no], placeholder="合同编号、客户姓名或房号")


async def _collections(rows: list[dict[str, Any]], user) -> None:
    today = today_local()
    steps = dunning_steps(current_limits())  # the admin's 催缴 milestones, loaded once by the route
    for r in rows:
        r["unit_id"] = r.get("deal.unit")
        r["project_name"] = r.get("deal.project.name")
        r["unit_label"] = unit_label(r, "deal.")
        r["buyer_name"] = r.get("deal.buyer.name")
        r["mobile"] = r.get("deal.buyer.mobile")
        r["contract"] = r.get("deal.contract_no") or r.get("deal.number")
        r["arrears"] = rules.arrears(r.get("amount_due"), r.get("received"))
        late = rules.days_overdue(r.get("due_on"), r.get("amount_due"), r.get("received"), today)
        r["days_overdue"] = late or None
        r["dunning"] = rules.dunning_step(late, steps)  # none once the item is fully received (late is 0 without arrears)
        # a refund due to the buyer (negative amount) is settled only when the refund has gone out
        r["state"] = "已结清" if r["arrears"] == 0 else ("待退款" if r["arrears"] < 0 else ("逾期" if late else "未到期"))


COLLECTIONS = Ledger(
    code="collections", title="回款台账", clause="§B 回款台账（回款催缴）",
    description="每笔应收款一行：定金、首付款、房款、贷款、面积差。逾期按 D+1、D+7、D+15 催缴，之后发书面催告。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=Instalment,
        select=[Instalment.id, Instalment.deal, Instalment.deal.unit, Instalment.deal.number, Instalment.deal.contract_no,
                Instalment.deal.project.name, Instalment.deal.unit.building.name, Instalment.deal.unit.room_no, Instalment.deal.buyer.name,
                Instalment.deal.buyer.mobile, Instalment.deal.payment_method, Instalment.kind, Instalment.amount_due, Instalment.due_on,
                Instalment.received, Instalment.received_on],
        columns=[
            Col("contract", "合同编号", sort=Instalment.deal.contract_no, link="/pipeline/units/{unit_id}", testid="deal-link"),
            Col("project_name", "项目", sort=Instalment.deal.project.name),
            Col("unit_label", "房号", sort=Instalment.deal.unit),
            Col("buyer_name", "客户", sort=Instalment.deal.buyer.name),
            Col("mobile", "手机"),
            Col("kind", "款项", sort=Instalment.kind),
            Col("amount_due", "应收金额", sort=Instalment.amount_due, fmt="money"),
            Col("due_on", "应收日期", sort=Instalment.due_on, fmt="date"),
            Col("received", "已收金额", sort=Instalment.received, fmt="money"),
            Col("received_on", "收款日期", sort=Instalment.received_on, fmt="date"),
            Col("arrears", "欠款", fmt="money"),
            Col("days_overdue", "逾期天数"),
            Col("dunning", "催缴节点"),
            Col("state", "状态", fmt="badge"),
        ],
        filters=[
            Filter("project", "项目", "select", columns=[Instalment.deal.project], choices=project_choices),
            clause_filter("state", "状态", [
                ("未结清", "未结清", open_clause),
                ("逾期", "逾期", lambda: (Instalment.received < Instalment.amount_due) & (Instalment.due_on < today_local())),
                ("已结清", "已结清", settled_clause),
            ]),
            Filter("kind", "款项", "select", columns=[Instalment.kind], choices=[(k, k) for k in ("定金", "首付款", "房款", "贷款", "面积差")]),
            Filter("due_from", "应收日期从", "date_from", columns=[Instalment.due_on]),
            Filter("due_to", "应收日期至", "date_to", columns=[Instalment.due_on]),
            _inst_q(),
        ],
        default_sort="due_on", base_url="/ledgers/collections", target_id="ledger-list", scope=scope_on(Instalment.deal.project),
        extra_where=(Instalment.deal.stage.not_in(CLOSED),),
    ),
    export_columns=[
        *COMMON_HEAD, XCol("mobile", "手机号", width=14), XCol("kind", "款项", width=8), XCol("amount_due", "应收金额（元）", "money", 16),
        XCol("due_on", "应收日期", "date", 12), XCol("received", "已收金额（元）", "money", 16), XCol("received_on", "收款日期", "date", 12),
        XCol("arrears", "欠款（元）", "money", 16), XCol("days_overdue", "逾期天数", "int", 9), XCol("dunning", "催缴节点", width=12),
        XCol("state", "状态", width=8),
    ],
    decorate=_collections,
)


# ---------------------------------------------------------------- 按揭台账

MORTGAGE_STATUSES = ["资料收集中", "银行审批中", "银行已批", "抵押已登记", "已放款"]


async def _mortgages(rows: list[dict[str, Any]], user) -> None:
    today = today_local()
    for r in rows:
        _deal_common(r)
        r["mobile"] = r.get("buyer.mobile")
        r["age_signed"] = rules.span(r.get("signed_on"), None, today)
        r["age_bank"] = rules.span(r.get("bank_submitted_on"), r.get("bank_approved_on"), today)
        r["age_registered"] = rules.span(r.get("registered_on"), r.get("released_on"), today)


MORTGAGES = Ledger(
    code="mortgages", title="按揭台账", clause="§A3 银行按揭；§B 按揭台账",
    description="商贷、公积金、组合贷款的办理进度与账龄：签约后天数、在银行天数（送审至批复）、抵押登记后天数（登记至放款）。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=Deal,
        select=[*DEAL_BASE, Deal.buyer.mobile, Deal.payment_method, Deal.loan_bank, Deal.loan_amount, Deal.mortgage_status, Deal.signed_on,
                Deal.docs_due, Deal.bank_submitted_on, Deal.bank_approved_on, Deal.registered_on, Deal.released_on, Deal.released_amount],
        columns=[
            *_page_head(),
            CORRECTED,
            Col("payment_method", "贷款类型", sort=Deal.payment_method),
            Col("loan_bank", "贷款银行", sort=Deal.loan_bank),
            Col("loan_amount", "贷款额", sort=Deal.loan_amount, fmt="money"),
            Col("mortgage_status", "按揭状态", sort=Deal.mortgage_status, fmt="badge"),
            Col("signed_on", "签约日期", sort=Deal.signed_on, fmt="date"),
            Col("bank_submitted_on", "送审日期", sort=Deal.bank_submitted_on, fmt="date"),
            Col("bank_approved_on", "批复日期", fmt="date"),
            Col("registered_on", "抵押登记日期", fmt="date"),
            Col("released_on", "放款日期", sort=Deal.released_on, fmt="date"),
            Col("released_amount", "放款金额", fmt="money"),
            Col("age_signed", "签约后天数"),
            Col("age_bank", "在银行天数"),
            Col("age_registered", "登记后天数"),
        ],
        filters=[
            PROJECT,
            Filter("status", "按揭状态", "select", columns=[Deal.mortgage_status], choices=[(s, s) for s in MORTGAGE_STATUSES]),
            Filter("method", "贷款类型", "select", columns=[Deal.payment_method], choices=[(s, s) for s in ("商贷", "公积金", "组合")]),
            Filter("signed_from", "签约日期从", "date_from", columns=[Deal.signed_on]),
            Filter("signed_to", "签约日期至", "date_to", columns=[Deal.signed_on]),
            _q(),
        ],
        default_sort="signed_on", base_url="/ledgers/mortgages", target_id="ledger-list", scope=scope_on(Deal.project),
        extra_where=(Deal.mortgage_status != "", Deal.stage.not_in(CLOSED)),
    ),
    export_columns=[
        *COMMON_HEAD, XCol("mobile", "手机号", width=14), XCol("payment_method", "贷款类型", width=9), XCol("loan_bank", "贷款银行", width=14),
        XCol("loan_amount", "贷款额（元）", "money", 16), XCol("mortgage_status", "按揭状态", width=10), XCol("signed_on", "签约日期", "date", 12),
        XCol("docs_due", "资料截止日", "date", 12), XCol("bank_submitted_on", "送审日期", "date", 12), XCol("bank_approved_on", "批复日期", "date", 12),
        XCol("registered_on", "抵押登记日期", "date", 12), XCol("released_on", "放款日期", "date", 12),
        XCol("released_amount", "放款金额（元）", "money", 16), XCol("age_signed", "签约后天数", "int", 10), XCol("age_bank", "在银行天数", "int", 10),
        XCol("age_registered", "登记后天数", "int", 10),
    ],
    corrections=(C("loan_bank", "贷款银行"), C("bank_submitted_on", "送审日期", "date"), C("bank_approved_on", "批复日期", "date"),
                 C("registered_on", "抵押登记日期", "date")),
    decorate=_mortgages,
)


# ---------------------------------------------------------------- 备案台账


async def _filings(rows: list[dict[str, Any]], user) -> None:
    from app.core.workdays import calendar_for

    today = today_local()
    limit = int(current_limits()["filing_days"])  # the admin's 备案 limit (PipelineSetting filing_days), loaded once by the route
    signed = [r["signed_on"] for r in rows if r.get("signed_on")]
    # one calendar for the page: the limit ends on the next working day when its last day is a rest day (民法典 203)
    cal = await calendar_for(min(signed), max(signed) + timedelta(days=limit + 60)) if signed else None
    for r in rows:
        _deal_common(r)
        due = cal.add_calendar_days(r["signed_on"], limit) if cal and r.get("signed_on") else None
        left = rules.filing_days_left(r.get("signed_on"), r.get("filed_on"), today, limit, due=due)
        r["days_left"] = left
        r["days_left_text"] = "" if left is None else (f"逾期 {-left} 天" if left < 0 else f"剩 {left} 天")
        r["filed_in"] = days_between(r.get("signed_on"), r.get("filed_on"))


FILINGS = Ledger(
    code="filings", title="备案台账", clause="§A4 合同备案：签约后 30 日内（期限在管理后台设置）",
    description="合同备案与预告登记进度。未备案的合同显示备案期限的剩余天数，超期显示逾期天数。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=Deal,
        select=[*DEAL_BASE, Deal.signed_on, Deal.filing_status, Deal.filing_submitted_on, Deal.filing_no, Deal.filed_on, Deal.prereg_no,
                Deal.prereg_on],
        columns=[
            *_page_head(),
            CORRECTED,
            Col("signed_on", "签约日期", sort=Deal.signed_on, fmt="date"),
            Col("filing_submitted_on", "报送日期", sort=Deal.filing_submitted_on, fmt="date"),
            Col("filed_on", "备案日期", sort=Deal.filed_on, fmt="date"),
            Col("filing_no", "备案号"),
            Col("days_left_text", "备案期限"),
            Col("prereg_no", "预告登记号"),
            Col("prereg_on", "预告登记日期", fmt="date"),
            Col("filing_status", "备案状态", sort=Deal.filing_status, fmt="badge"),
        ],
        filters=[
            PROJECT,
            clause_filter("status", "备案状态", [
                *[(st, st, (lambda st=st: Deal.filing_status == st)) for st in ("待备案", "资料准备", "已报送", "退件补正", "已备案", "预告登记中",
                                                                               "已预告登记", "合同已交接")],  # services.FILING_STATES
                ("逾期", "逾期未备案（超过备案期限）", lambda: Deal.filing_status.is_in(["待备案", "资料准备", "已报送", "退件补正"])
                 & (Deal.signed_on <= current_filing_cutoff())),
            ]),
            Filter("signed_from", "签约日期从", "date_from", columns=[Deal.signed_on]),
            Filter("signed_to", "签约日期至", "date_to", columns=[Deal.signed_on]),
            _q(Deal.filing_no),
        ],
        default_sort="signed_on", base_url="/ledgers/filings", target_id="ledger-list", scope=scope_on(Deal.project),
        extra_where=(Deal.filing_status != "", Deal.stage.not_in(CLOSED)),
    ),
    export_columns=[
        *COMMON_HEAD, XCol("signed_on", "签约日期", "date", 12), XCol("filing_submitted_on", "报送日期", "date", 12),
        XCol("filed_on", "备案日期", "date", 12), XCol("filing_no", "备案号", width=14), XCol("days_left", "30 天期限剩余天数（负数为逾期）", "int", 14),
        XCol("filed_in", "签约至备案天数", "int", 12), XCol("prereg_no", "预告登记号", width=14), XCol("prereg_on", "预告登记日期", "date", 12),
        XCol("filing_status", "备案状态", width=9),
    ],
    corrections=(C("filing_submitted_on", "报送日期", "date"), C("filing_no", "备案号"), C("filed_on", "备案日期", "date"),
                 C("prereg_no", "预告登记号"), C("prereg_on", "预告登记日期", "date")),
    decorate=_filings,
)


# ---------------------------------------------------------------- 作废台账


async def _voids(rows: list[dict[str, Any]], user) -> None:
    from app.pipeline.tables import Receipt

    refunded: dict[int, dict[str, Any]] = {}  # one query for the page: refunds paid through 付款 (negative receipts)
    ids = [r["deal"] for r in rows if r.get("deal")]
    if ids:
        for x in await Receipt.select(Receipt.deal, Receipt.amount, Receipt.received_on).where(Receipt.deal.is_in(ids) & (Receipt.kind == "退款")):
            agg = refunded.setdefault(x["deal"], {"amount": Decimal("0.00"), "on": None})
            agg["amount"] -= Decimal(str(x["amount"]))
            agg["on"] = max(agg["on"], x["received_on"]) if agg["on"] else x["received_on"]
    for r in rows:
        r["refunded"] = refunded.get(r.get("deal"), {}).get("amount")
        r["refunded_on"] = refunded.get(r.get("deal"), {}).get("on")
        r["unit_id"] = r.get("deal.unit")
        r["project_name"] = r.get("deal.project.name")
        r["unit_label"] = unit_label(r, "deal.")
        r["buyer_name"] = r.get("deal.buyer.name")
        r["contract"] = r.get("deal.contract_no") or r.get("deal.number")
        r["request_id"] = r.get("request")
        r["approval_no"] = r.get("request.number")
        r["approval_status"] = r.get("request.status")
        r["voided_on"] = r.get("deal.voided_on")
        r["approved_at"] = r.get("request.finished_at") if r.get("request.status") == "已通过" else None


VOIDS = Ledger(
    code="voids", title="作废台账", clause="§A5 合同作废（须审批）",
    description="每份合同作废申请一行，连同审批单号与审批状态；审批通过后记录作废日期，退款经付款流程支付。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=DealVoid,
        select=[DealVoid.id, DealVoid.deal, DealVoid.deal.unit, DealVoid.deal.number, DealVoid.deal.contract_no, DealVoid.deal.project.name,
                DealVoid.deal.unit.building.name, DealVoid.deal.unit.room_no, DealVoid.deal.buyer.name, DealVoid.deal.voided_on, DealVoid.reason,
                DealVoid.refund, DealVoid.penalty_waived, DealVoid.request, DealVoid.request.number, DealVoid.request.status,
                DealVoid.request.submitted_at, DealVoid.request.finished_at],
        columns=[
            Col("contract", "原合同编号", sort=DealVoid.deal.contract_no, link="/pipeline/units/{unit_id}", testid="deal-link"),
            Col("project_name", "项目", sort=DealVoid.deal.project.name),
            Col("unit_label", "房号", sort=DealVoid.deal.unit),
            Col("buyer_name", "买受人", sort=DealVoid.deal.buyer.name),
            Col("reason", "作废原因", sort=DealVoid.reason),
            Col("approval_no", "审批单号", sort=DealVoid.request.number, link="/workflow/requests/{request_id}", testid="approval-link"),
            Col("request.submitted_at", "申请时间", sort=DealVoid.request.submitted_at, fmt="datetime"),
            Col("approval_status", "审批状态", sort=DealVoid.request.status, fmt="badge"),
            Col("voided_on", "作废日期", sort=DealVoid.deal.voided_on, fmt="date"),
            Col("refund", "应退金额", sort=DealVoid.refund, fmt="money"),
            Col("refunded", "已退金额", fmt="money"),
            Col("refunded_on", "退款日期", fmt="date"),
            Col("penalty_waived", "减免违约金", fmt="money"),
        ],
        filters=[
            Filter("project", "项目", "select", columns=[DealVoid.deal.project], choices=project_choices),
            Filter("status", "审批状态", "select", columns=[DealVoid.request.status],
                   choices=[(s, s) for s in ("审批中", "已退回", "已通过", "已驳回", "已撤回")]),
            Filter("reason", "作废原因", "select", columns=[DealVoid.reason], choices=[(s, s) for s in VOID_REASONS]),
            Filter("voided_from", "作废日期从", "date_from", columns=[DealVoid.deal.voided_on]),
            Filter("voided_to", "作废日期至", "date_to", columns=[DealVoid.deal.voided_on]),
            Filter("q", "合同编号/客户/审批单号", "text", columns=[DealVoid.deal.contract_no, DealVoid.deal.number, DealVoid.deal.buyer.name,
                                                             DealVoid.request.number], placeholder="合同编号、客户姓名或审批单号"),
        ],
        default_sort="request.submitted_at", default_desc=True, base_url="/ledgers/voids", target_id="ledger-list",
        scope=scope_on(DealVoid.deal.project),
    ),
    export_columns=[
        *COMMON_HEAD[:3], XCol("buyer_name", "买受人", width=10), XCol("reason", "作废原因", width=14), XCol("approval_no", "审批单号", width=18),
        XCol("request.submitted_at", "申请时间", "datetime", 17), XCol("approval_status", "审批状态", width=9),
        XCol("approved_at", "审批通过时间", "datetime", 17), XCol("voided_on", "作废日期", "date", 12), XCol("refund", "应退金额（元）", "money", 16),
        XCol("refunded", "已退金额（元）", "money", 16), XCol("refunded_on", "退款日期", "date", 12),
        XCol("penalty_waived", "减免违约金（元）", "money", 16),
    ],
    decorate=_voids,
    sensitive=(),
)


# ---------------------------------------------------------------- 交房台账

HANDOVER_STATUSES = ["待通知", "已通知", "已交付", "视同交付"]


async def _handovers(rows: list[dict[str, Any]], user) -> None:
    ids = [r["id"] for r in rows]
    counts: dict[int, dict[str, int]] = {}
    if ids:  # one grouped query for the whole page / batch
        for c in await Defect.raw(
                "SELECT deal, SUM(CASE WHEN status = '已通过' THEN 0 ELSE 1 END) AS open_n, "
                "SUM(CASE WHEN status = '已通过' THEN 1 ELSE 0 END) AS closed_n FROM pl_defect WHERE deal IN ("
                + ", ".join("{}" for _ in ids) + ") GROUP BY deal", *ids):
            counts[c["deal"]] = {"open": int(c["open_n"] or 0), "closed": int(c["closed_n"] or 0)}
    for r in rows:
        _deal_common(r)
        c = counts.get(r["id"], {"open": 0, "closed": 0})
        r["defects_open"], r["defects_closed"] = c["open"], c["closed"]
        r["defects"] = f'{c["open"]} / {c["closed"]}'
        r["deemed"] = r.get("handover_status") == "视同交付"
        r["surveyed_text"], r["ratio_text"] = two(r.get("surveyed_area")), format_pct(r.get("area_ratio"))
        r["keys_text"] = r.get("keys_count") or ""


HANDOVERS = Ledger(
    code="handovers", title="交房台账", clause="§A6 交房",
    description="交房通知、交付日期、面积差与结算金额、钥匙、整改单（未关闭/已关闭）和视同交付标记。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=Deal,
        select=[*DEAL_BASE, Deal.delivery_due, Deal.notice_sent_on, Deal.handed_over_on, Deal.surveyed_area, Deal.unit.area_build,
                Deal.area_ratio, Deal.area_amount, Deal.keys_count, Deal.handover_status],
        columns=[
            *_page_head(),
            CORRECTED,
            Col("delivery_due", "合同交付日", sort=Deal.delivery_due, fmt="date"),
            Col("notice_sent_on", "通知日期", sort=Deal.notice_sent_on, fmt="date"),
            Col("handed_over_on", "交付日期", sort=Deal.handed_over_on, fmt="date"),
            Col("surveyed_text", "实测面积㎡", sort=Deal.surveyed_area),
            Col("ratio_text", "面积差", sort=Deal.area_ratio),
            Col("area_amount", "结算金额", sort=Deal.area_amount, fmt="money"),
            Col("keys_text", "钥匙", sort=Deal.keys_count),
            Col("defects", "整改单 未关闭/已关闭"),
            Col("deemed", "视同交付", fmt="bool"),
            Col("handover_status", "交房状态", sort=Deal.handover_status, fmt="badge"),
        ],
        filters=[
            PROJECT,
            Filter("status", "交房状态", "select", columns=[Deal.handover_status], choices=[(s, s) for s in HANDOVER_STATUSES]),
            Filter("handed_from", "交付日期从", "date_from", columns=[Deal.handed_over_on]),
            Filter("handed_to", "交付日期至", "date_to", columns=[Deal.handed_over_on]),
            _q(),
        ],
        default_sort="delivery_due", base_url="/ledgers/handovers", target_id="ledger-list", scope=scope_on(Deal.project),
        extra_where=(Deal.handover_status != "", Deal.stage.not_in(CLOSED)),
    ),
    export_columns=[
        *COMMON_HEAD, XCol("delivery_due", "合同交付日", "date", 12), XCol("notice_sent_on", "通知日期", "date", 12),
        XCol("handed_over_on", "交付日期", "date", 12), XCol("unit.area_build", "合同面积（㎡）", "area", 12),
        XCol("surveyed_area", "实测面积（㎡）", "area", 12), XCol("area_ratio", "面积差（%）", "pct", 10),
        XCol("area_amount", "结算金额（元，负数为退款）", "money", 18), XCol("keys_count", "钥匙（把）", "int", 9),
        XCol("defects_open", "整改单未关闭", "int", 11), XCol("defects_closed", "整改单已关闭", "int", 11), XCol("deemed", "视同交付", "bool", 9),
        XCol("handover_status", "交房状态", width=9),
    ],
    corrections=(C("notice_sent_on", "通知日期", "date"), C("keys_count", "钥匙（把）", "int")),
    decorate=_handovers,
)


# ---------------------------------------------------------------- 产权证台账

TITLE_STATUSES = ["资料收集中", "资料待补", "资料齐备", "待缴税费", "已递交", "审核中", "已登簿", "已领证", "已通知业主", "已交付业主", "归档"]  # services.TITLE_STATES


async def _titles(rows: list[dict[str, Any]], user) -> None:
    ids = [r["id"] for r in rows]
    docs: dict[int, dict[str, Any]] = {}
    if ids:
        q = DealDocument.select(DealDocument.deal, DealDocument.received_on).where(
            DealDocument.deal.is_in(ids) & (DealDocument.stage == "产权证"))
        for d in await q:
            e = docs.setdefault(d["deal"], {"total": 0, "missing": 0, "last": None})
            e["total"] += 1
            if d["received_on"] is None:
                e["missing"] += 1
            elif e["last"] is None or d["received_on"] > e["last"]:
                e["last"] = d["received_on"]
    for r in rows:
        _deal_common(r)
        d = docs.get(r["id"])
        r["docs_complete_on"] = d["last"] if d and d["total"] and not d["missing"] else None
        r["docs_missing"] = d["missing"] if d else None
        r["docs_text"] = "" if not d else ("齐全" if not d["missing"] else f'缺 {d["missing"]} 项')


TITLES = Ledger(
    code="titles", title="产权证台账", clause="§A7 产权证",
    description="办证资料齐全日期、契税、递交与受理号、领证日期与证号、交付业主日期与领取人。",
    listing=Listing(
        keep_count=True,  # tens of thousands of contracts: the total kept while the data version holds
        table=Deal,
        select=[*DEAL_BASE, Deal.handed_over_on, Deal.deed_tax_rate, Deal.deed_tax, Deal.title_submitted_on, Deal.acceptance_no, Deal.issued_on,
                Deal.cert_no, Deal.delivered_on, Deal.recipient, Deal.title_status],
        columns=[
            *_page_head(),
            CORRECTED,
            Col("handed_over_on", "交房日期", sort=Deal.handed_over_on, fmt="date"),
            Col("docs_text", "办证资料"),
            Col("docs_complete_on", "资料齐全日期", fmt="date"),
            Col("deed_tax", "契税", fmt="money"),
            Col("title_submitted_on", "递交日期", sort=Deal.title_submitted_on, fmt="date"),
            Col("acceptance_no", "受理号"),
            Col("issued_on", "领证日期", sort=Deal.issued_on, fmt="date"),
            Col("cert_no", "不动产权证号"),
            Col("delivered_on", "交付业主日期", sort=Deal.delivered_on, fmt="date"),
            Col("recipient", "领取人"),
            Col("title_status", "办证状态", sort=Deal.title_status, fmt="badge"),
        ],
        filters=[
            PROJECT,
            Filter("status", "办证状态", "select", columns=[Deal.title_status], choices=[(s, s) for s in TITLE_STATUSES]),
            Filter("issued_from", "领证日期从", "date_from", columns=[Deal.issued_on]),
            Filter("issued_to", "领证日期至", "date_to", columns=[Deal.issued_on]),
            _q(Deal.cert_no, Deal.acceptance_no),
        ],
        default_sort="handed_over_on", base_url="/ledgers/titles", target_id="ledger-list", scope=scope_on(Deal.project),
        extra_where=(Deal.title_status != "", Deal.stage.not_in(CLOSED)),
    ),
    export_columns=[
        *COMMON_HEAD, XCol("handed_over_on", "交房日期", "date", 12), XCol("docs_text", "办证资料", width=10),
        XCol("docs_complete_on", "资料齐全日期", "date", 12), XCol("deed_tax_rate", "契税税率（%）", "pct", 10), XCol("deed_tax", "契税（元）", "money", 14),
        XCol("title_submitted_on", "递交日期", "date", 12), XCol("acceptance_no", "受理号", width=14), XCol("issued_on", "领证日期", "date", 12),
        XCol("cert_no", "不动产权证号", width=30), XCol("delivered_on", "交付业主日期", "date", 12), XCol("recipient", "领取人", width=10),
        XCol("title_status", "办证状态", width=10),
    ],
    corrections=(C("title_submitted_on", "递交日期", "date"), C("acceptance_no", "受理号"), C("issued_on", "领证日期", "date"),
                 C("cert_no", "不动产权证号"), C("recipient", "领取人")),
    decorate=_titles,
)


LEDGERS: dict[str, Ledger] = {lg.code: lg for lg in (CONTRACTS, COLLECTIONS, MORTGAGES, FILINGS, VOIDS, HANDOVERS, TITLES)}


def all_ledgers() -> dict[str, Ledger]:
    """The seven pipeline ledgers plus the archive's document-loan register and file-completeness list."""
    from app.archive.ledger import FILES, LOANS

    return {**LEDGERS, LOANS.code: LOANS, FILES.code: FILES}
