"""The approval engine: submit, act, and everything between. One transaction per action; every transition
writes one audit row in it; concurrent actions on one request serialise on the request row (version bump),
and a task changes state only through a conditional update, so a double click gives exactly one transition."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from piccolo.apps.user.tables import BaseUser

from app.core import audit
from app.core.numbering import next_number
from app.core.db import write_transaction
from app.core.notify import close as close_notifications
from app.core.notify import notify
from app.core.timeutil import now, today_local
from app.core.workdays import add_working_days, on_schedule_saved
from app.org.tables import Employee
from app.workflow.definitions import (
    DEFAULT_LIMIT,
    Applicant,
    Approvers,
    ChainContext,
    FlowDef,
    FormResult,
    Mode,
    StepSpec,
    get_flow,
)
from app.workflow.tables import Action, CarbonCopy, Delegation, FlowSetting, Request, Step, Task

OPEN = "审批中"
RETURNED = "已退回"
APPROVED = "已通过"
REJECTED = "已驳回"
WITHDRAWN = "已撤回"

T_NOT_STARTED, T_WAITING, T_PENDING = "未开始", "等待", "待处理"
T_APPROVED, T_REJECTED, T_RETURNED, T_TRANSFERRED, T_CANCELLED = "已同意", "已驳回", "已退回", "已转交", "已取消"
S_NOT_STARTED, S_ACTIVE, S_DONE, S_CANCELLED = "未开始", "进行中", "已完成", "已取消"

SENIOR_ROLES = {"supervisor", "dept_head", "vp", "gm", "president", "finance_manager", "sales_manager"}


class WorkflowError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrencyError(WorkflowError):
    pass


# ------------------------------------------------------------------ helpers


async def applicant_of(user) -> Applicant:
    if not user.employee_id:
        raise WorkflowError("您的账号没有关联员工档案，不能发起审批")
    e = await Employee.select(
        Employee.id, Employee.name, Employee.company, Employee.department, Employee.position.role, Employee.manager.user,
    ).where(Employee.id == user.employee_id).first()
    return Applicant(
        employee_id=e["id"], user_id=user.user_id, name=e["name"], role=e["position.role"], company_id=e["company"],
        department_id=e["department"], manager_user_id=e["manager.user"], senior=e["position.role"] in SENIOR_ROLES,
    )


async def flow_settings(flow: FlowDef) -> dict[str, Decimal]:
    values = {s.key: s.value for s in (DEFAULT_LIMIT, *flow.settings)}
    for r in await FlowSetting.select(FlowSetting.key, FlowSetting.value).where(FlowSetting.flow == flow.code):
        values[r["key"]] = Decimal(r["value"])
    return values


async def users_with_role(role: str, company_id: int) -> list[int]:
    base = (Employee.position.role == role) & (Employee.active == True) & (Employee.user.is_not_null())  # noqa: E712
    rows = await Employee.select(Employee.user).where(base & (Employee.company == company_id)).order_by(Employee.id)
    if not rows:  # group-level posts (总裁) or posts the company lacks: anyone in the group
        rows = await Employee.select(Employee.user).where(base).order_by(Employee.id)
    return [r["user"] for r in rows]


async def _resolve(approvers: Approvers, applicant: Applicant) -> list[int]:
    if approvers.kind == "role":
        return await users_with_role(approvers.role, applicant.company_id)
    if approvers.kind == "manager":
        return [applicant.manager_user_id] if applicant.manager_user_id else []
    if approvers.kind == "user":
        return list(approvers.user_ids)
    raise ValueError(approvers.kind)


async def plan_chain(flow: FlowDef, applicant: Applicant, amount: Decimal | None, data: dict) -> list[tuple[StepSpec, list[int]]]:
    """The steps with their approvers. Self-approval guard: the applicant never approves their own request; a step
    whose only approver is the applicant goes to the next level (the applicant's manager), and is dropped when that
    person approves at a later step anyway."""
    settings = await flow_settings(flow)
    specs = flow.chain(ChainContext(applicant=applicant, amount=amount, data=data, settings=settings))
    resolved: list[tuple[StepSpec, list[int]]] = []
    for spec in specs:
        users = [u for u in await _resolve(spec.approvers, applicant) if u != applicant.user_id]
        escalated = False
        if not users:
            if spec.approvers.kind == "role" and not await users_with_role(spec.approvers.role, applicant.company_id):
                raise WorkflowError(f"找不到「{spec.name}」环节的审批人，请联系系统管理员")
            if applicant.manager_user_id and applicant.manager_user_id != applicant.user_id:
                users, escalated = [applicant.manager_user_id], True
            else:
                raise WorkflowError(f"「{spec.name}」环节没有可审批的上级，请联系系统管理员")
        resolved.append((spec if not escalated else StepSpec(spec.key, spec.name + "（上级代审）", Approvers.users(*users), spec.mode, spec.limit_days), users))
    # drop escalated steps whose approver approves later anyway
    out = []
    for i, (spec, users) in enumerate(resolved):
        later = {u for _, us in resolved[i + 1:] for u in us}
        if spec.name.endswith("（上级代审）") and set(users) <= later:
            continue
        out.append((spec, users))
    return out




async def _deputy_for(user_id: int, day: date) -> int | None:
    d = await Delegation.select(Delegation.deputy).where(
        (Delegation.principal == user_id) & (Delegation.active == True) & (Delegation.start_on <= day) & (Delegation.end_on >= day)  # noqa: E712
    ).first()
    return d["deputy"] if d else None


async def _user_name(user_id: int | None) -> str:
    if not user_id:
        return ""
    e = await Employee.select(Employee.name).where(Employee.user == user_id).first()
    if e:
        return e["name"]
    u = await BaseUser.select(BaseUser.username).where(BaseUser.id == user_id).first()
    return u["username"] if u else ""


async def _log(req: dict, action: str, user, comment: str = "", task: dict | None = None, step_name: str = "", on_behalf: int | None = None,
               before: str | None = None, after: str | None = None) -> None:
    """The request's history row and the one audit row of this transition."""
    behalf = await _user_name(on_behalf) if on_behalf else ""
    await Action.insert(Action(request=req["id"], task=task["id"] if task else None, step_name=step_name, actor=getattr(user, "user_id", None),
                               actor_name=getattr(user, "display_name", "系统"), on_behalf_name=behalf, action=action, comment=comment, at=now()))
    who = getattr(user, "display_name", "系统") + (f" 代 {behalf}" if behalf else "")
    await audit.record(actor=user, action=f"workflow.{action}", entity="wf_request", entity_id=req["id"],
                       summary=f"{req['number']} {who} {action}{('：' + comment) if comment else ''}",
                       before={"status": before or req["status"]}, after={"status": after or req["status"], "step": step_name})
    await _close_done_task_notes(req["id"])


def task_ref(task_id: int) -> str:
    return f"task:{task_id}"


async def _close_done_task_notes(request_id: int) -> None:
    """Every action ends here: the notifications announcing a task of this request that is no longer waiting on its
    assignee (acted on, transferred, withdrawn, cancelled when the request ended) close, in the action's transaction."""
    done = await Task.select(Task.id).where((Task.request == request_id) & (Task.status != T_PENDING))
    await close_notifications([task_ref(r["id"]) for r in done])


async def _lock(request_id: int) -> dict:
    """Bump the version: on PostgreSQL this takes the row lock that serialises actions on one request."""
    rows = await Request.update({Request.version: Request.version + 1}).where(Request.id == request_id).returning(*Request.all_columns())
    if not rows:
        raise WorkflowError("审批单不存在")
    return rows[0]


async def _activate(req: dict, step: dict) -> None:
    today = today_local()
    due = await add_working_days(today, step["limit_days"])
    await Step.update({Step.status: S_ACTIVE, Step.started_at: now(), Step.due_on: due}).where(Step.id == step["id"])
    tasks = await Task.select().where(Task.step == step["id"]).order_by(Task.order)
    for i, t in enumerate(tasks):
        deputy = await _deputy_for(t["assignee"], today)
        changes: dict[Any, Any] = {Task.status: T_PENDING if (step["mode"] != Mode.SEQ or i == 0) else T_WAITING}
        if deputy and deputy != req["applicant_user"]:
            changes.update({Task.assignee: deputy, Task.on_behalf_of: t["assignee"]})
        await Task.update(changes).where(Task.id == t["id"])
        if changes[Task.status] == T_PENDING:
            await notify(deputy or t["assignee"], f"待审批：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "task",
                         task_ref(t["id"]))


def _task(req: dict, step_id: int, order: int, assignee: int, status: str) -> Task:
    """A new task of `req` (it carries the request's submission time: the inbox's order, see Task.submitted_at)."""
    return Task(request=req["id"], step=step_id, order=order, assignee=assignee, status=status, created_at=now(),
                submitted_at=req["submitted_at"])


async def _create_steps(req: dict, plan: list[tuple[StepSpec, list[int]]], start_seq: int, limit_default: int) -> list[dict]:
    steps = []
    for offset, (spec, users) in enumerate(plan):
        step = Step(request=req["id"], seq=start_seq + offset, key=spec.key, name=spec.name, mode=spec.mode.value, status=S_NOT_STARTED,
                    limit_days=spec.limit_days or limit_default)
        await step.save()
        await Task.insert(*[_task(req, step.id, i, u, T_NOT_STARTED) for i, u in enumerate(users)])
        steps.append(step.to_dict())
    return steps


async def _advance(req: dict, user, step: dict) -> str:
    """The step is complete: start the next one, or finish the request. Returns the request's new status."""
    await Step.update({Step.status: S_DONE, Step.finished_at: now()}).where(Step.id == step["id"])
    nxt = await Step.select().where((Step.request == req["id"]) & (Step.status == S_NOT_STARTED)).order_by(Step.seq).first()
    if nxt:
        await _activate(req, nxt)
        return OPEN
    await Request.update({Request.status: APPROVED, Request.finished_at: now()}).where(Request.id == req["id"])
    flow = get_flow(req["flow"])
    if flow and flow.on_approved:
        await flow.on_approved({**req, "status": APPROVED}, user)
    await _send_cc(req, "finish")
    if flow and flow.finish_cc_roles:
        for role in flow.finish_cc_roles:
            for u in await users_with_role(role, req["company"]):
                await notify(u, f"抄送：{req['title']}（{req['number']}）已审批通过", f"/workflow/requests/{req['id']}", "cc")
    await notify(req["applicant_user"], f"您的申请 {req['number']} 已审批通过", f"/workflow/requests/{req['id']}", "result")
    return APPROVED


async def _send_cc(req: dict, when: str) -> None:
    rows = await CarbonCopy.update({CarbonCopy.sent_at: now()}).where(
        (CarbonCopy.request == req["id"]) & (CarbonCopy.when == when) & (CarbonCopy.sent_at.is_null())).returning(CarbonCopy.user)
    for r in rows:
        note = "已提交" if when == "submit" else "已审批通过"
        await notify(r["user"], f"抄送：{req['title']}（{req['number']}）{note}", f"/workflow/requests/{req['id']}", "cc")


async def _close_open_tasks(req_id: int) -> None:
    await Task.update({Task.status: T_CANCELLED}).where((Task.request == req_id) & Task.status.is_in([T_NOT_STARTED, T_WAITING, T_PENDING]))
    await Step.update({Step.status: S_CANCELLED}).where((Step.request == req_id) & Step.status.is_in([S_NOT_STARTED, S_ACTIVE]))


# ------------------------------------------------------------------ actions


async def submit(user, flow: FlowDef, result: FormResult, cc_submit: list[int] = (), cc_finish: list[int] = ()) -> dict:
    applicant = await applicant_of(user)
    plan = await plan_chain(flow, applicant, result.amount, result.cleaned)
    limit = int((await flow_settings(flow))["limit_days"])
    async with write_transaction():
        req = Request(number=await next_number(flow.prefix), flow=flow.code, title=result.title[:200], applicant=applicant.employee_id,
                      applicant_user=user.user_id, company=applicant.company_id, department=applicant.department_id,
                      amount=result.amount, status=OPEN, version=0, submitted_at=now())
        await req.save()
        row = req.to_dict()
        await flow.form.save(req.id, result.cleaned, user)
        steps = await _create_steps(row, plan, 1, limit)
        for uid in set(cc_submit):
            await CarbonCopy.insert(CarbonCopy(request=req.id, user=uid, when="submit"))
        for uid in set(cc_finish):
            await CarbonCopy.insert(CarbonCopy(request=req.id, user=uid, when="finish"))
        await _log(row, "提交", user, before="—", after=OPEN)
        await _activate(row, steps[0])
        await _send_cc(row, "submit")
    return row


async def resubmit(user, request_id: int, result: FormResult) -> None:
    req0 = await Request.select().where(Request.id == request_id).first()
    if not req0 or req0["applicant_user"] != user.user_id:
        raise WorkflowError("只有申请人可以修改后重新提交")
    flow = get_flow(req0["flow"])
    applicant = await applicant_of(user)
    plan = await plan_chain(flow, applicant, result.amount, result.cleaned)
    limit = int((await flow_settings(flow))["limit_days"])
    async with write_transaction():
        req = await _lock(request_id)
        if req["status"] != RETURNED:
            raise ConcurrencyError("该审批单当前不是“已退回”状态，不能重新提交")
        await Request.update({Request.status: OPEN, Request.title: result.title[:200], Request.amount: result.amount}).where(Request.id == request_id)
        await flow.form.save(request_id, result.cleaned, user)
        done = await Step.select(Step.key, Step.seq).where((Step.request == request_id) & (Step.status == S_DONE)).order_by(Step.seq)
        done_keys = {s["key"] for s in done}
        await Step.delete().where((Step.request == request_id) & (Step.status != S_DONE))
        remaining = [(spec, users) for spec, users in plan if spec.key not in done_keys]
        if not remaining:
            remaining = plan[-1:]
        steps = await _create_steps(req, remaining, (done[-1]["seq"] + 1) if done else 1, limit)
        await _log(req, "重新提交", user, before=RETURNED, after=OPEN)
        await _activate(req, steps[0])


async def _task_for_action(user, task_id: int) -> dict:
    t = await Task.select().where(Task.id == task_id).first()
    if not t:
        raise WorkflowError("审批任务不存在")
    if t["assignee"] != user.user_id:
        raise WorkflowError("这不是您的审批任务")
    return t


async def act(user, task_id: int, action: str, comment: str = "") -> str:
    """同意 / 驳回 / 退回修改 on a task. Returns the request's new status."""
    comment = (comment or "").strip()
    if action in ("驳回", "退回修改") and not comment:
        raise WorkflowError(f"{action}必须填写理由", "comment")
    if len(comment) > 1000:
        raise WorkflowError("意见最多 1000 字", "comment")
    t = await _task_for_action(user, task_id)
    new_task_status = {"同意": T_APPROVED, "驳回": T_REJECTED, "退回修改": T_RETURNED}[action]
    async with write_transaction():
        req = await _lock(t["request"])
        if req["applicant_user"] == user.user_id:
            raise WorkflowError("不能审批自己的申请")
        done = await Task.update({Task.status: new_task_status, Task.acted_at: now(), Task.comment: comment}).where(
            (Task.id == task_id) & (Task.status == T_PENDING) & (Task.assignee == user.user_id)).returning(Task.id)
        if not done or req["status"] != OPEN:
            raise ConcurrencyError("该审批任务已被处理（可能是重复点击或他人已处理），请刷新页面查看最新状态")
        step = await Step.select().where(Step.id == t["step"]).first()
        if action == "驳回":
            await _close_open_tasks(req["id"])
            await Request.update({Request.status: REJECTED, Request.finished_at: now()}).where(Request.id == req["id"])
            flow = get_flow(req["flow"])
            if flow and flow.on_closed:
                await flow.on_closed({**req, "status": REJECTED}, user)
            await _log(req, "驳回", user, comment, t, step["name"], t["on_behalf_of"], after=REJECTED)
            await notify(req["applicant_user"], f"您的申请 {req['number']} 被驳回：{comment}", f"/workflow/requests/{req['id']}", "result")
            return REJECTED
        if action == "退回修改":
            await Task.update({Task.status: T_CANCELLED}).where((Task.step == step["id"]) & Task.status.is_in([T_WAITING, T_PENDING]))
            await Request.update({Request.status: RETURNED}).where(Request.id == req["id"])
            await _log(req, "退回修改", user, comment, t, step["name"], t["on_behalf_of"], after=RETURNED)
            await notify(req["applicant_user"], f"您的申请 {req['number']} 被退回修改：{comment}", f"/workflow/requests/{req['id']}", "result")
            return RETURNED
        # 同意
        unblocked = await Task.update({Task.status: T_PENDING, Task.blocked_by: None}).where(
            (Task.blocked_by == task_id) & (Task.status == T_WAITING)).returning(Task.id, Task.assignee)
        status = OPEN
        if not unblocked:
            if step["mode"] == Mode.ANY:
                await Task.update({Task.status: T_CANCELLED}).where((Task.step == step["id"]) & Task.status.is_in([T_WAITING, T_PENDING]))
                status = await _advance(req, user, step)
            elif step["mode"] == Mode.SEQ:
                nxt = await Task.select(Task.id, Task.assignee).where(
                    (Task.step == step["id"]) & (Task.status == T_WAITING) & (Task.blocked_by.is_null())).order_by(Task.order).first()
                if nxt:
                    await Task.update({Task.status: T_PENDING}).where(Task.id == nxt["id"])
                    await notify(nxt["assignee"], f"待审批：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "task",
                                 task_ref(nxt["id"]))
                elif not await Task.exists().where((Task.step == step["id"]) & Task.status.is_in([T_WAITING, T_PENDING])):
                    status = await _advance(req, user, step)
            else:  # 会签
                if not await Task.exists().where((Task.step == step["id"]) & Task.status.is_in([T_WAITING, T_PENDING])):
                    status = await _advance(req, user, step)
        else:
            for r in unblocked:
                await notify(r["assignee"], f"待审批：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "task", task_ref(r["id"]))
        await _log(req, "同意", user, comment, t, step["name"], t["on_behalf_of"], after=status)
        return status


async def withdraw(user, request_id: int, comment: str = "") -> None:
    async with write_transaction():
        req = await _lock(request_id)
        if req["applicant_user"] != user.user_id:
            raise WorkflowError("只有申请人可以撤回")
        if req["status"] not in (OPEN, RETURNED):
            raise ConcurrencyError("该审批单已结束，不能撤回")
        if await Task.exists().where((Task.request == request_id) & (Task.status == T_APPROVED)):
            raise WorkflowError("已有审批人同意，不能撤回；如需终止请联系当前审批人驳回")
        await _close_open_tasks(request_id)
        await Request.update({Request.status: WITHDRAWN, Request.finished_at: now()}).where(Request.id == request_id)
        flow = get_flow(req["flow"])
        if flow and flow.on_closed:
            await flow.on_closed({**req, "status": WITHDRAWN}, user)
        await _log(req, "撤回", user, comment, after=WITHDRAWN)


async def _valid_target(target_user_id: int, req: dict, user) -> str:
    e = await Employee.select(Employee.name, Employee.active).where(Employee.user == target_user_id).first()
    if not e or not e["active"]:
        raise WorkflowError("请选择在职员工", "target")
    if target_user_id == req["applicant_user"]:
        raise WorkflowError("不能交给申请人本人审批", "target")
    if target_user_id == user.user_id:
        raise WorkflowError("不能选择自己", "target")
    return e["name"]


async def _refuse_if_on_step(step_id: int, target_user_id: int, name: str) -> None:
    """转交 and 加签 before never give one person a second open task on a step: one pending task per request and
    person (the inbox's 待办 counts the tasks as its requests)."""
    if await Task.exists().where((Task.step == step_id) & (Task.assignee == target_user_id) & Task.status.is_in([T_PENDING, T_WAITING])):
        raise WorkflowError(f"{name} 已在本环节中", "target")


async def transfer(user, task_id: int, target_user_id: int, comment: str = "") -> str:
    """转交: hand the task to someone else; they act in the same place of the chain. Returns their name."""
    t = await _task_for_action(user, task_id)
    async with write_transaction():
        req = await _lock(t["request"])
        name = await _valid_target(target_user_id, req, user)
        await _refuse_if_on_step(t["step"], target_user_id, name)
        done = await Task.update({Task.status: T_TRANSFERRED, Task.acted_at: now(), Task.comment: comment}).where(
            (Task.id == task_id) & (Task.status == T_PENDING)).returning(Task.id)
        if not done or req["status"] != OPEN:
            raise ConcurrencyError("该审批任务已被处理，请刷新页面")
        new = _task(req, t["step"], t["order"], target_user_id, T_PENDING)
        await new.save()
        await Task.update({Task.blocked_by: new.id}).where(Task.blocked_by == task_id)
        step = await Step.select(Step.name).where(Step.id == t["step"]).first()
        await _log(req, "转交", user, f"转交给 {name}" + (f"：{comment}" if comment else ""), t, step["name"], t["on_behalf_of"])
        await notify(target_user_id, f"{user.display_name} 转交给您审批：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "task",
                     task_ref(new.id))
    return name


async def add_signer(user, task_id: int, target_user_id: int, where: str, comment: str = "") -> str:
    """加签: "before" — the added signer approves first, then the task comes back to me;
    "after" — a new step with the added signer follows the current one."""
    if where not in ("before", "after"):
        raise WorkflowError("请选择加签位置", "where")
    t = await _task_for_action(user, task_id)
    async with write_transaction():
        req = await _lock(t["request"])
        name = await _valid_target(target_user_id, req, user)
        if req["status"] != OPEN or not await Task.exists().where((Task.id == task_id) & (Task.status == T_PENDING)):
            raise ConcurrencyError("该审批任务已被处理，请刷新页面")
        step = await Step.select().where(Step.id == t["step"]).first()
        if where == "before":
            await _refuse_if_on_step(t["step"], target_user_id, name)
        if where == "before":
            new = _task(req, step["id"], t["order"], target_user_id, T_PENDING)
            await new.save()
            await Task.update({Task.status: T_WAITING, Task.blocked_by: new.id}).where((Task.id == task_id) & (Task.status == T_PENDING))
            await notify(target_user_id, f"{user.display_name} 请您先审批：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "task",
                         task_ref(new.id))
            text = f"在本人之前加签 {name}"
        else:
            later = await Step.select(Step.id, Step.seq).where((Step.request == req["id"]) & (Step.seq > step["seq"])).order_by(Step.seq, ascending=False)
            for s in later:  # make room right after the current step
                await Step.update({Step.seq: s["seq"] + 1}).where(Step.id == s["id"])
            new_step = Step(request=req["id"], seq=step["seq"] + 1, key=f"addsign-{task_id}-{target_user_id}", name=f"加签：{name}", mode="any",
                            status=S_NOT_STARTED, limit_days=step["limit_days"])
            await new_step.save()
            await Task.insert(_task(req, new_step.id, 0, target_user_id, T_NOT_STARTED))
            text = f"在本人之后加签 {name}"
        await _log(req, "加签", user, text + (f"：{comment}" if comment else ""), t, step["name"], t["on_behalf_of"])
    return text


async def urge(user, request_id: int) -> list[str]:
    """催办: remind the current approvers, at most once a day per task. Returns the names of those reminded."""
    today = today_local()
    async with write_transaction():
        req = await _lock(request_id)
        if req["applicant_user"] != user.user_id:
            raise WorkflowError("只有申请人可以催办")
        if req["status"] != OPEN:
            raise WorkflowError("该审批单不在审批中")
        rows = await Task.update({Task.last_urged_on: today}).where(
            (Task.request == request_id) & (Task.status == T_PENDING) & ((Task.last_urged_on.is_null()) | (Task.last_urged_on < today))
        ).returning(Task.id, Task.assignee)
        if not rows:
            raise WorkflowError("今天已经催办过了，每个审批任务每天最多催办一次")
        for r in rows:
            await notify(r["assignee"], f"{user.display_name} 催办：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "urge",
                         task_ref(r["id"]))
        found = {e["user"]: e["name"] for e in await Employee.select(Employee.user, Employee.name).where(
            Employee.user.is_in([r["assignee"] for r in rows]))}
        names = list(dict.fromkeys(found.get(r["assignee"], "") or "审批人" for r in rows))
        await _log(req, "催办", user, "提醒 " + "、".join(names))
    return names


async def add_comment(user, request_id: int, text: str) -> None:
    text = (text or "").strip()
    if not text:
        raise WorkflowError("请填写评论内容", "comment")
    if len(text) > 1000:
        raise WorkflowError("评论最多 1000 字", "comment")
    async with write_transaction():
        req = await _lock(request_id)
        await _log(req, "评论", user, text)


async def cc_now(user, request_id: int, user_ids: list[int]) -> list[str]:
    """抄送 during the flow (by the applicant or a participant). Returns the names of those newly copied."""
    async with write_transaction():
        req = await _lock(request_id)
        participant = req["applicant_user"] == user.user_id or await Task.exists().where(
            (Task.request == request_id) & (Task.assignee == user.user_id))
        if not participant:
            raise WorkflowError("只有申请人和审批人可以抄送")
        if req["status"] not in (OPEN, RETURNED):
            raise WorkflowError("该审批单已结束")
        names = []
        for uid in set(user_ids):
            if not await CarbonCopy.exists().where((CarbonCopy.request == request_id) & (CarbonCopy.user == uid)):
                await CarbonCopy.insert(CarbonCopy(request=request_id, user=uid, when="submit", sent_at=now()))
                await notify(uid, f"抄送：{req['title']}（{req['number']}）", f"/workflow/requests/{req['id']}", "cc")
                names.append(await _user_name(uid))
        await _log(req, "抄送", user, "抄送给 " + "、".join(names))
    return names


# ------------------------------------------------------------------ delegation


async def set_delegation(user, deputy_user_id: int, start: date, end: date) -> None:
    if end < start:
        raise WorkflowError("结束日期不能早于开始日期", "end_on")
    if deputy_user_id == user.user_id:
        raise WorkflowError("不能委托给自己", "deputy")
    if not await Employee.exists().where((Employee.user == deputy_user_id) & (Employee.active == True)):  # noqa: E712
        raise WorkflowError("请选择在职员工", "deputy")
    async with write_transaction():
        d = Delegation(principal=user.user_id, deputy=deputy_user_id, start_on=start, end_on=end, active=True, created_at=now())
        await d.save()
        # tasks already waiting for me during the range go to the deputy as well
        today = today_local()
        moved = 0
        if start <= today <= end:
            rows = await Task.update({Task.assignee: deputy_user_id, Task.on_behalf_of: user.user_id}).where(
                (Task.assignee == user.user_id) & (Task.status == T_PENDING) & (Task.on_behalf_of.is_null())).returning(Task.id)
            moved = len(rows)
            if rows:  # the deputy is told about each task now theirs (one read, one insert); mine close when it is done
                from app.core.notify import notify_many

                tasks = await Task.select(Task.id, Task.request, Task.request.number, Task.request.title).where(Task.id.is_in([r["id"] for r in rows]))
                await notify_many(deputy_user_id, [(f"代 {user.display_name} 审批：{t['request.title']}（{t['request.number']}）",
                                                    f"/workflow/requests/{t['request']}", "task", task_ref(t["id"])) for t in tasks])
        await audit.record(actor=user, action="workflow.delegate", entity="wf_delegation", entity_id=d.id,
                           summary=f"委托 {await _user_name(deputy_user_id)} 代为审批 {start}～{end}", after={"moved_tasks": moved})


async def end_delegation(user, delegation_id: int) -> None:
    async with write_transaction():
        rows = await Delegation.update({Delegation.active: False}).where(
            (Delegation.id == delegation_id) & (Delegation.principal == user.user_id) & (Delegation.active == True)).returning(Delegation.id)  # noqa: E712
        if not rows:
            raise WorkflowError("该委托不存在或已结束")
        await audit.record(actor=user, action="workflow.delegate_end", entity="wf_delegation", entity_id=delegation_id, summary="结束委托")


@on_schedule_saved
async def _redate_active_steps(year: int) -> None:
    """A year's holidays were entered: the due dates of running steps that reach into it are recomputed from their
    start (one calendar for all of them)."""
    from datetime import timedelta

    from app.core.timeutil import to_local
    from app.core.workdays import calendar_for

    steps = await Step.select(Step.id, Step.started_at, Step.limit_days, Step.due_on).where(
        (Step.status == S_ACTIVE) & Step.started_at.is_not_null() & (Step.due_on >= date(year, 1, 1)))
    starts = [to_local(s["started_at"]).date() for s in steps]
    if not steps:
        return
    cal = await calendar_for(min(starts), max(s["due_on"] for s in steps) + timedelta(days=90))
    for s, start in zip(steps, starts):
        due = cal.add_working_days(start, s["limit_days"])
        if due != s["due_on"]:
            await Step.update({Step.due_on: due}).where(Step.id == s["id"])

