"""The employee record (issue 12 item 1): HR's list of employees (/hr/people), a person's record (HR every one, the
person their own, the direct manager their reports'), HR's personnel-file form with the audited reveal of the ID number
and salary, and 奖惩 (§G): recording one on a person and the list of them."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect

from app.core.fields import parse_id
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, is_fragment_request, redirect_with_flash, render
from app.hr_people import forms, record, services
from app.hr_people.services import PeopleError

HR = requires(Perm.HR_MANAGE)
ANY = requires(Perm.REQUEST)
CLAUSE = ("kf-71p", "toc", "第六章 部门管理制度及工作规范")
ACTIVE = {"": "全部", "1": "在职", "0": "已离职"}


async def _emp_or_404(employee_id: int) -> dict:
    emp = await services.employee(employee_id)
    if emp is None:
        raise NotFoundException("没有这名员工")
    return emp


@get("/people", guards=[HR])
async def people_list(request: Request) -> Response:
    q = request.query_params
    text = (q.get("q") or "").strip()[:50]
    company, department = parse_id(q.get("company")), parse_id(q.get("department"))
    active = q.get("active", "")
    active = active if active in ACTIVE else ""
    sel, cnt = services.list_queries(text, company, department, active)
    params = {"q": text, "company": str(company or ""), "department": str(department or ""), "active": active}
    page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20, params=params)
    await services.decorate(page.rows)
    return render(request, "hr_people/list.html", {
        "page": page, "rows": page.rows, "f": params, "active_choices": ACTIVE, "companies": await services.company_choices(),
        "departments": await services.department_choices(), "today": today_local()}, fragment="hr_people/_rows.html")


@get("/people/me", guards=[ANY])
async def people_me(request: Request) -> Response:
    me = request.user.employee_id
    if not me:
        raise NotFoundException("您的账号没有关联员工档案")
    return Redirect(path=f"/hr/people/{me}")


async def _record_page(request: Request, emp: dict, *, revealed: dict | None = None) -> Response:
    user = request.user
    today = today_local()
    is_hr = user.can(Perm.HR_MANAGE)
    own = user.employee_id == emp["id"]
    return render(request, "hr_people/record.html", {
        "emp": emp, "years": services.years_of_service(emp["hired_on"], today), "is_hr": is_hr, "own": own,
        "file": services.masked(await services.file_of(emp["id"])) if (is_hr or own) else None, "revealed": revealed,
        "reveal_log": await services.reveal_log(emp["id"]) if is_hr else [], "legal_privacy": services.LEGAL_PRIVACY,
        "sections": await record.sections(emp, user), "timeline": await record.timeline(emp["id"]), "clause": CLAUSE})


@get("/people/{employee_id:int}", guards=[ANY])
async def people_record(request: Request, employee_id: int) -> Response:
    emp = await _emp_or_404(employee_id)
    if not services.may_view(request.user, emp):
        raise PermissionDeniedException("只能查看本人或直属下级的员工档案")
    return await _record_page(request, emp)


@post("/people/{employee_id:int}/reveal", guards=[HR], status_code=200)
async def people_reveal(request: Request, employee_id: int) -> Response:
    """The full ID number and salary of one record: HR only, an audit row every time. HTMX swaps the fragment in;
    without JavaScript the form posts and the record page comes back with the values shown."""
    emp = await _emp_or_404(employee_id)
    f = await services.reveal(request.user, emp)
    if is_fragment_request(request):
        return render(request, "hr_people/_reveal.html", {"emp": emp, "full": f})
    return await _record_page(request, emp, revealed=f)


async def _file_page(request: Request, emp: dict, form: Form, status_code: int = 200) -> Response:
    return render(request, "hr_people/file.html", {
        "emp": emp, "form": form, "labels": forms.FILE_LABELS, "education_choices": [(e, e) for e in forms.EDUCATION],
        "current": services.masked(await services.file_of(emp["id"])), "legal_privacy": services.LEGAL_PRIVACY}, status_code=status_code)


@get("/people/{employee_id:int}/file", guards=[HR])
async def file_edit(request: Request, employee_id: int) -> Response:
    emp = await _emp_or_404(employee_id)
    f = await services.file_of(employee_id) or {}
    # the ID number and salary are never put back into the form (they would show unmasked): blank keeps them
    values = {k: f.get(k) or "" for k in ("education", "emergency_name", "emergency_phone", "note")}
    return await _file_page(request, emp, Form(values=values))


@post("/people/{employee_id:int}/file", guards=[HR], status_code=200)
async def file_save(request: Request, employee_id: int) -> Response:
    emp = await _emp_or_404(employee_id)
    data = await form_data(request)
    parsed, errors = forms.parse_file(data, today_local())
    if parsed is None:
        return await _file_page(request, emp, Form(values=data, errors=errors), 422)
    current = await services.file_of(employee_id) or {}
    if not parsed.id_no or parsed.base_salary is None:  # blank: keep what is on file
        parsed = services.FileInput(parsed.id_no or current.get("id_no") or "",
                                    parsed.base_salary if parsed.base_salary is not None else current.get("base_salary"),
                                    parsed.education, parsed.emergency_name, parsed.emergency_phone, parsed.note)
    try:
        await services.save_file(request.user, employee_id, parsed)
    except PeopleError as e:
        form = Form(values=data)
        form.error(e.field or "note", e.message)
        return await _file_page(request, emp, form, 422)
    return redirect_with_flash(f"/hr/people/{employee_id}", "员工档案已保存", request=request)


async def _reward_page(request: Request, emp: dict, form: Form, status_code: int = 200) -> Response:
    return render(request, "hr_people/reward_new.html", {
        "emp": emp, "form": form, "labels": forms.REWARD_LABELS, "kind_choices": [(k, k) for k in services.KINDS],
        "clause_choices": await services.clause_choices(), "clause": CLAUSE}, status_code=status_code)


@get("/people/{employee_id:int}/rewards/new", guards=[HR])
async def reward_new(request: Request, employee_id: int) -> Response:
    emp = await _emp_or_404(employee_id)
    return await _reward_page(request, emp, Form(values={"kind": "奖励", "on": today_local().isoformat()}))


@post("/people/{employee_id:int}/rewards/new", guards=[HR], status_code=200)
async def reward_create(request: Request, employee_id: int) -> Response:
    emp = await _emp_or_404(employee_id)
    data = await form_data(request)
    parsed, errors = forms.parse_reward(data, today_local())
    if parsed is None:
        return await _reward_page(request, emp, Form(values=data, errors=errors), 422)
    try:
        await services.create_reward(request.user, employee_id, parsed)
    except PeopleError as e:
        form = Form(values=data)
        form.error(e.field or "title", e.message)
        return await _reward_page(request, emp, form, 422)
    return redirect_with_flash(f"/hr/people/{employee_id}#section-hr_people", f"已记录{parsed.kind}：{parsed.title}", request=request)


@get("/rewards", guards=[HR])
async def reward_list(request: Request) -> Response:
    q = request.query_params
    kind = q.get("kind", "")
    kind = kind if kind in services.KINDS else ""
    month_raw = (q.get("month") or "").strip()[:7]
    month = services.month_range(month_raw)
    sel, cnt = services.reward_list_queries(kind, month)
    params = {"kind": kind, "month": month_raw if month else ""}
    page = await paginate(sel, cnt, page=clamp_page(q.get("page")), per_page=20, params=params)
    return render(request, "hr_people/rewards.html", {"page": page, "rows": page.rows, "f": params, "kinds": services.KINDS,
                                                      "clause": CLAUSE}, fragment="hr_people/_reward_rows.html")


router = Router(path="/hr", route_handlers=[people_list, people_me, people_record, people_reveal, file_edit, file_save,
                                             reward_new, reward_create, reward_list])
