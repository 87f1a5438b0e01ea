from app.care.nav import CARE_DESK, CARE_LEADS
from app.core.nav import HEADS, NavGroup, NavItem
from app.core.permissions import Perm

NAV_GROUPS = (
    NavGroup("来电与质检", roles=HEADS | CARE_DESK, items=(
        NavItem("通话记录", "/calls", Perm.CARE_VIEW, "nav-calls", roles=HEADS | CARE_DESK),
        NavItem("导入通话", "/calls/import", Perm.CARE_MANAGE, "nav-calls-import", roles=CARE_LEADS),
        NavItem("通话质检", "/calls/qa", Perm.CARE_MANAGE, "nav-calls-qa", roles=CARE_LEADS),
    )),
)

NAV_ORDER = 6  # right after 客户服务
