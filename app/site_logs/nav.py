from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

# merged into the one 售楼处 group (app.core.nav.all_groups)
NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("访客登记", "/site/visitors", Perm.SITE_SECURITY, "nav-site-visitors"),
        NavItem("车辆登记", "/site/vehicles", Perm.SITE_SECURITY, "nav-site-vehicles"),
    )),
)

NAV_ORDER = 90
