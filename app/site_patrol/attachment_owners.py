"""The photos of an 异常 patrol scan: seen by whoever reads the patrols of the scan's team (the team's people, the
客服主管, the leaders); added only with the scan itself (its scan form), never afterwards."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.site import services as site
from app.site.tables import SECURITY
from app.site_patrol.tables import PatrolScan

OWNER = "site_patrol_scan"


async def _scan(owner_id: str) -> dict | None:
    sid = parse_id(owner_id)
    if sid is None:
        return None
    return await PatrolScan.select(PatrolScan.id, PatrolScan.checkpoint.team, PatrolScan.checkpoint.name,
                                   PatrolScan.scanned_at).where(PatrolScan.id == sid).first()


async def can_see(user, owner_id: str) -> bool:
    from app.site_patrol.services import may_read_reports

    if not may_read_reports(user):
        return False
    scan = await _scan(owner_id)
    return bool(scan) and await site.team_for(user, scan["checkpoint.team"], SECURITY) is not None


async def can_attach(user, owner_id: str) -> bool:
    return False  # the photos come with the scan (bound in its transaction); a recorded scan is not amended


async def describe(owner_id: str) -> str:
    scan = await _scan(owner_id)
    return f"{scan['checkpoint.name']} #{scan['id']}" if scan else owner_id


def _url(owner_id: str) -> str:
    return "/site/patrol/report"


register_owner(OwnerKind(code=OWNER, label="巡更异常", can_see=can_see, can_attach=can_attach, url=_url, describe=describe))
