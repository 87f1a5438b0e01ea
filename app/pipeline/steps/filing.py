"""A4 合同备案 and 预告登记."""
from __future__ import annotations

from app.pipeline.steps import DealPanel


async def _panel(user, deal: dict, page: dict) -> dict | None:
    fs = deal["filing_status"]
    open_step = fs in ("待备案", "已报送") or (fs == "已备案" and not deal["prereg_no"])
    return {} if open_step and page["acts"]["备案"] and deal["stage"] != "已作废" else None


PANELS = [DealPanel("filing", 40, "pipeline/panels/filing.html", _panel)]
