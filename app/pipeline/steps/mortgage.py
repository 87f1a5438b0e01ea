"""A3 按揭: documents, the bank's approval, the mortgage registration, the release."""
from __future__ import annotations

from app.pipeline.services import LOAN_METHODS
from app.pipeline.steps import DealPanel


async def _panel(user, deal: dict, page: dict) -> dict | None:
    ms = deal["mortgage_status"]
    show = deal["payment_method"] in LOAN_METHODS and ms and ms != "已放款" and page["acts"]["按揭"] and deal["stage"] != "已作废"
    return {} if show else None


PANELS = [DealPanel("mortgage", 30, "pipeline/panels/mortgage.html", _panel)]
