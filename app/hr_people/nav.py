from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("员工档案", "/hr/people", Perm.HR_MANAGE, "nav-hr-people"),
        NavItem("我的档案", "/hr/people/me", Perm.REQUEST, "nav-hr-me"),
    )),
)

NAV_ORDER = 80
