"""The transaction pipeline (SPEC §A): buyers, and one Deal per unit and buyer from 认购 to 产权证.
Each stage's fields live on the Deal (the ledgers are views over these columns); co-owners, documents,
defects and instalments are child rows."""
from decimal import Decimal
from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.estate.tables import Project, Unit
from app.org.tables import Employee
from app.workflow.tables import Request

ZERO = Decimal("0.00")


class HomeCount(str, Enum):
    """购房套数 (the buyer's household's home count for this purchase), which the 契税 rate follows (A7)."""

    first = "首套"
    second = "二套"
    third = "三套及以上"


class Buyer(Table, tablename="pl_buyer"):
    name = Varchar(length=50, index=True)
    id_type = Varchar(length=20, default="居民身份证")
    id_number = Varchar(length=30, index=True)
    mobile = Varchar(length=20, default="")
    address = Varchar(length=200, default="")
    marital = Varchar(length=5, default="")
    spouse_name = Varchar(length=50, default="")
    overseas = Boolean(default=False)  # 境外/港澳台
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Deal(Table, tablename="pl_deal"):
    number = Varchar(length=30, unique=True)  # 认购书编号 RG-YYYYMMDD-####
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    buyer = ForeignKey(Buyer, on_delete=OnDelete.restrict, index=True)
    co_ownership = Varchar(length=10, default="单独所有")  # 单独所有 | 共同共有 | 按份共有
    stage = Varchar(length=10, index=True)  # 认购中 (草稿/优惠待批/待收定金) 已认购 已签约 已备案 已交付 已办证 | 已作废 已退订
    version = Integer(default=0)
    # A1 认购
    unit_price = Numeric(digits=(15, 2))
    total_price = Numeric(digits=(15, 2))
    discount_note = Varchar(length=200, default="")
    deposit = Numeric(digits=(15, 2))
    payment_method = Varchar(length=10)  # 一次性 分期 商贷 公积金 组合
    down_payment = Numeric(digits=(15, 2))
    sign_deadline = Date()
    salesperson = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    subscribed_on = Date(index=True)
    # 认购 state (A1): 草稿 → 优惠待批 → 待收定金 → 已认购 → 已转签约 | 逾期未签 | 已退订 ("" = a deal from before it was kept)
    subscription_status = Varchar(length=10, default="", index=True)
    # the day finance received the whole 定金 (待收定金 → 已认购); the ledgers count a subscription from it (None before)
    deposit_received_on = Date(null=True, default=None)
    # A2 签约
    check_status = Varchar(length=10, default="待审")  # 待审 | 退回补正 | 审核通过
    # 签约 state (A2): 审核单待审 → 审核退回 | 审核通过 → 境外审批中 → 网签草拟 → 待客户签字 → 已签约 ("" = not started)
    sign_status = Varchar(length=10, default="", index=True)
    check_note = Text(default="")
    # "待审批" = set at 认购 when the buyer is overseas: this deal needs the 境外购房备案. The filing itself (applied, approved,
    # reference no.) is the permits register's record (app/permits/gate.py), which the signing gate reads; not copied here.
    overseas_status = Varchar(length=10, default="")
    overseas_ref = Varchar(length=50, default="")  # no longer written (the register's reference_no is the one record)
    contract_no = Varchar(length=50, default="", index=True)
    online_no = Varchar(length=50, default="")
    signed_on = Date(null=True, default=None, index=True)
    loan_amount = Numeric(digits=(15, 2), default=ZERO)
    loan_bank = Varchar(length=50, default="")
    commercial_amount = Numeric(digits=(15, 2), default=ZERO)  # 组合贷: 商贷额
    provident_amount = Numeric(digits=(15, 2), default=ZERO)  # 组合贷: 公积金额
    delivery_due = Date(null=True, default=None)
    title_deadline = Date(null=True, default=None)  # 办证期限 of the contract (审核单, A2); A7 counts from it, else 90 days by law
    # A3 按揭
    mortgage_status = Varchar(length=10, default="", index=True)  # "" | 资料收集中 | 银行审批中 | 银行已批 | 抵押已登记 | 已放款
    docs_due = Date(null=True, default=None)
    bank_submitted_on = Date(null=True, default=None)
    bank_approved_on = Date(null=True, default=None)
    registered_on = Date(null=True, default=None)
    released_on = Date(null=True, default=None)
    released_amount = Numeric(digits=(15, 2), default=ZERO)
    # A3 states (SPEC): 资料收集中 → 资料逾期 → 资料齐全 → 待面签 → 已面签 → 银行审批中 → 银行已批 → 抵押登记中 → 抵押已登记 → 放款中
    # → 已放款 → 担保解除 | 贷款被拒 | 转付款方式 (an old row may still read the short chain above)
    loan_branch = Varchar(length=50, default="")  # 支行
    loan_term_months = Integer(default=0)  # 年限 in months (≤ 360)
    loan_rate_bp = Integer(null=True, default=None)  # 利率: LPR ± basis points
    repayment_method = Varchar(length=10, default="")  # 等额本息 | 等额本金
    borrower = Varchar(length=50, default="")  # 借款人
    co_borrower = Varchar(length=100, default="")  # 共同借款人
    guarantee_deposit = Numeric(digits=(15, 2), default=ZERO)  # 按揭保证金 the developer lodged
    docs_complete_on = Date(null=True, default=None)
    docs_demand_on = Date(null=True, default=None)  # 书面催告 handed to 法务
    face_signed_on = Date(null=True, default=None)  # 已面签 (every required person attended)
    reg_accepted_on = Date(null=True, default=None)  # 抵押受理
    reg_cert_no = Varchar(length=50, default="")  # 登记证明号
    release_applied_on = Date(null=True, default=None)  # 放款中
    refused_on = Date(null=True, default=None)
    refuse_reason = Varchar(length=200, default="")
    guarantee_released_on = Date(null=True, default=None)  # 阶段性担保 and 保证金 released (after the title)
    guarantee_released_amount = Numeric(digits=(15, 2), default=ZERO)
    # A4 备案 / 预告登记
    filing_status = Varchar(length=10, default="", index=True)  # "" | 待备案 | 已报送 | 已备案
    filing_submitted_on = Date(null=True, default=None)
    filing_no = Varchar(length=50, default="")
    filed_on = Date(null=True, default=None)
    prereg_no = Varchar(length=50, default="")
    prereg_on = Date(null=True, default=None)
    # A4 states: 待备案 → 资料准备 → 已报送 → 退件补正 → 已备案 → 预告登记中 → 已预告登记 → 合同已交接
    filing_acceptance_no = Varchar(length=50, default="")  # 受理号 of the (last) submission
    filing_seal_no = Varchar(length=30, default="")  # the 用章申请 (E3) that stamped the file
    filing_return_reason = Varchar(length=200, default="")  # 退件原因 of the last return
    filing_returned_on = Date(null=True, default=None)
    filing_returns = Integer(default=0)
    prereg_submitted_on = Date(null=True, default=None)
    contract_handed_on = Date(null=True, default=None)  # the filed contracts received by the 合同专员
    contract_received_by = Varchar(length=50, default="")
    # A6 交房
    handover_status = Varchar(length=10, default="", index=True)  # "" | 待通知 | 已通知 | 已交付 | 视同交付
    notice_sent_on = Date(null=True, default=None)
    handed_over_on = Date(null=True, default=None)
    surveyed_area = Numeric(digits=(10, 2), null=True, default=None)  # 实测建筑面积
    surveyed_inner_area = Numeric(digits=(10, 2), null=True, default=None)  # 实测套内面积
    area_basis = Varchar(length=10, default="")  # the unit's pricing basis the settlement followed: 建筑面积 | 套内面积 | 按套
    area_ratio = Numeric(digits=(7, 2), null=True, default=None)
    area_amount = Numeric(digits=(15, 2), null=True, default=None)  # > 0 buyer pays, < 0 refund
    keys_count = Integer(default=0)
    meter_readings = Varchar(length=200, default="")
    # A6 states since issue 10: 待通知 → 已通知 → 已预约 → 办理中 → 已交付 | 有条件交付 → 整改闭环 | 拒收 (→ 已预约) | 视同交付
    handover_date = Date(null=True, default=None)  # the 交房日期 the notice announces (≥ N days after it is sent)
    notice_method = Varchar(length=10, default="")  # EMS | 挂号信
    notice_tracking = Varchar(length=50, default="")  # 邮寄单号
    notice_sms = Boolean(default=False)  # the SMS was sent too
    notice_received_on = Date(null=True, default=None)  # 签收日期 (proof of receipt, for 视同交付)
    appointment_on = Date(null=True, default=None)
    appointment_time = Varchar(length=5, default="")  # HH:MM
    identity_by = Varchar(length=10, default="")  # 本人 | 代理人
    identity_note = Varchar(length=100, default="")
    refusal_reason = Text(default="")  # 拒收: the quality reasons
    late_days = Integer(default=0)  # delivered after delivery_due by the developer
    late_penalty = Numeric(digits=(15, 2), null=True, default=None)  # 逾期交付违约金 owed to the buyer
    # A7 产权证
    title_status = Varchar(length=10, default="", index=True)  # "" | 资料收集中 | 已递交 | 已领证 | 已交付业主
    home_count = Varchar(length=10, default="首套")  # 购房套数: 首套 | 二套 | 三套及以上 (recorded at signing, the deed-tax rate follows it)
    deed_tax_rate = Numeric(digits=(5, 2), null=True, default=None)
    deed_tax = Numeric(digits=(15, 2), null=True, default=None)
    title_submitted_on = Date(null=True, default=None)
    acceptance_no = Varchar(length=50, default="")
    issued_on = Date(null=True, default=None)
    cert_no = Varchar(length=50, default="")
    delivered_on = Date(null=True, default=None)
    recipient = Varchar(length=50, default="")
    # A7 states: 资料收集中 → 资料待补 → 资料齐备 → 待缴税费 → 已递交 → 审核中 → 已登簿 → 已领证 → 已通知业主 → 已交付业主 → 归档
    title_missing = Text(default="")  # the 补件通知's missing documents, one per line
    title_missing_on = Date(null=True, default=None)
    title_copies = Integer(default=1)  # certificates asked for (one free, each extra copy charged)
    reg_fee = Numeric(digits=(15, 2), null=True, default=None)  # 登记费
    title_advance_no = Varchar(length=30, default="")  # the 借款 (E14) that advanced the fees
    reviewed_on = Date(null=True, default=None)
    booked_on = Date(null=True, default=None)  # 已登簿
    owner_notified_on = Date(null=True, default=None)
    recipient_id_type = Varchar(length=20, default="")
    recipient_id_number = Varchar(length=30, default="")
    recipient_poa = Varchar(length=200, default="")  # 委托书 when someone collects for the owner
    archived_on = Date(null=True, default=None)
    # A5 作废
    voided_on = Date(null=True, default=None)
    void_reason = Varchar(length=20, default="")
    void_request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)  # the pending 合同作废 approval
    void_status = Varchar(length=10, default="", index=True)  # "" | 撤销中 (bureau/loan cancellation open) | 已撤销 (unit released)
    created_at = Timestamptz()


