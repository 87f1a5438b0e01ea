"""Finance request types' own fields and registers: expense claims with invoices, advances with their ledger,
payments. Keyed by the engine's Request."""
from decimal import Decimal

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.office.tables import TripLog
from app.org.tables import Employee
from app.workflow.tables import Request


class Advance(Table, tablename="fin_advance"):
    """借款. Its ledger (AdvanceEntry) gives the balance; status follows the request and the settlements."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10)  # 备用金 | 业务借款 | 差旅
    purpose = Text()
    amount = Numeric(digits=(15, 2))
    balance = Numeric(digits=(15, 2), default=Decimal("0.00"))  # kept equal to the sum of the ledger, in the same transaction
    due_on = Date(index=True)
    status = Varchar(length=10, index=True, default="审批中")  # 审批中 | 未结清 | 已结清 | 已作废
    paid_out_at = Timestamptz(null=True, default=None)
    settled_at = Timestamptz(null=True, default=None)


class AdvanceEntry(Table, tablename="fin_advance_entry"):
    """The advance ledger: 借出 (+), 还款 (−), 冲账 (−)."""

    advance = ForeignKey(Advance, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10)
    amount = Numeric(digits=(15, 2))  # signed: + borrowed, − repaid/offset
    at = Timestamptz(index=True)
    request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.restrict)  # the expense claim that offset it
    note = Varchar(length=200, default="")


class ExpenseClaim(Table, tablename="fin_expense"):
    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    reason = Text()
    total = Numeric(digits=(15, 2))
    offset_advance = ForeignKey(Advance, null=True, default=None, on_delete=OnDelete.restrict)
    offset_amount = Numeric(digits=(15, 2), default=Decimal("0.00"))
    category = Varchar(length=10, default="日常费用")  # 日常费用 | 业务招待费 (needs its prior approval) | 车辆费用
    # 业务招待费: the approved 招待申请 it rests on. A unique index (migration "unique entertainment per claim";
    # SQLite cannot ADD a UNIQUE column): each prior approval is used by one claim; a rejected or withdrawn claim
    # lets go of it (set back to NULL in on_closed).
    entertainment = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.restrict)
    over_tolerance = Boolean(default=False)  # above the prior approval by more than the tolerance: 分管副总 approves


class Invoice(Table, tablename="fin_invoice"):
    """An invoice line of a claim. An invoice is identified by 发票代码 + 号码 (legacy paper invoices: 8-digit numbers
    repeat across codes) or by its 20-digit number alone (数电票, code empty). `active` rows hold their identity: the
    same invoice cannot be claimed twice anywhere in the company (a partial unique index on (code, number) WHERE
    active); a rejected or withdrawn claim frees it."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    line_no = Integer(default=1)
    kind = Varchar(length=10)  # 数电票 | 专票 | 普票
    code = Varchar(length=12, default="")  # 发票代码 (10 or 12 digits) of a legacy invoice; "" for a 20-digit 数电票
    number = Varchar(length=20, index=True)
    buyer_name = Varchar(length=100, default="")  # 购买方名称
    buyer_tax_id = Varchar(length=18, default="")  # 购买方纳税人识别号 (must be the company's 统一社会信用代码)
    issued_on = Date()
    seller = Varchar(length=100)
    amount = Numeric(digits=(15, 2))
    tax = Numeric(digits=(15, 2), default=Decimal("0.00"))
    active = Boolean(default=True)


class Payment(Table, tablename="fin_payment"):
    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    payee = Varchar(length=100)
    bank = Varchar(length=100)
    account = Varchar(length=40)
    contract_no = Varchar(length=50, index=True)
    contract_total = Numeric(digits=(15, 2))
    paid_before = Numeric(digits=(15, 2))  # paid to date at submission (approved payments on the contract)
    amount = Numeric(digits=(15, 2))
    method = Varchar(length=10, default="银行转账")
    purpose = Text(default="")
    paid = Boolean(default=False, index=True)


class ExpenseTrip(Table, tablename="fin_expense_trip"):
    """A trip of the vehicle log claimed on an expense: fuel and tolls from the log's receipts (company car), or the
    private-car allowance km × rate plus tolls (私车公用). `trip` is unique: a trip is claimed once, company-wide;
    a rejected or withdrawn claim deletes its row, so the trip may be claimed again."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    trip = ForeignKey(TripLog, on_delete=OnDelete.restrict, unique=True)
    private = Boolean(default=False)
    distance = Integer(default=0)
    fuel = Numeric(digits=(15, 2), default=Decimal("0.00"))
    toll = Numeric(digits=(15, 2), default=Decimal("0.00"))
    rate = Numeric(digits=(15, 2), default=Decimal("0.00"))  # 元/公里 at the time of the claim (private car)
    allowance = Numeric(digits=(15, 2), default=Decimal("0.00"))
    amount = Numeric(digits=(15, 2))


class Entertainment(Table, tablename="fin_entertainment"):
    """招待申请: the prior approval of a business entertainment (SPEC E13 "entertainment needs prior approval")."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    purpose = Text()
    guests = Varchar(length=200)  # 来宾单位及人员
    guest_count = Integer(default=1)
    staff_count = Integer(default=1)  # 陪同人数
    event_on = Date()
    expected = Numeric(digits=(15, 2))


class DeductionConsent(Table, tablename="fin_deduction_consent"):
    """借款逾期 → 工资扣回, only with the employee's written consent (SPEC E14): the date, the amount, the instalments,
    the first payroll month; the scanned signed consent is an attachment (owner fin_deduction). One per advance."""

    advance = ForeignKey(Advance, on_delete=OnDelete.restrict, unique=True)
    consent_on = Date()
    amount = Numeric(digits=(15, 2))
    instalments = Integer(default=1)
    first_month = Varchar(length=7)  # YYYY-MM, the first payroll month
    recorded_by_name = Varchar(length=60, default="")
    recorded_at = Timestamptz()
