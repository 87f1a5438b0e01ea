from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("班前点名", "/site/shifts", Perm.SITE_LEAD, "nav-site-shifts"),
        NavItem("交接班", "/site/handovers", Perm.SITE, "nav-site-handovers"),
    )),
)

NAV_ORDER = 90
