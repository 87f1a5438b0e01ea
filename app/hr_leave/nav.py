from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("我的假期", "/hr/leave", Perm.REQUEST, "nav-hr-leave"),
        NavItem("全员假期", "/hr/leave/balances", Perm.HR_MANAGE, "nav-hr-leave-balances"),
    )),
)

NAV_ORDER = 80
