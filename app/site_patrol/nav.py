from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.site.nav import SITE_PEOPLE

# merged into the 售楼处 group of app/site/nav.py (app.core.nav.all_groups). The report is the 客服主管's (SITE_VIEW);
# the company leaders open it from 全部功能 (their sidebar stays short) and the guards from the patrol page.
NAV_GROUPS = (
    NavGroup("售楼处", roles=SITE_PEOPLE, items=(
        NavItem("巡更", "/site/patrol", Perm.SITE_SECURITY, "nav-site-patrol"),
        NavItem("巡更报表", "/site/patrol/report", Perm.SITE_VIEW, "nav-site-patrol-report"),
    )),
)

NAV_ORDER = 90
