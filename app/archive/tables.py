"""资料保管: where each deal's originals are kept, which originals are in the archive, and the borrow/return register.
File completeness is computed from these rows and the pipeline's DealDocument checklists (never copied)."""
from piccolo.columns import Boolean, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.org.tables import Employee
from app.pipeline.tables import Deal


class ArchiveFile(Table, tablename="arc_file"):
    """The physical location of a deal's originals: cabinet / shelf / box."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, unique=True)
    cabinet = Varchar(length=20, default="")
    shelf = Varchar(length=20, default="")
    box = Varchar(length=20, default="")
    note = Varchar(length=200, default="")
    updated_at = Timestamptz()
    updated_by = Varchar(length=50, default="")


class DocumentLoan(Table, tablename="arc_loan"):
    """资料借阅登记: one line per item lent (an original or a copy)."""

    number = Varchar(length=30, unique=True)  # JY-YYYYMMDD-####
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    item = Varchar(length=30)
    original = Boolean(default=True)  # 原件 (locks the original until returned) | 复印件
    borrower = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    reason = Varchar(length=200)
    approver = ForeignKey(Employee, on_delete=OnDelete.restrict, null=True, default=None)
    out_on = Date(index=True)
    due_on = Date(index=True)
    returned_on = Date(null=True, default=None)
    status = Varchar(length=10, index=True)  # 借出 | 已归还
    reminded_on = Date(null=True, default=None)  # the reminder worker's last notice (once a day per loan)
    recorded_by = Varchar(length=50, default="")
    created_at = Timestamptz()


class ArchiveOriginal(Table, tablename="arc_original"):
    """An original that has been filed in the archive; `loan` is set while it is lent out."""

    deal = ForeignKey(Deal, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=30)
    filed_on = Date()
    filed_by = Varchar(length=50, default="")
    loan = ForeignKey(DocumentLoan, null=True, default=None, on_delete=OnDelete.set_null, index=True)
