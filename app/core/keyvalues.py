"""The admin-edited settings tables of the shared core (attachment_setting, idempotency_setting, figure_cache_setting):
rows of key, label and integer value, seeded with the defaults their module declares ({key: (label, default)})."""
from __future__ import annotations

from typing import Any


async def read(table: Any, defaults: dict[str, tuple[str, int]], *, minimum: int = 1) -> dict[str, int]:
    """Every key's value: the table's where it is set and at least `minimum`, else the default."""
    values = {k: v for k, (_label, v) in defaults.items()}
    for r in await table.select(table.key, table.value):
        if r["key"] in values and r["value"] is not None and r["value"] >= minimum:
            values[r["key"]] = int(r["value"])
    return values


async def seed(table: Any, defaults: dict[str, tuple[str, int]]) -> int:
    """Add the keys that have no row yet (an administrator's edits are kept); returns how many were added."""
    have = {r["key"] for r in await table.select(table.key)}
    added = 0
    for key, (label, value) in defaults.items():
        if key not in have:
            await table.insert(table(key=key, label=label, value=value))
            added += 1
    return added
