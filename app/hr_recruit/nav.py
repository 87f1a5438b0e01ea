from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("招聘", "/hr/recruit", Perm.HR_MANAGE, "nav-hr-recruit"),
    )),
)

NAV_ORDER = 80
