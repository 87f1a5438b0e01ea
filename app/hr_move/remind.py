"""晋升 and 调动 completion (SPEC §E9, §E10): a promotion whose 公示 is over takes effect (Employee.position, a history
row, a notice to the person), a transfer whose effective date has come moves the person (company, department,
position; hired_on unchanged). Once per request, also with several workers at once (a conditional update on
applied_at inside app/core/claims.py's serialise).

    python -m app.hr_move.remind       # one pass (cron / the worker loop)
"""
from __future__ import annotations

import asyncio
from datetime import date

from app.core.timeutil import today_local
from app.hr_move import services


async def remind_once(today: date | None = None) -> int:
    return await services.complete_due(today or today_local())


if __name__ == "__main__":
    print(f"promotions and transfers completed: {asyncio.run(remind_once())}", flush=True)
