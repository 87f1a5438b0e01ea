"""The security team's gate logs (SPEC §F4): 访客登记 and 车辆登记. One row per arrival; `day` is the local day of the
arrival (the day lists and counts filter on it, indexed with the team); `out_at` is set once by the 离开 button."""
from piccolo.columns import Boolean, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.site.tables import SiteTeam

PURPOSES = ("看房", "签约", "办事", "施工", "供应商", "政府")
CUSTOMER_PURPOSES = ("看房", "签约")  # sales visitors go straight to the front desk; everyone else shows ID
VEHICLE_KINDS = ("小型车", "大型车", "新能源", "摩托车", "货车", "其他")
NEW_ENERGY = "新能源"
PARTIES = ("访客", "员工")


class SiteVisitor(Table, tablename="site_visitor"):
    """One visitor at the sales office's door: who, why, whom they see, when in and out, who logged them."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)
    name = Varchar(length=30)
    mobile = Varchar(length=20, default="")
    purpose = Varchar(length=6)
    host = Varchar(length=50, default="", help_text="被访人/接待人")
    id_checked = Boolean(default=False, help_text="非客户已出示证件")
    in_at = Timestamptz()
    out_at = Timestamptz(null=True, default=None)
    by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="登记人")
    out_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="登记离开的人")

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class SiteVehicle(Table, tablename="site_vehicle"):
    """One vehicle in the sales office's car park: plate (normalised), type, bay, visitor or staff, in and out."""

    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    day = Date(index=True)
    plate = Varchar(length=8, index=True)
    kind = Varchar(length=6)
    bay = Varchar(length=20, default="", help_text="车位")
    party = Varchar(length=4, default="访客", help_text="访客 / 员工")
    in_at = Timestamptz()
    out_at = Timestamptz(null=True, default=None)
    by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="登记人")
    out_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="登记离开的人")

    @classmethod
    def get_readable(cls):
        return readable(cls.plate)
