"""The cleaning pages of the sales office (SPEC §F5–F6), tablet first: the areas with their last score and the open
rectifications (/site/cleaning), the inspect form per area, a rectification with its before/after photos and the
re-inspection that closes it, an inspection's record, and the monthly averages per area and per contractor."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments
from app.core.guards import requires
from app.core.months import month_bounds
from app.core.pagination import clamp_page
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI, now, today_local
from app.core.web import Form, redirect_with_flash, render
from app.site import services as site
from app.site.tables import CLEANING
from app.site_cleaning import services
from app.site_cleaning.attachment_owners import INSPECTION, TICKET
from app.site_cleaning.tables import CHECKED, DONE, TODO

GUARD = [requires(Perm.SITE_CLEANING)]


def _values(data, checklist: list[dict]) -> dict:
    return services.clean(data, [services.field_name(it["id"]) for it in checklist] + ["note", "done_note"])


@get("/", guards=GUARD)
async def index(request: Request) -> Response:
    user = request.user
    teams = await site.teams_for(user, CLEANING)
    ids = [t["id"] for t in teams]
    tickets = await services.open_tickets(ids, page=clamp_page(request.query_params.get("page")))
    return render(request, "site_cleaning/index.html", {
        "teams": teams, "areas": await services.areas(ids), "tickets": tickets, "cfg": await services.config(),
        "may_inspect": {t["id"]: services.may_inspect(user, t) for t in teams}, "now": now(), "month": today_local().strftime("%Y-%m")})


async def _area(request: Request, area_id: int, *, write: bool = False) -> tuple[dict, dict]:
    found = await services.area_for(request.user, area_id)
    if not found:
        raise NotFoundException("没有这个保洁区域")
    if write and not services.may_inspect(request.user, found[1]):
        raise PermissionDeniedException("只有保洁领班或客服主管可以检查评分")
    return found


async def _inspect_page(request: Request, area: dict, team: dict, form: Form | None = None, files: dict | None = None,
                        status_code: int = 200) -> Response:
    return render(request, "site_cleaning/inspect.html", {
        "area": area, "team": team, "checklist": await services.items(area["id"]), "form": form or Form(), "cfg": await services.config(),
        "files": files or await attachments.form_context(request.user, []), "action": f"/site/cleaning/areas/{area['id']}/inspect",
        "recheck": None}, status_code=status_code)


@get("/areas/{area_id:int}", guards=GUARD)
async def area_detail(request: Request, area_id: int) -> Response:
    area, team = await _area(request, area_id)
    return render(request, "site_cleaning/area.html", {
        "area": area, "team": team, "rows": await services.history(area["id"], page=clamp_page(request.query_params.get("page"))),
        "may_inspect": services.may_inspect(request.user, team)})


@get("/areas/{area_id:int}/inspect", guards=GUARD)
async def inspect_form(request: Request, area_id: int) -> Response:
    area, team = await _area(request, area_id, write=True)
    return await _inspect_page(request, area, team)


@post("/areas/{area_id:int}/inspect", guards=GUARD, status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def inspect_submit(request: Request, area_id: int) -> Response:
    area, team = await _area(request, area_id, write=True)
    data = await request.form()
    checklist = await services.items(area["id"])
    form = Form(values=_values(data, checklist))
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed or form.errors:
        return await _inspect_page(request, area, team, form, files, 200 if only_removed else 400)
    try:
        done = await services.inspect(request.user, area, team, data, file_ids)
    except services.Refused as e:
        form.errors.update(e.errors)
        if "attachments" in e.errors:
            files = {**files, "error": e.errors["attachments"]}
        return await _inspect_page(request, area, team, form, files, 400)
    if done["ticket"]:
        return redirect_with_flash(f"/site/cleaning/rectifications/{done['ticket']}",
                                   f"{area['name']} {done['score']} 分（{done['grade']}），已开整改单", "warning", request)
    return redirect_with_flash("/site/cleaning", f"{area['name']} 检查完成：{done['score']} 分（{done['grade']}）", "success", request)


@get("/inspections/{inspection_id:int}", guards=GUARD)
async def inspection_detail(request: Request, inspection_id: int) -> Response:
    found = await services.inspection_for(request.user, inspection_id)
    if not found:
        raise NotFoundException("没有这条检查记录")
    row, team = found
    return render(request, "site_cleaning/inspection.html", {
        "row": row, "team": team, "deductions": await services.deductions(row["id"]), "photos": await attachments.list_for(INSPECTION, row["id"]),
        "ticket": await services.ticket_of_inspection(row["id"])})


async def _ticket(request: Request, ticket_id: int) -> tuple[dict, dict]:
    found = await services.ticket_for(request.user, ticket_id)
    if not found:
        raise NotFoundException("没有这张整改单")
    return found


async def _ticket_page(request: Request, ticket: dict, team: dict, *, form: Form | None = None, files: dict | None = None,
                       recheck_form: Form | None = None, recheck_files: dict | None = None, status_code: int = 200) -> Response:
    user = request.user
    area = {"id": ticket["area"], "name": ticket["area.name"]}
    recheck = None
    if ticket["reinspection"]:
        from app.site_cleaning.tables import CleanInspection

        recheck = await CleanInspection.select(CleanInspection.id, CleanInspection.score, CleanInspection.grade, CleanInspection.at,
                                               CleanInspection.by_name).where(CleanInspection.id == ticket["reinspection"]).first()
    return render(request, "site_cleaning/ticket.html", {
        "t": ticket, "team": team, "area": area, "TODO": TODO, "DONE": DONE, "CHECKED": CHECKED, "recheck": recheck,
        "deductions": await services.deductions(ticket["inspection"]),
        "before": await attachments.list_for(INSPECTION, ticket["inspection"]), "after": await attachments.list_for(TICKET, ticket["id"]),
        "form": form or Form(), "files": files or await attachments.form_context(user, []),
        "may_inspect": services.may_inspect(user, team), "checklist": await services.items(ticket["area"]) if ticket["status"] == DONE else [],
        "recheck_form": recheck_form or Form(prefix="r-"), "recheck_files": recheck_files or await attachments.form_context(user, []),
        "action": f"/site/cleaning/rectifications/{ticket['id']}/reinspect", "cfg": await services.config(),
        "due_local": ticket["due_at"].astimezone(SHANGHAI)}, status_code=status_code)


@get("/rectifications/{ticket_id:int}", guards=GUARD)
async def ticket_detail(request: Request, ticket_id: int) -> Response:
    ticket, team = await _ticket(request, ticket_id)
    return await _ticket_page(request, ticket, team)


@post("/rectifications/{ticket_id:int}/done", guards=GUARD, status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def ticket_done(request: Request, ticket_id: int) -> Response:
    ticket, team = await _ticket(request, ticket_id)
    data = await request.form()
    form = Form(values=_values(data, []))
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed or form.errors:
        return await _ticket_page(request, ticket, team, form=form, files=files, status_code=200 if only_removed else 400)
    try:
        await services.mark_done(request.user, ticket, data, file_ids)
    except services.Refused as e:
        form.errors.update(e.errors)
        if "attachments" in e.errors:
            files = {**files, "error": e.errors["attachments"]}
        return await _ticket_page(request, ticket, team, form=form, files=files, status_code=400)
    return redirect_with_flash(f"/site/cleaning/rectifications/{ticket_id}", "已整改，请领班复检", "success", request)


@post("/rectifications/{ticket_id:int}/reinspect", guards=GUARD, status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def ticket_reinspect(request: Request, ticket_id: int) -> Response:
    ticket, team = await _ticket(request, ticket_id)
    if not services.may_inspect(request.user, team):
        raise PermissionDeniedException("只有保洁领班或客服主管可以复检")
    found = await services.area_for(request.user, ticket["area"])
    if not found:
        raise NotFoundException("该保洁区域已停用")
    area = found[0]
    data = await request.form()
    checklist = await services.items(area["id"])
    form = Form(values=_values(data, checklist), prefix="r-")
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed or form.errors:
        return await _ticket_page(request, ticket, team, recheck_form=form, recheck_files=files, status_code=200 if only_removed else 400)
    try:
        done = await services.inspect(request.user, area, team, data, file_ids, ticket_id=ticket["id"])
    except services.Refused as e:
        form.errors.update(e.errors)
        if "attachments" in e.errors:
            files = {**files, "error": e.errors["attachments"]}
        return await _ticket_page(request, ticket, team, recheck_form=form, recheck_files=files, status_code=400)
    if done["ticket"]:
        return redirect_with_flash(f"/site/cleaning/rectifications/{done['ticket']}",
                                   f"复检 {done['score']} 分仍不合格，已开新的整改单", "warning", request)
    return redirect_with_flash(f"/site/cleaning/rectifications/{ticket_id}", f"复检完成：{done['score']} 分（{done['grade']}），整改单已关闭",
                               "success", request)


@get("/months", guards=GUARD)
async def months(request: Request) -> Response:
    raw = request.query_params.get("month") or today_local().strftime("%Y-%m")
    bounds = month_bounds(raw if isinstance(raw, str) else "")
    error = ""
    if bounds is None:
        error = "月份格式应为 YYYY-MM，例如 2026-12"
        raw = today_local().strftime("%Y-%m")
        bounds = month_bounds(raw)
    teams = await site.teams_for(request.user, CLEANING)
    figures = await services.month_averages([t["id"] for t in teams], *bounds)
    return render(request, "site_cleaning/months.html", {"month": raw, "error": error, "figures": figures, "teams": teams,
                                                          "cfg": await services.config()}, status_code=400 if error else 200)


router = Router(path="/site/cleaning", route_handlers=[index, area_detail, inspect_form, inspect_submit, inspection_detail, ticket_detail, ticket_done,
                                                       ticket_reinspect, months])
