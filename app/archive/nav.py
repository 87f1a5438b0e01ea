from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("资料保管", roles=HEADS | {"archive", "contract"}, items=(
        NavItem("资料完整性", "/archive", Perm.PIPELINE, "nav-archive"),
        NavItem("资料借阅登记", "/archive/loans", Perm.PIPELINE, "nav-loans"),
    )),
)

NAV_ORDER = 40  # position in the navigation among the chapters
