"""Finance registers: the advance ledger with ageing, repayments, the invoice register, contract payments."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core import attachments
from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.web import Form, form_data, redirect_with_flash, render
from app.finance import services
from app.finance.tables import Advance, AdvanceEntry, Invoice, Payment

ADVANCE_STATUSES = [(s, s) for s in ("审批中", "未结清", "已结清", "已作废")]

ADVANCES = Listing(
    table=Advance,
    select=[Advance.id, Advance.request, Advance.request.number, Advance.employee.name, Advance.kind, Advance.amount, Advance.balance,
            Advance.due_on, Advance.status],
    columns=[
        Col("request.number", "借款单号", link="/finance/advances/{id}", testid="advance-link"),
        Col("employee.name", "借款人", sort=Advance.employee.name),
        Col("kind", "类型"),
        Col("amount", "借款金额", sort=Advance.amount, fmt="money"),
        Col("balance", "未还余额", sort=Advance.balance, fmt="money"),
        Col("due_on", "应还日期", sort=Advance.due_on, fmt="date"),
        Col("status", "状态", fmt="badge"),
    ],
    filters=[
        Filter("q", "借款人/单号", "text", columns=[Advance.employee.name, Advance.request.number]),
        Filter("status", "状态", "select", columns=[Advance.status], choices=ADVANCE_STATUSES),
    ],
    default_sort="due_on", base_url="/finance/advances", target_id="advance-list",
)

INVOICES = Listing(
    table=Invoice,
    select=[Invoice.id, Invoice.code, Invoice.number, Invoice.kind, Invoice.buyer_name, Invoice.issued_on, Invoice.seller, Invoice.amount, Invoice.tax, Invoice.request,
            Invoice.request.number, Invoice.request.applicant.name, Invoice.request.status, Invoice.active],
    columns=[
        Col("code", "发票代码"),
        Col("number", "发票号码", sort=Invoice.number),
        Col("kind", "类型"),
        Col("issued_on", "开票日期", sort=Invoice.issued_on, fmt="date"),
        Col("seller", "销售方"),
        Col("buyer_name", "购买方"),
        Col("amount", "金额", sort=Invoice.amount, fmt="money"),
        Col("tax", "税额", fmt="money"),
        Col("request.number", "报销单", link="/workflow/requests/{request}"),
        Col("request.applicant.name", "报销人"),
        Col("request.status", "状态", fmt="badge"),
    ],
    filters=[Filter("q", "发票代码/号码/销售方", "text", columns=[Invoice.code, Invoice.number, Invoice.seller])],
    default_sort="issued_on", default_desc=True, base_url="/finance/invoices", target_id="invoice-list",
)

PAYMENTS = Listing(
    table=Payment,
    select=[Payment.id, Payment.request, Payment.request.number, Payment.payee, Payment.contract_no, Payment.contract_total,
            Payment.paid_before, Payment.amount, Payment.request.status, Payment.paid],
    columns=[
        Col("request.number", "付款单", link="/workflow/requests/{request}"),
        Col("payee", "收款单位", sort=Payment.payee),
        Col("contract_no", "合同编号", sort=Payment.contract_no),
        Col("contract_total", "合同总额", fmt="money"),
        Col("paid_before", "此前已付", fmt="money"),
        Col("amount", "本次付款", sort=Payment.amount, fmt="money"),
        Col("request.status", "审批状态", fmt="badge"),
        Col("paid", "已付款", fmt="bool"),
    ],
    filters=[Filter("q", "合同编号/收款单位", "text", columns=[Payment.contract_no, Payment.payee])],
    default_sort="contract_no", base_url="/finance/payments", target_id="payment-list",
)


@get("/advances", guards=[requires(Perm.FINANCE)])
async def advances(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, ADVANCES, dict(request.query_params), "借款台账")
    result = await ADVANCES.fetch(dict(request.query_params), request.user)
    result.offer_export()
    ageing = await services.ageing()
    return render(request, "finance/advances.html", {"result": result, "ageing": ageing[:services.AGEING_ROWS],
                                                     "ageing_more": len(ageing) > services.AGEING_ROWS, "ageing_rows": services.AGEING_ROWS},
                  fragment="_partials/listing_table.html")


async def _advance_page(request: Request, advance_id: int, form: Form | None = None, status_code: int = 200, *,
                        consent_form: Form | None = None, files: dict | None = None) -> Response:
    adv = await Advance.select(Advance.all_columns(), Advance.request.number, Advance.employee.name).where(Advance.id == advance_id).first()
    if not adv:
        raise NotFoundException("借款不存在")
    if not (request.user.can(Perm.FINANCE) or adv["employee"] == request.user.employee_id):
        from litestar.exceptions import PermissionDeniedException

        raise PermissionDeniedException("无权查看")
    entries = await AdvanceEntry.select(AdvanceEntry.all_columns(), AdvanceEntry.request.number).where(
        AdvanceEntry.advance == advance_id).order_by(AdvanceEntry.at)
    from app.core.timeutil import today_local
    from app.finance.rules import DEDUCTION_BASIS, month_text

    deduction = await services.deduction_of(advance_id)
    overdue = adv["status"] == "未结清" and adv["due_on"] < today_local()
    consent_form = consent_form or Form(values={"amount": f"{adv['balance']:.2f}", "instalments": "1", "first_month": month_text(today_local())}, prefix="c-")
    return render(request, "finance/advance_detail.html", {
        "adv": adv, "entries": entries, "form": form or Form(), "deduction": deduction, "overdue": overdue, "basis": DEDUCTION_BASIS,
        "may_deduct": services.may_deduct(request.user), "consent_form": consent_form,
        "files": files or await attachments.form_context(request.user, []),
        "consent_files": await attachments.list_for(services.DEDUCTION_OWNER, advance_id) if deduction else [],
    }, status_code=status_code)


@get("/advances/{advance_id:int}", guards=[requires(Perm.WORKFLOW)])
async def advance_detail(request: Request, advance_id: int) -> Response:
    return await _advance_page(request, advance_id)


@post("/advances/{advance_id:int}/repay", guards=[requires(Perm.FINANCE)], status_code=200)
async def advance_repay(request: Request, advance_id: int) -> Response:
    data = await form_data(request)
    try:
        await services.repay(request.user, advance_id, data.get("amount", ""), data.get("note", ""))
    except services.FinanceError as e:
        return await _advance_page(request, advance_id, Form(values=data, errors={e.field or "amount": e.message}), 400)
    return redirect_with_flash(f"/finance/advances/{advance_id}", "已登记还款", "success", request)


@post("/advances/{advance_id:int}/consent", guards=[requires(Perm.FINANCE)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def advance_consent(request: Request, advance_id: int) -> Response:
    """工资扣回: record the employee's written consent (finance only); refused with the legal basis without it."""
    if not services.may_deduct(request.user):
        from litestar.exceptions import PermissionDeniedException

        raise PermissionDeniedException("只有财务部可以办理工资扣回")
    data = await request.form()
    values = {k: data.get(k) for k in ("consent_signed", "consent_on", "amount", "instalments", "first_month")}
    form = Form(values={k: v or "" for k, v in values.items()})
    form.prefix = "c-"
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed:
        return await _advance_page(request, advance_id, consent_form=form, files=files)
    try:
        done = await services.record_consent(request.user, advance_id, values, file_ids)
    except services.DeductionRefused as e:
        form.errors.update(e.errors)
        if "attachments" in e.errors:
            files = {**files, "error": e.errors["attachments"]}
        return await _advance_page(request, advance_id, consent_form=form, files=files, status_code=400)
    except services.FinanceError as e:
        form.errors["__all__"] = e.message
        return await _advance_page(request, advance_id, consent_form=form, files=files, status_code=400)
    return redirect_with_flash(f"/finance/advances/{advance_id}", f"已登记书面同意，分 {len(done['schedule'])} 期从工资扣回", "success", request)


