"""The 回访 panel on the case page (/care/cases/{id}): the due moment, the answer form, the past callbacks."""
from __future__ import annotations

from app.callbacks import services
from app.care.panels import CasePanel
from app.core.web import Form


async def _context(user, case: dict) -> dict | None:
    data = await services.panel_context(user, case)
    if data is not None:
        data["form"] = Form(values={"reached": "1"})
    return data


CASE_PANELS = [CasePanel("callbacks", 60, "callbacks/_panel.html", _context)]
