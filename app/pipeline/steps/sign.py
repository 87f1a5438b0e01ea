"""A2 签约: the 审核单 check, the overseas filing approval, the signing."""
from __future__ import annotations

from app.pipeline.steps import DealPanel


async def _panel(user, deal: dict, page: dict) -> dict | None:
    return {} if deal["stage"] == "已认购" and page["acts"]["签约"] else None


PANELS = [DealPanel("sign", 20, "pipeline/panels/sign.html", _panel)]
