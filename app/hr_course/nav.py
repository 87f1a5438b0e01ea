from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("人事", roles=frozenset({"hr"}), items=(
        NavItem("内部培训", "/hr/courses", Perm.HR_MANAGE, "nav-hr-courses"),
    )),
)

NAV_ORDER = 80
