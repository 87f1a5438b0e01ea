"""A3 按揭: the 面签 (in-person loan signing) appointments, one row per person and appointment."""
from piccolo.columns import Date, ForeignKey, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.pipeline.tables import Deal


class MortgageAppointment(Table, tablename="pl_mortgage_appointment"):
    """The buyer's (and, when 已婚, the spouse's) 面签 appointment at the bank: date, place, then 已到场 or 未到场.
    A missed one is chased with a new appointment (a new row); the deal is 已面签 once every required person attended."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    person = Varchar(length=10)  # 买受人 | 配偶
    name = Varchar(length=50, default="")
    day = Date()
    place = Varchar(length=100, default="")
    result = Varchar(length=10, default="")  # "" (pending) | 已到场 | 未到场
