"""例会 pages (SPEC §G, [S 1.6]): the minutes list (paged), one meeting, recording the minutes (客服主管 / 客服副经理),
and my action items with a 完成 button (the owner only); overdue items are marked."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, redirect_with_flash, render
from app.hr_meeting import services

MINE = requires(Perm.REQUEST)


@get("/", guards=[MINE])
async def meetings(request: Request) -> Response:
    sel, cnt = services.meetings_query(request.user)  # 人事 and the recorders: all; anyone else: the meetings they were at
    page = await paginate(sel, cnt, page=clamp_page(request.query_params.get("page")), per_page=20, params={})
    today = today_local()
    return render(request, "hr_meeting/list.html", {
        "page": page, "counts": await services.item_counts([r["id"] for r in page.rows], today), "can_record": services.can_record(request.user),
        "result": {"page": page, "base_url": "/hr/meetings", "target_id": "meeting-list"}, "rule_text": services.RULE_TEXT},
        fragment="hr_meeting/_rows.html")


async def _new_page(request: Request, form: Form, status: int = 200) -> Response:
    return render(request, "hr_meeting/new.html", {"form": form, "people": await services.people_choices(), "rows": range(1, services.ITEM_ROWS + 1),
                                                   "rule_text": services.RULE_TEXT}, status_code=status)


def _recorder(request: Request) -> None:
    if not services.can_record(request.user):
        raise PermissionDeniedException("只有客服主管或客服副经理可以记录例会纪要")


@get("/new", guards=[MINE])
async def new_form(request: Request) -> Response:
    _recorder(request)
    return await _new_page(request, Form(values={"held_on": today_local().isoformat(), "chair": str(request.user.employee_id or "")}))


@post("/new", guards=[MINE], status_code=200)
async def new_submit(request: Request) -> Response:
    _recorder(request)
    data = await request.form()
    try:
        mid = await services.record(request.user, data)
    except services.MinutesError as e:
        values = {k: v for k, v in data.items() if isinstance(v, str) and k not in ("attendees", "absent")}
        for k in ("attendees", "absent"):
            values[k] = [v for v in data.getall(k, []) if isinstance(v, str)] if hasattr(data, "getall") else []
        return await _new_page(request, Form(values=values, errors=e.errors), 422)
    return redirect_with_flash(f"/hr/meetings/{mid}", "例会纪要已保存，行动项已分派给负责人", request=request)


@get("/{meeting_id:int}", guards=[MINE])
async def meeting_page(request: Request, meeting_id: int) -> Response:
    m = await services.meeting(meeting_id)
    if m is None:
        raise NotFoundException("例会纪要不存在")
    if not await services.may_see(request.user, meeting_id):
        raise PermissionDeniedException("只有参会人员、行动项负责人、客服主管、客服副经理和人事可以查看这份例会纪要")
    return render(request, "hr_meeting/detail.html", {"m": m, "today": today_local(), "me": request.user.employee_id,
                                                      "rule_text": services.RULE_TEXT})


@get("/items", guards=[MINE])
async def my_items(request: Request) -> Response:
    q = request.query_params
    show_done = q.get("done") == "1"
    page = None
    if request.user.employee_id:
        sel, cnt = services.my_items_query(request.user.employee_id, show_done)
        page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20, params={"done": "1" if show_done else ""})
    return render(request, "hr_meeting/items.html", {
        "page": page, "today": today_local(), "show_done": show_done,
        "result": {"page": page, "base_url": "/hr/meetings/items", "target_id": "item-list"}}, fragment="hr_meeting/_items.html")


@post("/items/{item_id:int}/done", guards=[MINE], status_code=200)
async def item_done(request: Request, item_id: int) -> Response:
    try:
        it = await services.mark_done(request.user, item_id)
    except services.NotYours:
        raise PermissionDeniedException("只有负责人可以标记完成") from None
    if it is None:
        raise NotFoundException("行动项不存在")
    back = request.headers.get("referer", "") or ""
    target = f"/hr/meetings/{it['meeting']}" if f"/hr/meetings/{it['meeting']}" in back else "/hr/meetings/items"
    return redirect_with_flash(target, "已标记完成", request=request)


router = Router(path="/hr/meetings", route_handlers=[meetings, new_form, new_submit, meeting_page, my_items, item_done])
