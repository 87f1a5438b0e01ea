from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

# 人事 is HR's daily work; every other employee reaches 我的考勤 from 我的假期, 全部功能 and the search
NAV_GROUPS = (
    NavGroup("人事", roles=frozenset({"hr"}), items=(
        NavItem("考勤月报", "/hr/attendance", Perm.HR_MANAGE, "nav-hr-attendance"),
        NavItem("我的考勤", "/hr/attendance/mine", Perm.REQUEST, "nav-hr-attendance-mine"),
    )),
)

NAV_ORDER = 80
