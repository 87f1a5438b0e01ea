from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("离职交接", "/hr/exit", Perm.HR_MANAGE, "nav-hr-exit"),
    )),
)

NAV_ORDER = 80
