"""证件及手续 (SPEC §C): one register per item type, the deadlines derived from them (one row per dated item,
which the overview lists and the reminder command works through) and the reminders sent.

Every register row has an owner (an employee), where the original is kept, and a note. Scans are not stored here."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.estate.tables import Building, Project, Unit
from app.org.tables import Company, Employee


class ScaleApproval(Table, tablename="permit_scale"):
    """开发规模审批: the annual development-scale approval of a project (an annual task each January)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    year = Integer(index=True)
    area_applied = Numeric(digits=(12, 2), null=True, default=None)
    area_approved = Numeric(digits=(12, 2), null=True, default=None)
    approval_no = Varchar(length=60, default="")
    due_on = Date(help_text="申报截止日期")
    applied_on = Date(null=True, default=None)
    approved_on = Date(null=True, default=None)
    status = Varchar(length=10, default="待申报", index=True)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PresalePermit(Table, tablename="permit_presale"):
    """商品房预售许可证. Moving it to 已取证 makes the 不可售 units of its buildings 可售."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    permit_no = Varchar(length=60, default="", index=True)
    area_residential = Numeric(digits=(12, 2), null=True, default=None)
    area_other = Numeric(digits=(12, 2), null=True, default=None)
    unit_count = Integer(null=True, default=None)
    authority = Varchar(length=100, default="")
    submitted_on = Date(null=True, default=None)
    issued_on = Date(null=True, default=None)
    valid_until = Date(null=True, default=None)
    escrow_bank = Varchar(length=100, default="")
    escrow_account = Varchar(length=40, default="")
    checklist = Text(default="")  # the document checklist items that are ready, one a line
    displayed = Boolean(default=False, help_text="已在售楼处公示")
    status = Varchar(length=10, default="材料准备", index=True)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PresaleBuilding(Table, tablename="permit_presale_building"):
    """The buildings a presale permit covers (many-to-many)."""

    permit = ForeignKey(PresalePermit, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True)


class Qualification(Table, tablename="permit_qualification"):
    """资质证书 of a development company: expiry (reminders at 90/60/30 days) and the annual inspection or report."""

    company = ForeignKey(Company, on_delete=OnDelete.restrict, index=True)
    cert_no = Varchar(length=60)
    grade = Varchar(length=10)
    regime = Varchar(length=10, default="年报制")  # 年报制 | 年检制 | 延续制
    issued_on = Date()
    expires_on = Date(index=True)
    annual_due_on = Date(null=True, default=None, help_text="下次年检/年报截止日期")
    last_annual_on = Date(null=True, default=None)
    active = Boolean(default=True)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class MaintenanceFund(Table, tablename="permit_fund"):
    """维修基金 dedicated account of a project; the amount per unit is area × rate (two places, half-up)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, unique=True)
    bank = Varchar(length=100)
    account_no = Varchar(length=40)
    opened_on = Date()
    basis = Varchar(length=10, default="固定标准")  # 固定标准 (元/㎡) | 造价比例 (% of the building cost per ㎡)
    cost_per_sqm = Numeric(digits=(15, 2), null=True, default=None)
    percent = Numeric(digits=(5, 2), null=True, default=None)
    rate = Numeric(digits=(10, 2), help_text="元/㎡")
    handover_on = Date(null=True, default=None, help_text="计划交付日期")
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FundPayment(Table, tablename="permit_fund_payment"):
    """A unit's maintenance-fund payment: one per unit."""

    fund = ForeignKey(MaintenanceFund, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, unique=True)
    area = Numeric(digits=(10, 2))
    rate = Numeric(digits=(10, 2))
    amount = Numeric(digits=(15, 2))
    paid_on = Date()
    receipt_no = Varchar(length=60)
    created_at = Timestamptz()


