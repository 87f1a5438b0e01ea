"""Core reference data: the attachment kinds and limits (app/core/attachments.py defaults) and the duplicate-submission
guard's settings (app/core/idempotency.py) and the figure cache's age (app/core/figcache.py), added where missing."""
from __future__ import annotations


async def seed() -> None:
    from app.core.attachments import seed_defaults
    from app.core.idempotency import seed_defaults as seed_idempotency

    await seed_defaults()
    await seed_idempotency()
    from app.core.figcache import seed_defaults as seed_figcache

    await seed_figcache()
