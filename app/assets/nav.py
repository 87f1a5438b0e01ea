from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("资产", roles=FINANCE_STAFF | {"admin_staff"}, items=(
        NavItem("资产台账", "/assets", Perm.WORKFLOW, "nav-assets"),
        NavItem("按保管人", "/assets/by-custodian", Perm.WORKFLOW, "nav-assets-custodian"),
    )),
)

NAV_ORDER = 80  # position in the navigation among the chapters
