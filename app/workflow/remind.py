"""The reminder worker: overdue approval tasks get an in-portal notification (once a day per task); at twice the
time limit the department head (客服副经理) is told as well (SPEC §0.2). State lives in the database, so any
number of workers may run; the conditional update makes each reminder go out once.

    python -m app.workflow.remind            # one pass (cron)
    python -m app.workflow.remind --every 900  # the Procfile's worker: a pass every 15 minutes
"""
from __future__ import annotations

import argparse
import asyncio

from app.core.notify import notify
from app.core.timeutil import today_local
from app.workflow.engine import T_PENDING, task_ref, users_with_role
from app.workflow.tables import Step, Task


async def remind_once() -> int:
    today = today_local()
    rows = await Task.update({Task.overdue_notified_on: today}).where(
        (Task.status == T_PENDING)
        & (Task.step.due_on < today)
        & ((Task.overdue_notified_on.is_null()) | (Task.overdue_notified_on < today))
    ).returning(Task.id, Task.assignee, Task.step, Task.request)
    for r in rows:
        step = await Step.select(Step.name, Step.due_on, Step.limit_days, Step.started_at, Step.request.number, Step.request.title,
                                 Step.request.company).where(Step.id == r["step"]).first()
        url = f"/workflow/requests/{r['request']}"
        await notify(r["assignee"], f"逾期提醒：{step['request.number']}「{step['request.title']}」的{step['name']}已超过办理期限 {step['due_on']}", url, "overdue",
                     task_ref(r["id"]))
        late = (today - step["due_on"]).days
        if late >= max(1, step["limit_days"]):  # overdue by the limit again: 2× in total
            for head in await users_with_role("dept_head", step["request.company"]):
                await notify(head, f"严重逾期：{step['request.number']} 的{step['name']}已逾期 {late} 天", url, "overdue", task_ref(r["id"]))
    return len(rows)


async def main(every: int | None) -> None:
    from piccolo.engine import engine_finder

    while True:
        n = await remind_once()
        print(f"reminders sent: {n}", flush=True)
        if not every:
            return
        await asyncio.sleep(every)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=None, help="seconds between passes; omit for a single pass")
    asyncio.run(main(ap.parse_args().every))
