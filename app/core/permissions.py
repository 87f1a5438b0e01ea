"""Roles and permissions.

A position carries one role (Position.role). A role grants a set of permissions; every route names the
permission it needs (see app.core.guards.requires). The CSC naming scheme (客户关系经理 …) maps onto the same
roles through Position.alias, so both sets of names share these permissions.
"""
from __future__ import annotations

from enum import StrEnum


class Perm(StrEnum):
    HOME = "home"  # signed in at all
    ORG_VIEW = "org.view"  # org chart, positions, staff directory
    RULES_VIEW = "rules.view"  # read the rules library and acknowledge
    RULES_MANAGE = "rules.manage"  # see who has not acknowledged; publish versions
    CALENDAR_VIEW = "calendar.view"
    AUDIT_VIEW = "audit.view"
    CUSTOMER_UNMASK = "customer.unmask"  # see customer ID numbers and phones in full (audited)
    WORKFLOW = "workflow"  # the approval inbox: act on tasks, read requests one is part of
    REQUEST = "workflow.request"  # file the in-house request types (expenses, advances, supplies, seals …): employees only
    WORKFLOW_ALL = "workflow.all"  # see every request; the overdue list
    PIPELINE = "pipeline"  # units, deals and their timeline; each stage's actions are limited to its owner role
    FINANCE = "finance"  # finance registers: advances ledger and ageing, invoices, payments; record repayments
    ADMIN = "admin"  # piccolo-admin: reference data
    CARE = "care"  # customer care (SPEC §D): take in and work cases and repairs in one's project scope, callbacks, the customer file
    CARE_MANAGE = "care.manage"  # override a severity, reassign, sample customer files (档案准确率), score calls (QA), import calls
    CARE_VIEW = "care.view"  # read the cases and the KPI board (company leaders, 安全质量监督中心 for its inspections)
    SURVEY_DESIGN = "survey.design"  # design questionnaires and their schedules (客户关系主管)
    DUTY = "duty"  # the department's 24-hour duty roster: see it, ask for a swap, write the handover log
    DUTY_MANAGE = "duty.manage"  # plan the duty roster and approve swaps
    SITE = "site"  # the sales office (SPEC §F): its start page on the tablet; every part below adds its own
    SITE_SECURITY = "site.security"  # the security team's records: patrol scans, incidents, visitor and vehicle logs
    SITE_CLEANING = "site.cleaning"  # the cleaning team's records: area inspections, washroom checks, rectifications
    SITE_LEAD = "site.lead"  # a team's lead: the monthly roster, the shift log (roll call) and the handover of one's own team
    SITE_MANAGE = "site.manage"  # the 客服主管: every team of the projects in scope, checkpoints and areas, the reports
    SITE_VIEW = "site.view"  # read the sales office's incidents and reports (company leaders)
    HR_MANAGE = "hr.manage"  # 人事: employees' labour contracts, leave balances and HR records (issue 12)


# Every role code with its Chinese name. Position.role must be one of these.
ROLES: dict[str, str] = {
    "dept_head": "客服副经理",
    "supervisor": "客服主管",
    "contract": "合同专员",
    "data": "数据专员",
    "title": "产权专员",
    "archive": "资料保管专员",
    "mortgage": "按揭专员",
    "bureau": "房管局专员",
    "reception": "接待专员",
    "clerk": "资料员",
    "gm": "总经理",
    "president": "总裁",
    "vp": "分管副总",
    "finance_manager": "财务经理",
    "accountant": "会计",
    "cashier": "出纳",
    "hr": "人事",
    "admin_staff": "行政",
    "legal": "法务",
    "security_captain": "保安队长",
    "cleaning_lead": "保洁领班",
    "guard": "保安员",
    "cleaner": "保洁员",
    "sales": "置业顾问",
    "sales_manager": "销售经理",
    "sysadmin": "系统管理员",
    "cr_supervisor": "客户关系主管",
    "cr_officer": "客户关系专员",
    "complaint_supervisor": "投诉主管",
    "complaint_officer": "投诉管理专员",
    "quality": "安全质量监督中心工程师",
    "marketing_vp": "营销副总",
    "finance_director": "财务总监",
    "project_engineer": "项目部工程师",
}

