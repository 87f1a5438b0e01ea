"""离职交接 provider of the approval engine's items (app/hr_exit/holdings.py): the open approval tasks assigned to the
leaver — reassigned to a colleague by the engine's own 转交 (engine.transfer: the lock, the checks, the history line and
the notification), done on the leaver's behalf by HR; a task still waiting for its turn in a sequential step only
changes hands — and the leaver's own open requests (cleared when the leaver withdraws them or their approval ends)."""
from __future__ import annotations

from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.timeutil import now
from app.hr_exit.holdings import CLEAR, REASSIGN, Holding, HoldingError, receiver
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
    from types import SimpleNamespace

    from app.workflow import engine

    async with write_transaction():
        task = await Task.select(Task.id, Task.request, Task.status, Task.assignee, Task.assignee.username, Task.step.name,
                                 Task.request.number).where(Task.id == record_id).first()
        if task is None or task["status"] not in OPEN_TASK:
            raise HoldingError("这条待办已经处理或不存在，请刷新页面")
        to = await receiver(to_employee_id)
        if not to["user"]:
            raise HoldingError("接手人须为有登录账号的在职员工")
        leaver = await Employee.select(Employee.name).where(Employee.user == task["assignee"]).first()
        text = f"离职交接：{(leaver or {}).get('name') or task['assignee.username']} 的待办转交 {to['name']}"
        if task["status"] == engine.T_PENDING:
            # the engine's 转交, acting for the leaver (whose task it is), named as HR doing it in the history
            on_behalf = SimpleNamespace(user_id=task["assignee"], display_name=f"{getattr(actor, 'display_name', '')}（离职交接）")
            try:
                await engine.transfer(on_behalf, record_id, to["user"], text)
            except engine.WorkflowError as e:
                raise HoldingError(e.message) from e
        else:  # 等待: a later signer of a sequential step, not active yet — it changes hands, and is logged
            if await Task.exists().where((Task.step == Task.select(Task.step).where(Task.id == record_id))
                                         & (Task.assignee == to["user"]) & Task.status.is_in(list(OPEN_TASK))):
                raise HoldingError(f"{to['name']} 在这一环节已有待办，请另选接手人")
            await Task.update({Task.assignee: to["user"]}).where((Task.id == record_id) & (Task.status == engine.T_WAITING))
            await Action.insert(Action(request=task["request"], task=record_id, step_name=task["step.name"], actor=getattr(actor, "user_id", None),
                                       actor_name=getattr(actor, "display_name", ""), action="转交", comment=text, at=now()))
        await audit.record(actor=actor, action="hr_exit.task_reassign", entity="wf_task", entity_id=record_id,
                           summary=f"{task['request.number']} {text}", before={"assignee": task["assignee"]}, after={"assignee": to["user"]},
                           ip=getattr(actor, "ip", ""))


async def clear(record_id: int, actor: Any) -> None:
    raise HoldingError("本人的未结申请须由本人撤回，或待审批结束后自动清除")
