from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("数据台账", roles=HEADS | EXECUTIVES | PIPELINE_OFFICERS, items=(
        NavItem("台账", "/ledgers", Perm.PIPELINE, "nav-ledgers"),
        NavItem("合同登记进度日报表", "/ledgers/report", Perm.PIPELINE, "nav-daily-report", roles=HEADS | EXECUTIVES | {"data", "contract"}),
    )),
)

NAV_ORDER = 20  # position in the navigation among the chapters
