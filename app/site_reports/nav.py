from app.core.nav import HEADS, NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("售楼处", roles=HEADS, items=(
        NavItem("售楼处月报", "/site/reports", Perm.SITE_VIEW, "nav-site-reports"),
    )),
)

NAV_ORDER = 90