@post("/advances/{advance_id:int}/deduct", guards=[requires(Perm.FINANCE)], status_code=200)
async def advance_deduct(request: Request, advance_id: int) -> Response:
    """Record the next scheduled instalment as deducted from pay."""
    if not services.may_deduct(request.user):
        from litestar.exceptions import PermissionDeniedException

        raise PermissionDeniedException("只有财务部可以办理工资扣回")
    try:
        amount = await services.payroll_deduct(request.user, advance_id)
    except services.FinanceError as e:
        return redirect_with_flash(f"/finance/advances/{advance_id}", e.message, "error", request)
    return redirect_with_flash(f"/finance/advances/{advance_id}", f"已登记工资扣回 {amount:,.2f} 元", "success", request)


@get("/my-advances", guards=[requires(Perm.WORKFLOW)])
async def my_advances(request: Request) -> Response:
    rows = await Advance.select(Advance.id, Advance.request.number, Advance.kind, Advance.amount, Advance.balance, Advance.due_on, Advance.status).where(
        Advance.employee == (request.user.employee_id or 0)).order_by(Advance.id, ascending=False).limit(100)
    return render(request, "finance/my_advances.html", {"rows": rows})


@get("/invoices", guards=[requires(Perm.FINANCE)])
async def invoices(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, INVOICES, dict(request.query_params), "发票登记")
    result = await INVOICES.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "finance/invoices.html", {"result": result}, fragment="_partials/listing_table.html")


@get("/payments", guards=[requires(Perm.FINANCE)])
async def payments(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, PAYMENTS, dict(request.query_params), "合同付款登记")
    result = await PAYMENTS.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "finance/payments.html", {"result": result}, fragment="_partials/listing_table.html")


router = Router(path="/finance", route_handlers=[advances, advance_detail, advance_repay, advance_consent, advance_deduct, my_advances, invoices, payments])
