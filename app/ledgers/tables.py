"""The ledgers are views over the pipeline's records (no copies). The one table of their own is the daily report's
snapshot: the figures as they were when the 合同专员 confirmed the report, so the approved report never changes."""
from piccolo.columns import Date, ForeignKey, Text, Timestamptz
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.estate.tables import Project
from app.workflow.tables import Request


class DailyReport(Table, tablename="lg_daily_report"):
    """合同登记进度日报表 submitted on the approval engine (flow `daily_report`)."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    report_date = Date(index=True)
    snapshot = Text(default="")  # JSON: the generated figures at submission
    created_at = Timestamptz()
