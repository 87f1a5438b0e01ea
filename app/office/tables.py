"""Office supplies (E1) and vehicle use (E2): the stock item register with its ledger, durable items held by
people, the purchase and requisition lines of requests, vehicles and drivers (reference data), bookings and
their trip logs. Keyed by the engine's Request."""
from decimal import Decimal

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.workflow.tables import Request


class StockItem(Table, tablename="office_item"):
    """An office-supplies item. `quantity` is kept equal to the last ledger balance, in the same transaction;
    it never goes below zero (conditional update, plus a database check)."""

    name = Varchar(length=60, index=True, help_text="物品名称")
    spec = Varchar(length=60, default="", help_text="规格型号")
    unit = Varchar(length=10, default="个", help_text="计量单位")
    quantity = Integer(default=0, help_text="库存数量（由出入库自动维护）")
    durable = Boolean(default=False, help_text="耐用品：领用后登记到领用人名下，离职时归还")
    active = Boolean(default=True, help_text="停用后不能再申购或领用")

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class StockEntry(Table, tablename="office_stock_entry"):
    """The item ledger: one row per movement, with the balance after it."""

    item = ForeignKey(StockItem, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(index=True)
    kind = Varchar(length=10)  # 期初 | 申购入库 | 领用出库 | 归还入库
    qty_in = Integer(null=True, default=None)
    qty_out = Integer(null=True, default=None)
    balance = Integer()
    request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    person = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.restrict)  # applicant / holder / returner
    actor = ForeignKey(BaseUser, null=True, default=None, on_delete=OnDelete.set_null)
    actor_name = Varchar(length=60, default="")
    note = Varchar(length=200, default="")


class DurableHolding(Table, tablename="office_durable"):
    """A durable item issued to a person (returned on exit)."""

    item = ForeignKey(StockItem, on_delete=OnDelete.restrict, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    qty = Integer()
    request = ForeignKey(Request, on_delete=OnDelete.restrict, index=True)
    issued_at = Timestamptz()
    returned = Boolean(default=False, index=True)
    returned_at = Timestamptz(null=True, default=None)
    returned_by_name = Varchar(length=60, default="")


class SuppliesBudget(Table, tablename="office_budget"):
    """月度预算: the office-supplies budget of one 预算科目 for one month, edited by the admin (行政/财务). A monthly
    plan names one of the plan month's lines; its total is checked against what is left of it."""

    month = Varchar(length=7, index=True, help_text="预算月份，格式 YYYY-MM，例如 2027-01")
    line = Varchar(length=60, help_text="预算科目，例如 办公费—客服部")
    amount = Numeric(digits=(15, 2), help_text="当月预算金额（元）")

    @classmethod
    def get_readable(cls):
        return readable(cls.line)


class Purchase(Table, tablename="office_purchase"):
    """办公用品申购: the header of a purchase request — the monthly plan (月度计划) for `plan_month`, due by the
    deadline day (a setting, the 25th) of the month before; `late` flags one filed after it."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    purpose = Text()
    budget_line = Varchar(length=60)
    over_budget = Boolean(default=False)
    total = Numeric(digits=(15, 2), default=Decimal("0.00"))
    plan_month = Varchar(length=7, default="", index=True)  # YYYY-MM
    late = Boolean(default=False)
    budget = ForeignKey(SuppliesBudget, null=True, default=None, on_delete=OnDelete.restrict, index=True)


class PurchaseLine(Table, tablename="office_purchase_line"):
    """A line of a purchase: an item of the register, or a new item (created on approval)."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    line_no = Integer(default=1)
    item = ForeignKey(StockItem, null=True, default=None, on_delete=OnDelete.restrict)
    name = Varchar(length=60)
    spec = Varchar(length=60, default="")
    unit = Varchar(length=10, default="")
    durable = Boolean(default=False)
    qty = Integer()
    unit_price = Numeric(digits=(15, 2))
    amount = Numeric(digits=(15, 2))


class Issue(Table, tablename="office_issue"):
    """办公用品领用: the header of a requisition."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    purpose = Text()


class IssueLine(Table, tablename="office_issue_line"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    line_no = Integer(default=1)
    item = ForeignKey(StockItem, on_delete=OnDelete.restrict, index=True)
    qty = Integer()


class Vehicle(Table, tablename="office_vehicle"):
    plate = Varchar(length=12, unique=True, help_text="车牌号，例如 苏E·12345")
    model = Varchar(length=60, default="", help_text="品牌型号")
    seats = Integer(default=5, help_text="核定座位数（含驾驶员）")
    odometer = Integer(default=0, help_text="当前里程（公里），由行车记录自动更新")
    active = Boolean(default=True, help_text="停用后不能再预约")
    sort = Integer(default=0)
    # 私车公用 (SPEC E2): an employee's own car used on duty; its trips are paid as an allowance per km, not fuel
    private_owner = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.restrict, help_text="私车公用：车主（员工）；公司车辆留空")

    @classmethod
    def get_readable(cls):
        return readable(cls.plate)


class Driver(Table, tablename="office_driver"):
    name = Varchar(length=30, help_text="司机姓名")
    phone = Varchar(length=20, default="", help_text="手机号")
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class VehicleBooking(Table, tablename="office_booking"):
    """用车: the booking of a request. `holds` is true while the request is pending or approved: such bookings
    hold the vehicle (and the driver) for the time range; a rejected or withdrawn request frees it."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    vehicle = ForeignKey(Vehicle, on_delete=OnDelete.restrict, index=True)
    driver = ForeignKey(Driver, null=True, default=None, on_delete=OnDelete.restrict, index=True)  # None: 自驾
    purpose = Text()
    destination = Varchar(length=100)
    depart_at = Timestamptz(index=True)
    return_at = Timestamptz(index=True)
    passengers = Integer(default=1)
    passenger_names = Varchar(length=200, default="")
    out_of_town = Boolean(default=False)
    overnight = Boolean(default=False)
    holds = Boolean(default=True, index=True)


class TripLog(Table, tablename="office_trip"):
    """行车记录 of an approved booking: odometer out and in (never backwards), distance, fuel and tolls."""

    booking = ForeignKey(VehicleBooking, on_delete=OnDelete.restrict, unique=True)
    vehicle = ForeignKey(Vehicle, on_delete=OnDelete.restrict, index=True)
    odometer_out = Integer()
    odometer_in = Integer()
    distance = Integer()
    fuel_note = Varchar(length=200, default="")
    # the receipts of the trip (SPEC E2: fuel and tolls reimbursed via E13): an expense claim takes these amounts
    fuel_amount = Numeric(digits=(15, 2), default=Decimal("0.00"))
    toll_amount = Numeric(digits=(15, 2), default=Decimal("0.00"))
    recorded_by = ForeignKey(BaseUser, null=True, default=None, on_delete=OnDelete.set_null)
    recorded_by_name = Varchar(length=60, default="")
    at = Timestamptz(index=True)
