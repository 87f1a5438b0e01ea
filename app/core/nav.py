"""The navigation: chapters and their pages, each with the permission it needs.

A new chapter adds its entries here; the shell shows a user only the entries their role may use."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.permissions import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    perm: Perm
    testid: str


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


NAV: tuple[NavGroup, ...] = (
    NavGroup("工作台", (NavItem("首页", "/", Perm.HOME, "nav-home"),)),
    NavGroup(
        "审批",
        (
            NavItem("审批中心", "/workflow", Perm.WORKFLOW, "nav-workflow"),
            NavItem("发起申请", "/workflow/new", Perm.WORKFLOW, "nav-workflow-new"),
            NavItem("全部审批单", "/workflow/all", Perm.WORKFLOW_ALL, "nav-workflow-all"),
            NavItem("逾期审批", "/workflow/overdue", Perm.WORKFLOW_ALL, "nav-workflow-overdue"),
        ),
    ),
    NavGroup(
        "组织与岗位",
        (
            NavItem("组织架构", "/org", Perm.ORG_VIEW, "nav-org"),
            NavItem("岗位职责", "/org/positions", Perm.ORG_VIEW, "nav-positions"),
            NavItem("员工通讯录", "/org/employees", Perm.ORG_VIEW, "nav-employees"),
        ),
    ),
    NavGroup(
        "规章制度",
        (
            NavItem("规章库", "/rules", Perm.RULES_VIEW, "nav-rules"),
            NavItem("阅读确认情况", "/rules/status", Perm.RULES_MANAGE, "nav-rules-status"),
        ),
    ),
    NavGroup(
        "系统",
        (
            NavItem("工作日历", "/calendar", Perm.CALENDAR_VIEW, "nav-calendar"),
            NavItem("节假日录入", "/holidays", Perm.ADMIN, "nav-holidays"),
            NavItem("登录限制", "/security/logins", Perm.ADMIN, "nav-logins"),
            NavItem("审计日志", "/audit", Perm.AUDIT_VIEW, "nav-audit"),
            NavItem("管理后台", "/admin/", Perm.ADMIN, "nav-admin"),
        ),
    ),
)


def all_groups() -> tuple[NavGroup, ...]:
    """The core groups, then each domain's NAV_GROUPS (app/<domain>/nav.py) before 组织与岗位."""
    from app.core.discovery import domain_modules

    modules = sorted(domain_modules("nav"), key=lambda m: getattr(m, "NAV_ORDER", 100))
    extra = tuple(g for m in modules for g in getattr(m, "NAV_GROUPS", ()))
    return NAV[:2] + extra + NAV[2:]


def nav_for(user) -> list[NavGroup]:
    if user is None:
        return []
    groups = []
    for g in all_groups():
        items = tuple(i for i in g.items if user.can(i.perm))
        if items:
            groups.append(NavGroup(g.label, items))
    return groups
