"""Projects, buildings and units (A0 master data). Later chapters add the pipeline on top of Unit."""
from enum import Enum

from piccolo.columns import Boolean, Integer, Numeric, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns import ForeignKey
from piccolo.table import Table

from app.core.tables import readable

UNIT_STATUSES = ["不可售", "可售", "保留", "已认购", "已签约", "已备案", "已交付", "已办证"]
UNIT_USES = ["住宅", "商业", "车位", "储藏"]


class PricingBasis(str, Enum):
    """计价方式 (A0): the contract's pricing basis, which the A6 area settlement follows."""

    build = "建筑面积"
    inner = "套内面积"
    whole = "按套"


class Project(Table, tablename="project"):
    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    company_name = Varchar(length=100, default="", help_text="开发主体")
    city = Varchar(length=30, default="")
    address = Varchar(length=200, default="")
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Building(Table, tablename="building"):
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=30)
    floors = Integer(default=1)
    units_per_floor = Integer(default=1)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Unit(Table, tablename="unit"):
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True)
    room_no = Varchar(length=20)
    floor = Integer(default=1)
    layout = Varchar(length=30, default="", help_text="户型")
    use = Varchar(length=10, default="住宅", choices=None)
    area_build = Numeric(digits=(10, 2), help_text="预测建筑面积 ㎡")
    area_inner = Numeric(digits=(10, 2), help_text="预测套内面积 ㎡")
    pricing_basis = Varchar(length=10, default=PricingBasis.build.value, choices=PricingBasis,
                            help_text="计价方式：按建筑面积 / 按套内面积（单价为每平方米该面积的价格）/ 按套（不结算面积差）")
    unit_price = Numeric(digits=(15, 2), help_text="单价 元/㎡（按计价方式的面积）")
    total_price = Numeric(digits=(15, 2), help_text="总价 元")
    status = Varchar(length=10, default="不可售", index=True)
    mortgaged = Boolean(default=False, help_text="在建工程抵押未解除")
    sealed = Boolean(default=False, help_text="查封")
