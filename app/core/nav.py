"""The navigation: chapters and their pages, each with the permission it needs and the roles whose work it is.

Two questions, kept apart:
- may the user open the page?  `perm` (the route's guard decides; the navigation is not a guard);
- is the page part of the user's daily work?  `roles` (of the item, else of its group; None = everyone permitted).
The sidebar shows only the pages that are both; every other permitted page stays reachable by the search
(`/search`, which also lists all of them) and by links. One item is active at a time (the longest matching URL),
and the group that holds it is the one shown open."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, lru_cache

from markupsafe import Markup, escape

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


class _Who:
    """What the navigation reads of a user: the role and the permissions (both fixed by the code's role table)."""

    __slots__ = ("role", "permissions")

    def __init__(self, role, permissions) -> None:
        self.role, self.permissions = role, permissions

    def can(self, perm) -> bool:
        return Perm(perm) in self.permissions


@lru_cache(maxsize=256)
def _permitted(role, permissions: frozenset) -> tuple[NavGroup, ...]:
    who = _Who(role, permissions)
    out = []
    for g in all_groups():
        items = tuple(i for i in g.items if who.can(i.perm))
        if items:
            out.append(replace(g, items=items))
    return tuple(out)


@lru_cache(maxsize=256)
def _work(role, permissions: frozenset) -> tuple[NavGroup, ...]:
    who = _Who(role, permissions)
    out = []
    for g in _permitted(role, permissions):
        items = tuple(i for i in g.items if _is_work(who, g, i))
        if items:
            out.append(replace(g, items=items))
    return tuple(out)


# A user's navigation depends on nothing but the role and its permissions (app.core.permissions, code), so each
# (role, permissions) pair is worked out once per process: declarations, like all_groups(), not data.
def permitted(user) -> list[NavGroup]:
    """Every page the user may open, by chapter (the search's list of functions)."""
    if user is None:
        return []
    return list(_permitted(getattr(user, "role", None), frozenset(user.permissions)))


def nav_for(user) -> list[NavGroup]:
    """The pages of the user's own work (permitted and named for the role), by chapter."""
    if user is None:
        return []
    return list(_work(getattr(user, "role", None), frozenset(user.permissions)))


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


@lru_cache(maxsize=256)
def _urls(role, permissions: frozenset) -> tuple[str, ...]:
    return tuple(i.url for g in _work(role, permissions) for i in g.items)


@lru_cache(maxsize=4096)
def _sidebar(role, permissions: frozenset, active: str | None) -> tuple[NavSection, ...]:
    out = []
    for n, g in enumerate(_work(role, permissions)):
        items = tuple(NavEntry(i.label, i.url, i.testid, active=(i.url == active)) for i in g.items)
        out.append(NavSection(g.label, items, open=any(e.active for e in items), flat=(n == 0 and g.label == "工作台"), key=f"g{n}"))
    return tuple(out)


def _sidebar_key(user, path: str) -> tuple:
    """What a sidebar depends on: (role, permissions, the active item's URL)."""
    role, perms = getattr(user, "role", None), frozenset(user.permissions)
    return role, perms, active_url(_urls(role, perms), path)


def sidebar(user, path: str) -> list[NavSection]:
    """The sidebar for this user on this page: groups of the user's work, the active item marked and its group open."""
    return list(_sidebar(*_sidebar_key(user, path))) if user is not None else []


def _entry_html(e: NavEntry) -> str:
    current = ' aria-current="page"' if e.active else ""
    return (f'<li class="nav-item{" active" if e.active else ""}"><a class="nav-link" href="{escape(e.url)}" '
            f'data-testid="{escape(e.testid)}"{current}><span class="nav-link-title">{escape(e.label)}</span></a></li>')


@lru_cache(maxsize=4096)
def _sidebar_html(role, permissions: frozenset, active: str | None) -> Markup:
    parts = []
    for s in _sidebar(role, permissions, active):
        items = "".join(_entry_html(e) for e in s.items)
        if s.flat:
            parts.append(items)
            continue
        label = escape(s.label)
        parts.append(f'<li class="nav-item portal-nav-group"><details class="portal-nav-details"{" open" if s.open else ""} '
                     f'data-testid="nav-group" data-group="{label}"><summary class="portal-nav-summary" '
                     f'data-testid="nav-group-{escape(s.key)}">{label}</summary><ul class="portal-nav-items">{items}</ul>'
                     f'</details></li>')
    return Markup("".join(parts))


def sidebar_html(user, path: str) -> Markup:
    """The sidebar's list items (base.html), built here rather than by a template loop: every page shows it. The
    HTML depends only on the role, its permissions and the active item, so each is built once per process."""
    return _sidebar_html(*_sidebar_key(user, path)) if user is not None else Markup("")


def nav_count(user) -> int:
    return sum(len(g.items) for g in nav_for(user))
