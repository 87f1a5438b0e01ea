"""A7 产权证: documents, submission with the deed tax, issue, delivery to the owner."""
from __future__ import annotations

from app.pipeline.steps import DealPanel


async def _panel(user, deal: dict, page: dict) -> dict | None:
    return {} if deal["stage"] == "已交付" and page["acts"]["产权证"] else None


PANELS = [DealPanel("title", 60, "pipeline/panels/title.html", _panel)]