_STAFF = {Perm.HOME, Perm.ORG_VIEW, Perm.RULES_VIEW, Perm.CALENDAR_VIEW, Perm.WORKFLOW, Perm.REQUEST}
_SITE = {Perm.HOME, Perm.RULES_VIEW, Perm.CALENDAR_VIEW, Perm.WORKFLOW}  # outsourced security/cleaning staff: no directory
_MANAGER = _STAFF | {Perm.RULES_MANAGE, Perm.AUDIT_VIEW, Perm.WORKFLOW_ALL, Perm.FINANCE, Perm.PIPELINE}
_CUSTOMER_OFFICER = _STAFF | {Perm.CUSTOMER_UNMASK, Perm.PIPELINE}
_DEPT = _STAFF | {Perm.DUTY}  # 客服部 staff keep the 24-hour duty roster
_CARE_OFFICER = _DEPT | {Perm.CARE, Perm.CARE_VIEW, Perm.PIPELINE, Perm.CUSTOMER_UNMASK}
_CARE_LEAD = _CARE_OFFICER | {Perm.CARE_MANAGE, Perm.AUDIT_VIEW}
_SITE_OVERSIGHT = {Perm.SITE, Perm.SITE_SECURITY, Perm.SITE_CLEANING, Perm.SITE_LEAD, Perm.SITE_MANAGE, Perm.SITE_VIEW}
_SITE_LEADERS = {Perm.SITE, Perm.SITE_VIEW}  # 总经理/分管副总/总裁: incidents and the reports, read only

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    "dept_head": frozenset(_MANAGER | _CARE_LEAD | _SITE_OVERSIGHT | {Perm.SURVEY_DESIGN, Perm.DUTY_MANAGE}),
    "supervisor": frozenset(_MANAGER | _CARE_LEAD | _SITE_OVERSIGHT | {Perm.SURVEY_DESIGN, Perm.DUTY_MANAGE}),
    "contract": frozenset(_CUSTOMER_OFFICER | {Perm.DUTY}),
    "data": frozenset(_DEPT | {Perm.PIPELINE}),
    "title": frozenset(_CUSTOMER_OFFICER | {Perm.DUTY}),
    "archive": frozenset(_DEPT | {Perm.PIPELINE}),
    "mortgage": frozenset(_CUSTOMER_OFFICER | {Perm.DUTY}),
    "bureau": frozenset(_CUSTOMER_OFFICER | {Perm.DUTY}),
    "reception": frozenset(_CARE_OFFICER),  # 接待专员: takes in cases at the desk and on the hotline
    "clerk": frozenset(_DEPT | {Perm.CARE_VIEW}),
    "cr_supervisor": frozenset(_CARE_LEAD | {Perm.SURVEY_DESIGN, Perm.DUTY_MANAGE}),
    "cr_officer": frozenset(_CARE_OFFICER),
    "complaint_supervisor": frozenset(_CARE_LEAD),
    "complaint_officer": frozenset(_CARE_OFFICER),
    "quality": frozenset(_STAFF | {Perm.CARE_VIEW}),  # inspects serious or difficult repairs and issues the plan
    "gm": frozenset(_MANAGER | _SITE_LEADERS | {Perm.CARE_VIEW}),
    "president": frozenset(_MANAGER | _SITE_LEADERS | {Perm.CARE_VIEW}),
    "vp": frozenset(_MANAGER | _SITE_LEADERS | {Perm.CARE_VIEW}),
    "finance_manager": frozenset(_STAFF | {Perm.FINANCE}),
    "accountant": frozenset(_STAFF | {Perm.FINANCE}),
    "cashier": frozenset(_STAFF | {Perm.FINANCE}),
    "hr": frozenset(_STAFF | {Perm.RULES_MANAGE, Perm.HR_MANAGE}),
    "admin_staff": frozenset(_STAFF),
    "legal": frozenset(_STAFF),
    "security_captain": frozenset(_SITE | {Perm.SITE, Perm.SITE_SECURITY, Perm.SITE_LEAD}),
    "cleaning_lead": frozenset(_SITE | {Perm.SITE, Perm.SITE_CLEANING, Perm.SITE_LEAD}),
    "guard": frozenset(_SITE | {Perm.SITE, Perm.SITE_SECURITY}),  # a guard with an account scans checkpoints, logs visitors
    "cleaner": frozenset(_SITE | {Perm.SITE, Perm.SITE_CLEANING}),
    "sales": frozenset(_STAFF | {Perm.PIPELINE}),
    "sales_manager": frozenset(_STAFF | {Perm.PIPELINE}),
    "marketing_vp": frozenset(_STAFF | {Perm.PIPELINE}),  # 营销副总: approves 特殊优惠 (A1)
    "finance_director": frozenset(_STAFF | {Perm.FINANCE}),  # 财务总监: the 在建工程抵押 release chain (A8)
    "project_engineer": frozenset(_STAFF | {Perm.PIPELINE}),  # 项目部: the 房屋验收 defects and their rectification (A6a)
    # least privilege: the 系统管理员 keeps reference data, accounts and the calendar and reads the audit log; it does
    # not read expenses, advances, ledgers or customer records (no WORKFLOW_ALL, FINANCE, PIPELINE, CUSTOMER_UNMASK)
    "sysadmin": frozenset(_STAFF | {Perm.ADMIN, Perm.AUDIT_VIEW}),
}

assert set(ROLE_PERMISSIONS) == set(ROLES), "every role needs a permission set"

SITE_ROLES = frozenset({"security_captain", "cleaning_lead", "guard", "cleaner"})  # outsourced sales-office staff


def permissions_for(role: str | None, *, is_admin_user: bool = False) -> frozenset[Perm]:
    perms = set(ROLE_PERMISSIONS.get(role or "", frozenset())) | {Perm.HOME}  # any active account may sign in
    if is_admin_user:
        perms |= {Perm.ADMIN, Perm.HOME}
    return frozenset(perms)
