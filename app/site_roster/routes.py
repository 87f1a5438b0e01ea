"""The monthly roster pages (SPEC §F2): the list of a user's team rosters with a form to open a month, the roster
grid (a person per row, a day per column) with the checks' findings, a cell's edit (HTMX swaps the form in place;
without JavaScript it is its own page), the generated first draft, submission on the engine, and swaps."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.fields import parse_id
from app.core.guards import requires
from app.core.months import add_months
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.site import services as site
from app.site_roster import rules, services
from app.site_roster.services import RosterError
from app.site_roster.tables import APPROVED

VIEW = requires(Perm.SITE_LEAD)  # the leads and the 客服主管/副经理 (SITE_MANAGE holds SITE_LEAD)


async def _roster_or_404(request: Request, roster_id: int) -> dict:
    roster = await services.get(request.user, roster_id)
    if roster is None:
        raise NotFoundException()
    return roster


async def _list_page(request: Request, form: Form | None = None, status_code: int = 200) -> Response:
    user = request.user
    q = request.query_params
    page = await paginate(services.list_query(user), services.count_query(user), page=clamp_page(q.get("page")), per_page=20,
                          params={})
    teams = [t for t in await site.teams_for(user) if site.leads(user, t)]
    this = today_local().replace(day=1)
    months = [this]
    for _ in range(2):
        months.append(add_months(months[-1], 1))
    form = form or Form(values={"team": str(teams[0]["id"]) if len(teams) == 1 else "", "month": services.month_text(months[1])})
    return render(request, "site_roster/list.html", {
        "page": page, "result": {"page": page, "base_url": "/site/rosters", "target_id": "roster-list"}, "form": form,
        "team_choices": [(str(t["id"]), t["name"]) for t in teams],
        "month_choices": [(services.month_text(m), services.month_label(m)) for m in months]}, status_code=status_code)


@get("/", guards=[VIEW])
async def roster_list(request: Request) -> Response:
    return await _list_page(request)


@post("/", guards=[VIEW], status_code=200)
async def roster_open(request: Request) -> Response:
    data = await form_data(request)
    form = Form(values=data)
    try:
        rid = await services.open_month(request.user, parse_id(data.get("team")), data.get("month", ""))
    except RosterError as e:
        form.error(e.field or "month", e.message)
        return await _list_page(request, form, 422)
    return redirect_with_flash(f"/site/rosters/{rid}", "已打开排班表", request=request)


async def _roster_ctx(request: Request, roster: dict) -> dict:
    m = await services.month_of(roster)
    problems = services.problems_of(m)
    user = request.user
    return {"roster": roster, "month": m, "label": services.month_label(m.first), "problems": problems,
            "hard": [p for p in problems if p.kind in services.HARD], "grid": services.grid(m, problems),
            "may_edit": services.may_edit(user, roster), "may_lead": services.may_lead(user, roster),
            "may_decide": user.can(Perm.SITE_MANAGE), "approved": roster["status"] == APPROVED,
            "swaps": await services.swaps_of(roster["id"]), "slots": m.slots,
            "posts": m.posts, "submit_url": f"/workflow/new/site_roster?roster={roster['id']}"}


@get("/{roster_id:int}", guards=[VIEW])
async def roster_detail(request: Request, roster_id: int) -> Response:
    roster = await _roster_or_404(request, roster_id)
    return render(request, "site_roster/roster.html", await _roster_ctx(request, roster), fragment="site_roster/_grid.html")


@post("/{roster_id:int}/fill", guards=[VIEW], status_code=200)
async def roster_fill(request: Request, roster_id: int) -> Response:
    roster = await _roster_or_404(request, roster_id)
    data = await form_data(request)
    try:
        n = await services.fill(request.user, roster, data.get("version"))
    except RosterError as e:
        return redirect_with_flash(f"/site/rosters/{roster_id}", e.message, "danger", request=request)
    return redirect_with_flash(f"/site/rosters/{roster_id}", f"已生成排班初稿（{n} 个班次），请逐日核对后提交审批", request=request)


async def _cell_page(request: Request, roster: dict, worker_id, day_raw, form: Form | None = None, status_code: int = 200) -> Response:
    m = await services.month_of(roster)
    worker = parse_id(worker_id)
    if worker not in m.workers:
        raise NotFoundException()
    try:
        from app.core.timeutil import parse_date

        day = parse_date(str(day_raw or ""))
    except (ValueError, TypeError):
        raise NotFoundException() from None
    if day not in rules.month_days(m.first):
        raise NotFoundException()
    current = next((f"{e.slot}:{e.post}" for e in m.entries if e.worker == worker and e.day == day), "")
    form = form or Form(values={"choice": current})
    return render(request, "site_roster/cell.html", {
        "roster": roster, "worker": {"id": worker, "name": m.workers[worker]}, "day": day, "day_text": rules.day_text(day),
        "choices": services.cell_choices(m), "form": form, "may_edit": services.may_edit(request.user, roster)},
        fragment="site_roster/_cell_form.html", status_code=status_code)


@get("/{roster_id:int}/cell", guards=[VIEW])
async def cell_form(request: Request, roster_id: int) -> Response:
    roster = await _roster_or_404(request, roster_id)
    return await _cell_page(request, roster, request.query_params.get("worker"), request.query_params.get("day"))


@post("/{roster_id:int}/cell", guards=[VIEW], status_code=200)
async def cell_save(request: Request, roster_id: int) -> Response:
    roster = await _roster_or_404(request, roster_id)
    data = await form_data(request)
    try:
        text = await services.set_cell(request.user, roster, data.get("worker"), data.get("day"), data.get("choice", "").strip(),
                                       data.get("version"))
    except RosterError as e:
        if e.field in ("worker", "day"):
            raise NotFoundException() from None
        form = Form(values=data)
        form.error("choice", e.message)
        return await _cell_page(request, roster, data.get("worker"), data.get("day"), form, 422)
    return redirect_with_flash(f"/site/rosters/{roster_id}", f"已保存：{text}", request=request)


async def _swap_page(request: Request, roster: dict, form: Form | None = None, status_code: int = 200) -> Response:
    m = await services.month_of(roster)
    entries = await services.entries_of(roster["id"])
    form = form or Form(values={"entry": request.query_params.get("entry", "")})
    return render(request, "site_roster/swap.html", {
        "roster": roster, "form": form, "label": services.month_label(m.first),
        "entry_choices": [(str(e["id"]), f"{rules.day_text(e['day'])} {e['slot.name']} {e['post.name']} · {e['worker.name']}") for e in entries],
        "worker_choices": [(str(w), n) for w, n in m.workers.items()]}, status_code=status_code)


@get("/{roster_id:int}/swap", guards=[VIEW])
async def swap_form(request: Request, roster_id: int) -> Response:
    roster = await _roster_or_404(request, roster_id)
    if roster["status"] != APPROVED or not services.may_lead(request.user, roster):
        return redirect_with_flash(f"/site/rosters/{roster_id}", "只有已批准的排班可以由班组负责人申请换班", "warning", request=request)
    return await _swap_page(request, roster)


@post("/{roster_id:int}/swap", guards=[VIEW], status_code=200)
async def swap_submit(request: Request, roster_id: int) -> Response:
    roster = await _roster_or_404(request, roster_id)
    data = await form_data(request)
    try:
        await services.request_swap(request.user, roster, data.get("entry"), data.get("to_worker"), data.get("reason", ""))
    except RosterError as e:
        form = Form(values=data)
        form.error(e.field or "entry", e.message)
        return await _swap_page(request, roster, form, 422)
    return redirect_with_flash(f"/site/rosters/{roster_id}#swaps", "换班申请已提交客服主管", request=request)


async def _decide(request: Request, roster_id: int, swap_id: int, approve: bool) -> Response:
    roster = await _roster_or_404(request, roster_id)
    data = await form_data(request)
    try:
        await services.decide_swap(request.user, roster, swap_id, approve, data.get("note", ""))
    except RosterError as e:
        return redirect_with_flash(f"/site/rosters/{roster_id}#swaps", e.message, "danger", request=request)
    return redirect_with_flash(f"/site/rosters/{roster_id}#swaps", "已批准换班" if approve else "已拒绝换班", request=request)


@post("/{roster_id:int}/swaps/{swap_id:int}/approve", guards=[requires(Perm.SITE_MANAGE)], status_code=200)
async def swap_approve(request: Request, roster_id: int, swap_id: int) -> Response:
    return await _decide(request, roster_id, swap_id, True)


@post("/{roster_id:int}/swaps/{swap_id:int}/reject", guards=[requires(Perm.SITE_MANAGE)], status_code=200)
async def swap_reject(request: Request, roster_id: int, swap_id: int) -> Response:
    return await _decide(request, roster_id, swap_id, False)


router = Router(path="/site/rosters", route_handlers=[roster_list, roster_open, roster_detail, roster_fill, cell_form, cell_save, swap_form,
                                                     swap_submit, swap_approve, swap_reject])
