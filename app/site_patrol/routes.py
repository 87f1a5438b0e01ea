"""Patrol pages on the tablet (SPEC §F3): the patrol start page (the current round per team), the printable QR sheet,
the checkpoint page a scanned QR code opens (正常 in one tap, 异常 with a photo and a note), and the day's report."""
from __future__ import annotations

import datetime as dt

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from markupsafe import Markup

from app.core import attachments
from app.core.fields import parse_id
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import now, parse_date
from app.core.web import Form, redirect_with_flash, render
from app.site import services as site
from app.site.tables import SECURITY
from app.site_patrol import services
from app.site_patrol.tables import ABNORMAL, NORMAL


async def _team(request: Request, raw) -> dict:
    """The team asked for (or the user's first security team); 404 when it is not one the user reaches."""
    user = request.user
    if raw not in (None, ""):
        team = await site.team_for(user, parse_id(raw), SECURITY)
    else:
        teams = await site.teams_for(user, SECURITY)
        team = teams[0] if teams else None
    if team is None:
        raise NotFoundException("班组不存在")
    return team


@get("/", guards=[requires(Perm.SITE_SECURITY)])
async def patrol_home(request: Request) -> Response:
    s = await services.patrol_settings()
    w = services.window_at(now(), s)
    teams = []
    for t in await site.teams_for(request.user, SECURITY):
        status = await services.round_status(t["id"], w)
        teams.append({**t, "status": status, "done": len([c for c in status if c["scan"]])})
    return render(request, "site_patrol/home.html", {"teams": teams, "window": w, "window_label": services.window_label(w),
                                                     "day": services.patrol_day_of(now(), s)})


def qr_svg(url: str, title: str) -> Markup:
    """A checkpoint's QR code as inline SVG, drawn on the server, large enough to scan from a step away (≈ 4 cm)."""
    import segno

    return Markup(segno.make(url, error="m", micro=False).svg_inline(scale=5, border=2, title=title))


@get("/sheet", guards=[requires(Perm.SITE_SECURITY)])
async def sheet(request: Request) -> Response:
    team = await _team(request, request.query_params.get("team"))
    base = str(request.base_url).rstrip("/")
    items = [{**c, "url": f"{base}/site/patrol/c/{c['token']}",
              "qr": qr_svg(f"{base}/site/patrol/c/{c['token']}", f"巡更点 {c['name']}")} for c in await services.checkpoints(team["id"])]
    return render(request, "site_patrol/sheet.html", {"team": team, "items": items, "printed_at": now()})


async def _checkpoint_page(request: Request, cp: dict, form: Form | None = None, files: dict | None = None,
                           status_code: int = 200) -> Response:
    s = await services.patrol_settings()
    w = services.window_at(now(), s)
    status = await services.round_status(cp["team"], w)
    mine = next((c["scan"] for c in status if c["id"] == cp["id"]), None)
    return render(request, "site_patrol/checkpoint.html", {
        "cp": cp, "window": w, "window_label": services.window_label(w), "status": status, "mine": mine,
        "remaining": [c for c in status if not c["scan"]], "form": form or Form(),
        "files": files or await attachments.form_context(request.user, []), "NORMAL": NORMAL, "ABNORMAL": ABNORMAL,
        "day": services.patrol_day_of(now(), s),
    }, status_code=status_code)


@get("/c/{token:str}", guards=[requires(Perm.SITE_SECURITY)])
async def checkpoint(request: Request, token: str) -> Response:
    cp = await services.checkpoint_for(request.user, token)
    if cp is None:
        raise NotFoundException("巡更点不存在")
    return await _checkpoint_page(request, cp)


@post("/c/{token:str}", guards=[requires(Perm.SITE_SECURITY)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def scan(request: Request, token: str) -> Response:
    cp = await services.checkpoint_for(request.user, token)
    if cp is None:
        raise NotFoundException("巡更点不存在")
    data = await request.form()
    form = Form(values={k: data.get(k) if isinstance(data.get(k), str) else "" for k in ("result", "note")})
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed:
        return await _checkpoint_page(request, cp, form, files)
    if form.errors:  # a refused upload (type, size): the form again with the message
        return await _checkpoint_page(request, cp, form, files, 400)
    try:
        done, new = await services.record_scan(request.user, cp, form.values, file_ids)
    except services.PatrolRefused as e:
        form.errors.update(e.errors)
        if "attachments" in e.errors:
            files = {**files, "error": e.errors["attachments"]}
        return await _checkpoint_page(request, cp, form, files, 400)
    url = f"/site/patrol/c/{token}"
    if not new:
        return redirect_with_flash(url, f"本轮（{services.window_label(done['window'])}）已记录过「{cp['name']}」，未重复记录", "info", request)
    return redirect_with_flash(url, f"已记录：{cp['name']} {done['result']}", "success", request)


@get("/report", guards=[requires(Perm.SITE)])
async def report(request: Request) -> Response:
    user = request.user
    if not services.may_read_reports(user):
        raise PermissionDeniedException("无权查看巡更报表")
    team = await _team(request, request.query_params.get("team"))
    s = await services.patrol_settings()
    form = Form(values={"day": request.query_params.get("day", "")})
    day = services.patrol_day_of(now(), s)
    raw = (form.values["day"] or "").strip()
    if raw:
        try:
            day = parse_date(raw[:20])
        except ValueError as e:
            form.error("day", str(e))
        if not (dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31)):
            form.error("day", "日期超出范围")
            day = services.patrol_day_of(now(), s)
    data = await services.day_report(team["id"], day)
    teams = await site.teams_for(user, SECURITY)
    return render(request, "site_patrol/report.html", {"team": team, "teams": teams, "day": day, "form": form, **data,
                                                       "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)})


router = Router(path="/site/patrol", route_handlers=[patrol_home, sheet, checkpoint, scan, report])
