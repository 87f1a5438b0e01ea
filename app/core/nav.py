"""The navigation: chapters and their pages, each with the permission it needs and the roles whose work it is.

Two questions, kept apart:
- may the user open the page?  `perm` (the route's guard decides; the navigation is not a guard);
- is the page part of the user's daily work?  `roles` (of the item, else of its group; None = everyone permitted).
The sidebar shows only the pages that are both; every other permitted page stays reachable by the search
(`/search`, which also lists all of them) and by links. One item is active at a time (the longest matching URL),
and the group that holds it is the one shown open."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from app.core.permissions import ROLES, SITE_ROLES, Perm

# Role sets the chapters name (codes of app.core.permissions.ROLES)
EXECUTIVES = frozenset({"gm", "president", "vp"})
HEADS = frozenset({"dept_head", "supervisor"})
FINANCE_STAFF = frozenset({"finance_manager", "accountant", "cashier"})
PIPELINE_OFFICERS = frozenset({"contract", "data", "title", "archive", "mortgage", "bureau"})
SALES = frozenset({"sales", "sales_manager"})
STAFF = frozenset(ROLES) - SITE_ROLES  # employees of the company (not the outsourced sales-office staff)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    perm: Perm
    testid: str
    roles: frozenset[str] | None = None  # whose daily work this page is; None = the group's roles


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]
    roles: frozenset[str] | None = None  # None = everyone the permission admits


@dataclass(frozen=True)
class NavEntry:
    """One item as a user's sidebar shows it."""

    label: str
    url: str
    testid: str
    active: bool = False


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavEntry, ...]
    open: bool = False
    flat: bool = False  # shown without a heading (the 工作台 with 首页)
    key: str = ""


NAV: tuple[NavGroup, ...] = (
    NavGroup("工作台", (NavItem("首页", "/", Perm.HOME, "nav-home"),)),
    NavGroup(
        "审批",
        (
            NavItem("审批中心", "/workflow", Perm.WORKFLOW, "nav-workflow"),
            NavItem("发起申请", "/workflow/new", Perm.WORKFLOW, "nav-workflow-new", roles=STAFF),
            NavItem("全部审批单", "/workflow/all", Perm.WORKFLOW_ALL, "nav-workflow-all"),
            NavItem("逾期审批", "/workflow/overdue", Perm.WORKFLOW_ALL, "nav-workflow-overdue"),
        ),
    ),
    NavGroup(
        "组织与岗位",
        (
            NavItem("组织架构", "/org", Perm.ORG_VIEW, "nav-org", roles=HEADS | EXECUTIVES | {"hr"}),
            NavItem("岗位职责", "/org/positions", Perm.ORG_VIEW, "nav-positions", roles=HEADS | {"hr"}),
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
            NavItem("工作日历", "/calendar", Perm.CALENDAR_VIEW, "nav-calendar", roles=frozenset({"sysadmin", "dept_head"})),
            NavItem("节假日录入", "/holidays", Perm.ADMIN, "nav-holidays"),
            NavItem("登录限制", "/security/logins", Perm.ADMIN, "nav-logins"),
            NavItem("审计日志", "/audit", Perm.AUDIT_VIEW, "nav-audit", roles=frozenset({"sysadmin", "dept_head"})),
            NavItem("管理后台", "/admin/", Perm.ADMIN, "nav-admin"),
        ),
    ),
)


@cache
def all_groups() -> tuple[NavGroup, ...]:
    """The core groups, then each domain's NAV_GROUPS (app/<domain>/nav.py) before 组织与岗位 (declarations: built
    once per process)."""
    from app.core.discovery import domain_modules

    modules = sorted(domain_modules("nav"), key=lambda m: getattr(m, "NAV_ORDER", 100))
    merged: dict[str, NavGroup] = {}  # a chapter split over several domains (the sales office) shows as one group
    for g in (g for m in modules for g in getattr(m, "NAV_GROUPS", ())):
        had = merged.get(g.label)
        if had is None:
            merged[g.label] = g
        else:
            roles = None if had.roles is None or g.roles is None else had.roles | g.roles
            own = tuple(i if i.roles is not None else replace(i, roles=grp.roles) for grp in (had, g) for i in grp.items)
            merged[g.label] = replace(had, items=own, roles=roles)  # each item keeps the roles its own group named
    return NAV[:2] + tuple(merged.values()) + NAV[2:]


def _is_work(user, group: NavGroup, item: NavItem) -> bool:
    roles = item.roles if item.roles is not None else group.roles
    if roles is None:
        return True
    role = getattr(user, "role", None) or ""
    if role == "" and Perm.ADMIN in getattr(user, "permissions", ()):  # a piccolo admin account without a position
        role = "sysadmin"
    return role in roles


def permitted(user) -> list[NavGroup]:
    """Every page the user may open, by chapter (the search's list of functions)."""
    if user is None:
        return []
    out = []
    for g in all_groups():
        items = tuple(i for i in g.items if user.can(i.perm))
        if items:
            out.append(replace(g, items=items))
    return out


def nav_for(user) -> list[NavGroup]:
    """The pages of the user's own work (permitted and named for the role), by chapter."""
    out = []
    for g in permitted(user):
        items = tuple(i for i in g.items if _is_work(user, g, i))
        if items:
            out.append(replace(g, items=items))
    return out


def active_url(urls, path: str) -> str | None:
    """The one URL among `urls` the page at `path` belongs to: an exact match, else the longest prefix
    (/workflow/requests/7 → /workflow, /workflow/new → /workflow/new, never both)."""
    path = path.rstrip("/") or "/"
    best = None
    for u in urls:
        base = u.rstrip("/") or "/"
        if base == path:
            return u
        if base != "/" and path.startswith(base + "/") and (best is None or len(base) > len(best.rstrip("/"))):
            best = u
    return best


def sidebar(user, path: str) -> list[NavSection]:
    """The sidebar for this user on this page: groups of the user's work, the active item marked and its group open."""
    groups = nav_for(user)
    active = active_url([i.url for g in groups for i in g.items], path)
    out = []
    for n, g in enumerate(groups):
        items = tuple(NavEntry(i.label, i.url, i.testid, active=(i.url == active)) for i in g.items)
        out.append(NavSection(g.label, items, open=any(e.active for e in items), flat=(n == 0 and g.label == "工作台"), key=f"g{n}"))
    return out


def nav_count(user) -> int:
    return sum(len(g.items) for g in nav_for(user))
