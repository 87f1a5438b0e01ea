from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

# the 客服主管 and 客服副经理 record the weekly meeting; everyone reaches their own items from 全部功能 and the search
NAV_GROUPS = (
    NavGroup("人事", roles=frozenset({"supervisor", "dept_head"}), items=(
        NavItem("例会纪要", "/hr/meetings", Perm.REQUEST, "nav-hr-meetings"),
        NavItem("我的行动项", "/hr/meetings/items", Perm.REQUEST, "nav-hr-meeting-items"),
    )),
)

NAV_ORDER = 80
