"""Helpers for engine tests: submit through the real form route, act through the real action route."""
from __future__ import annotations

import re
from datetime import timedelta

from app.core.timeutil import today_local
from app.workflow.tables import Request, Task
from seeds.finance import credit_code
from tests.conftest import csrf_token, sign_in

COMPANY_A = "锦程房地产开发有限公司"  # the demo staff's company (the buyer on their invoices)

_counter = [0]


def invoice_number() -> str:
    _counter[0] += 1
    return f"{today_local():%Y%m%d}{_counter[0]:04d}{id(_counter) % 100000000:08d}"[:20].ljust(20, "7")


def expense_form(amount: str, *, number: str | None = None, reason: str = "客户接待用餐", extra: dict | None = None) -> dict:
    data = {
        "reason": reason,
        "inv_kind": ["数电票"], "inv_number": [number or invoice_number()], "inv_date": [(today_local() - timedelta(days=1)).isoformat()],
        "inv_seller": ["苏州某餐饮有限公司"], "inv_amount": [amount], "inv_tax": ["0"],
        "inv_buyer": [COMPANY_A], "inv_buyer_tax_id": [credit_code(COMPANY_A)],
    }
    data.update(extra or {})
    return data


async def submit(client, flow: str, data: dict) -> tuple[int, object]:
    token = await csrf_token(client, f"/workflow/new/{flow}")
    r = await client.post(f"/workflow/new/{flow}", data={**data, "_csrf_token": token})
    if r.status_code != 303:
        return 0, r
    m = re.search(r"/workflow/requests/(\d+)", r.headers["location"])
    return int(m.group(1)), r


async def pending_task(request_id: int, username: str) -> int | None:
    row = await Task.select(Task.id).where((Task.request == request_id) & (Task.assignee.username == username) & (Task.status == "待处理")).first()
    return row["id"] if row else None


async def act(client, task_id: int, action: str = "同意", comment: str = "", htmx: bool = False):
    token = await csrf_token(client, "/workflow")
    headers = {"HX-Request": "true", "x-csrftoken": token} if htmx else {}
    return await client.post(f"/workflow/tasks/{task_id}/act", data={"action": action, "comment": comment, "_csrf_token": token}, headers=headers)


async def approve_as(new_client, request_id: int, username: str, comment: str = "") -> object:
    c = await sign_in(await new_client(), username)
    tid = await pending_task(request_id, username)
    assert tid, f"{username} has no pending task on {request_id}"
    return await act(c, tid, "同意", comment)


async def status(request_id: int) -> str:
    return (await Request.select(Request.status).where(Request.id == request_id).first())["status"]


async def chain(request_id: int) -> list[str]:
    from app.workflow.tables import Step

    return [s["key"] for s in await Step.select(Step.key).where(Step.request == request_id).order_by(Step.seq)]
