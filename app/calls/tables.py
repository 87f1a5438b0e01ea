"""Calls: the phone system's records (imported, idempotent by the system's call id), the import's column mapping
(kept once), and call QA scores on 三要 / 三不 / 四个一样 (SPEC §G 服务用语)."""
from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.care.tables import CareCase
from app.estate.tables import Project
from app.org.tables import Employee
from app.pipeline.tables import Buyer


class CallMapping(Table, tablename="call_mapping"):
    """Which column of the phone system's export holds which field (field → header), kept after the first import."""

    field = Varchar(length=30, unique=True)
    header = Varchar(length=60)


class CallRecord(Table, tablename="call_record"):
    call_id = Varchar(length=60, unique=True)  # the phone system's id: a re-import updates nothing twice
    started_at = Timestamptz(index=True)
    direction = Varchar(length=4, default="呼入")  # 呼入 | 呼出
    number = Varchar(length=20, default="", index=True)  # the customer's number (masked on pages)
    agent = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    agent_code = Varchar(length=20, default="")  # 工号 / extension as the phone system writes it
    answered = Boolean(default=False)
    ring_seconds = Integer(default=0)  # waiting time before answer or hang-up
    talk_seconds = Integer(default=0)
    rating = Integer(null=True, default=None)  # the caller's IVR rating 1–5, if the system asks
    recording = Varchar(length=200, default="")
    buyer = ForeignKey(Buyer, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    project = ForeignKey(Project, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    case = ForeignKey(CareCase, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    imported_at = Timestamptz()


class CallQa(Table, tablename="call_qa"):
    """A reviewer's score of one call: each 服务用语 item 0/1 (three 三要, three 三不, four 四个一样) and the total."""

    call = ForeignKey(CallRecord, on_delete=OnDelete.cascade, index=True)
    agent = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    reviewer = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    at = Timestamptz(index=True)
    items = Text(default="")  # the items met, comma-separated keys (app.calls.rules.QA_ITEMS)
    score = Integer(default=0)  # 0–100
    note = Text(default="")
