"""The department's 24-hour duty (SPEC §G 值班): the month roster with who is on duty now, planning and the rotation
fill (值班 managers), swap requests and their decision, and the handover log (交接班记录) with its print view.
Thin handlers: parse → app.duty.services → template."""
from __future__ import annotations

import re

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.timeutil import now, today_local
from app.core.views import export_response, wants_export
from app.core.web import Form, form_data, redirect_with_flash, render
from app.duty import rules, services
from app.duty.services import DutyError
from app.duty.tables import DutyHandover

LIST_FRAGMENT = "_partials/listing_table.html"
ROSTER_FRAGMENT = "duty/_roster.html"
SIGN_FRAGMENT = "duty/_handover_sign.html"


async def _month_choices(_user) -> list[tuple[str, str]]:
    return services.month_choices(today_local())


HANDOVERS = Listing(
    table=DutyHandover,
    select=[DutyHandover.id, DutyHandover.day, DutyHandover.shift, DutyHandover.handed_by.name, DutyHandover.handed_at,
            DutyHandover.received_by.name, DutyHandover.received_at],
    columns=[
        Col("day", "值班日期", sort=DutyHandover.day, fmt="date", link="/duty/handovers/{id}", testid="handover-link", hideable=False),
        Col("shift", "班次", sort=DutyHandover.shift),
        Col("handed_by.name", "交班人", sort=DutyHandover.handed_by.name),
        Col("handed_at", "交班时间", sort=DutyHandover.handed_at, fmt="datetime"),
        Col("received_by.name", "接班人", sort=DutyHandover.received_by.name),
        Col("received_at", "接班确认时间", sort=DutyHandover.received_at, fmt="datetime"),
    ],
    filters=[
        Filter("month", "月份", "select", columns=[DutyHandover.month], choices=_month_choices),
        Filter("shift", "班次", "select", columns=[DutyHandover.shift], choices=[(s, s) for s in rules.SHIFTS]),
        Filter("person", "交班人/接班人", "text", columns=[DutyHandover.handed_by.name, DutyHandover.received_by.name], placeholder="输入姓名"),
    ],
    default_sort="handed_at", default_desc=True, base_url="/duty/handovers", target_id="handover-list",
    scope=lambda user: DutyHandover.handed_by.company == (user.company_id or 0),
)


# ---------------------------------------------------------------- roster


async def _roster_page(request: Request, *, month: str | None = None, plan_form: Form | None = None, fill_form: Form | None = None,
                       status_code: int = 200) -> Response:
    user = request.user
    config = await services.load_config()
    first = rules.month_of(month if month is not None else request.query_params.get("month"), today_local())
    roster = await services.month_roster(user, first, config)
    can_plan = services.may_plan(user)
    staff = await services.staff(user) if can_plan else []
    today = today_local()
    plan_default = {"day": max(today, first).isoformat() if first >= today.replace(day=1) else today.isoformat(), "shift": rules.DAY}
    ctx = {
        "roster": roster, "now_panel": await services.now_panel(user, config), "config": config,
        "can_plan": can_plan, "can_correct": services.may_correct(user), "staff": staff,
        "staff_choices": [(str(p["id"]), f"{p['name']}（{p['position.name']}）") for p in staff],
        "plan_form": plan_form or Form(values=plan_default, prefix="plan-"),
        "fill_form": fill_form or Form(values={"month": roster["key"]}, prefix="fill-"),
        "swaps": await services.swaps_for(user),
    }
    return render(request, "duty/roster.html", ctx, fragment=ROSTER_FRAGMENT, status_code=status_code)


@get("/", guards=[requires(Perm.DUTY)])
async def roster(request: Request) -> Response:
    return await _roster_page(request)


@post("/shifts", guards=[requires(Perm.DUTY_MANAGE)], status_code=200)
async def plan_shift(request: Request) -> Response:
    data = await form_data(request)
    plan, errors = services.parse_plan(data)
    month = data.get("day", "")[:7]
    if errors:
        return await _roster_page(request, month=month, plan_form=Form(values=data, errors=errors, prefix="plan-"), status_code=400)
    try:
        done = await services.assign(request.user, plan)
    except DutyError as e:
        return await _roster_page(request, month=month, plan_form=Form(values=data, errors={e.field: e.message}, prefix="plan-"), status_code=400)
    return redirect_with_flash(f"/duty?month={rules.month_key(plan['day'])}",
                               f"已排班：{plan['day']:%Y-%m-%d} {plan['shift']} {done['name']}", "success", request)


