"""The repair panel on the case page of a 报修 case: the warranty result with its basis, the repair clocks and the
step forms (they post to /care/cases/{id}/repair/<step>, app/repairs/routes.py)."""
from __future__ import annotations

from app.care.panels import CasePanel
from app.repairs import services


async def _context(user, case: dict) -> dict | None:
    return await services.panel_context(user, case)


CASE_PANELS = [CasePanel(key="repair", order=10, template="repairs/_panel.html", context=_context)]
