"""考勤 pages (SPEC §G): 我的假期 (this year's annual-leave balance with its legal basis, my leaves, the link to file one)
and, for HR, everyone's balances by department with the 参加工作日期 each entitlement counts from."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.fields import parse_id
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.hr_leave import rules, services

MINE = requires(Perm.REQUEST)
HR = requires(Perm.HR_MANAGE)


@get("/", guards=[MINE])
async def my_leave(request: Request) -> Response:
    user = request.user
    today = today_local()
    q = request.query_params
    b = page = None
    if user.employee_id:
        b = await services.balance(user.employee_id, today.year, today)
        sel, cnt = services.my_leaves_query(user.employee_id)
        page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20, params={})
    return render(request, "hr_leave/mine.html", {
        "balance": b, "page": page, "result": {"page": page, "base_url": "/hr/leave", "target_id": "leave-list"},
        "fmt_days": rules.fmt_days, "legal": rules.LEGAL_ANNUAL, "counts_in": rules.counts_in, "period": services.period_text,
        "is_hr": user.can(Perm.HR_MANAGE)}, fragment="hr_leave/_my_rows.html")


@get("/balances", guards=[HR])
async def balances(request: Request) -> Response:
    q = request.query_params
    dept = parse_id(q.get("department"))
    today = today_local()
    sel, cnt = services.staff_query(dept)
    page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20, params={"department": str(dept) if dept else ""})
    rows = await services.balances_of(page.rows, today.year, today)
    return render(request, "hr_leave/balances.html", {
        "page": page, "rows": rows, "result": {"page": page, "base_url": "/hr/leave/balances", "target_id": "balance-list"},
        "departments": await services.department_choices(), "department": str(dept) if dept else "", "year": today.year,
        "fmt_days": rules.fmt_days, "legal": rules.LEGAL_ANNUAL}, fragment="hr_leave/_balance_rows.html")


async def _profile_page(request: Request, employee_id: int, form: Form | None = None, status_code: int = 200) -> Response:
    emp = await services.employee(employee_id)
    if emp is None:
        raise NotFoundException()
    today = today_local()
    ws = await services.work_start(employee_id)
    b = await services.balance(employee_id, today.year, today, start=ws)
    from app.hr_leave.tables import LeaveProfile

    prof = await LeaveProfile.select(LeaveProfile.note).where(LeaveProfile.employee == employee_id).first()
    form = form or Form(values={"work_start": ws.isoformat() if ws else "", "note": prof["note"] if prof else ""})
    sel, _ = services.my_leaves_query(employee_id)
    return render(request, "hr_leave/profile.html", {"emp": emp, "balance": b, "form": form, "fmt_days": rules.fmt_days,
                                                     "legal": rules.LEGAL_ANNUAL, "leaves": await sel.limit(20),
                                                     "counts_in": rules.counts_in, "period": services.period_text}, status_code=status_code)


@get("/profiles/{employee_id:int}", guards=[HR])
async def profile(request: Request, employee_id: int) -> Response:
    return await _profile_page(request, employee_id)


@post("/profiles/{employee_id:int}", guards=[HR], status_code=200)
async def profile_save(request: Request, employee_id: int) -> Response:
    data = await form_data(request)
    if await services.employee(employee_id) is None:
        raise NotFoundException()
    try:
        value = await services.set_work_start(request.user, employee_id, data.get("work_start", ""), data.get("note", ""))
    except services.LeaveInputError as e:
        form = Form(values=data)
        form.error(e.field, e.message)
        return await _profile_page(request, employee_id, form, 422)
    return redirect_with_flash(f"/hr/leave/profiles/{employee_id}", f"已保存参加工作日期：{value:%Y-%m-%d}", request=request)


router = Router(path="/hr/leave", route_handlers=[my_leave, balances, profile, profile_save])
