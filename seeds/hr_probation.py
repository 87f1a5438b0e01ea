"""转正 demo data (SPEC §E11): the settings with their defaults. The demo employees in probation are the labour
contracts' (seeds/hr_contract.py). Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from app.hr_probation import settings


async def seed() -> None:
    await settings.seed()
