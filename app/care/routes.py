"""Customer-care pages (SPEC D1, D2): 登记来电来访 (intake with a live level preview), 案件工作台 (the case list) and the
case page with the actions the user may take now. Thin: parse → app.care.services → template."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.care import core, panels, queries, rules, services, states
from app.care.core import CareError
from app.care.settings import load_limits
from app.core import attachments
from app.core.fields import parse_id
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.web import Form, is_fragment_request, redirect_with_flash, render

FILE_KEYS = ("files", "camera", "attachment_ids", "remove_attachment")


def _values(data) -> dict:
    out = {}
    for k in data.keys():
        if k in FILE_KEYS or k == "_csrf_token":
            continue
        vals = [v for v in data.getall(k) if isinstance(v, str)]
        if vals:
            out[k] = vals if len(vals) > 1 else vals[0]
    return out


# ---------------------------------------------------------------- 案件工作台


@get("/", guards=[requires(Perm.CARE_VIEW)])
async def case_list(request: Request) -> Response:
    params = dict(request.query_params)
    limits = await load_limits()
    listing = queries.listing_for(params, request.user, limits)
    if wants_export(request):
        return await export_response(request, listing, params, "客服案件", decorate=lambda rows: queries.decorate(rows, limits))
    result = await listing.fetch(params, request.user)
    queries.decorate(result.page.rows, limits)
    result.offer_export()
    return render(request, "care/case_list.html", {"result": result, "may_intake": request.user.can(Perm.CARE)},
                  fragment="_partials/listing_table.html")


# ---------------------------------------------------------------- 登记来电来访


async def _intake_page(request: Request, form: Form, files: dict | None = None, status_code: int = 200) -> Response:
    user = request.user
    projects = await services.project_choices(user)
    project = parse_id(form.values.get("project"))
    if project is None and len(projects) == 1:
        project = int(projects[0][0])
        form.values.setdefault("project", str(project))
    room = form.values.get("room", "") or ""
    units = await services.unit_options(user, project, room if isinstance(room, str) else "")  # a repeated field is a list
    preview = await services.assess(user, form.values) if form.values.get("kind") else None
    return render(request, "care/intake.html", {
        "form": form, "projects": projects, "units": units, "preview": preview, "files": files or await attachments.form_context(user, []),
        "kinds": [(k, k) for k in states.KINDS], "channels": [(c, c) for c in states.CHANNELS],
        "categories": [(c, c) for c in states.CATEGORIES], "elements": list(rules.WARRANTY_ELEMENTS.items()),
        "priorities": list(rules.REPAIR_PRIORITIES.items())}, status_code=status_code)


@get("/new", guards=[requires(Perm.CARE)])
async def intake_form(request: Request) -> Response:
    values = {"channel": "电话", "kind": "投诉", "households": "1", "priority": rules.NORMAL_REPAIR}
    values.update(await services.from_call(request.user, request.query_params.get("call")))  # 立案 from a call record
    return await _intake_page(request, Form(values=values))


@post("/new", guards=[requires(Perm.CARE)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def intake_submit(request: Request) -> Response:
    data = await request.form()
    form = Form(values=_values(data))
    ids, files, removed = await attachments.form_files(request.user, data, form)
    if removed or data.get("lookup"):  # only a removed file or the room search (without JavaScript): show the form again
        return await _intake_page(request, form, files)
    if form.ok:
        try:
            done = await services.intake(request.user, data, ids)
        except CareError as e:
            form.errors.update(e.errors)
        else:
            who = done["handler"]["name"] if done["handler"] else "待分派"
            return redirect_with_flash(services.url(done["id"]), f"已登记 {done['number']}（{done['level']}），处理人：{who}", "success", request)
    return await _intake_page(request, form, files, status_code=400)


@post("/new/preview", guards=[requires(Perm.CARE)], status_code=200)
async def intake_preview(request: Request) -> Response:
    """The level as the officer types (HTMX): level, reasons, who will handle, whether the 总经理 is told. The submit decides."""
    data = await request.form()
    values = _values(data)
    return render(request, "care/_preview.html", {"preview": await services.assess(request.user, values), "form": Form(values=values)})


@get("/new/units", guards=[requires(Perm.CARE)])
async def unit_picker(request: Request) -> Response:
    """The unit picker's options for the project and the typed room number (HTMX): only the user's projects."""
    q = request.query_params
    units = await services.unit_options(request.user, parse_id(q.get("project")), (q.get("room") or "")[:20])
    return render(request, "care/_unit_options.html", {"units": units, "form": Form(values={"unit": q.get("unit", "")})})


# ---------------------------------------------------------------- the case page


async def _case_or_404(request: Request, case_id: int) -> dict:
    case = await core.get_case(request.user, case_id)
    if not case:
        raise NotFoundException("案件不存在或不在您的数据范围内")
    return case


async def _page_ctx(request: Request, case: dict, forms: dict | None = None, error: str = "") -> dict:
    user = request.user
    limits = await load_limits()
    pauses = await services.pauses_of(case["id"])
    repair = await services.repair_of(case)
    from app.care.tables import CaseEvent

    events = await CaseEvent.select(CaseEvent.all_columns(), CaseEvent.actor.name).where(CaseEvent.case == case["id"]).order_by(
        CaseEvent.at, ascending=False).order_by(CaseEvent.id, ascending=False)
    actions = services.actions_for(user, case, limits)
    comp = await services.compensation_of(case["id"])
    from app.pipeline.tables import Buyer

    buyer = await Buyer.select(Buyer.id, Buyer.mobile).where(Buyer.id == case["buyer"]).first() if case["buyer"] else None
    return {"buyer": buyer, "case": case, "clocks": await services.clock_view(case, repair, pauses), "events": events, "actions": actions,
            "action_names": states.ACTION_NAMES, "forms": forms or {}, "error": error, "comp": comp,
            "assignees": await services.assignees(case) if "assign" in actions else [],
            "levels": [(k, rules.LEVEL_NAMES[k]) for k in rules.LEVELS], "level_badge": queries.level_badge,
            "clock_badge": queries.clock_badge, "role_names": rules.ROLE_NAMES, "repair": repair,
            "may_pay": bool(comp and comp["approved"] and not case["payment_request"] and services.may_work(user, case)),
            "unmask": user.can(Perm.CUSTOMER_UNMASK), "empty_form": Form()}


async def _full(request: Request, case: dict, forms: dict | None = None, error: str = "", status_code: int = 200) -> Response:
    ctx = await _page_ctx(request, case, forms, error)
    if not is_fragment_request(request):
        ctx["panels"] = await panels.panels_for(request.user, case)
        ctx["attachments"] = await attachments.panel(request.user, services.ATTACH_OWNER, case["id"])
    return render(request, "care/case.html", ctx, fragment="care/_case_main.html", status_code=status_code)


@get("/cases/{case_id:int}", guards=[requires(Perm.CARE_VIEW)])
async def case_page(request: Request, case_id: int) -> Response:
    return await _full(request, await _case_or_404(request, case_id))


ACTIONS = {"assign", "start", "pause", "resume", "daily_update", "override", "plan", "customer_accepts", "customer_declines",
           "finish", "not_accept", "to_property", "reopen"}


@post("/cases/{case_id:int}/act/{action:str}", guards=[requires(Perm.CARE_VIEW)], status_code=200)
async def case_action(request: Request, case_id: int, action: str) -> Response:
    if action not in ACTIONS:
        raise NotFoundException("没有这个操作")
    case = await _case_or_404(request, case_id)
    data = await request.form()
    raw = data.get("version")
    try:
        if isinstance(raw, str) and raw.strip() and raw.strip() != str(case["version"]):  # compared as text: no int() of 5,000 digits
            raise CareError(core.STALE)  # the page the user acted on is out of date: someone else moved the case
        said = await services.act(request.user, case, action, data)
    except PermissionError as e:
        raise PermissionDeniedException(str(e)) from None
    except CareError as e:
        stale = e.message == core.STALE
        fresh = await _case_or_404(request, case_id)
        forms = {} if stale else {action: Form(values=_values(data), errors=e.errors)}
        return await _full(request, fresh, forms, error=e.message, status_code=409 if stale else 400)
    if is_fragment_request(request):
        fresh = await _case_or_404(request, case_id)
        ctx = await _page_ctx(request, fresh)
        resp = render(request, "care/_case_result.html", {**ctx, "said": said})
        resp.headers["HX-Trigger"] = "todo-changed"
        return resp
    return redirect_with_flash(services.url(case_id), said, "success", request)


@post("/cases/{case_id:int}/payment", guards=[requires(Perm.CARE)], status_code=200)
async def case_payment(request: Request, case_id: int) -> Response:
    case = await _case_or_404(request, case_id)
    data = await request.form()
    try:
        said = await services.link_payment(request.user, case, data.get("payment_number") or "")
    except PermissionError as e:
        raise PermissionDeniedException(str(e)) from None
    except CareError as e:
        return await _full(request, case, {"payment": Form(values=_values(data), errors=e.errors)}, e.message, 400)
    return redirect_with_flash(services.url(case_id), said, "success", request)


@post("/cases/{case_id:int}/unmask", guards=[requires(Perm.CUSTOMER_UNMASK)], status_code=200)
async def case_unmask(request: Request, case_id: int) -> Response:
    """The caller's phone in full: a permission, and every time in the audit log (customer.unmask)."""
    case = await _case_or_404(request, case_id)
    phone = await services.reveal_phone(request.user, case)
    return render(request, "care/_phone_full.html", {"phone": phone})


router = Router(path="/care", route_handlers=[case_list, intake_form, intake_submit, intake_preview, unit_picker, case_page, case_action,
                                                case_payment, case_unmask])
