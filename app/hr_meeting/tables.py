"""例会 (SPEC §G, [S 1.6] weekly department meeting): the minutes — date, chair, who attended and who was absent, the
topics and the decisions — and the action items, each with an owner, a due date and done / done_on."""
from piccolo.columns import Boolean, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Department, Employee


class Meeting(Table, tablename="hr_meeting"):
    held_on = Date(index=True)
    department = ForeignKey(Department, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    chair = ForeignKey(Employee, on_delete=OnDelete.restrict)
    topics = Text(default="")
    decisions = Text(default="")
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.held_on)


class MeetingPerson(Table, tablename="hr_meeting_person"):
    """Who attended (present) and who was absent: unique (meeting, employee), raw SQL in the second migration."""
    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    present = Boolean(default=True)


class ActionItem(Table, tablename="hr_meeting_item"):
    meeting = ForeignKey(Meeting, on_delete=OnDelete.cascade, index=True)
    text = Varchar(length=300)
    owner = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    due_on = Date(index=True)
    done = Boolean(default=False, index=True)
    done_on = Date(null=True, default=None)

    @classmethod
    def get_readable(cls):
        return readable(cls.text)
