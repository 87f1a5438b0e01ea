"""离职交接 provider (app/hr_exit/holdings.py): the open approval tasks assigned to the leaver (reassigned to a
colleague: the task's assignee changes, with a 转交 line in the request's history and an audit row) and the leaver's
own open requests (cleared when the leaver withdraws them or their approval ends)."""
from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.timeutil import now
from app.hr_exit.holdings import CLEAR, REASSIGN, Holding, HoldingError
from app.org.tables import Employee
from app.workflow.tables import Action, Request, Task

OPEN_TASK = ("待处理", "等待")
OPEN_REQUEST = ("审批中", "已退回")


async def held_by(employee_id: int) -> list[Holding]:
    emp = await Employee.select(Employee.user).where(Employee.id == employee_id).first()
    user = (emp or {}).get("user") or 0
    tasks = await Task.select(Task.id, Task.request, Task.request.number, Task.request.title, Task.step.name).where(
        (Task.assignee == user) & Task.status.is_in(list(OPEN_TASK)) & Task.request.status.is_in(list(OPEN_REQUEST))
    ).order_by(Task.id).limit(500)
    own = await Request.select(Request.id, Request.number, Request.title, Request.status).where(
        (Request.applicant == employee_id) & Request.status.is_in(list(OPEN_REQUEST)) & (Request.flow != "resignation")
    ).order_by(Request.id).limit(500)
    out = [Holding("审批待办", f"{t['request.number']} {t['request.title']} · {t['step.name']}", t["id"],
                   f"/workflow/requests/{t['request']}", REASSIGN) for t in tasks]
    out += [Holding("本人未结申请", f"{r['number']} {r['title']}（{r['status']}）", r["id"], f"/workflow/requests/{r['id']}", CLEAR,
                    hint="由本人撤回，或待审批结束") for r in own]
    return out


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    async with write_transaction():
        task = await Task.select(Task.id, Task.request, Task.step, Task.status, Task.assignee, Task.assignee.username, Task.step.name,
                                 Task.request.number).where(Task.id == record_id).first()
        if task is None or task["status"] not in OPEN_TASK:
            raise HoldingError("这条待办已经处理或不存在，请刷新页面")
        to = await Employee.select(Employee.user, Employee.name).where((Employee.id == to_employee_id) & (Employee.active == True)).first()  # noqa: E712
        if to is None or not to["user"]:
            raise HoldingError("接手人须为有登录账号的在职员工")
        if await Task.exists().where((Task.step == task["step"]) & (Task.assignee == to["user"])
                                     & Task.status.is_in(list(OPEN_TASK))):
            raise HoldingError(f"{to['name']} 在这一环节已有待办，请另选接手人")
        await Task.update({Task.assignee: to["user"]}).where((Task.id == record_id) & Task.status.is_in(list(OPEN_TASK)))
        text = f"离职交接：{task['assignee.username']} 的待办转交 {to['name']}"
        await Action.insert(Action(request=task["request"], task=record_id, step_name=task["step.name"], actor=getattr(actor, "user_id", None),
                                   actor_name=getattr(actor, "display_name", ""), action="转交", comment=text, at=now()))
        await audit.record(actor=actor, action="hr_exit.task_reassign", entity="wf_task", entity_id=record_id,
                           summary=f"{task['request.number']} {text}", before={"assignee": task["assignee"]}, after={"assignee": to["user"]},
                           ip=getattr(actor, "ip", ""))


async def clear(record_id: int, actor: Any) -> None:
    raise HoldingError("本人的未结申请须由本人撤回，或待审批结束后自动清除")
