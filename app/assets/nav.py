from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("资产", (
        NavItem("资产台账", "/assets", Perm.WORKFLOW, "nav-assets"),
        NavItem("按保管人", "/assets/by-custodian", Perm.WORKFLOW, "nav-assets-custodian"),
    )),
)

NAV_ORDER = 80  # position in the navigation among the chapters
