from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("财务", roles=FINANCE_STAFF, items=(
        NavItem("我的借款", "/finance/my-advances", Perm.WORKFLOW, "nav-my-advances"),
        NavItem("借款台账", "/finance/advances", Perm.FINANCE, "nav-advances"),
        NavItem("发票登记簿", "/finance/invoices", Perm.FINANCE, "nav-invoices"),
        NavItem("合同付款台账", "/finance/payments", Perm.FINANCE, "nav-payments"),
    )),
)

NAV_ORDER = 50  # position in the navigation among the chapters
