"""Panels on the case page that other domains add (the repair steps, callbacks, calls): each domain may have
`case_panels.py` with `CASE_PANELS = [CasePanel(...)]`; the case page renders them in `order`. A panel's `context`
returns None when it has nothing to show for this case."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable


@dataclass(frozen=True)
class CasePanel:
    key: str
    order: int
    template: str  # rendered with the case page's context plus the dict `context` returns, under the name `panel`
    context: Callable[[Any, dict], Awaitable[dict | None]]  # (user, case row) → panel data, or None to skip


def all_panels() -> list[CasePanel]:
    from app.core.discovery import domain_modules

    return sorted((p for m in domain_modules("case_panels") for p in getattr(m, "CASE_PANELS", ())), key=lambda p: p.order)


async def panels_for(user, case: dict) -> list[tuple[str, dict]]:
    """[(template, panel data)] for the case page."""
    out = []
    for p in all_panels():
        data = await p.context(user, case)
        if data is not None:
            out.append((p.template, data))
    return out
