from app.core.nav import HEADS, NavGroup, NavItem
from app.core.permissions import Perm

SURVEY_DESK = frozenset({"cr_supervisor", "cr_officer"})  # the 客户关系 group runs the surveys (SPEC D4, CSC)

# Company leaders read the satisfaction figure on the KPI board (/care/kpi); the results page stays reachable by the search.
NAV_GROUPS = (
    NavGroup("满意度调查", roles=HEADS | SURVEY_DESK | {"complaint_supervisor"}, items=(
        NavItem("问卷设计", "/surveys", Perm.SURVEY_DESIGN, "nav-surveys"),
        NavItem("调查发送", "/surveys/invitations", Perm.CARE, "nav-survey-invitations", roles=HEADS | SURVEY_DESK),
        NavItem("调查结果", "/surveys/results", Perm.CARE_VIEW, "nav-survey-results"),
    )),
)

NAV_ORDER = 6  # right after 客户服务
