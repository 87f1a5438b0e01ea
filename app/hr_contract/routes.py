"""The labour-contract pages (SPEC §E4), HR only (Perm.HR_MANAGE): the list with its filters, the new-contract form
with the legal rules checked on the fields, a contract's page with its flags and the signing, and an employee's
contract history."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.fields import parse_id
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.hr_contract import forms, rules, services
from app.hr_contract import settings as contract_settings
from app.hr_contract.services import ContractError
from app.org.tables import Employee

HR = requires(Perm.HR_MANAGE)
CLAUSE = ("kf-71p", "toc", "第十章 客服部员工劳动合同管理流程")


def _common(request: Request) -> dict:
    return {"clause": CLAUSE, "show_pay": request.user.can(Perm.HR_MANAGE), "kinds": rules.KINDS}


def _risk(row: dict, today, cfg: dict[str, int]):
    """The double-pay risk of an unsigned contract [L art. 10, 82], for the list's tag."""
    if row["status"] != rules.PENDING:
        return None
    return rules.signing_risk(row["start"], None, today, cfg["sign_within_days"])


@get("/contracts", guards=[HR])
async def contract_list(request: Request) -> Response:
    q = request.query_params
    flt = q.get("f", "")
    flt = flt if flt in services.FILTERS else ""
    today = today_local()
    cfg = await contract_settings.read()
    select, count = services.list_queries(await services.list_where(flt, today, cfg), flt)
    page = await paginate(select, count, page=clamp_page(q.get("page")), per_page=20, params={"f": flt})
    rows = [{**r, "shown_status": services.shown_status(r, today), "risk": _risk(r, today, cfg)} for r in page.rows]
    return render(request, "hr_contract/list.html", {
        **_common(request), "page": page, "rows": rows, "flt": flt, "filters": services.FILTERS, "cfg": cfg,
        "result": {"page": page, "base_url": "/hr/contracts", "target_id": "contract-list"}}, fragment="hr_contract/_rows.html")


async def _form_page(request: Request, form: Form, status_code: int = 200) -> Response:
    cfg = await contract_settings.read()
    return render(request, "hr_contract/new.html", {
        **_common(request), "form": form, "labels": forms.LABELS, "cfg": cfg,
        "employee_choices": await services.employee_choices(), "kind_choices": [(k, k) for k in rules.KINDS]},
        status_code=status_code)


@get("/contracts/new", guards=[HR])
async def contract_new(request: Request) -> Response:
    emp = parse_id(request.query_params.get("employee"))
    return await _form_page(request, Form(values={"employee": str(emp) if emp else "", "kind": rules.FIXED}))


@post("/contracts/new", guards=[HR], status_code=200)
async def contract_create(request: Request) -> Response:
    data = await form_data(request)
    form = Form(values=data)
    cfg = await contract_settings.read()
    parsed, errors = forms.parse(data, probation_pay_pct=cfg["probation_pay_pct"], today=today_local())
    if parsed is None:
        form.errors.update(errors)
        return await _form_page(request, form, 422)
    try:
        cid = await services.create(request.user, parsed, today_local())
    except ContractError as e:
        form.error(e.field or "employee", e.message)
        return await _form_page(request, form, 422)
    return redirect_with_flash(f"/hr/contracts/{cid}", "劳动合同已登记", request=request)


async def _detail_page(request: Request, contract_id: int, form: Form | None = None, status_code: int = 200,
                       end_form: Form | None = None) -> Response:
    c = await services.get(contract_id)
    if c is None:
        raise NotFoundException()
    today = today_local()
    return render(request, "hr_contract/detail.html", {
        **_common(request), "c": c, "status": services.shown_status(c, today), "flags": await services.flags(c, today),
        "form": form or Form(values={"signed_on": today.isoformat()}),
        "end_form": end_form or Form(values={"ended_on": (c["end"] if c["end"] and c["end"] <= today else today).isoformat()}),
        "reason_choices": [(r, r) for r in rules.END_REASONS]}, status_code=status_code)


@get("/contracts/{contract_id:int}", guards=[HR])
async def contract_detail(request: Request, contract_id: int) -> Response:
    return await _detail_page(request, contract_id)


@post("/contracts/{contract_id:int}/sign", guards=[HR], status_code=200)
async def contract_sign(request: Request, contract_id: int) -> Response:
    data = await form_data(request)
    signed_on, errors = forms.parse_signed_on(data, today_local())
    if signed_on is None:
        return await _detail_page(request, contract_id, Form(values=data, errors=errors), 422)
    try:
        await services.sign(request.user, contract_id, signed_on)
    except ContractError as e:
        if await services.get(contract_id) is None:
            raise NotFoundException() from None
        return redirect_with_flash(f"/hr/contracts/{contract_id}", e.message, "danger", request=request)
    return redirect_with_flash(f"/hr/contracts/{contract_id}", "已登记签订", request=request)


@post("/contracts/{contract_id:int}/end", guards=[HR], status_code=200)
async def contract_end(request: Request, contract_id: int) -> Response:
    c = await services.get(contract_id)
    if c is None:
        raise NotFoundException()
    data = await form_data(request)
    parsed, errors = forms.parse_end(data, c, today_local())
    if parsed is None:
        return await _detail_page(request, contract_id, status_code=422, end_form=Form(values=data, errors=errors))
    try:
        await services.end(request.user, contract_id, *parsed)
    except ContractError as e:
        return redirect_with_flash(f"/hr/contracts/{contract_id}", e.message, "danger", request=request)
    return redirect_with_flash(f"/hr/contracts/{contract_id}", f"已登记{parsed[1]}", request=request)


@get("/employees/{employee_id:int}/contracts", guards=[HR])
async def employee_contracts(request: Request, employee_id: int) -> Response:
    emp = await Employee.select(Employee.id, Employee.name, Employee.employee_no, Employee.hired_on, Employee.department.name,
                                Employee.active).where(Employee.id == employee_id).first()
    if emp is None:
        raise NotFoundException()
    today = today_local()
    rows = [{**r, "shown_status": services.shown_status(r, today)} for r in await services.history(employee_id)]
    cfg = await contract_settings.read()
    entitled = ""
    if rows and rows[-1]["kind"] != rules.OPEN:
        last = rows[-1]
        past = [rules.PastContract(r["kind"], r["start"], r["end"], r["status"]) for r in rows]
        entitled = rules.open_ended_entitlement(emp["hired_on"], past, max(today, last["end"] or today), cfg["open_ended_years"])
    return render(request, "hr_contract/employee.html", {**_common(request), "emp": emp, "rows": rows, "entitled": entitled})


router = Router(path="/hr", route_handlers=[contract_list, contract_new, contract_create, contract_detail, contract_sign,
                                             contract_end, employee_contracts])
