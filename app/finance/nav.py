from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("财务", (
        NavItem("我的借款", "/finance/my-advances", Perm.WORKFLOW, "nav-my-advances"),
        NavItem("借款台账", "/finance/advances", Perm.FINANCE, "nav-advances"),
        NavItem("发票登记簿", "/finance/invoices", Perm.FINANCE, "nav-invoices"),
        NavItem("合同付款台账", "/finance/payments", Perm.FINANCE, "nav-payments"),
    )),
)

NAV_ORDER = 50  # position in the navigation among the chapters
