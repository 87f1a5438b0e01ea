"""Home page per role: the role's own figures first (app/dashboard/figures.py, all counted in SQL), then what is waiting
for me. Also the router of the top bar's search (app/core/search.py)."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.response import Redirect

from app.core.figcache import cached_many
from app.core.gating import first_pending
from app.core.guards import requires
from app.core.nav import nav_for
from app.dashboard import figures
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import redirect_with_flash, render
from app.core.workdays import missing_schedule_years
from app.rules import services as rules


@get("/", guards=[requires(Perm.HOME)])
async def home(request: Request) -> Response:
    user = request.user
    gate = await first_pending(user)
    if gate:
        return Redirect(path=gate, status_code=303)
    todo = []
    approvals = 0
    if user.can(Perm.WORKFLOW):
        from app.workflow.services import pending_count

        n = approvals = await pending_count(user.user_id)
        if n:
            todo.append({"label": "待我审批", "count": n, "url": "/workflow?tab=todo", "items": [], "testid": "todo-approvals"})
    today = today_local()
    # the role's kept figures (app/dashboard/figures.py) in one figure-cache read: the queue counts, the executive
    # figures, the overdue approvals by approver — whichever this role's home shows
    wants_exec = user.role in figures.EXECUTIVE_ROLES and user.can(Perm.PIPELINE)
    wants_team = user.role in figures.TEAM_ROLES and user.can(Perm.PIPELINE)
    items: dict[str, tuple] = {}
    if user.can(Perm.PIPELINE):
        from app.pipeline import services as pipeline

        items["queue"] = figures.queue_counts_item(user, today, await pipeline.all_settings())
    if wants_exec:
        items["execu"] = figures.executive_item(user, today)
    if wants_team and user.can(Perm.WORKFLOW_ALL):
        items["late"] = figures.overdue_approvals_item(today)
    kept = dict(zip(items, await cached_many(list(items.values()))))
    queue = kept.get("queue", [])
    n_open, n_late = sum(q["open"] for q in queue), sum(q["overdue"] for q in queue)
    if n_open:
        todo.append({"label": f"交易办理队列（其中逾期 {n_late} 项）" if n_late else "交易办理队列", "count": n_open, "url": "/pipeline/queue",
                     "items": [], "testid": "todo-queue"})
    if user.can(Perm.RULES_VIEW):
        unread = await rules.unread_rules(user)
        if unread:
            todo.append({"label": "待阅读确认的规章", "count": len(unread), "url": "/rules", "items": unread[:5], "testid": "todo-rules"})
    progress = []
    if user.can(Perm.RULES_MANAGE):
        versions = await rules.current_versions()
        summaries = await rules.ack_summaries([v["id"] for v in versions])
        progress = [{**v, **summaries[v["id"]]} for v in versions]
    warnings = []
    if user.can(Perm.ADMIN):
        for y in await missing_schedule_years(today):
            warnings.append(f"{y} 年的法定节假日与调休安排尚未录入：请在“系统 › 节假日录入”中录入国务院公布的安排，否则工作日只按周末计算。")
    execu = kept.get("execu")
    team = {"queue": queue, "late_approvals": kept.get("late", [])} if wants_team else None
    mine = queue if queue and team is None else []  # an officer's own queue by task
    return_ctx = {"execu": execu, "team": team, "mine": mine, "approvals": approvals, "actions": main_actions(user),
                  "charts": charts(execu, team)}
    from app.core.notify import unread_for

    notes = await unread_for(user.user_id)
    return render(request, "dashboard/home.html", {"todo": todo, "progress": progress, "warnings": warnings, "notes": notes, **return_ctx})


MAIN_ACTIONS = ("nav-workflow-new", "nav-queue", "nav-units", "nav-ledgers", "nav-receipts", "nav-office-items", "nav-seal-log")


def main_actions(user, limit: int = 3) -> list:
    """At most a few of the role's main actions for the page header (the sidebar holds the rest)."""
    items = {i.testid: i for g in nav_for(user) for i in g.items}
    return [items[t] for t in MAIN_ACTIONS if t in items][:limit]


