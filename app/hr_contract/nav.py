from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", items=(
        NavItem("劳动合同", "/hr/contracts", Perm.HR_MANAGE, "nav-hr-contracts"),
    )),
)

NAV_ORDER = 80
