"""资产 (SPEC §E16–E17): asset categories (reference data), purchase requests with their lines and quotes, the
asset cards that acceptance opens (one per unit), and disposal requests that close them."""
from decimal import Decimal

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Department, Employee
from app.workflow.tables import Request


class AssetCategory(Table, tablename="asset_category"):
    name = Varchar(length=30, unique=True, help_text="资产类别，例如 电子设备")
    default_years = Integer(default=5, help_text="默认折旧年限（年）")
    sort = Integer(default=0)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class AssetNumberSeq(Table, tablename="asset_number_seq"):
    """The last asset number issued per year: ZC-<year>-<n>. Incremented with UPDATE … RETURNING (row lock)."""

    year = Integer(unique=True)
    last = Integer(default=0)


class AssetPurchase(Table, tablename="asset_purchase"):
    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict)  # the department that will use the assets
    custodian = ForeignKey(Employee, on_delete=OnDelete.restrict)
    location = Varchar(length=100)
    depreciation_years = Integer()
    reason = Text()
    total = Numeric(digits=(15, 2))
    units = Integer()  # the number of asset cards acceptance will open


class AssetPurchaseLine(Table, tablename="asset_purchase_line"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    line_no = Integer()
    name = Varchar(length=100)
    spec = Varchar(length=100, default="")
    category = ForeignKey(AssetCategory, on_delete=OnDelete.restrict)
    quantity = Integer()
    unit_price = Numeric(digits=(15, 2))
    amount = Numeric(digits=(15, 2))


class AssetQuote(Table, tablename="asset_quote"):
    """Supplier quotes (three required from the setting quotes_from)."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    line_no = Integer()
    supplier = Varchar(length=100)
    price = Numeric(digits=(15, 2))


class AssetCard(Table, tablename="asset_card"):
    """One fixed asset (one unit). `disposal` holds the disposal request while it is pending and after approval."""

    number = Varchar(length=20, unique=True)  # ZC-2026-0001, also printed on the asset tag
    name = Varchar(length=100, index=True)
    spec = Varchar(length=100, default="")
    category = ForeignKey(AssetCategory, on_delete=OnDelete.restrict, index=True)
    original_value = Numeric(digits=(15, 2))
    purchase_date = Date(index=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, index=True)
    custodian = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    location = Varchar(length=100, default="")
    depreciation_years = Integer()
    status = Varchar(length=10, index=True, default="在用")  # 在用 | 已报废
    source_request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.restrict)
    disposal = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    disposed_on = Date(null=True, default=None)
    created_at = Timestamptz()


class AssetDisposal(Table, tablename="asset_disposal"):
    """A disposal request's fields, with the net value computed at submission (straight line)."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    asset = ForeignKey(AssetCard, on_delete=OnDelete.restrict, index=True)
    original_value = Numeric(digits=(15, 2))
    months_used = Integer()
    depreciation_years = Integer()
    accumulated = Numeric(digits=(15, 2))  # accumulated depreciation
    net_value = Numeric(digits=(15, 2))
    reason = Text()
    assessment = Text()
    holds_customer_data = Boolean(default=False)
    salvage = Numeric(digits=(15, 2), default=Decimal("0.00"))
    data_wiped = Boolean(default=False)  # 数据已由认证方式擦除 (required before approval can finish)
    wipe_method = Varchar(length=30, default="")
    wipe_certificate = Varchar(length=60, default="")
    wiped_by = Varchar(length=60, default="")
    wiped_at = Timestamptz(null=True, default=None)
