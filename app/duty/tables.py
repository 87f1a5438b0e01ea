"""Duty: the roster (one row per person, day and shift), swap requests, and the handover log between shifts."""
from piccolo.columns import Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee


class DutyShift(Table, tablename="duty_shift"):
    day = Date(index=True)
    shift = Varchar(length=4)  # 白班 | 夜班
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    note = Varchar(length=100, default="")
    # one person once per day and shift: a unique index on (day, shift, employee), created by migration 2 (raw SQL)


class DutySwap(Table, tablename="duty_swap"):
    shift = ForeignKey(DutyShift, on_delete=OnDelete.cascade, index=True)
    requester = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    substitute = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    reason = Varchar(length=200, default="")
    status = Varchar(length=6, default="待批准", index=True)  # 待批准 | 已批准 | 已拒绝 | 已撤回
    decided_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class DutyHandover(Table, tablename="duty_handover"):
    """交接班: the outgoing shift writes it and signs; the incoming person signs on receipt. Open cases are carried."""

    day = Date(index=True)
    shift = Varchar(length=4)  # the outgoing shift
    handed_by = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    handed_at = Timestamptz()
    received_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    received_at = Timestamptz(null=True, default=None)
    summary = Text(default="")  # calls, visits and events of the shift
    open_cases = Text(default="")  # the open case ids carried to the next shift, comma-separated
    equipment = Varchar(length=200, default="")  # 设备、钥匙、资料 handed over
    month = Varchar(length=7, default="", index=True)  # "2026-12" of `day`: the list's month filter in SQL
    received_note = Varchar(length=200, default="")  # the incoming person's remark on receipt


class DutySetting(Table, tablename="duty_setting"):
    """Duty configuration edited in the admin (值班设置): shift start times, how many open cases a handover offers."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Varchar(length=40)
    tag = Varchar(length=10, default="", help_text="来源：[S] 规章原文 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
