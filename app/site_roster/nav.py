from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("月排班", "/site/rosters", Perm.SITE_LEAD, "nav-site-rosters"),
    )),
)

NAV_ORDER = 90
