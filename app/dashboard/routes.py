"""Home page per role: what is waiting for me, and shortcuts. Each domain contributes its own widgets."""
from __future__ import annotations

from litestar import Request, Response, get, post

from app.core.guards import requires
from app.core.nav import nav_for
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import redirect_with_flash, render
from app.core.workdays import missing_schedule_years
from app.rules import services as rules


@get("/", guards=[requires(Perm.HOME)])
async def home(request: Request) -> Response:
    user = request.user
    todo = []
    if user.can(Perm.WORKFLOW):
        from app.workflow.services import pending_count

        n = await pending_count(user.user_id)
        if n:
            todo.append({"label": "待我审批", "count": n, "url": "/workflow?tab=todo", "items": [], "testid": "todo-approvals"})
    if user.can(Perm.PIPELINE):
        from app.pipeline.queries import queue

        items = await queue(user)
        if items:
            late = sum(1 for i in items if i["overdue"])
            todo.append({"label": f"交易办理队列（其中逾期 {late} 项）" if late else "交易办理队列", "count": len(items), "url": "/pipeline/queue",
                         "items": [], "testid": "todo-queue"})
    if user.can(Perm.RULES_VIEW):
        docs = await rules.documents_for(user)
        unread = [d for d in docs if d["version"] and d["requires_ack"] and not d["read"]]
        if unread:
            todo.append({"label": "待阅读确认的规章", "count": len(unread), "url": "/rules", "items": unread[:5], "testid": "todo-rules"})
    progress = []
    if user.can(Perm.RULES_MANAGE):
        for v in await rules.current_versions():
            s = await rules.ack_summary(v["id"])
            progress.append({**v, **s})
    warnings = []
    if user.can(Perm.ADMIN):
        for y in await missing_schedule_years(today_local()):
            warnings.append(f"{y} 年的法定节假日与调休安排尚未录入：请在“系统 › 节假日录入”中录入国务院公布的安排，否则工作日只按周末计算。")
    shortcuts = [i for g in nav_for(user) for i in g.items if i.url != "/"]
    from app.core.notify import unread_for

    notes = await unread_for(user.user_id)
    return render(request, "dashboard/home.html", {"todo": todo, "progress": progress, "warnings": warnings, "shortcuts": shortcuts, "notes": notes})


async def todo_count(user) -> int:
    """The number on the top bar's 待办 badge: the sum of every chapter's waiting items."""
    total = 0
    if user.can(Perm.WORKFLOW):
        from app.workflow.services import pending_count

        total += await pending_count(user.user_id)
    if user.can(Perm.RULES_VIEW):
        total += await rules.unread_count(user)
    return total


@get("/badge", guards=[requires(Perm.HOME)])
async def badge(request: Request) -> Response:
    return render(request, "dashboard/_badge.html", {"count": await todo_count(request.user), "oob": False})


@post("/notifications/read", guards=[requires(Perm.HOME)], status_code=200)
async def notifications_read(request: Request) -> Response:
    from app.core.notify import mark_read

    await mark_read(request.user.user_id)
    return redirect_with_flash("/", "消息已全部标为已读", "info", request)
