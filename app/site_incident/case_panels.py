"""The panel on a care case opened by a sales-office incident (聚集维权/媒体): the link back to the incident report."""
from __future__ import annotations

from app.care.panels import CasePanel
from app.site_incident.tables import Incident


async def _context(user, case: dict) -> dict | None:
    rows = await Incident.select(Incident.id, Incident.number, Incident.kind, Incident.occurred_at, Incident.place, Incident.status,
                                 Incident.team.name).where(Incident.care_case == case["id"]).order_by(Incident.id)
    if not rows:
        return None
    from app.site_incident.services import may_read

    return {"incidents": rows, "linkable": may_read(user)}


CASE_PANELS = [CasePanel("site_incident", 70, "site_incident/_case_panel.html", _context)]
