"""Read side of the engine: visibility, available actions, request page data, inbox lists, overdue."""
from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw

from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.org.tables import Employee
from app.workflow.definitions import FLOWS, MODE_NAMES, get_flow
from app.workflow.engine import OPEN, RETURNED, T_APPROVED, T_PENDING
from app.workflow.tables import Action, CarbonCopy, Delegation, Request, Step, Task

STATUS_CHOICES = [(s, s) for s in ("审批中", "已退回", "已通过", "已驳回", "已撤回")]


def flow_choices_static() -> list[tuple[str, str]]:
    return [(code, f.name) for code, f in FLOWS.items()]


async def _flow_choices(_user) -> list[tuple[str, str]]:
    return flow_choices_static()


async def can_view(user, req: dict) -> bool:
    if req["applicant_user"] == user.user_id or user.can(Perm.WORKFLOW_ALL):
        return True
    if await Task.exists().where((Task.request == req["id"]) & ((Task.assignee == user.user_id) | (Task.on_behalf_of == user.user_id))):
        return True
    return await CarbonCopy.exists().where((CarbonCopy.request == req["id"]) & (CarbonCopy.user == user.user_id) & (CarbonCopy.sent_at.is_not_null()))


async def request_page(req_id: int) -> dict[str, Any] | None:
    req = await Request.select(Request.all_columns(), Request.applicant.name, Request.department.name, Request.company.name).where(
        Request.id == req_id).first()
    if not req:
        return None
    steps = await Step.select().where(Step.request == req_id).order_by(Step.seq)
    tasks = await Task.select(Task.all_columns(), Task.assignee.username).where(Task.request == req_id).order_by(Task.order).order_by(Task.id)
    names = {r["user"]: r["name"] for r in await Employee.select(Employee.user, Employee.name).where(
        Employee.user.is_in(list({t["assignee"] for t in tasks} | {t["on_behalf_of"] for t in tasks if t["on_behalf_of"]}) or [0]))}
    today = today_local()
    for s in steps:
        s["tasks"] = [{**t, "name": names.get(t["assignee"], t["assignee.username"]), "behalf_name": names.get(t["on_behalf_of"], "")}
                      for t in tasks if t["step"] == s["id"]]
        s["mode_name"] = MODE_NAMES.get(s["mode"], s["mode"])
        s["overdue"] = s["status"] == "进行中" and s["due_on"] is not None and s["due_on"] < today
    history = await Action.select().where(Action.request == req_id).order_by(Action.at).order_by(Action.id)
    ccs = await CarbonCopy.select(CarbonCopy.user, CarbonCopy.when, CarbonCopy.sent_at).where(CarbonCopy.request == req_id)
    cc_names = {r["user"]: r["name"] for r in await Employee.select(Employee.user, Employee.name).where(Employee.user.is_in([c["user"] for c in ccs] or [0]))}
    for c in ccs:
        c["name"] = cc_names.get(c["user"], "")
    flow = get_flow(req["flow"])
    payload = await flow.form.load(req_id) if flow else {}
    return {"req": req, "steps": steps, "history": history, "ccs": ccs, "flow": flow, "payload": payload}


async def available_actions(user, page: dict) -> dict[str, Any]:
    """What this user may do now; templates render only these (they never decide permissions)."""
    req = page["req"]
    mine = None
    for s in page["steps"]:
        for t in s["tasks"]:
            if t["assignee"] == user.user_id and t["status"] == T_PENDING:
                mine = t
    is_applicant = req["applicant_user"] == user.user_id
    any_approved = any(t["status"] == T_APPROVED for s in page["steps"] for t in s["tasks"])
    urged_today = all(t["last_urged_on"] == today_local() for s in page["steps"] for t in s["tasks"] if t["status"] == T_PENDING)
    return {
        "task": mine if (mine and req["status"] == OPEN and not is_applicant) else None,
        "withdraw": is_applicant and req["status"] in (OPEN, RETURNED) and not any_approved,
        "resubmit": is_applicant and req["status"] == RETURNED,
        "urge": is_applicant and req["status"] == OPEN and not urged_today,
        "comment": True,
        "cc": req["status"] in (OPEN, RETURNED) and (is_applicant or mine is not None),
    }


