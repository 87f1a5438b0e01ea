"""用章 pages: the seal register, the usage log (filtered by seal and date) and one use's page, where the
keeper records the 监印人 and the return of a seal taken out."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.fields import parse_id
from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.timeutil import now
from app.core.web import Form, form_data, is_fragment_request, redirect_with_flash, render
from app.seals import services
from app.seals.tables import Seal, SealLog

SEALS = Listing(
    table=Seal,
    select=[Seal.id, Seal.name, Seal.kind, Seal.keeper.name, Seal.keeper_dept, Seal.active, Seal.note],
    columns=[
        Col("name", "印章名称", sort=Seal.name),
        Col("kind", "类型", sort=Seal.kind),
        Col("keeper_dept", "保管部门"),
        Col("keeper.name", "保管人"),
        Col("active_text", "状态", fmt="badge"),
        Col("note", "备注"),
    ],
    filters=[Filter("kind", "类型", "select", columns=[Seal.kind], choices=[(k, k) for k in services.KINDS])],
    default_sort="", base_url="/seals", target_id="seal-list",
)


def log_listing(user) -> Listing:
    return Listing(
        table=SealLog,
        select=[SealLog.id, SealLog.used_on, SealLog.seal.name, SealLog.applicant.name, SealLog.department.name, SealLog.document,
                SealLog.contract_no, SealLog.copies, SealLog.purpose, SealLog.approver, SealLog.witness.name, SealLog.taken_out,
                SealLog.returned_at, SealLog.request, SealLog.request.number],
        columns=[
            Col("used_on", "日期", sort=SealLog.used_on, fmt="date"),
            Col("seal.name", "印章", sort=SealLog.seal.name),
            Col("document_text", "文件 / 合同编号"),
            Col("copies", "份数"),
            Col("applicant_text", "申请人", sort=SealLog.applicant.name),
            Col("approver", "批准人"),
            Col("witness_text", "监印人"),
            Col("out_text", "外带 / 归还"),
            Col("action", "操作", link="/seals/log/{id}", testid="log-open"),
        ],
        filters=[
            Filter("seal", "印章", "select", columns=[SealLog.seal], choices=services.seal_choices),
            Filter("from", "日期从", "date_from", columns=[SealLog.used_on]),
            Filter("to", "日期至", "date_to", columns=[SealLog.used_on]),
            Filter("q", "文件/合同编号/申请人", "text", columns=[SealLog.document, SealLog.contract_no, SealLog.applicant.name, SealLog.request.number],
                   placeholder="文件名、合同编号或申请人"),
        ],
        default_sort="used_on", default_desc=True, base_url="/seals/log", target_id="seal-log-list", scope=services.log_scope,
    )


MAX_ID = 2**31 - 1


def _params(request: Request, *id_filters: str) -> dict[str, str]:
    """The query string for a Listing, with id filters that are not a valid row id dropped (a huge number would
    overflow the database integer)."""
    params = dict(request.query_params)
    for name in id_filters:
        raw = (params.get(name) or "").strip()
        if raw and parse_id(raw) is None:  # only a positive 32-bit id (never int() of anything: "²" or 5,000 digits raise)
            params.pop(name)
    return params


def _check_id(row_id: int) -> None:
    if not 0 < row_id <= MAX_ID:
        raise NotFoundException("用印记录不存在")


def _seal_rows(rows: list[dict]) -> None:
    for r in rows:
        r["active_text"] = "在用" if r["active"] else "停用"


@get("/", guards=[requires(Perm.WORKFLOW)])
async def register(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, SEALS, dict(request.query_params), "印章登记", _seal_rows)
    result = await SEALS.fetch(dict(request.query_params), request.user)
    _seal_rows(result.page.rows)
    result.offer_export()
    return render(request, "seals/register.html", {"result": result}, fragment="_partials/listing_table.html")


@get("/log", guards=[requires(Perm.WORKFLOW)])
async def usage_log(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, log_listing(request.user), _params(request, "seal"), "用印登记", services.decorate_logs)
    result = await log_listing(request.user).fetch(_params(request, "seal"), request.user)
    services.decorate_logs(result.page.rows)
    result.offer_export()
    return render(request, "seals/log.html", {"result": result, "sees_all": services.sees_all_logs(request.user)},
                  fragment="_partials/listing_table.html")


async def _entry_page(request: Request, log_id: int, form: Form | None = None, status_code: int = 200, message: str = "") -> Response:
    _check_id(log_id)
    entry = await services.log_entry(log_id)
    if not entry:
        raise NotFoundException("用印记录不存在")
    if not (services.sees_all_logs(request.user) or entry["applicant"] == request.user.employee_id or services.may_keep(request.user, entry)):
        raise PermissionDeniedException("无权查看该用印记录")
    ctx = {
        "entry": entry, "group": await services.group_rows(entry["request"]), "form": form or Form(),
        "can_keep": services.may_keep(request.user, entry), "people": await services.employee_choices(),
        "now_input": services.local_input(now()), "message": message,
    }
    return render(request, "seals/log_entry.html", ctx, fragment="seals/_log_panel.html", status_code=status_code)


@get("/log/{log_id:int}", guards=[requires(Perm.WORKFLOW)])
async def log_detail(request: Request, log_id: int) -> Response:
    return await _entry_page(request, log_id)


async def _keeper_action(request: Request, log_id: int, action, field: str, done: str) -> Response:
    _check_id(log_id)
    data = await form_data(request)
    try:
        await action(request.user, log_id, data.get(field, ""))
    except services.SealError as e:
        if not e.field:
            raise NotFoundException(e.message) from None
        return await _entry_page(request, log_id, Form(values=data, errors={e.field: e.message}), 400)
    if is_fragment_request(request):
        return await _entry_page(request, log_id, message=done)
    return redirect_with_flash(f"/seals/log/{log_id}", done, "success", request)


@post("/log/{log_id:int}/witness", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def log_witness(request: Request, log_id: int) -> Response:
    return await _keeper_action(request, log_id, services.record_witness, "witness", "已登记监印人")


@post("/log/{log_id:int}/return", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def log_return(request: Request, log_id: int) -> Response:
    return await _keeper_action(request, log_id, services.record_return, "returned_at", "已登记印章归还")


router = Router(path="/seals", route_handlers=[register, usage_log, log_detail, log_witness, log_return])
