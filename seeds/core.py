"""Core reference data: the attachment kinds and limits (app/core/attachments.py defaults), added where missing."""
from __future__ import annotations


async def seed() -> None:
    from app.core.attachments import seed_defaults

    await seed_defaults()