def _request_columns() -> list[Col]:
    return [
        Col("number", "单号", sort=Request.number, link="/workflow/requests/{id}", testid="request-link"),
        Col("flow_name", "类型"),
        Col("title", "标题"),
        Col("applicant.name", "申请人", sort=Request.applicant.name),
        Col("amount", "金额", sort=Request.amount, fmt="money"),
        Col("status", "状态", sort=Request.status, fmt="badge"),
        Col("submitted_at", "提交时间", sort=Request.submitted_at, fmt="datetime"),
    ]


_REQUEST_SELECT = [Request.id, Request.number, Request.flow, Request.title, Request.applicant.name, Request.amount, Request.status, Request.submitted_at]
_REQUEST_FILTERS = [
    Filter("q", "单号/标题", "text", columns=[Request.number, Request.title], placeholder="输入单号或标题"),
    Filter("flow", "类型", "select", columns=[Request.flow], choices=_flow_choices),
    Filter("status", "状态", "select", columns=[Request.status], choices=STATUS_CHOICES),
]

INBOX_TABS = {
    "todo": "我的待办",
    "mine": "我发起的",
    "done": "我已处理",
    "cc": "抄送我的",
}

INBOX_EMPTY = {  # what an empty tab says (title, hint)
    "todo": ("没有待您审批的申请", "新的审批任务到达时，顶部的“待办”和消息铃铛会提示您。"),
    "mine": ("您还没有发起过申请", "报销、借款、用章、用车等申请都从“发起申请”开始。"),
    "done": ("您还没有处理过审批", "您同意、驳回、退回、转交或加签过的申请会列在这里。"),
    "cc": ("没有抄送给您的申请", "别人抄送给您的申请会列在这里。"),
}


def _request_in(subquery: str, *args) -> WhereRaw:
    """wf_request.id among the few ids `subquery` selects (one's pending tasks). On PostgreSQL as = ANY(ARRAY(…)): the
    ids are read once from their index and the requests by primary key — with IN (…) the planner hashes the ids and scans every request
    (35 ms for a department head's 1,134 pending tasks among 200,000 requests, against 2 ms)."""
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    if isinstance(engine_finder(), PostgresEngine):
        return WhereRaw(f"wf_request.id = ANY(ARRAY({subquery}))", *args)
    return WhereRaw(f"wf_request.id IN ({subquery})", *args)


def inbox_listing(tab: str, user) -> Listing:
    uid = int(user.user_id)
    where = {
        "todo": _request_in("SELECT t.request FROM wf_task t WHERE t.assignee = {} AND t.status = {}", uid, T_PENDING),
        "mine": Request.applicant_user == uid,
        # what one has done or been copied on can be most requests (a department head's 191,000 of 200,000): there
        # the planner's hashed IN (…) is the better plan
        "done": WhereRaw("wf_request.id IN (SELECT a.request FROM wf_action a WHERE a.actor = {} AND a.action IN ('同意','驳回','退回修改','转交','加签'))", uid),
        "cc": WhereRaw("wf_request.id IN (SELECT c.request FROM wf_cc c WHERE c.\"user\" = {} AND c.sent_at IS NOT NULL)", uid),
    }[tab]
    return Listing(
        table=Request, select=_REQUEST_SELECT, columns=_request_columns(), filters=_REQUEST_FILTERS,
        default_sort="submitted_at", default_desc=True, base_url="/workflow", target_id="inbox-list", extra_where=(where,),
        kept_order=_pending_in_order if tab == "todo" else None,
    )


def _pending_in_order(user) -> tuple:
    """One's pending tasks newest request first, from the index wf_task_inbox (assignee, status, submitted_at,
    request): the inbox's default page reads its 20 ids there. One pending task per request and person (the engine
    refuses a second: transfer and 加签 check the step), so the tasks count the requests."""
    mine = (Task.assignee == int(user.user_id)) & (Task.status == T_PENDING)
    ids = Task.select(Task.request).where(mine).order_by(Task.submitted_at, ascending=False).order_by(Task.request, ascending=False)
    return ids, Task.count().where(mine)


