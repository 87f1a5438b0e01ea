"""考勤 pages (SPEC §G): HR's month view and the clock-in import, everyone's own month with the 调休 balance, and the
weekend duty roster (HR or the 客服副经理) that credits 调休 days."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import PermissionDeniedException

from app.core.attachments import REQUEST_MAX_BODY
from app.core.fields import parse_id
from app.core.attachments import content_disposition
from app.core.guards import requires
from app.core.months import add_months, month_label, month_start, month_text, parse_month
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, redirect_with_flash, render
from app.hr_attend import importer, rules, services, settings

HR = requires(Perm.HR_MANAGE)
MINE = requires(Perm.REQUEST)


def _month(raw) -> "tuple":
    today = today_local()
    first = parse_month(raw) or month_start(today)
    if first > month_start(today):
        first = month_start(today)
    return first, today


def _months_ctx(first) -> dict:
    return {"month": month_text(first), "month_label": month_label(first), "prev_month": month_text(add_months(first, -1)),
            "next_month": month_text(add_months(first, 1)) if add_months(first, 1) <= month_start(today_local()) else ""}


@get("/", guards=[HR])
async def month_view(request: Request) -> Response:
    q = request.query_params
    first, today = _month(q.get("month"))
    dept = parse_id(q.get("department"))
    sel, cnt = services.staff_query(dept)
    page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20,
                          params={"month": month_text(first), "department": str(dept) if dept else ""})
    sums = await services.month_of([r["id"] for r in page.rows], first, today)
    from app.hr_leave.services import department_choices

    return render(request, "hr_attend/month.html", {
        **_months_ctx(first), "page": page, "sums": sums, "departments": await department_choices(), "department": str(dept) if dept else "",
        "result": {"page": page, "base_url": "/hr/attendance", "target_id": "attend-list"}, "schedule": await services.schedule_text(),
        "rule_text": rules.RULE_TEXT}, fragment="hr_attend/_month_rows.html")


@get("/mine", guards=[MINE])
async def mine(request: Request) -> Response:
    user = request.user
    first, today = _month(request.query_params.get("month"))
    summary = time_off = None
    duties: list[dict] = []
    if user.employee_id:
        summary = (await services.month_of([user.employee_id], first, today))[user.employee_id]
        time_off = await services.time_off(user.employee_id)
        duties = await services.my_duties(user.employee_id)
    return render(request, "hr_attend/mine.html", {
        **_months_ctx(first), "s": summary, "time_off": time_off, "duties": duties, "fmt": rules.fmt_minutes, "fmt_days": rules.fmt_days,
        "schedule": await services.schedule_text(), "rule_text": rules.RULE_TEXT, "time_off_text": rules.TIME_OFF_TEXT})


async def _import_page(request: Request, form: Form, result=None, status: int = 200) -> Response:
    return render(request, "hr_attend/import.html", {
        "form": form, "result": result, "behaviour": importer.BEHAVIOUR, "max_mb": (await importer.file_limit()) // (1024 * 1024),
        "schedule": await services.schedule_text()}, status_code=status)


@get("/import", guards=[HR])
async def import_form(request: Request) -> Response:
    return await _import_page(request, Form())


@post("/import", guards=[HR], status_code=200, request_max_body_size=REQUEST_MAX_BODY)
async def import_submit(request: Request) -> Response:
    try:
        data = await request.form()
    except Exception:
        data = None
    upload = data.get("file") if data is not None else None
    form = Form()
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.error("file", "请选择要导入的 .xlsx 或 .csv 文件")
        return await _import_page(request, form, status=400)
    content = await upload.read()
    filename = upload.filename.replace("\x00", "")[:200]
    err = importer.check_file(filename, content, await importer.file_limit())
    if err:
        form.error("file", err)
        return await _import_page(request, form, status=400)
    cfg = await settings.read()
    result = await importer.import_clock(request.user, filename, content, cfg["start"], cfg["end"])
    return await _import_page(request, form, result, status=200 if result.ok else 400)


@get("/import/template", guards=[HR])
async def import_template(request: Request) -> Response:
    return Response(content=importer.template_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition("考勤打卡导入示例.csv")})


def _roster_guard(request: Request) -> None:
    if not services.can_roster(request.user):
        raise PermissionDeniedException("只有人事专员或客服副经理可以安排加班")


async def _duty_page(request: Request, form: Form, status: int = 200) -> Response:
    q = request.query_params
    sel, cnt = services.duties_query()
    page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20, params={})
    return render(request, "hr_attend/duty.html", {
        "form": form, "page": page, "staff": await services.duty_staff([r["id"] for r in page.rows]), "occasions": [(o, o) for o in rules.OCCASIONS],
        "people": await services.employee_choices(), "fmt_days": rules.fmt_days, "time_off_text": rules.TIME_OFF_TEXT,
        "result": {"page": page, "base_url": "/hr/attendance/duty", "target_id": "duty-list"}}, status_code=status)


@get("/duty", guards=[MINE])
async def duty_list(request: Request) -> Response:
    _roster_guard(request)
    return await _duty_page(request, Form(values={"credit_days": "1"}))


@post("/duty", guards=[MINE], status_code=200)
async def duty_create(request: Request) -> Response:
    _roster_guard(request)
    data = await request.form()
    try:
        await services.create_duty(request.user, data)
    except services.DutyError as e:
        values = {k: v for k, v in data.items() if isinstance(v, str) and k != "employees"}
        values["employees"] = [v for v in data.getall("employees", []) if isinstance(v, str)] if hasattr(data, "getall") else []
        return await _duty_page(request, Form(values=values, errors=e.errors), 422)
    return redirect_with_flash("/hr/attendance/duty", "已安排加班，调休天数已记入所选员工", request=request)


router = Router(path="/hr/attendance", route_handlers=[month_view, mine, import_form, import_submit, import_template, duty_list, duty_create])
