from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("事件报告", "/site/incidents", Perm.SITE_SECURITY, "nav-site-incidents"),
    )),
)

NAV_ORDER = 90
