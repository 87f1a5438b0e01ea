"""The exits' worker (SPEC §E5): a completed exit whose last day has passed has its employee record and sign-in
disabled (Employee.active and BaseUser.active False, audited) — once, also when several workers run at once
(app/core/claims.py and the conditional update).

    python -m app.hr_exit.remind       # one pass (the Procfile's worker loop; cron)
"""
from __future__ import annotations

import asyncio
from datetime import date

from app.hr_exit import services


async def remind_once(today: date | None = None) -> int:
    return await services.disable_due(today)


if __name__ == "__main__":
    print(f"exits disabled: {asyncio.run(remind_once())}", flush=True)
