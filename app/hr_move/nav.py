from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("晋升与调动", "/hr/moves", Perm.HR_MANAGE, "nav-hr-moves"),
    )),
)

NAV_ORDER = 80
