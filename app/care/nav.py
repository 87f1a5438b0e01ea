from app.core.nav import EXECUTIVES, HEADS, NavGroup, NavItem
from app.core.permissions import Perm

CARE_DESK = frozenset({"cr_supervisor", "cr_officer", "complaint_supervisor", "complaint_officer", "reception"})
CARE_LEADS = HEADS | {"cr_supervisor", "complaint_supervisor"}

NAV_GROUPS = (
    NavGroup("客户服务", roles=HEADS | CARE_DESK | EXECUTIVES | {"clerk", "quality"}, items=(
        NavItem("案件工作台", "/care", Perm.CARE_VIEW, "nav-care", roles=HEADS | CARE_DESK | {"clerk", "quality"}),
        NavItem("登记来电来访", "/care/new", Perm.CARE, "nav-care-new", roles=HEADS | CARE_DESK),
        NavItem("报修单", "/care/repairs", Perm.CARE_VIEW, "nav-repairs", roles=HEADS | CARE_DESK | {"quality"}),
        NavItem("回访", "/care/callbacks", Perm.CARE, "nav-callbacks", roles=HEADS | CARE_DESK),
        NavItem("客户档案", "/care/customers", Perm.CARE, "nav-customers", roles=HEADS | CARE_DESK),
        NavItem("档案准确率抽查", "/care/record-audits", Perm.CARE_MANAGE, "nav-record-audits", roles=CARE_LEADS),
        NavItem("KPI 看板", "/care/kpi", Perm.CARE_VIEW, "nav-kpi", roles=HEADS | EXECUTIVES | CARE_DESK),
    )),
)

NAV_ORDER = 5  # customer care is the department's core: first among the chapters
