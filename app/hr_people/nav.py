from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

# as app/hr_leave/nav.py: 人事 is HR's daily work; every other employee reaches 我的档案 from 全部功能 and the search
NAV_GROUPS = (
    NavGroup("人事", roles=frozenset({"hr"}), items=(
        NavItem("员工档案", "/hr/people", Perm.HR_MANAGE, "nav-hr-people"),
        NavItem("我的档案", "/hr/people/me", Perm.REQUEST, "nav-hr-me"),
    )),
)

NAV_ORDER = 80
