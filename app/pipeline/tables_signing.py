"""A2 签约's own records: the 购房审核单 (one per deal, corrected and resubmitted in place), the same-day entries
(合同台账, RIS, 预警预报系统) and the 联机备案故障记录 (outage log) with the contracts it held up."""
from decimal import Decimal

from piccolo.columns import Boolean, Date, ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.org.tables import Employee
from app.pipeline.tables import Deal

ZERO = Decimal("0.00")


class SignCheck(Table, tablename="pl_sign_check"):
    """购房审核单 (SPEC A2 审核单 fields): submitted by the 置业顾问, passed or returned by the 合同专员. The figures are
    the sheet's own (what the 置业顾问 wrote); on passing, the loan, delivery and 办证期限 go onto the deal."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, unique=True)
    number = Varchar(length=30, unique=True)  # 审核单号 SH-YYYYMMDD-####
    room = Varchar(length=100, default="")  # 房源 as written on the sheet (project, building, room)
    buyers = Varchar(length=300, default="")  # 买受人/共有人
    area = Numeric(digits=(10, 2), default=ZERO)
    unit_price = Numeric(digits=(15, 2), default=ZERO)
    total_price = Numeric(digits=(15, 2), default=ZERO)
    payment_method = Varchar(length=10, default="")
    down_payment = Numeric(digits=(15, 2), default=ZERO)
    receipt_no = Varchar(length=50, default="")  # the 首付款 receipt (a Receipt.voucher_no of this deal)
    loan_amount = Numeric(digits=(15, 2), default=ZERO)
    loan_bank = Varchar(length=50, default="")
    commercial_amount = Numeric(digits=(15, 2), default=ZERO)  # 组合贷: 商贷额
    provident_amount = Numeric(digits=(15, 2), default=ZERO)  # 组合贷: 公积金额
    delivery_due = Date(null=True, default=None)
    title_deadline = Date(null=True, default=None)
    supplement = Boolean(default=False)  # 补充协议
    supplement_text = Text(default="")
    status = Varchar(length=10, default="待审", index=True)  # 待审 | 退回 | 通过
    submitted_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    submitted_at = Timestamptz()
    checks = Text(default="")  # the 合同专员's ticked checks, one a line
    return_reason = Text(default="")
    reviewer = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    reviewed_at = Timestamptz(null=True, default=None)


class SigningEntry(Table, tablename="pl_signing_entry"):
    """SPEC A2 step 7: on the signing day the 合同专员 records the contract in the 合同台账, RIS and the 预警预报系统."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    system = Varchar(length=20)  # 合同台账 | RIS | 预警预报系统
    key = Varchar(length=40, unique=True)  # "<deal>:<system>": each entry once, even from two windows at once
    done_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    done_at = Timestamptz()


class Outage(Table, tablename="pl_outage"):
    """联机备案故障记录: the online signing/filing system was down; who was coordinated and what was done."""

    started_at = Timestamptz(index=True)
    ended_at = Timestamptz(null=True, default=None)
    cause = Varchar(length=200)
    action_taken = Text(default="")
    coordinated = Varchar(length=50, default="")  # 信息中心 / 网通, as ticked
    recorded_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class OutageDeal(Table, tablename="pl_outage_deal"):
    """A contract an outage held up."""

    outage = ForeignKey(Outage, on_delete=OnDelete.cascade, index=True)
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
