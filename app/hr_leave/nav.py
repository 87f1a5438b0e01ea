from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

# 人事 is HR's daily work; every other employee reaches 我的假期 from the leave form, 全部功能 and the search
NAV_GROUPS = (
    NavGroup("人事", roles=frozenset({"hr"}), items=(
        NavItem("我的假期", "/hr/leave", Perm.REQUEST, "nav-hr-leave"),
        NavItem("全员假期", "/hr/leave/balances", Perm.HR_MANAGE, "nav-hr-leave-balances"),
    )),
)

NAV_ORDER = 80