def all_requests_listing() -> Listing:
    return Listing(table=Request, select=_REQUEST_SELECT, columns=_request_columns(), filters=_REQUEST_FILTERS,
                   default_sort="submitted_at", default_desc=True, base_url="/workflow/all", target_id="all-list")


def decorate(rows: list[dict]) -> None:
    for r in rows:
        f = get_flow(r.get("flow", ""))
        r["flow_name"] = f.name if f else r.get("flow", "")


async def pending_count(user_id: int) -> int:
    return await Task.count().where((Task.assignee == user_id) & (Task.status == T_PENDING))


async def next_pending(user_id: int, exclude_request: int | None = None) -> dict | None:
    """The next request waiting on this user (oldest task first), for the 下一条待办 button after an action."""
    where = (Task.assignee == user_id) & (Task.status == T_PENDING)
    if exclude_request:
        where = where & (Task.request != exclude_request)
    row = await Task.select(Task.request, Task.request.number, Task.request.title).where(where).order_by(Task.id).first()
    return {"id": row["request"], "number": row["request.number"], "title": row["request.title"]} if row else None


async def overdue_tasks(limit: int = 200) -> list[dict]:
    today = today_local()
    rows = await Task.select(
        Task.id, Task.request, Task.assignee, Task.step.name, Task.step.due_on, Task.request.number, Task.request.title, Task.request.flow,
    ).where((Task.status == T_PENDING) & (Task.step.due_on < today)).order_by(Task.step.due_on).limit(limit)
    names = {r["user"]: r["name"] for r in await Employee.select(Employee.user, Employee.name).where(Employee.user.is_in([r["assignee"] for r in rows] or [0]))}
    for r in rows:
        r["assignee_name"] = names.get(r["assignee"], "")
        r["days_late"] = (today - r["step.due_on"]).days
        f = get_flow(r["request.flow"])
        r["flow_name"] = f.name if f else r["request.flow"]
    return rows


async def my_delegations(user_id: int) -> list[dict]:
    rows = await Delegation.select().where(Delegation.principal == user_id).order_by(Delegation.start_on, ascending=False).limit(50)
    names = {r["user"]: r["name"] for r in await Employee.select(Employee.user, Employee.name).where(Employee.user.is_in([r["deputy"] for r in rows] or [0]))}
    for r in rows:
        r["deputy_name"] = names.get(r["deputy"], "")
    return rows


async def unknown_users(ids: list[int]) -> set[int]:
    """The ids among `ids` that are not active colleagues with a sign-in (one query)."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return set()
    known = {r["user"] for r in await Employee.select(Employee.user).where(
        (Employee.active == True) & Employee.user.is_in([i for i in wanted if 0 < i < 2**31] or [0]))}  # noqa: E712
    return wanted - known


PEOPLE_LIMIT = 30


async def search_colleagues(user, q: str, limit: int = PEOPLE_LIMIT) -> list[tuple[str, str]]:
    """The people picker's matches as the user types: active colleagues with a sign-in (not oneself), by name,
    department or position; one query, limited."""
    from app.core.listing import like_text

    text = like_text(q)[:30]
    where = (Employee.active == True) & (Employee.user.is_not_null()) & (Employee.user != user.user_id)  # noqa: E712
    if text:
        pat = f"%{text}%"
        where = where & (Employee.name.ilike(pat) | Employee.department.name.ilike(pat) | Employee.position.name.ilike(pat))
    rows = await Employee.select(Employee.user, Employee.name, Employee.position.name, Employee.department.name).where(where).order_by(
        Employee.department).order_by(Employee.id).limit(limit)
    return [(str(r["user"]), f'{r["name"]}（{r["department.name"]} · {r["position.name"]}）') for r in rows]


async def colleague_choices(user) -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.user, Employee.name, Employee.position.name, Employee.department.name).where(
        (Employee.active == True) & (Employee.user.is_not_null()) & (Employee.user != user.user_id)  # noqa: E712
    ).order_by(Employee.department).order_by(Employee.id)
    return [(str(r["user"]), f'{r["name"]}（{r["department.name"]} · {r["position.name"]}）') for r in rows]
