"""内部培训 (SPEC §E6): training plans (annual or monthly, with lines), training sessions (the payload of a
`training_session` request and, once approved, the course: sign-in, scores, evaluations), and the settings."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Employee
from app.workflow.tables import Request

PENDING = "审批中"
APPROVED = "已批准"
CLOSED = "未通过"  # rejected or withdrawn
STATUSES = (PENDING, APPROVED, CLOSED)
ANNUAL = "年度"
MONTHLY = "月度"


class CoursePlan(Table, tablename="hr_course_plan"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=4, default=ANNUAL)  # 年度 | 月度
    year = Integer()
    month = Integer(null=True, default=None)
    note = Text(default="")
    status = Varchar(length=10, default=PENDING, index=True)


class CoursePlanLine(Table, tablename="hr_course_plan_line"):
    plan = ForeignKey(CoursePlan, on_delete=OnDelete.cascade, index=True)
    line_no = Integer(default=1)
    topic = Varchar(length=120)
    trainer = Varchar(length=60, default="")
    audience = Varchar(length=120, default="")
    month = Integer(help_text="计划月份（1–12）")
    hours = Numeric(digits=(6, 1))
    budget = Numeric(digits=(15, 2))


class CourseSession(Table, tablename="hr_course_session"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True, help_text="申请人（组织者）")
    topic = Varchar(length=120)
    trainer = Varchar(length=60, help_text="讲师")
    trainer_emp = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="内部讲师（可签到、录入成绩）")
    audience = Varchar(length=120, default="")
    held_on = Date(index=True)
    start_time = Varchar(length=5, default="09:00")
    hours = Numeric(digits=(6, 1))
    budget = Numeric(digits=(15, 2))
    new_hire = Boolean(default=False, help_text="新员工入职培训")
    plan_line = ForeignKey(CoursePlanLine, null=True, default=None, on_delete=OnDelete.set_null)
    status = Varchar(length=10, default=PENDING, index=True)


class CourseAttendance(Table, tablename="hr_course_attendance"):
    """One attendee of a session: signed in (by themself on the day, or ticked by the trainer or HR), the test score
    (0–100) and the attendee's evaluation (1–5 and a comment). One row per (session, employee)."""

    session = ForeignKey(CourseSession, on_delete=OnDelete.cascade, index=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    signed_at = Timestamptz()
    self_signed = Boolean(default=False)
    score = Integer(null=True, default=None)
    rating = Integer(null=True, default=None)
    comment = Text(default="")


class CourseSetting(Table, tablename="hr_course_setting"):
    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[S] 规章原文 / [L] 法律 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
