from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("转正", "/hr/probation", Perm.HR_MANAGE, "nav-hr-probation"),
    )),
)

NAV_ORDER = 80