def charts(execu, team) -> dict:
    """The data of the home's small charts (drawn by static/js/portal.js with ECharts; the same figures are in tables)."""
    out = {}
    if execu:
        t = execu["trend"]
        out["trend"] = {"type": "trend", "labels": [m["label"] for m in t], "series": [
            {"name": "签约套数", "kind": "bar", "data": [m["count"] for m in t]},
            {"name": "签约金额（万元）", "kind": "line", "axis": 1, "data": [float(round(m["amount"] / 10000, 2)) for m in t]}]}
    if team and team["queue"]:
        q = team["queue"]
        out["queue"] = {"type": "hbar", "labels": [f'{r["task"]}' for r in q], "series": [
            {"name": "未逾期", "kind": "bar", "stack": "q", "data": [r["open"] - r["overdue"] for r in q]},
            {"name": "逾期", "kind": "bar", "stack": "q", "data": [r["overdue"] for r in q]}]}
    return out


async def todo_count(user) -> int:
    """The number on the top bar's 待办 badge: approval tasks waiting on this user, nothing else (unread rules and
    notifications have their own counts in the bell)."""
    if not user.can(Perm.WORKFLOW):
        return 0
    from app.workflow.services import pending_count

    return await pending_count(user.user_id)


async def unread_rules_count(user) -> int:
    return await rules.unread_count(user) if user.can(Perm.RULES_VIEW) else 0


@get("/badge", guards=[requires(Perm.HOME)])
async def badge(request: Request) -> Response:
    return render(request, "dashboard/_badge.html", {"count": await todo_count(request.user), "oob": False})


@get("/bell", guards=[requires(Perm.HOME)])
async def bell(request: Request) -> Response:
    """The top bar's bell: unread notifications, and (separately) rules waiting for a read confirmation."""
    from app.core.notify import unread_count

    return render(request, "core/_bell.html", {"count": await unread_count(request.user.user_id),
                                               "rules_count": await unread_rules_count(request.user)})


NOTE_TABS = {"all": "全部", "unread": "未读"}


@get("/", guards=[requires(Perm.HOME)])
async def notifications(request: Request) -> Response:
    from app.core.notify import KIND_NAMES, page_for, unread_count
    from app.core.pagination import clamp_page

    q = request.query_params
    tab = q.get("tab") if q.get("tab") in NOTE_TABS else "all"
    kind = q.get("kind") if q.get("kind") in KIND_NAMES else ""
    page = await page_for(request.user.user_id, tab=tab, kind=kind, page=clamp_page(q.get("page")))
    result = {"page": page, "base_url": "/notifications", "target_id": "notes-list"}
    return render(request, "core/notifications.html", {
        "result": result, "tab": tab, "kind": kind, "tabs": NOTE_TABS, "kinds": KIND_NAMES,
        "unread": await unread_count(request.user.user_id), "rules_count": await unread_rules_count(request.user),
    }, fragment="core/_notifications_list.html")


def _local_path(raw: str | None, default: str) -> str:
    """Only a path inside the portal (no scheme, no //host): a notification or a form never redirects elsewhere."""
    raw = (raw or "").strip()
    return raw if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and "\n" not in raw else default


@post("/{note_id:int}/open", guards=[requires(Perm.HOME)], status_code=200)
async def notification_open(request: Request, note_id: int) -> Response:
    """Clicking a notification marks it read and opens what it announces. Only one's own: anyone else's is 404."""
    from litestar.exceptions import NotFoundException
    from litestar.response import Redirect

    from app.core.notify import mark_read, own

    note = await own(request.user.user_id, note_id)
    if not note:
        raise NotFoundException("消息不存在")
    await mark_read(request.user.user_id, note_id)
    target = _local_path(note["url"], "/notifications")
    if getattr(request, "htmx", None):
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


@post("/notifications/read", guards=[requires(Perm.HOME)], status_code=200)
async def notifications_read(request: Request) -> Response:
    from app.core.notify import mark_read

    data = await request.form()
    n = await mark_read(request.user.user_id)
    return redirect_with_flash(_local_path(data.get("next"), "/"), f"已将 {n} 条消息标为已读" if n else "没有未读消息", "info", request)


from app.core.search import search_page, search_suggest  # noqa: E402  (the top bar's search)

# Found by app/core/discovery.py: the notification pages and the top bar's search (home, /badge and
# /notifications/read are mounted by app/main.py).
router = Router(path="/", route_handlers=[Router(path="/notifications", route_handlers=[bell, notifications, notification_open]),
                                          search_page, search_suggest])
