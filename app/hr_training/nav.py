from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

# HR's daily work; every other employee reaches 我的培训协议 from the request form, 全部功能 and the search
NAV_GROUPS = (
    NavGroup("人事", roles=frozenset({"hr"}), items=(
        NavItem("学历/证书培训", "/hr/training", Perm.HR_MANAGE, "nav-hr-training"),
    )),
)

NAV_ORDER = 80
