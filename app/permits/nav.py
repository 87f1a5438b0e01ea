from app.core.nav import EXECUTIVES, FINANCE_STAFF, HEADS, PIPELINE_OFFICERS, SALES, NavGroup, NavItem  # noqa: F401
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("证件及手续", roles=frozenset({"contract", "data", "bureau"}), items=(
        NavItem("证件到期提醒", "/permits", Perm.PIPELINE, "nav-permits", roles=HEADS | {"contract", "data", "bureau"}),  # the heads follow the reminders only
        NavItem("预售许可证", "/permits/presale", Perm.PIPELINE, "nav-permits-presale"),
        NavItem("开发规模审批", "/permits/scale", Perm.PIPELINE, "nav-permits-scale"),
        NavItem("资质证书", "/permits/qualification", Perm.PIPELINE, "nav-permits-qualification"),
        NavItem("维修基金", "/permits/fund", Perm.PIPELINE, "nav-permits-fund"),
        NavItem("在建工程抵押", "/permits/mortgage", Perm.PIPELINE, "nav-permits-mortgage"),
        NavItem("公积金/按揭协议", "/permits/agreement", Perm.PIPELINE, "nav-permits-agreement"),
        NavItem("境外购房备案", "/permits/overseas", Perm.PIPELINE, "nav-permits-overseas"),
        NavItem("资质升级", "/permits/upgrades", Perm.PIPELINE, "nav-permits-upgrades"),
        NavItem("前期物业招标", "/permits/tenders", Perm.PIPELINE, "nav-permits-tenders", roles=HEADS | {"supervisor", "bureau"}),
    )),
)

NAV_ORDER = 30  # position in the navigation among the chapters