@post("/shifts/{shift_id:int}/remove", guards=[requires(Perm.DUTY_MANAGE)], status_code=200)
async def remove_shift(request: Request, shift_id: int) -> Response:
    data = await form_data(request)
    try:
        row = await services.remove(request.user, shift_id, reason=(data.get("reason") or "").strip()[:100])
    except DutyError as e:
        month = (data.get("month") or "")[:7]
        month = month if re.fullmatch(r"\d{4}-\d{2}", month) else ""  # a header carries only what we made of it (no raw input)
        return redirect_with_flash(f"/duty?month={month}", e.message, "error", request)
    return redirect_with_flash(f"/duty?month={rules.month_key(row['day'])}",
                               f"已移除：{row['day']:%Y-%m-%d} {row['shift']} {row['employee.name']}", "success", request)


@post("/fill", guards=[requires(Perm.DUTY_MANAGE)], status_code=200)
async def fill(request: Request) -> Response:
    data = await form_data(request)
    people = await services.staff(request.user)
    parsed, errors = services.parse_fill(data, people)
    month = data.get("month", "")
    if not errors:
        try:
            n = await services.fill_month(request.user, parsed["first"], parsed["order"], overwrite=parsed["overwrite"])
        except DutyError as e:
            errors = {e.field: e.message}
        else:
            return redirect_with_flash(f"/duty?month={rules.month_key(parsed['first'])}", f"已按轮值排好 {n} 个班次", "success", request)
    return await _roster_page(request, month=month, fill_form=Form(values=data, errors=errors, prefix="fill-"), status_code=400)


# ---------------------------------------------------------------- swaps


async def _swap_page(request: Request, shift_id: int, form: Form | None = None, status_code: int = 200) -> Response:
    user = request.user
    shift = await services.shift_for(user, shift_id)
    if shift is None:
        raise NotFoundException("该班次不存在")
    config = await services.load_config()
    staff = [p for p in await services.staff(user) if p["id"] != shift["employee"]]
    mine = shift["employee"] == user.employee_id and not rules.has_ended(shift["day"], shift["shift"], now(), config.times)
    return render(request, "duty/swap_form.html", {
        "shift": shift, "mine": mine, "label": config.times.label(shift["shift"]), "form": form or Form(),
        "staff_choices": [(str(p["id"]), f"{p['name']}（{p['position.name']}）") for p in staff],
        "now_panel": await services.now_panel(user, config),
    }, status_code=status_code)


@get("/shifts/{shift_id:int}/swap", guards=[requires(Perm.DUTY)])
async def swap_form(request: Request, shift_id: int) -> Response:
    return await _swap_page(request, shift_id)


@post("/shifts/{shift_id:int}/swap", guards=[requires(Perm.DUTY)], status_code=200)
async def swap_submit(request: Request, shift_id: int) -> Response:
    data = await form_data(request)
    try:
        await services.request_swap(request.user, shift_id, data, await services.load_config())
    except DutyError as e:
        return await _swap_page(request, shift_id, Form(values=data, errors={e.field: e.message}), 400)
    return redirect_with_flash("/duty", "换班申请已提交，待值班负责人批准", "success", request)


async def _decide(request: Request, swap_id: int, action: str) -> Response:
    try:
        if action == "withdraw":
            swap = await services.withdraw_swap(request.user, swap_id)
            text = "已撤回换班申请"
        else:
            swap = await services.decide_swap(request.user, swap_id, approve=action == "approve")
            text = (f"已批准换班：{swap['shift.day']:%Y-%m-%d} {swap['shift.shift']} 由 {swap['substitute.name']} 值班" if action == "approve"
                    else "已驳回换班申请")
    except DutyError as e:
        return redirect_with_flash("/duty", e.message, "error", request)
    return redirect_with_flash(f"/duty?month={rules.month_key(swap['shift.day'])}", text, "success", request)


@post("/swaps/{swap_id:int}/approve", guards=[requires(Perm.DUTY_MANAGE)], status_code=200)
async def swap_approve(request: Request, swap_id: int) -> Response:
    return await _decide(request, swap_id, "approve")


@post("/swaps/{swap_id:int}/reject", guards=[requires(Perm.DUTY_MANAGE)], status_code=200)
async def swap_reject(request: Request, swap_id: int) -> Response:
    return await _decide(request, swap_id, "reject")


@post("/swaps/{swap_id:int}/withdraw", guards=[requires(Perm.DUTY)], status_code=200)
async def swap_withdraw(request: Request, swap_id: int) -> Response:
    return await _decide(request, swap_id, "withdraw")


# ---------------------------------------------------------------- handovers