class ConstructionMortgage(Table, tablename="permit_mortgage"):
    """在建工程抵押 (SPEC §A8): the registration; releases follow sales (A8's own flow)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    contract_no = Varchar(length=60)
    mortgagee = Varchar(length=100)
    amount = Numeric(digits=(15, 2))
    cert_no = Varchar(length=60, default="")
    registered_on = Date(null=True, default=None)
    start_on = Date()
    end_on = Date(index=True)
    status = Varchar(length=10, default="办理中", index=True)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class MortgageBuilding(Table, tablename="permit_mortgage_building"):
    """The buildings a construction mortgage covers (抵押范围)."""

    mortgage = ForeignKey(ConstructionMortgage, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True)


class LoanAgreement(Table, tablename="permit_agreement"):
    """公积金项目备案 or a bank's 按揭合作协议 for a project: term, deposit ratio, credit line."""

    kind = Varchar(length=12, index=True)  # 公积金项目备案 | 按揭合作协议
    institution = Varchar(length=100)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    reg_no = Varchar(length=60)
    start_on = Date()
    end_on = Date(index=True)
    deposit_ratio = Numeric(digits=(5, 2), null=True, default=None)
    credit_line = Numeric(digits=(15, 2), null=True, default=None)
    active = Boolean(default=True)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OverseasFiling(Table, tablename="permit_overseas"):
    """境外购房备案 per buyer. Signing is blocked until it is approved. The ID number is shown masked."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    buyer_name = Varchar(length=60)
    id_type = Varchar(length=20)
    id_no = Varchar(length=40, index=True)
    region = Varchar(length=40, default="")
    room = Varchar(length=40, default="")
    applied_on = Date()
    approved_on = Date(null=True, default=None)
    reference_no = Varchar(length=60, default="")
    status = Varchar(length=10, default="申请中", index=True)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    original_at = Varchar(length=100, default="")
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Deadline(Table, tablename="permit_deadline"):
    """One dated item of a register record (an expiry, an annual task, a handover): kept in step with the record
    in the same transaction. `notified_days` is the smallest threshold already sent (−1 = the overdue notice)."""

    kind = Varchar(length=20, index=True)
    record_id = Integer(index=True)
    item = Varchar(length=20)
    label = Varchar(length=200)
    project = ForeignKey(Project, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    owner = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    due_on = Date(index=True)
    done = Boolean(default=False, index=True)
    notified_days = Integer(null=True, default=None)
    notified_at = Timestamptz(null=True, default=None)


class ReminderLog(Table, tablename="permit_reminder_log"):
    """What the reminder command sent: one row per deadline, due date and threshold."""

    deadline = ForeignKey(Deadline, on_delete=OnDelete.cascade, index=True)
    threshold = Integer()
    due_on = Date()
    sent_at = Timestamptz()
    recipients = Integer(default=0)


class ReminderRule(Table, tablename="permit_reminder_rule"):
    """Reminder thresholds per item (days before the date), editable in the admin panel. Defaults per SPEC §C."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=60)
    days = Varchar(length=60, help_text="提前提醒天数，逗号分隔，例如 90,60,30")
    amber_percent = Integer(default=20, help_text="剩余时间不超过提醒期的该百分比时显示为临期（琥珀色）")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class PermitSetting(Table, tablename="permit_setting"):
    """证件及手续设置 edited in the admin (SPEC §C2): the limits of 协议选聘 — fewer than N bidders, or a small estate."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Numeric(digits=(15, 2))

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class UpgradeChecklistItem(Table, tablename="permit_upgrade_checklist"):
    """The required materials of a 资质升级 (admin-editable; copied onto each upgrade when it is opened)."""

    name = Varchar(length=100, unique=True)
    sort = Integer(default=0)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class QualificationUpgrade(Table, tablename="permit_upgrade"):
    """资质证书升级 run as a project (SPEC §C 资质 5.9): a target grade, a checklist of materials, the states
    准备中 → 已申报 → 审核中 → 已批准 | 未通过; on approval the certificate's grade and expiry are updated."""

    qualification = ForeignKey(Qualification, on_delete=OnDelete.restrict, index=True)
    from_grade = Varchar(length=10, default="")
    target_grade = Varchar(length=10)
    status = Varchar(length=10, default="准备中", index=True)
    due_on = Date(null=True, default=None, help_text="计划申报日期")
    submitted_on = Date(null=True, default=None)
    approved_on = Date(null=True, default=None)
    new_cert_no = Varchar(length=60, default="")
    new_expires_on = Date(null=True, default=None)
    result_note = Text(default="")
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class UpgradeItem(Table, tablename="permit_upgrade_item"):
    """One required material of an upgrade: received on, by whom, the document (scans on the upgrade's attachments)."""

    upgrade = ForeignKey(QualificationUpgrade, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100)
    sort = Integer(default=0)
    received_on = Date(null=True, default=None)
    holder = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    document = Varchar(length=100, default="")


class PropertyTender(Table, tablename="permit_tender"):
    """前期物业招标 (SPEC §C2, 12 steps), owned by the 客服中心 (客服主管). 协议选聘 (direct appointment) with fewer
    than 3 bidders or a small estate, only with the district/county housing authority's approval recorded; then the
    steps from 招标公告 to 评标 are skipped."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    total_area = Numeric(digits=(12, 2), null=True, default=None)  # 总建筑面积 ㎡ (decides "small estate")
    bidders = Integer(null=True, default=None)
    mode = Varchar(length=10, default="公开招标", index=True)  # 公开招标 | 协议选聘
    direct_reason = Varchar(length=20, default="")  # 投标人不足 | 规模较小
    direct_authority = Varchar(length=100, default="")
    direct_approval_no = Varchar(length=60, default="")
    direct_approved_on = Date(null=True, default=None)
    status = Varchar(length=10, default="资料接收", index=True)  # the step in hand, or 已完成
    winner = Varchar(length=100, default="")
    due_on = Date(null=True, default=None, help_text="计划物业进驻日期")
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    note = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TenderStep(Table, tablename="permit_tender_step"):
    """One of the twelve steps of a tender: done on, the responsible party, the document; `skipped` under 协议选聘."""

    key = Varchar(length=30, unique=True)  # f"{tender}:{seq}"
    tender = ForeignKey(PropertyTender, on_delete=OnDelete.cascade, index=True)
    seq = Integer()
    step = Varchar(length=10)
    done_on = Date(null=True, default=None)
    party = Varchar(length=60, default="")
    document = Varchar(length=100, default="")
    note = Varchar(length=200, default="")
    skipped = Boolean(default=False)
    done_at = Timestamptz(null=True, default=None)
