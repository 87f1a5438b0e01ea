"""学历/资格证书培训 pages (SPEC §E7): /hr/training — my training agreements (HR sees everyone's, paged);
/hr/training/{id} — one agreement: its service period, the penalty that would be due if the person left today
([L] 劳动合同法 第二十二条), the certificate (HR records its date; the scan goes in the attachments) and, once shown,
the reimbursement due through 日常费用报销."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.hr_training import rules, services
from app.hr_training.tables import AWAITING, SERVING

MINE = requires(Perm.REQUEST)
HR = requires(Perm.HR_MANAGE)


@get("/", guards=[MINE])
async def agreements(request: Request) -> Response:
    user = request.user
    is_hr = user.can(Perm.HR_MANAGE)
    sel, cnt = services.list_query(user, is_hr)
    page = await paginate(sel, cnt, page=clamp_page(request.query_params.get("page")), per_page=20, params={})
    today = today_local()
    rows = [{**r, "penalty": services.penalty_today(r, today)} for r in page.rows] if (is_hr or user.employee_id) else []
    return render(request, "hr_training/list.html", {
        "page": page, "rows": rows, "is_hr": is_hr, "legal": rules.LEGAL_22, "fmt_penalty": rules.penalty_text,
        "result": {"page": page, "base_url": "/hr/training", "target_id": "training-list"}}, fragment="hr_training/_rows.html")


async def _page(request: Request, agreement_id: int, form: Form | None = None, status_code: int = 200) -> Response:
    row = await services.get(agreement_id)
    if row is None:
        raise NotFoundException()
    if not services.may_see(request.user, row):
        raise PermissionDeniedException()
    today = today_local()
    p = services.penalty_today(row, today)
    return render(request, "hr_training/detail.html", {
        "t": row, "penalty": p, "penalty_text": rules.penalty_text(p), "legal": rules.LEGAL_22, "today": today,
        "is_hr": request.user.can(Perm.HR_MANAGE), "AWAITING": AWAITING, "SERVING": SERVING,
        "form": form or Form(values={"cert_on": today.isoformat(), "cert_no": ""}),
        "att": await attachments.panel(request.user, services.OWNER, row["id"])}, status_code=status_code)


@get("/{agreement_id:int}", guards=[MINE])
async def detail(request: Request, agreement_id: int) -> Response:
    return await _page(request, agreement_id)


@post("/{agreement_id:int}/certificate", guards=[HR], status_code=200)
async def certificate(request: Request, agreement_id: int) -> Response:
    data = await form_data(request)
    if await services.get(agreement_id) is None:
        raise NotFoundException()
    try:
        row = await services.record_certificate(request.user, agreement_id, data.get("cert_on", ""), data.get("cert_no", ""))
    except services.TrainingInputError as e:
        form = Form(values=data)
        form.error(e.field, e.message)
        return await _page(request, agreement_id, form, 422)
    return redirect_with_flash(f"/hr/training/{agreement_id}", f"已登记证书，服务期至 {row['service_end']:%Y-%m-%d}", request=request)


router = Router(path="/hr/training", route_handlers=[agreements, detail, certificate])
