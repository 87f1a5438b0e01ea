"""Document numbers <PREFIX>-YYYYMMDD-#### (SPEC §0.2), from one atomic upsert, so simultaneous submissions on any
number of processes never get the same number."""
from __future__ import annotations

from app.core.tables import Counter
from app.core.timeutil import today_local


async def next_number(prefix: str) -> str:
    stem = f"{prefix}-{today_local():%Y%m%d}"
    rows = await Counter.raw(
        "INSERT INTO counter (key, value) VALUES ({}, 1) ON CONFLICT (key) DO UPDATE SET value = counter.value + 1 RETURNING value", stem
    )
    return f"{stem}-{int(rows[0]['value']):04d}"
