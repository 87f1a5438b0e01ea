"""The gate logs on the guard's tablet (SPEC §F4): /site/visitors and /site/vehicles. Each page: the form at the top
(primary button at the bottom, in site-actions), the day's counts, the day's list (paged in SQL) with a 离开 button per
row still inside, a day filter. The two pages share one shape, declared per kind (GateLog)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Awaitable, Callable

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.fields import Parser, parse_id, pick_id
from app.core.guards import requires
from app.core.pagination import Page, clamp_page
from app.core.permissions import Perm
from app.core.timeutil import parse_date
from app.core.web import Form, form_data, redirect_with_flash, render
from app.site.services import team_for, teams_for
from app.site.tables import SECURITY
from app.site_logs import services
from app.site_logs.tables import PARTIES, PURPOSES, VEHICLE_KINDS, SiteVehicle, SiteVisitor

GUARD = [requires(Perm.SITE_SECURITY)]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # NUL and the like: PostgreSQL refuses NUL in text


@dataclass(frozen=True)
class GateLog:
    key: str  # visitors / vehicles
    title: str
    template: str
    fragment: str
    table: Any
    parse: Callable[[Any], tuple[dict, dict[str, str]]]
    list_rows: Callable[..., Awaitable[Page]]
    defaults: dict[str, str]

    @property
    def url(self) -> str:
        return f"/site/{self.key}"


VISITORS = GateLog("visitors", "访客登记", "site_logs/visitors.html", "site_logs/_visitor_list.html", SiteVisitor,
                   services.parse_visitor, services.visitors, {"purpose": "看房"})
VEHICLES = GateLog("vehicles", "车辆登记", "site_logs/vehicles.html", "site_logs/_vehicle_list.html", SiteVehicle,
                   services.parse_vehicle, services.vehicles, {"kind": "小型车", "party": "访客"})


@dataclass
class ListResult:
    """What _partials/pagination.html reads."""
    page: Page
    base_url: str
    target_id: str


def _day(raw: str) -> tuple[date, str]:
    if not raw:
        return services.today(), ""
    try:
        return parse_date(raw), ""
    except (ValueError, OverflowError):
        return services.today(), "日期格式不正确，已显示今天"


async def _team(request: Request, raw: str) -> dict | None:
    """The chosen team (404 when it is not one the user reaches), else the user's first security team (None: none)."""
    if raw:
        team = await team_for(request.user, parse_id(raw), SECURITY)
        if team is None:
            raise NotFoundException("该班组不存在")
        return team
    teams = await teams_for(request.user, SECURITY)
    return teams[0] if teams else None


async def _page(request: Request, log: GateLog, *, team: dict | None = None, form: Form | None = None,
                status_code: int = 200) -> Response:
    q = request.query_params
    if team is None:
        team = await _team(request, q.get("team") or "")
    day, day_error = _day((q.get("day") or "").strip())
    ctx: dict[str, Any] = {
        "log": log, "title": log.title, "teams": await teams_for(request.user, SECURITY), "team": team, "day": day,
        "day_error": day_error, "is_today": day == services.today(), "form": form or Form(values=dict(log.defaults)),
        "purposes": [(p, p) for p in PURPOSES], "kinds": [(k, k) for k in VEHICLE_KINDS], "parties": [(p, p) for p in PARTIES],
        "counts": None, "result": None,
    }
    if team:
        params = {"team": str(team["id"]), "day": day.isoformat()}
        ctx["counts"] = await services.counts(log.table, team["id"], day)
        page = await log.list_rows(team["id"], day, clamp_page(q.get("page")), params)
        ctx["result"] = ListResult(page=page, base_url=log.url, target_id=f"{log.key}-list")
    return render(request, log.template, ctx, fragment=log.fragment, status_code=status_code)


async def _create(request: Request, log: GateLog) -> Response:
    data = {k: _CONTROL.sub("", v) for k, v in (await form_data(request)).items()}
    p = Parser(data)
    team_id = pick_id(p, "team", "班组")
    team = await team_for(request.user, team_id, SECURITY) if team_id else None
    if team is None:
        raise NotFoundException("该班组不存在")
    clean, errors = log.parse(data)
    form = Form(values={k: v for k, v in data.items() if not k.startswith("_")}, errors=dict(errors))
    if errors:
        return await _page(request, log, team=team, form=form, status_code=400)
    if log is VISITORS:
        await services.log_visitor(request.user, team["id"], clean)
        message = f"已登记访客 {clean['name']}（{clean['purpose']}）进入"
    else:
        done = await services.log_vehicle(request.user, team["id"], clean)
        if isinstance(done, str):
            form.error("plate", done)
            return await _page(request, log, team=team, form=form, status_code=400)
        message = f"已登记车辆 {clean['plate']} 进场"
    return redirect_with_flash(f"{log.url}?team={team['id']}", message, "success", request)


async def _leave(request: Request, log: GateLog, raw_id: str) -> Response:
    record_id = parse_id(raw_id)
    if record_id is None:
        raise NotFoundException("该记录不存在")
    leaves = services.visitor_leaves if log is VISITORS else services.vehicle_leaves
    try:
        row, changed = await leaves(request.user, record_id)
    except services.NotReached:
        raise NotFoundException("该记录不存在") from None
    back = f"{log.url}?team={row['team']}&day={row['day'].isoformat()}"
    if not changed:
        return redirect_with_flash(back, "已登记过离开，离开时间不变", "info", request)
    who = row.get("name") or row.get("plate")
    return redirect_with_flash(back, f"已登记 {who} 离开", "success", request)


@get("/visitors", guards=GUARD)
async def visitor_page(request: Request) -> Response:
    return await _page(request, VISITORS)


@post("/visitors", guards=GUARD, status_code=200)
async def visitor_create(request: Request) -> Response:
    return await _create(request, VISITORS)


@post("/visitors/{record_id:str}/leave", guards=GUARD, status_code=200)
async def visitor_leave(request: Request, record_id: str) -> Response:
    return await _leave(request, VISITORS, record_id)


@get("/vehicles", guards=GUARD)
async def vehicle_page(request: Request) -> Response:
    return await _page(request, VEHICLES)


@post("/vehicles", guards=GUARD, status_code=200)
async def vehicle_create(request: Request) -> Response:
    return await _create(request, VEHICLES)


@post("/vehicles/{record_id:str}/leave", guards=GUARD, status_code=200)
async def vehicle_leave(request: Request, record_id: str) -> Response:
    return await _leave(request, VEHICLES, record_id)


router = Router(path="/site", route_handlers=[visitor_page, visitor_create, visitor_leave,
                                              vehicle_page, vehicle_create, vehicle_leave])
