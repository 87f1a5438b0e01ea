"""招聘 → 入职 (SPEC §E12, 71p 第十八章): the approved headcount per position and company (编制, edited in the admin),
the 用人申请's payload, the candidates on an approved one with their interview rounds and background check, the
录用审批's payload, the onboarding record (which makes the new sign-in subject to the first-sign-in gate) and the
chapter's settings (招聘设置)."""
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Company, Department, Employee, Position
from app.workflow.tables import Request

# 用人申请 states (the request's own state is the engine's)
OPEN = "审批中"
APPROVED = "已批准"
CLOSED = "已关闭"
# candidate states
SCREENING = "面试中"
REVIEWING = "面试审批中"  # a 面试审批 is open on the candidate: its rounds are frozen
PASSED = "面试通过"  # the 面试审批 is approved: a 录用审批 may name the candidate
OFFERING = "录用审批中"
OFFERED = "已录用"
ONBOARDED = "已入职"
DROPPED = "未录用"
BG_PASS = "通过"
BG_FAIL = "未通过"
BG_RESULTS = (BG_PASS, BG_FAIL)


class Headcount(Table, tablename="hr_headcount"):
    """编制: how many people a company may employ in a position."""

    company = ForeignKey(Company, on_delete=OnDelete.cascade, index=True)
    position = ForeignKey(Position, on_delete=OnDelete.cascade, index=True)
    approved = Integer(default=0, help_text="核定编制（人）")
    note = Varchar(length=200, default="")

    @classmethod
    def get_readable(cls):
        return readable(cls.approved)


class Staffing(Table, tablename="hr_staffing"):
    """用人申请: the payload of the workflow request. `outside` is computed when it is filed (在职人数 + 在途用人申请
    + 本次人数 > 核定编制), never typed."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    company = ForeignKey(Company, on_delete=OnDelete.restrict, index=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict)
    position = ForeignKey(Position, on_delete=OnDelete.restrict, index=True)
    headcount = Integer(default=1, help_text="需求人数")
    requirements = Text(default="", help_text="任职要求")
    start_on = Date(help_text="期望到岗日期")
    reason = Text(default="", help_text="申请理由")
    approved = Integer(default=0, help_text="提交时的核定编制")
    employed = Integer(default=0, help_text="提交时的在职人数")
    pending = Integer(default=0, help_text="提交时在途的用人申请人数")
    outside = Boolean(default=False, help_text="超出编制")
    manager = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null, help_text="新员工的直接上级（申请人）")
    status = Varchar(length=4, default=OPEN, index=True, help_text="审批中 / 已批准 / 已关闭")
    created_at = Timestamptz()


class Candidate(Table, tablename="hr_candidate"):
    staffing = ForeignKey(Staffing, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=50)
    mobile = Varchar(length=20, default="")
    id_number = Varchar(length=18, default="")
    status = Varchar(length=6, default=SCREENING, index=True)
    bg_result = Varchar(length=4, default="", help_text="背景调查结果：通过 / 未通过")
    bg_note = Text(default="")
    bg_on = Date(null=True, default=None)
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Interview(Table, tablename="hr_interview"):
    candidate = ForeignKey(Candidate, on_delete=OnDelete.cascade, index=True)
    seq = Integer(default=1, help_text="第几轮")
    score = Integer(help_text="评分（0–100）")
    interviewer = ForeignKey(Employee, on_delete=OnDelete.restrict)
    held_on = Date()
    note = Text(default="")
    created_at = Timestamptz()


class InterviewReview(Table, tablename="hr_interview_review"):
    """面试审批: the payload of the workflow request (HR files it on a candidate whose interview rounds are recorded).
    `target_senior`: the staffing request's post is 主管 and above (the engine's SENIOR_ROLES) → + 分管副总."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    candidate = ForeignKey(Candidate, on_delete=OnDelete.restrict, index=True)
    rounds = Integer(default=0, help_text="提交时的面试轮数")
    target_senior = Boolean(default=False, help_text="目标岗位为主管及以上")
    created_at = Timestamptz()


class Offer(Table, tablename="hr_offer"):
    """录用审批: the payload of the workflow request."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    candidate = ForeignKey(Candidate, on_delete=OnDelete.restrict, index=True)
    position = ForeignKey(Position, on_delete=OnDelete.restrict)
    salary = Numeric(digits=(15, 2), help_text="月工资（元）")
    start_on = Date(help_text="入职日期")
    probation_months = Integer(default=0, help_text="试用期（月）")
    contract_years = Integer(default=3, help_text="劳动合同期限（年）")
    created_at = Timestamptz()


class Onboarding(Table, tablename="hr_onboarding"):
    """入职 done: one per candidate. `gated` while the new employee has not yet acknowledged the documents required
    at first sign-in (保密承诺书, 新员工入职培训)."""

    candidate = ForeignKey(Candidate, on_delete=OnDelete.restrict, unique=True)
    offer = ForeignKey(Offer, on_delete=OnDelete.restrict, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, unique=True)
    user = ForeignKey(BaseUser, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    gated = Boolean(default=True, index=True, help_text="首次登录须先完成确认")
    done_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    done_at = Timestamptz()


class RecruitSetting(Table, tablename="hr_recruit_setting"):
    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[L] 法律 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