class DealParty(Table, tablename="pl_deal_party"):
    """共有人 (co-owner, with a share when 按份共有) or 代理人 (agent, with the power of attorney)."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    buyer = ForeignKey(Buyer, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=10)  # 买受人 | 共有人 | 代理人
    share = Numeric(digits=(5, 2), null=True, default=None)
    note = Varchar(length=200, default="")


class DealDocument(Table, tablename="pl_deal_document"):
    """A stage's document checklist; received_on empty = still missing."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    stage = Varchar(length=10)  # 签约 | 按揭 | 产权证
    name = Varchar(length=60)
    received_on = Date(null=True, default=None)


class Defect(Table, tablename="pl_defect"):
    """整改单 from the handover's joint inspection (a deal's rectification list, 有条件交付). The 房屋验收's 问题单 are
    InspectionDefect rows (tables_handover.py) with the same states: 待整改 → 整改中 → 待复验 → 已通过 (a failed 复验 goes
    back to 整改中). Photos are attachments (owner pl_defect)."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    location = Varchar(length=50)  # 部位
    category = Varchar(length=20)  # 类别
    description = Text(default="")
    due_on = Date()  # promised date
    status = Varchar(length=10, default="待整改")  # 待整改 | 整改中 | 待复验 | 已通过
    contractor = Varchar(length=100, default="")  # 施工单位 responsible
    rectify_note = Text(default="")  # the contractor's rectification and the 项目部/监理 check
    recheck_note = Text(default="")  # the 客服中心's 复验
    closed_on = Date(null=True, default=None)
    created_at = Timestamptz()


class Instalment(Table, tablename="pl_instalment"):
    """回款: each amount due on a deal and what was received."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10)  # 定金 首付款 房款 贷款 面积差
    amount_due = Numeric(digits=(15, 2))
    due_on = Date(index=True)
    received = Numeric(digits=(15, 2), default=ZERO)
    received_on = Date(null=True, default=None)


