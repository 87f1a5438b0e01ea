"""内部培训 demo data (SPEC §E6): the settings with their defaults. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from app.hr_course import settings


async def seed() -> None:
    await settings.seed()
