"""离职交接 pages (SPEC §E5/§E8): /hr/exit — the exits in the sweep and completed (HR all; others their own);
/hr/exit/{id} — the sweep: every holding with its reassign-to or clear action, the checklist ticks by their roles, the
completion (refused, naming what is open); /hr/exit/{id}/certificate — the printable 离职证明 (第五十条);
/hr/exit/dismissal/{request id}/union — HR records the date the union was notified (第四十三条)."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.fields import Parser, parse_id
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.printing import print_context
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.hr_exit import holdings as registry
from app.hr_exit import rules, services
from app.hr_exit.flows import employee_choices
from app.hr_exit.tables import DONE, SWEEP

GUARD = requires(Perm.REQUEST)
CLAUSE = ("kf-71p", "toc", "第十一章 客服部员工离职交接流程")


async def _case(request: Request, case_id: int) -> dict:
    case = await services.get(case_id)
    if case is None:
        raise NotFoundException("没有这条离职记录")
    if not services.may_see(request.user, case):
        raise PermissionDeniedException("无权查看这条离职记录")
    return case


@get("/", guards=[GUARD])
async def exit_list(request: Request) -> Response:
    sel, cnt = services.cases_query(request.user)
    page = await paginate(sel, cnt, page=clamp_page(request.query_params.get("page")), per_page=20, params={})
    return render(request, "hr_exit/list.html", {"clause": CLAUSE, "page": page, "is_hr": services.is_hr(request.user),
                                                 "result": {"page": page, "base_url": "/hr/exit", "target_id": "exit-list-card"}},
                  fragment="hr_exit/_rows.html")


async def _page(request: Request, case: dict, *, error: str = "", status_code: int = 200) -> Response:
    user = request.user
    items = await registry.holdings_of(case["employee"]) if case["status"] in (SWEEP, DONE) else []
    ticks = await services.ticks_of(case["id"])
    is_hr = services.is_hr(user)
    checklist = [{"code": c, "label": label, "done": ticks.get(c), "may": services.may_tick(user, case, c)}
                 for c, label, _ in services.CHECKLIST]
    return render(request, "hr_exit/sweep.html", {
        "clause": CLAUSE, "case": case, "items": items, "open": services.still_open(items, ticks), "checklist": checklist,
        "is_hr": is_hr, "confidentiality": await services.confidentiality(case["employee"]), "in_sweep": case["status"] == SWEEP, "error": error, "ART_50": rules.ART_50,
        "choices": await employee_choices(user, case["company_id"]) if is_hr and case["status"] == SWEEP else [],
        "receiver_form": Form(values={"receiver": str(case["receiver"] or "")})}, status_code=status_code)


@get("/{case_id:int}", guards=[GUARD])
async def sweep_page(request: Request, case_id: int) -> Response:
    return await _page(request, await _case(request, case_id))


def _message(e: Exception) -> str:
    return getattr(e, "message", "") or "操作未完成"


@post("/{case_id:int}/holding", guards=[GUARD], status_code=200)
async def sweep_holding(request: Request, case_id: int) -> Response:
    case = await _case(request, case_id)
    if not services.is_hr(request.user):
        raise PermissionDeniedException("只有人事可以办理交接事项")
    if case["status"] != SWEEP:
        return await _page(request, case, error=f"这条离职记录是「{case['status']}」，不能办理交接", status_code=400)
    data = await form_data(request)
    source, how, rid = data.get("source", ""), data.get("how", ""), parse_id(data.get("record_id"))
    key = f"{source}:{rid}:{how}"
    if rid is None or not any(h.key == key for h in await registry.holdings_of(case["employee"])):
        return await _page(request, case, error="这项不在离职人名下，请刷新页面", status_code=400)
    to = parse_id(data.get("to"))
    if how == registry.REASSIGN and (to is None or to == case["employee"]):
        return await _page(request, case, error="请选择接手的在职员工（不能是离职人本人）", status_code=400)
    try:
        await registry.act(source, how, rid, request.user, to)
    except (registry.HoldingError, services.ExitError) as e:
        return await _page(request, case, error=_message(e), status_code=400)
    return redirect_with_flash(f"/hr/exit/{case_id}", "已转交" if how == registry.REASSIGN else "已登记归还/注销", "success", request)


@post("/{case_id:int}/tick", guards=[GUARD], status_code=200)
async def sweep_tick(request: Request, case_id: int) -> Response:
    case = await _case(request, case_id)
    data = await form_data(request)
    try:
        await services.tick(request.user, case_id, data.get("item", ""), data.get("note", ""))
    except services.ExitError as e:
        return await _page(request, case, error=e.message, status_code=400)
    return redirect_with_flash(f"/hr/exit/{case_id}", "已确认", "success", request)


@post("/{case_id:int}/receiver", guards=[GUARD], status_code=200)
async def sweep_receiver(request: Request, case_id: int) -> Response:
    case = await _case(request, case_id)
    data = await form_data(request)
    try:
        await services.set_receiver(request.user, case_id, parse_id(data.get("receiver")))
    except services.ExitError as e:
        return await _page(request, case, error=e.message, status_code=400)
    return redirect_with_flash(f"/hr/exit/{case_id}", "已指定工作接收人", "success", request)


@post("/{case_id:int}/complete", guards=[GUARD], status_code=200)
async def sweep_complete(request: Request, case_id: int) -> Response:
    case = await _case(request, case_id)
    try:
        disabled = await services.complete(request.user, case_id)
    except services.ExitError as e:
        return await _page(request, case, error=e.message, status_code=400)
    msg = "离职交接已完成，员工档案与登录账号已停用" if disabled else f"离职交接已完成，登录账号将于最后工作日（{case['last_day']:%Y-%m-%d}）结束后停用"
    return redirect_with_flash(f"/hr/exit/{case_id}", msg, "success", request)


@get("/{case_id:int}/certificate", guards=[GUARD])
async def certificate(request: Request, case_id: int) -> Response:
    case = await _case(request, case_id)
    if case["status"] != DONE:
        raise NotFoundException("离职交接完成后才能出具离职证明")
    if not (services.is_hr(request.user) or request.user.employee_id == case["employee"]):
        raise PermissionDeniedException("离职证明由人事出具")
    return render(request, "hr_exit/certificate.html", {"case": case, "ART_50": rules.ART_50, "today": today_local(),
                                                        **print_context(request, f"/hr/exit/{case_id}")})


@post("/dismissal/{request_id:int}/union", guards=[requires(Perm.HR_MANAGE)], status_code=200)
async def dismissal_union(request: Request, request_id: int) -> Response:
    data = await form_data(request)
    p = Parser(data)
    day = p.date("union_notified_on", "通知工会日期")
    note = p.text("union_note", "工会意见", required=False, max_len=200)
    if p.errors:
        return redirect_with_flash(f"/workflow/requests/{request_id}", next(iter(p.errors.values())), "danger", request)
    try:
        await services.record_union(request.user, request_id, day, note)
    except services.ExitError as e:
        return redirect_with_flash(f"/workflow/requests/{request_id}", e.message, "danger", request)
    return redirect_with_flash(f"/workflow/requests/{request_id}", f"已登记通知工会日期 {day:%Y-%m-%d}", "success", request)


router = Router(path="/hr/exit", route_handlers=[exit_list, sweep_page, sweep_holding, sweep_tick, sweep_receiver, sweep_complete,
                                                  certificate, dismissal_union])