@get("/handovers", guards=[requires(Perm.DUTY)])
async def handovers(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, HANDOVERS, dict(request.query_params), "交接班记录")
    result = await HANDOVERS.fetch(dict(request.query_params), request.user)
    result.offer_export()
    config = await services.load_config()
    return render(request, "duty/handovers.html", {"result": result, "now_panel": await services.now_panel(request.user, config)},
                  fragment=LIST_FRAGMENT)


async def _new_page(request: Request, form: Form | None = None, status_code: int = 200) -> Response:
    user = request.user
    config = await services.load_config()
    cases = await services.open_cases(user, config.case_limit)
    if form is None:
        form = Form(values=await services.handover_defaults(user, config))
    chosen = form.values.get("cases") or []
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    return render(request, "duty/handover_form.html", {
        "form": form, "cases": cases, "chosen": [str(c) for c in chosen], "case_limit": config.case_limit,
        "now_panel": await services.now_panel(user, config), "labels": {s: config.times.label(s) for s in rules.SHIFTS},
    }, status_code=status_code)


@get("/handovers/new", guards=[requires(Perm.DUTY)])
async def handover_new(request: Request) -> Response:
    return await _new_page(request)


@post("/handovers", guards=[requires(Perm.DUTY)], status_code=200)
async def handover_create(request: Request) -> Response:
    raw = await request.form()
    values: dict = {k: v for k, v in raw.items() if isinstance(v, str) and k != "cases"}
    values["cases"] = [v for v in raw.getall("cases", []) if isinstance(v, str)]
    config = await services.load_config()
    offered = {c["id"] for c in await services.open_cases(request.user, config.case_limit)}
    data, errors = services.parse_handover(values, values["cases"], offered)
    if not errors:
        try:
            hid = await services.create_handover(request.user, data)
        except DutyError as e:
            errors = {e.field: e.message}
        else:
            return redirect_with_flash(f"/duty/handovers/{hid}", "交班记录已签字提交，等待接班人确认", "success", request)
    return await _new_page(request, Form(values=values, errors=errors), 400)


async def _handover_ctx(request: Request, handover_id: int) -> dict:
    user = request.user
    h = await services.handover(user, handover_id)
    if h is None:
        raise NotFoundException("该交接班记录不存在")
    config = await services.load_config()
    nday, nshift = services.incoming_of(h)
    err = rules.receive_error(writer_id=h["handed_by"], receiver_id=user.employee_id, already=h["received_by"] is not None)
    incoming = await services.incoming_people(user, h)
    return {"h": h, "cases": await services.carried_cases(user, services.case_ids(h["open_cases"])),
            "incoming_names": "、".join(p["employee.name"] for p in incoming), "next_day": nday, "next_shift": nshift,
            "labels": {s: config.times.label(s) for s in rules.SHIFTS}, "can_receive": not err,
            "receive_hint": err, "is_writer": h["handed_by"] == user.employee_id}


@get("/handovers/{handover_id:int}", guards=[requires(Perm.DUTY)])
async def handover_detail(request: Request, handover_id: int) -> Response:
    ctx = await _handover_ctx(request, handover_id)
    ctx["now_panel"] = await services.now_panel(request.user, await services.load_config())
    return render(request, "duty/handover_detail.html", ctx, fragment=SIGN_FRAGMENT)


@post("/handovers/{handover_id:int}/receive", guards=[requires(Perm.DUTY)], status_code=200)
async def handover_receive(request: Request, handover_id: int) -> Response:
    data = await form_data(request)
    try:
        await services.receive(request.user, handover_id, (data.get("note") or "").strip())
    except DutyError as e:
        ctx = await _handover_ctx(request, handover_id)
        ctx["error"] = e.message
        return render(request, SIGN_FRAGMENT, ctx, status_code=400) if _htmx(request) else redirect_with_flash(
            f"/duty/handovers/{handover_id}", e.message, "error", request)
    if _htmx(request):
        ctx = await _handover_ctx(request, handover_id)
        ctx["done"] = "已确认接班"
        return render(request, SIGN_FRAGMENT, ctx)
    return redirect_with_flash(f"/duty/handovers/{handover_id}", "已确认接班", "success", request)


def _htmx(request: Request) -> bool:
    from app.core.web import is_fragment_request

    return is_fragment_request(request)


@get("/handovers/{handover_id:int}/print", guards=[requires(Perm.DUTY)])
async def handover_print(request: Request, handover_id: int) -> Response:
    ctx = await _handover_ctx(request, handover_id)
    ctx["printed_at"] = now()
    return render(request, "duty/handover_print.html", ctx)


router = Router(path="/duty", route_handlers=[
    roster, plan_shift, remove_shift, fill, swap_form, swap_submit, swap_approve, swap_reject, swap_withdraw,
    handovers, handover_new, handover_create, handover_detail, handover_receive, handover_print,
])
