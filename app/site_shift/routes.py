"""The shift log (班前点名, the lead's tablet) and the handover (交接班) pages, SPEC §F4/§F6."""
from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments
from app.core.fields import FormValues, parse_id
from app.core.guards import requires
from app.core.pagination import Page, clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import now
from app.core.web import Form, form_data, redirect_with_flash, render
from app.site import services as site
from app.site_shift import services
from app.site_shift.tables import (ATTENDANCE, CHECK_RESULTS, DONE, UNIFORM, WAITING, Handover, ShiftLog)

PER_PAGE = 20


@dataclass
class PagedList:
    page: Page
    base_url: str
    target_id: str


async def _team(request: Request, raw, *, lead: bool = False) -> dict:
    team = await site.team_for(request.user, parse_id(raw))
    if team is None:
        raise NotFoundException("班组不存在")
    if lead and not site.leads(request.user, team):
        raise PermissionDeniedException("只有本班组的队长/领班或客服主管可以填写")
    return team


async def _default_team(request: Request, *, lead: bool) -> dict | None:
    teams = await site.teams_for(request.user)
    mine = [t for t in teams if (site.leads(request.user, t) if lead else services.may_handover(request.user, t))]
    return mine[0] if mine else None


def _team_filter(request: Request) -> int | None:
    return parse_id(request.query_params.get("team"))


# ---------------------------------------------------------------- shift log


@get("/shifts", guards=[requires(Perm.SITE_LEAD)])
async def shift_logs(request: Request) -> Response:
    user = request.user
    teams = await site.teams_for(user)
    q = ShiftLog.select(*services.LOG_COLUMNS).where(ShiftLog.team.is_in(services.visible_teams(user)))
    c = ShiftLog.count().where(ShiftLog.team.is_in(services.visible_teams(user)))
    tid = _team_filter(request)
    if tid:
        q, c = q.where(ShiftLog.team == tid), c.where(ShiftLog.team == tid)
    page = await paginate(q.order_by(ShiftLog.day, ascending=False).order_by(ShiftLog.id, ascending=False), c,
                          page=clamp_page(request.query_params.get("page")), per_page=PER_PAGE,
                          params={"team": str(tid or "")})
    return render(request, "site_shift/logs.html", {"result": PagedList(page, "/site/shifts", "shift-list"), "teams": teams,
                                                    "team_id": tid, "may_write": any(site.leads(user, t) for t in teams)},
                  fragment="site_shift/_logs.html")


async def _log_form(request: Request, team: dict, form: Form, files: dict, *, status_code: int = 200) -> Response:
    all_slots = await services.team_slots(team["id"])
    workers = await site.workers(team["id"])
    posts = await site.posts(team["id"])
    values = form.values
    day, slot = values.get("day"), values.get("slot")
    day = day if isinstance(day, str) else None  # a field sent twice arrives as a list: no day then
    slot = parse_id(slot) if isinstance(slot, str) else None
    existing = None
    if slot and day:
        from app.core.timeutil import parse_date

        try:
            existing = await services.existing_log(team["id"], parse_date(day), slot)
        except (TypeError, ValueError):
            existing = None
    check_rows = services.rows(values, "p_post", "p_result", "p_note") or [(str(p["id"]), "", "") for p in posts]
    consumable_rows = services.rows(values, "c_item", "c_qty")
    damaged_rows = services.rows(values, "d_item", "d_note")
    add = values.get("add", "")
    check_rows += [("", "", "")] * (1 if add == "check" else 0)
    consumable_rows += [("", "")] * (2 if not consumable_rows else (1 if add == "consumable" else 0))
    damaged_rows += [("", "")] * (1 if not damaged_rows or add == "damaged" else 0)
    return render(request, "site_shift/log_form.html", {
        "team": team, "teams": [t for t in await site.teams_for(request.user) if site.leads(request.user, t)],
        "slots": all_slots, "slot_choices": [(x.id, x.label) for x in all_slots], "workers": workers, "posts": posts, "form": form, "files": files, "existing": existing,
        "check_rows": check_rows, "consumable_rows": consumable_rows, "damaged_rows": damaged_rows,
        "ATTENDANCE": ATTENDANCE, "UNIFORM": UNIFORM, "CHECK_RESULTS": CHECK_RESULTS,
    }, status_code=status_code)


