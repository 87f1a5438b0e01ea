from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("数据台账", (
        NavItem("台账", "/ledgers", Perm.PIPELINE, "nav-ledgers"),
        NavItem("合同登记进度日报表", "/ledgers/report", Perm.PIPELINE, "nav-daily-report"),
    )),
)

NAV_ORDER = 20  # position in the navigation among the chapters
