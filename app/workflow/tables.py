"""The one approval engine's tables. Request types keep their own fields in their own tables, keyed by request."""
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Company, Department, Employee


class FlowSetting(Table, tablename="wf_setting"):
    """Thresholds and time limits of each request type (SPEC §E defaults; edited in the admin)."""

    flow = Varchar(length=30, index=True, help_text="审批类型代码，例如 expense")
    key = Varchar(length=40, help_text="参数代码，例如 vp_from")
    label = Varchar(length=100, default="", help_text="说明")
    value = Numeric(digits=(15, 2), help_text="数值：金额阈值（元，含本数，即 ≥）或天数")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class Request(Table, tablename="wf_request"):
    number = Varchar(length=30, unique=True)  # <PREFIX>-YYYYMMDD-####
    flow = Varchar(length=30, index=True)
    title = Varchar(length=200)
    applicant = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    applicant_user = ForeignKey(BaseUser, on_delete=OnDelete.restrict, index=True)
    company = ForeignKey(Company, on_delete=OnDelete.restrict, index=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, index=True)
    amount = Numeric(digits=(15, 2), null=True, default=None)
    status = Varchar(length=10, index=True)  # 审批中 | 已退回 | 已通过 | 已驳回 | 已撤回
    version = Integer(default=0)  # bumped by every action: the row lock that serialises concurrent actions
    submitted_at = Timestamptz(index=True)
    finished_at = Timestamptz(null=True, default=None)


class Step(Table, tablename="wf_step"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    seq = Integer()
    key = Varchar(length=40)  # stable key of the step spec, e.g. "dept_head", "vp"
    name = Varchar(length=60)
    mode = Varchar(length=5, default="seq")  # seq 依次 | all 会签 | any 或签
    status = Varchar(length=10, index=True)  # 未开始 | 进行中 | 已完成 | 已取消
    due_on = Date(null=True, default=None, index=True)
    limit_days = Integer(default=2)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class Task(Table, tablename="wf_task"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    step = ForeignKey(Step, on_delete=OnDelete.cascade, index=True)
    order = Integer(default=0)
    assignee = ForeignKey(BaseUser, on_delete=OnDelete.restrict, index=True)
    on_behalf_of = ForeignKey(BaseUser, null=True, default=None, on_delete=OnDelete.restrict)  # delegation: assignee acts for this user
    status = Varchar(length=10, index=True)  # 等待 | 待处理 | 已同意 | 已驳回 | 已退回 | 已转交 | 已取消
    blocked_by = Integer(null=True, default=None)  # 加签 before: waits for that task
    created_at = Timestamptz()
    acted_at = Timestamptz(null=True, default=None)
    comment = Text(default="")
    last_urged_on = Date(null=True, default=None)
    overdue_notified_on = Date(null=True, default=None)
    # the request's submission time (it never changes), kept on the task so that one's pending tasks are read from the
    # index (assignee, status, submitted_at, request) in the inbox's own order: the first page is 20 index entries,
    # not a sort of every pending request (a department head's ~1,100)
    submitted_at = Timestamptz(null=True, default=None)


class Action(Table, tablename="wf_action"):
    """The request's history: one row per thing that happened (also mirrored in the audit log)."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    task = ForeignKey(Task, null=True, default=None, on_delete=OnDelete.set_null)
    step_name = Varchar(length=60, default="")
    actor = ForeignKey(BaseUser, null=True, default=None, on_delete=OnDelete.set_null)
    actor_name = Varchar(length=60, default="")
    on_behalf_name = Varchar(length=60, default="")
    action = Varchar(length=10)  # 提交 同意 驳回 退回修改 重新提交 撤回 转交 加签 抄送 催办 评论 完成
    comment = Text(default="")
    at = Timestamptz(index=True)


class CarbonCopy(Table, tablename="wf_cc"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    when = Varchar(length=10, default="submit")  # submit | finish
    sent_at = Timestamptz(null=True, default=None, index=True)


class Delegation(Table, tablename="wf_delegation"):
    """An approver's deputy for a date range: tasks go to the deputy, recorded as "X 代 Y 审批"."""

    principal = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    deputy = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    start_on = Date()
    end_on = Date()
    active = Boolean(default=True)
    created_at = Timestamptz()
