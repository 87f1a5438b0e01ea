from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("交易办理", (
        NavItem("我的办理队列", "/pipeline/queue", Perm.PIPELINE, "nav-queue"),
        NavItem("房源与进度", "/pipeline", Perm.PIPELINE, "nav-units"),
        NavItem("办证批量递交", "/pipeline/title-batch", Perm.PIPELINE, "nav-title-batch"),
        NavItem("收款登记", "/pipeline/receipts", Perm.FINANCE, "nav-receipts"),
    )),
)

NAV_ORDER = 10  # position in the navigation among the chapters
