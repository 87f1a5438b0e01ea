"""First-things-first gates: each domain may have `gates.py` with `async def pending(user) -> str | None` — the URL of
something this user must do before anything else (e.g. a new employee's 保密承诺书, app/hr_recruit/gates.py). Asked only
after a successful sign-in and on the home page, never on every request."""
from __future__ import annotations

from typing import Any

from app.core.discovery import domain_modules


async def first_pending(user: Any) -> str | None:
    for module in domain_modules("gates"):
        url = await module.pending(user)
        if url:
            return url
    return None
