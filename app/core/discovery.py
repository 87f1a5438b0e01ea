"""Domains are found, not listed: every package under app/ may have piccolo_app.py (tables and migrations),
routes.py (`router`), flows.py (request types), admin.py (`ADMIN_TABLES`), nav.py (`NAV_GROUPS`), and
seeds/<domain>.py may have `seed()`. Adding a chapter touches no central file."""
from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType

APP_DIR = Path(__file__).resolve().parent.parent
# Packages in this order first (the rest alphabetically): the foundation before the chapters.
_FIRST = ("core", "org", "estate", "rules", "dashboard", "workflow")


@cache
def _domains() -> tuple[str, ...]:
    found = sorted(p.name for p in APP_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    return tuple([d for d in _FIRST if d in found] + [d for d in found if d not in _FIRST])


def domains() -> list[str]:
    """The packages under app/ (read once per process: the code's layout does not change while it runs)."""
    return list(_domains())


@cache
def _domain_modules(module: str) -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"app.{d}.{module}") for d in _domains() if (APP_DIR / d / f"{module}.py").exists())


def domain_modules(module: str) -> list[ModuleType]:
    """Each domain's `module` (imported once; the sidebar asks for nav.py on every page)."""
    return list(_domain_modules(module))


def piccolo_apps() -> list[str]:
    return [f"app.{d}.piccolo_app" for d in domains() if (APP_DIR / d / "piccolo_app.py").exists()]
