"""100 simultaneous 同意 on one approval task (issue 11 §5): exactly one transition — one Action row, the task and the
step moved once, one audit row — and the other 99 answer 409 with the engine's Chinese message. In-process over ASGI,
so all 100 requests share the app's engine: on PostgreSQL its connection pool (max 10) makes them queue, on SQLite the
busy timeout does; neither may turn into a 500 or a second transition."""
from __future__ import annotations

import asyncio
import time

import pytest

from app.core.tables import AuditLog
from app.workflow.tables import Action, Step, Task
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import expense_form, pending_task, submit

pytestmark = pytest.mark.integration

N = 100
MESSAGE = "该审批任务已被处理"


async def test_hundred_simultaneous_approvals_give_one_transition(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, r = await submit(applicant, "expense", expense_form("66.00"))
    assert rid, getattr(r, "text", "")[:500]
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    assert tid
    step_id = (await Task.select(Task.step).where(Task.id == tid).first())["step"]
    token = await csrf_token(head, "/workflow")
    audits_before = await AuditLog.count().where(AuditLog.entity_id == str(rid))
    actions_before = await Action.count().where(Action.request == rid)

    async def one(i: int):
        # half as HTMX (the button), half as the plain form (no JavaScript)
        headers = {"HX-Request": "true", "x-csrftoken": token} if i % 2 else {}
        return await head.post(f"/workflow/tasks/{tid}/act", data={"action": "同意", "_csrf_token": token}, headers=headers)

    started = time.monotonic()
    results = await asyncio.wait_for(asyncio.gather(*[one(i) for i in range(N)]), timeout=120)
    elapsed = time.monotonic() - started
    codes = sorted(r.status_code for r in results)
    ok = [r for r in results if r.status_code in (200, 303)]
    refused = [r for r in results if r.status_code == 409]
    assert len(ok) == 1 and len(refused) == N - 1, (codes, elapsed)
    assert all(MESSAGE in r.text for r in refused), [r.text[:300] for r in refused if MESSAGE not in r.text][:2]
    # one transition, recorded once
    assert await Action.count().where((Action.request == rid) & (Action.action == "同意")) == 1
    assert await Action.count().where(Action.request == rid) == actions_before + 1
    assert await AuditLog.count().where(AuditLog.entity_id == str(rid)) == audits_before + 1
    assert await Task.count().where((Task.request == rid) & (Task.status == "已同意")) == 1
    assert (await Step.select(Step.status).where(Step.id == step_id).first())["status"] == "已完成"
    # the next step got exactly one task
    next_tasks = await Task.select(Task.id).where((Task.request == rid) & (Task.assignee.username == "accountant"))
    assert len(next_tasks) == 1
