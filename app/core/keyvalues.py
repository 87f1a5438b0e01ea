"""The admin-edited settings tables (attachment_setting, idempotency_setting, figure_cache_setting, and the domains'
own: site_setting, hr_contract_setting, hr_probation_setting …): rows of key, label and integer value, seeded with the
defaults their module declares — {key: (label, default)}, or {key: (label, default, source tag)} for a table with a
`tag` column ([S] 规章原文 / [L] 法律 / [C] 惯例)."""
from __future__ import annotations

from typing import Any

Defaults = dict[str, tuple]  # (label, default) or (label, default, tag)


async def read(table: Any, defaults: Defaults, *, minimum: int = 1) -> dict[str, int]:
    """Every key's value: the table's where it is set and at least `minimum`, else the default."""
    values = {k: d[1] for k, d in defaults.items()}
    for r in await table.select(table.key, table.value):
        if r["key"] in values and r["value"] is not None and r["value"] >= minimum:
            values[r["key"]] = int(r["value"])
    return values


async def seed(table: Any, defaults: Defaults) -> int:
    """Add the keys that have no row yet (an administrator's edits are kept), with their tag where one is declared;
    returns how many were added."""
    have = {r["key"] for r in await table.select(table.key)}
    rows = []
    for key, d in defaults.items():
        if key not in have:
            extra = {"tag": d[2]} if len(d) > 2 else {}
            rows.append(table(key=key, label=d[0], value=d[1], **extra))
    if rows:
        await table.insert(*rows)
    return len(rows)
