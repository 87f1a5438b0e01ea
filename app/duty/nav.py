from app.core.nav import HEADS, NavGroup, NavItem
from app.core.permissions import Perm
from app.duty.services import DUTY_ROLES

NAV_GROUPS = (
    # the department staff who keep the 24-hour duty (SPEC §G 值班)
    NavGroup("值班", roles=frozenset(DUTY_ROLES) | HEADS, items=(
        NavItem("值班表", "/duty", Perm.DUTY, "nav-duty"),
        NavItem("交接班记录", "/duty/handovers", Perm.DUTY, "nav-duty-handovers"),
    )),
)

NAV_ORDER = 8  # right after customer care: the duty desk answers the hotline around the clock
