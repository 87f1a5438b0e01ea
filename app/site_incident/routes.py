"""Incident reports on the sales-office tablet (SPEC §F4 事件报告): the list (paged, by kind and month), the report
form (photos from the camera), the incident's page (who was told when, the P1 case it opened) and the 客服主管's
follow-up/close."""
from __future__ import annotations

from datetime import datetime

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI
from app.core.web import Form, redirect_with_flash, render
from app.site_incident import services
from app.site_incident.tables import CLOSED, ESCALATED, KINDS

FIELDS = ("team", "kind", "occurred_at", "place", "people", "account", "actions", "contact_phone", "called_110", "called_119",
          "called_120", "follow_up", "close", "version")


def _values(data) -> dict[str, str]:
    """The form's text values (one per name: the last), never the files."""
    out: dict[str, str] = {}
    for k in FIELDS:
        vals = [v for v in (data.getall(k, []) if hasattr(data, "getall") else [data.get(k)]) if isinstance(v, str)]
        if vals:
            out[k] = vals[-1]
    return out


def _readable(request: Request) -> None:
    if not services.may_read(request.user):
        raise PermissionDeniedException("无权查看事件报告")


@get("/", guards=[requires(Perm.SITE)])
async def incident_list(request: Request) -> Response:
    _readable(request)
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    result, shown = await services.page(request.user, params)
    return render(request, "site_incident/list.html", {"page": result, "shown": shown, "kinds": KINDS,
                                                       "may_report": services.may_report(request.user)})


async def _form_page(request: Request, form: Form, files: dict | None = None, status_code: int = 200) -> Response:
    teams = await services.team_choices(request.user)
    if len(teams) == 1:
        form.values.setdefault("team", str(teams[0]["id"]))
    return render(request, "site_incident/new.html", {
        "form": form, "teams": [(str(t["id"]), f"{t['name']}（{t['project.name']}）") for t in teams],
        "kinds": [(k, k) for k in KINDS], "escalated": ESCALATED, "labels": services.LABELS,
        "files": files or await attachments.form_context(request.user, [])}, status_code=status_code)


@get("/new", guards=[requires(Perm.SITE_SECURITY)])
async def incident_form(request: Request) -> Response:
    from app.org.tables import Employee

    me = await Employee.select(Employee.mobile).where(Employee.id == (request.user.employee_id or 0)).first()
    values = {"occurred_at": datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M"), "contact_phone": (me or {}).get("mobile") or ""}
    return await _form_page(request, Form(values=values))


@post("/new", guards=[requires(Perm.SITE_SECURITY)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def incident_submit(request: Request) -> Response:
    data = await request.form()
    form = Form(values=_values(data))
    ids, files, removed = await attachments.form_files(request.user, data, form)
    if removed:
        return await _form_page(request, form, files)
    if form.ok:
        try:
            done = await services.create(request.user, form.values, ids)
        except services.IncidentError as e:
            form.errors.update(e.errors)
        else:
            msg = f"已报告 {done['number']}，已通知 {done['notified']} 人"
            if done["case"]:
                msg += f"，并立 {done['case']['level']} 客服案件 {done['case']['number']}"
            return redirect_with_flash(services.url(done["id"]), msg, "success", request)
    return await _form_page(request, form, files, status_code=400)


async def _detail(request: Request, incident_id: str, form: Form | None = None, status_code: int = 200) -> Response:
    inc = await services.get(request.user, incident_id)
    if inc is None:
        raise NotFoundException("事件不存在")
    return render(request, "site_incident/detail.html", {
        "inc": inc, "notices": await services.notices(inc["id"]), "closed": inc["status"] == CLOSED,
        "att": await attachments.panel(request.user, services.OWNER, inc["id"]),
        "may_follow_up": services.may_follow_up(request.user) and inc["status"] != CLOSED,
        "form": form or Form(values={"version": str(inc["version"])}),
        "sees_case": request.user.can(Perm.CARE_VIEW)}, status_code=status_code)


@get("/{incident_id:str}", guards=[requires(Perm.SITE)])
async def incident_detail(request: Request, incident_id: str) -> Response:
    _readable(request)
    return await _detail(request, incident_id)


@post("/{incident_id:str}/follow-up", guards=[requires(Perm.SITE_MANAGE)], status_code=200)
async def incident_follow_up(request: Request, incident_id: str) -> Response:
    inc = await services.get(request.user, incident_id)
    if inc is None:
        raise NotFoundException("事件不存在")
    data = await request.form()
    values = _values(data)
    try:
        msg = await services.follow_up(request.user, inc, values)
    except services.IncidentError as e:
        values["version"] = str(inc["version"])
        return await _detail(request, incident_id, Form(values=values, errors=e.errors), 400)
    return redirect_with_flash(services.url(inc["id"]), msg, "success", request)


router = Router(path="/site/incidents", route_handlers=[incident_list, incident_form, incident_submit, incident_detail, incident_follow_up])
