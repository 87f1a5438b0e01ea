from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("印章", roles=FINANCE_STAFF | {"admin_staff", "legal"}, items=(
        NavItem("用印登记簿", "/seals/log", Perm.WORKFLOW, "nav-seal-log"),
        NavItem("印章登记", "/seals", Perm.WORKFLOW, "nav-seals"),
    )),
)

NAV_ORDER = 70  # position in the navigation among the chapters
