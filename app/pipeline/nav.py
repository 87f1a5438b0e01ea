from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("交易办理", roles=HEADS | PIPELINE_OFFICERS | SALES, items=(
        NavItem("我的办理队列", "/pipeline/queue", Perm.PIPELINE, "nav-queue", roles=HEADS | SALES | {"contract", "mortgage", "bureau", "title"}),
        NavItem("房源与进度", "/pipeline", Perm.PIPELINE, "nav-units"),
        NavItem("办证批量递交", "/pipeline/title-batch", Perm.PIPELINE, "nav-title-batch", roles=HEADS | {"title", "contract", "bureau"}),
        NavItem("收款登记", "/pipeline/receipts", Perm.FINANCE, "nav-receipts", roles=FINANCE_STAFF),
        NavItem("联机备案故障记录", "/pipeline/outages", Perm.PIPELINE, "nav-outages", roles=HEADS | {"contract", "bureau"}),
    )),
)

NAV_ORDER = 10  # position in the navigation among the chapters

NAV_GROUPS = (NavGroup(NAV_GROUPS[0].label, roles=NAV_GROUPS[0].roles | {"project_engineer"}, items=(
    *NAV_GROUPS[0].items,
    NavItem("房屋验收", "/pipeline/inspections", Perm.PIPELINE, "nav-inspections", roles=HEADS | {"supervisor", "project_engineer"}),
)),)
