"""考勤 (SPEC §G): each employee's leave inputs (参加工作日期, the start of cumulative work that the annual-leave
entitlement counts from, kept by HR) and the payload of the `leave` requests on the one engine."""
from piccolo.columns import Boolean, Date, ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.org.tables import Employee
from app.workflow.tables import Request


class LeaveProfile(Table, tablename="hr_leave_profile"):
    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, unique=True)
    work_start = Date(null=True, default=None, help_text="参加工作日期：累计工作年限的起算日（含在其他单位的工作时间）")
    note = Varchar(length=200, default="", help_text="依据，例如 社保缴费记录、档案")
    updated_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(null=True, default=None)


class LeaveRequest(Table, tablename="hr_leave_request"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=4, index=True)  # 年休假 事假 病假 婚假 产假 丧假 调休
    start_on = Date(index=True)
    start_half = Varchar(length=2, default="上午")  # 上午: the whole first day; 下午: from noon
    end_on = Date(index=True)
    end_half = Varchar(length=2, default="下午")  # 下午: the whole last day; 上午: until noon
    days = Numeric(digits=(6, 1))
    reason = Text(default="")
    holds = Boolean(default=True, index=True)  # False once rejected or withdrawn
