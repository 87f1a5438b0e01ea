"""A6 交房: the notice, the handover day with the area settlement, deemed delivery; the 整改单 card."""
from __future__ import annotations

from app.pipeline.steps import DealPanel


async def _panel(user, deal: dict, page: dict) -> dict | None:
    return {} if deal["stage"] in ("已签约", "已备案") and page["acts"]["交房"] else None


async def _defects(user, deal: dict, page: dict) -> dict | None:
    defects = page["current"]["defects"]
    return {"defects": defects} if defects else None


PANELS = [DealPanel("handover", 50, "pipeline/panels/handover.html", _panel),
          DealPanel("defects", 50, "pipeline/panels/defects.html", _defects, place="card")]
