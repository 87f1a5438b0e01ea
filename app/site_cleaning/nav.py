from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("保洁检查", "/site/cleaning", Perm.SITE_CLEANING, "nav-site-cleaning"),
    )),
)

NAV_ORDER = 90
