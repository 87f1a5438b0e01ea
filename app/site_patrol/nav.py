from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

# merged into the 售楼处 group of app/site/nav.py (app.core.nav.all_groups)
NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("巡更", "/site/patrol", Perm.SITE_SECURITY, "nav-site-patrol"),
    )),
)

NAV_ORDER = 90
