"""The employee record as the hub: every HR package's app/<pkg>/profile.py gives a section (ORDER, section(emp, viewer))
and its events (events(employee_id)); the record shows the sections in ORDER and one timeline of every event, newest
first. A section() may return one section, a list of them, or None."""
from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Any

from app.core.discovery import domain_modules


def profile_modules(modules: list[ModuleType] | None = None) -> list[ModuleType]:
    """The profile modules in their ORDER (then by package name, so equal ORDERs stay stable)."""
    mods = domain_modules("profile") if modules is None else modules
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


async def sections(emp: dict, viewer: Any, modules: list[ModuleType] | None = None) -> list[dict]:
    out: list[dict] = []
    for m in profile_modules(modules):
        fn = getattr(m, "section", None)
        if fn is None:
            continue
        got = await fn(emp, viewer)
        if got is None:
            continue
        for s in got if isinstance(got, list) else [got]:
            if s:
                out.append({"key": m.__name__.split(".")[1], **s})
    return out


def _day(v: Any) -> date:
    return v.date() if hasattr(v, "date") and callable(v.date) else v


async def timeline(employee_id: int, modules: list[ModuleType] | None = None, limit: int = 200) -> list[dict]:
    events: list[dict] = []
    for m in profile_modules(modules):
        fn = getattr(m, "events", None)
        if fn is None:
            continue
        for e in await fn(employee_id):
            if e.get("on") is not None:
                events.append({**e, "on": _day(e["on"])})
    events.sort(key=lambda e: e["on"], reverse=True)  # stable: within a day, in the sections' order
    return events[:limit]