@get("/shifts/new", guards=[requires(Perm.SITE_LEAD)])
async def shift_log_new(request: Request) -> Response:
    raw = request.query_params.get("team")
    team = await _team(request, raw, lead=True) if raw else await _default_team(request, lead=True)
    if team is None:
        raise NotFoundException("没有您负责的班组")
    slot, day = services.slot_default(await services.team_slots(team["id"]))
    values = {"day": request.query_params.get("day") or day.isoformat(), "slot": request.query_params.get("slot") or (str(slot.id) if slot else "")}
    return await _log_form(request, team, Form(values=values), await attachments.form_context(request.user, []))


@post("/shifts/new", guards=[requires(Perm.SITE_LEAD)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def shift_log_create(request: Request) -> Response:
    data = await request.form()
    values = FormValues({k: (data.getall(k) if len(data.getall(k)) > 1 else data.get(k)) for k in data.keys() if isinstance(data.get(k), str)})
    team = await _team(request, values.get("team"), lead=True)
    form = Form(values=values)
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed or values.get("add"):
        return await _log_form(request, team, form, files)
    parsed, errors = await services.parse_log(values, team["id"])
    form.errors.update(errors)
    if not form.ok:
        return await _log_form(request, team, form, {**files, "error": form.errors.get("attachments", "")}, status_code=400)
    try:
        log_id = await services.create_log(request.user, team, parsed, file_ids)
    except services.Duplicate as e:
        return redirect_with_flash(f"/site/shifts/{e.existing_id}", f"{e.what}，每个班次只记一次，已为您打开原记录", "warning", request)
    return redirect_with_flash(f"/site/shifts/{log_id}", "班前点名已保存", "success", request)


@get("/shifts/{log_id:int}", guards=[requires(Perm.SITE_LEAD)])
async def shift_log_detail(request: Request, log_id: int) -> Response:
    log = await services.log_detail(request.user, log_id)
    if log is None:
        raise NotFoundException("记录不存在")
    return render(request, "site_shift/log_detail.html", {
        "log": log, "att": await attachments.panel(request.user, services.LOG_OWNER, log_id)})


# ---------------------------------------------------------------- handover


@get("/handovers", guards=[requires(Perm.SITE)])
async def handovers(request: Request) -> Response:
    user = request.user
    teams = await site.teams_for(user)
    scope = Handover.team.is_in(services.visible_teams(user))
    tid = _team_filter(request)
    if tid:
        scope &= Handover.team == tid
    status = request.query_params.get("status")
    if status in (WAITING, DONE):
        scope &= Handover.status == status
    q = Handover.select(*services.HANDOVER_COLUMNS).where(scope).order_by(Handover.day, ascending=False).order_by(Handover.id, ascending=False)
    page = await paginate(q, Handover.count().where(scope), page=clamp_page(request.query_params.get("page")), per_page=PER_PAGE,
                          params={"team": str(tid or ""), "status": status if status in (WAITING, DONE) else ""})
    return render(request, "site_shift/handovers.html", {
        "result": PagedList(page, "/site/handovers", "handover-list"), "teams": teams, "team_id": tid, "status": status,
        "may_write": any(services.may_handover(user, t) for t in teams)}, fragment="site_shift/_handovers.html")


async def _handover_form(request: Request, team: dict, post_row: dict | None, form: Form, *, status_code: int = 200) -> Response:
    teams = [t for t in await site.teams_for(request.user) if services.may_handover(request.user, t)]
    posts = await site.posts(team["id"])
    all_slots = await services.post_slots(post_row, team["id"])
    carried = await services.carried_issues(team["id"], post_row["id"] if post_row else None) if (post_row or not posts) else []
    return render(request, "site_shift/handover_form.html", {
        "team": team, "teams": teams, "posts": posts, "post": post_row, "slots": all_slots, "slot_choices": [(x.id, x.label) for x in all_slots], "workers": await site.workers(team["id"]),
        "worker_choices": [(w["id"], f"{w['name']}（{w['badge']}）") for w in await site.workers(team["id"])],
        "form": form, "carried": carried, "CHECK_RESULTS": CHECK_RESULTS,
        "resolved": {str(x) for x in (form.values.getall("resolved") if hasattr(form.values, "getall") else [])},
    }, status_code=status_code)


async def _post_of(team: dict, raw) -> dict | None:
    pid = parse_id(raw)
    return next((p for p in await site.posts(team["id"]) if p["id"] == pid), None) if pid else None


@get("/handovers/new", guards=[requires(Perm.SITE)])
async def handover_new(request: Request) -> Response:
    raw = request.query_params.get("team")
    team = await _team(request, raw) if raw else await _default_team(request, lead=False)
    if team is None or not services.may_handover(request.user, team):
        raise NotFoundException("没有您所在的班组")
    post_row = await _post_of(team, request.query_params.get("post"))
    slot, day = services.slot_default(await services.post_slots(post_row, team["id"]))
    values = FormValues({"team": str(team["id"]), "post": str(post_row["id"]) if post_row else "", "day": day.isoformat(),
                         "slot": str(slot.id) if slot else "", "fire_status": "正常"})
    return await _handover_form(request, team, post_row, Form(values=values))


@post("/handovers/new", guards=[requires(Perm.SITE)], status_code=200)
async def handover_create(request: Request) -> Response:
    data = await request.form()
    values = FormValues({k: (data.getall(k) if len(data.getall(k)) > 1 else data.get(k)) for k in data.keys() if isinstance(data.get(k), str)})
    team = await _team(request, values.get("team"))
    if not services.may_handover(request.user, team):
        raise PermissionDeniedException("只读：不能填写交接班")
    parsed, errors = await services.parse_handover(values, team["id"])
    form = Form(values=values, errors=errors)
    if not form.ok:
        return await _handover_form(request, team, parsed.post, form, status_code=400)
    try:
        hid = await services.create_handover(request.user, team, parsed)
    except services.Duplicate as e:
        return redirect_with_flash(f"/site/handovers/{e.existing_id}", f"{e.what}，已为您打开原记录", "warning", request)
    return redirect_with_flash(f"/site/handovers/{hid}", f"{parsed.outgoing['name']} 已签名交班，请接班人 {parsed.incoming['name']} 核对后签名",
                               "success", request)


async def _handover_page(request: Request, h: dict, form: Form | None = None, status_code: int = 200) -> Response:
    team = await site.team_for(request.user, h["team"])
    return render(request, "site_shift/handover_detail.html", {
        "h": h, "form": form or Form(), "may_sign": h["status"] == WAITING and bool(team) and services.may_handover(request.user, team),
        "now": now()}, status_code=status_code)


@get("/handovers/{handover_id:int}", guards=[requires(Perm.SITE)])
async def handover_detail(request: Request, handover_id: int) -> Response:
    h = await services.handover_detail(request.user, handover_id)
    if h is None:
        raise NotFoundException("记录不存在")
    return await _handover_page(request, h)


@post("/handovers/{handover_id:int}/sign", guards=[requires(Perm.SITE)], status_code=200)
async def handover_sign(request: Request, handover_id: int) -> Response:
    h = await services.handover_detail(request.user, handover_id)
    if h is None:
        raise NotFoundException("记录不存在")
    team = await site.team_for(request.user, h["team"])
    if not services.may_handover(request.user, team):
        raise PermissionDeniedException("只读：不能签名")
    data = await form_data(request)
    try:
        result = await services.sign_incoming(request.user, handover_id, data.get("in_badge", ""))
    except services.ShiftError as e:
        return await _handover_page(request, h, Form(values=data, errors=e.errors), 400)
    except LookupError:
        raise NotFoundException("记录不存在")
    msg = "接班人已签名，交接完成" + ("（逾时：签名晚于换班时间）" if result["late"] else "")
    return redirect_with_flash(f"/site/handovers/{handover_id}", msg, "warning" if result["late"] else "success", request)


router = Router(path="/site", route_handlers=[shift_logs, shift_log_new, shift_log_create, shift_log_detail, handovers, handover_new,
                                              handover_create, handover_detail, handover_sign])
