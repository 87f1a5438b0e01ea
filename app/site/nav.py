from app.core.nav import HEADS, NavGroup, NavItem
from app.core.permissions import SITE_ROLES, Perm

SITE_PEOPLE = SITE_ROLES | HEADS  # the leads and their people on the tablet, the 客服主管 at the desk

# The chapter is split over several domains (site_roster, site_shift, site_patrol, site_incident, site_cleaning);
# each adds its pages to this one group ("售楼处", merged by app.core.nav.all_groups).
NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("售楼处工作台", "/site", Perm.SITE, "nav-site"),
    )),
)

NAV_ORDER = 90  # after the department's own chapters: the outsourced teams at the sales office
