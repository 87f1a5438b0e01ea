"""The shift part's settings (售楼处设置: handover_remind_min). Idempotent: the admin's edits are kept."""
from __future__ import annotations

from app.site import settings
from app.site_shift.services import DEFAULTS


async def seed() -> None:
    await settings.seed(DEFAULTS)
