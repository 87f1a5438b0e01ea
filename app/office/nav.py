from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("办公用品与用车", roles=frozenset({"admin_staff"}), items=(
        NavItem("办公用品库存", "/office/items", Perm.WORKFLOW, "nav-office-items"),
        NavItem("我领用的耐用品", "/office/my-durables", Perm.WORKFLOW, "nav-office-my-durables"),
        NavItem("耐用品领用登记", "/office/durables", Perm.WORKFLOW_ALL, "nav-office-durables"),  # 行政 reach it from 办公用品库存
        NavItem("用车日历", "/office/calendar", Perm.WORKFLOW, "nav-office-calendar"),
        NavItem("用车登记", "/office/bookings", Perm.WORKFLOW, "nav-office-bookings"),
        NavItem("行车记录", "/office/trips", Perm.WORKFLOW, "nav-office-trips"),
        NavItem("车辆台账", "/office/vehicles", Perm.WORKFLOW, "nav-office-vehicles"),
    )),
)

NAV_ORDER = 60  # position in the navigation among the chapters
