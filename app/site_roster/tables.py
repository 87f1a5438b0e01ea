"""The monthly roster of a sales-office team (SPEC §F2): one roster per team and month, its shifts (a person, a day,
a slot, a post), and the swaps asked for after approval. The roster is approved by the 客服主管 on the one engine
(app/site_roster/flows.py); the request it went through is kept on it."""
from piccolo.columns import Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.org.tables import Employee
from app.site.tables import ShiftSlot, SitePost, SiteTeam, SiteWorker
from app.workflow.tables import Request

DRAFT, PENDING, APPROVED = "草稿", "审批中", "已批准"
SWAP_PENDING, SWAP_APPROVED, SWAP_REJECTED = "待批准", "已批准", "已拒绝"


class SiteRoster(Table, tablename="site_roster"):
    team = ForeignKey(SiteTeam, on_delete=OnDelete.restrict, index=True)
    month = Varchar(length=7, index=True)  # "2027-01"; one roster per team and month: unique (team, month), raw SQL in the migration
    status = Varchar(length=6, default=DRAFT, index=True)  # 草稿 | 审批中 | 已批准
    request = ForeignKey(Request, null=True, default=None, on_delete=OnDelete.set_null)
    note = Varchar(length=1000, default="")  # the lead's explanation of what the checks found, submitted with it
    problems = Integer(default=0)  # how many checks failed at the last change (the list's badge)
    version = Integer(default=1)  # bumped by every change: a stale page's edit is refused
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz()
    approved_at = Timestamptz(null=True, default=None)


class RosterEntry(Table, tablename="site_roster_entry"):
    roster = ForeignKey(SiteRoster, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    slot = ForeignKey(ShiftSlot, on_delete=OnDelete.restrict)
    post = ForeignKey(SitePost, on_delete=OnDelete.restrict)
    worker = ForeignKey(SiteWorker, on_delete=OnDelete.restrict, index=True)
    # a person once per day and slot: unique (roster, day, slot, worker), raw SQL in the migration


class RosterSwap(Table, tablename="site_roster_swap"):
    """换班 on an approved roster: the lead asks, the 客服主管 approves (the shift then changes hands) or refuses."""

    roster = ForeignKey(SiteRoster, on_delete=OnDelete.cascade, index=True)
    entry = ForeignKey(RosterEntry, on_delete=OnDelete.cascade)
    from_worker = ForeignKey(SiteWorker, on_delete=OnDelete.restrict)
    to_worker = ForeignKey(SiteWorker, on_delete=OnDelete.restrict)
    reason = Varchar(length=200, default="")
    status = Varchar(length=6, default=SWAP_PENDING, index=True)
    requested_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    requested_at = Timestamptz()
    decided_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    note = Varchar(length=200, default="")
