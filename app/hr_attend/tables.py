"""考勤 (SPEC §G): clock-in records imported from the attendance machine (one row per employee and day: the first and
the last punch), the settings (work schedule and grace minutes), and the weekend work rostered on 开盘 / 交房 / 集中签约
days that credits 调休 days."""
from piccolo.columns import Date, ForeignKey, Integer, Numeric, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee


class AttendSetting(Table, tablename="hr_attend_setting"):
    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[S] 规章原文 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class ClockDay(Table, tablename="hr_attend_clock"):
    """One employee's punches of one day: unique (employee, day), raw SQL in the second migration."""
    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    first_in = Integer(null=True, default=None)  # minutes after midnight of the first punch (上班), None = no punch
    last_out = Integer(null=True, default=None)  # minutes after midnight of the last punch (下班)
    source = Varchar(length=200, default="")  # the file it came from
    imported_at = Timestamptz()


class WeekendDuty(Table, tablename="hr_attend_duty"):
    """A 开盘 / 交房 / 集中签约 day that is not a working day, with the 调休 days each rostered person is credited."""
    day = Date(index=True)
    occasion = Varchar(length=6)  # 开盘 | 交房 | 集中签约
    credit_days = Numeric(digits=(4, 1))
    note = Varchar(length=200, default="")
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.occasion)


class WeekendDutyStaff(Table, tablename="hr_attend_duty_staff"):
    """A person rostered on a weekend duty day: unique (duty, employee), raw SQL in the second migration."""
    duty = ForeignKey(WeekendDuty, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