class Receipt(Table, tablename="pl_receipt"):
    """收款登记: money received against one instalment (several per instalment: partial payments), or a refund paid
    out through an approved 付款 request (negative amount). An instalment's `received` is the sum of its receipts."""

    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    instalment = ForeignKey(Instalment, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10)  # the instalment's kind, or 退款
    amount = Numeric(digits=(15, 2))  # > 0 received, < 0 refunded
    received_on = Date(index=True)
    method = Varchar(length=10)  # 现金 转账 POS 支票 按揭放款 退款
    voucher_no = Varchar(length=50, unique=True)  # 收据/凭证号
    refund_request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.restrict)  # the 付款 request that paid a refund
    note = Varchar(length=200, default="")
    recorded_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class DealRefund(Table, tablename="pl_deal_refund"):
    """A customer refund paid through the 付款 request type (E15), linked to its deal: voiding (A5) or an area
    difference in the buyer's favour (A6). `due_on` is the refund's time limit; on approval a negative Receipt is written."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10)  # 作废退款 | 面积差退款
    instalment = ForeignKey(Instalment, null=True, default=None, on_delete=OnDelete.restrict)  # the 面积差 instalment refunded
    amount = Numeric(digits=(15, 2))
    due_on = Date(null=True, default=None)


class VoidStep(Table, tablename="pl_void_step"):
    """After a 合同作废 is approved: each cancellation the bureau (网签注销, 备案注销, 预告登记注销) or the 按揭专员 (贷款注销)
    must record, with its date and the 回执号. When none is open the unit is released (可售, or 保留 for a 换房)."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    step = Varchar(length=10)  # 网签注销 | 备案注销 | 预告登记注销 | 贷款注销
    owner = Varchar(length=20)  # the role that records it: bureau | mortgage
    due_on = Date(null=True, default=None)
    done_on = Date(null=True, default=None)
    receipt_no = Varchar(length=50, default="")


class DealVoid(Table, tablename="pl_deal_void"):
    """A 合同作废 request's own fields (the approval runs on the workflow engine)."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    reason = Varchar(length=20)
    penalty_waived = Numeric(digits=(15, 2), default=ZERO)
    refund = Numeric(digits=(15, 2), default=ZERO)
    note = Text(default="")


class MortgageNotice(Table, tablename="pl_mortgage_notice"):
    """按揭资料催交通知书 (A3 step 3): drafted by the 按揭专员, approved by the department head on the engine."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    missing = Text(default="")
    deadline = Date()
    sent = Boolean(default=False)


class ReleaseBatch(Table, tablename="pl_release_batch"):
    """在建工程抵押 partial release (A8): the units listed are released once the chain approves."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    unit_ids = Text(default="")  # comma-separated Unit ids
    repayment = Numeric(digits=(15, 2), default=ZERO)
    bank_consent_no = Varchar(length=50, default="")
    # A8 states: 拟解押清单 (draft / returned) → 审批中 → 还款/同意函 (approved: repay, get the bank's consent) → 注销登记中 → 已解押
    status = Varchar(length=10, default="审批中", index=True)
    consent_on = Date(null=True, default=None)
    dereg_no = Varchar(length=50, default="")  # 注销登记回执号
    dereg_on = Date(null=True, default=None)


class PipelineSetting(Table, tablename="pl_setting"):
    """Limits and rates of the pipeline (SPEC §A defaults), edited in the admin."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=100, default="")
    value = Numeric(digits=(15, 4))

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class DeedTaxBand(Table, tablename="pl_deed_tax_band"):
    """契税 rate table [L]: by home count (首套 / 二套 / 三套及以上) and area band; edited in the admin when local rules change."""

    homes = Varchar(length=10, default="首套", choices=HomeCount, help_text="购房套数：首套 / 二套 / 三套及以上")
    max_area = Numeric(digits=(10, 2), null=True, default=None, help_text="面积上限（含），空为不限")
    rate = Numeric(digits=(5, 2), help_text="税率 %")
    note = Varchar(length=100, default="")


class ChecklistItem(Table, tablename="pl_checklist_item"):
    """A document checklist's items (A3 按揭资料, A7 办证资料, the archive's 归档原件), edited in the admin; a deal copies
    the active 按揭/产权证 items when its stage starts (an edit applies to new deals, not to checklists handed out)."""

    checklist = Varchar(length=20, index=True, help_text="清单：按揭 / 产权证 / 归档原件")
    name = Varchar(length=60, help_text="资料名称")
    sort = Integer(default=0)
    active = Boolean(default=True, help_text="停用后新办理的记录不再列出")

    @classmethod
    def get_readable(cls):
        return readable(cls.name)
