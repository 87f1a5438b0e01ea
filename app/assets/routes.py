"""Asset pages: the register (cards filtered by status, category, custodian, department), what each custodian
holds, a card with its history, the net-value preview of the disposal form, and the certified data-wipe entry."""
from __future__ import annotations

from decimal import Decimal

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.assets import services
from app.assets.tables import AssetCard
from app.core.fields import parse_id
from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.web import Form, form_data, redirect_with_flash, render

STATUSES = [("在用", "在用"), ("已报废", "已报废")]

CARDS = Listing(
    table=AssetCard,
    select=[AssetCard.id, AssetCard.number, AssetCard.name, AssetCard.spec, AssetCard.category.name, AssetCard.original_value,
            AssetCard.purchase_date, AssetCard.depreciation_years, AssetCard.department.name, AssetCard.custodian.name, AssetCard.location,
            AssetCard.status, AssetCard.disposal, AssetCard.disposed_on],
    columns=[
        Col("number", "资产编号", sort=AssetCard.number, link="/assets/cards/{id}", testid="card-link"),
        Col("name_text", "名称 / 规格", sort=AssetCard.name),
        Col("original_value", "原值", sort=AssetCard.original_value, fmt="money"),
        Col("net_value", "净值", fmt="money"),
        Col("purchase_date", "购置日期", sort=AssetCard.purchase_date, fmt="date"),
        Col("custodian.name", "保管人", sort=AssetCard.custodian.name),
        Col("status_text", "状态", fmt="badge"),
    ],
    filters=[
        Filter("q", "编号/名称", "text", columns=[AssetCard.number, AssetCard.name, AssetCard.spec], placeholder="资产编号、名称或型号"),
        Filter("status", "状态", "select", columns=[AssetCard.status], choices=STATUSES),
        Filter("category", "类别", "select", columns=[AssetCard.category], choices=services.category_choices),
        Filter("custodian", "保管人", "select", columns=[AssetCard.custodian], choices=services.custodian_filter_choices),
        Filter("department", "使用部门", "select", columns=[AssetCard.department], choices=services.department_filter_choices),
    ],
    default_sort="number", default_desc=True, base_url="/assets", target_id="asset-list", scope=services.card_scope,
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


def _check_id(row_id: int, message: str) -> None:
    if not 0 < row_id <= MAX_ID:
        raise NotFoundException(message)


def _card_rows(rows: list[dict]) -> None:
    for r in rows:
        r["net_value"] = services.card_net_value(r).net
        r["name_text"] = r["name"] + (f"（{r['spec']}）" if r["spec"] else "")
        r["status_text"] = "报废审批中" if (r["status"] == services.IN_USE and r["disposal"]) else r["status"]


@get("/", guards=[requires(Perm.WORKFLOW)])
async def register(request: Request) -> Response:
    params = _params(request, "category", "custodian", "department")
    if wants_export(request):
        return await export_response(request, CARDS, params, "固定资产台账", _card_rows)
    result = await CARDS.fetch(params, request.user)
    _card_rows(result.page.rows)  # one page of rows only
    result.offer_export()
    return render(request, "assets/register.html", {"result": result, "sees_all": services.sees_register(request.user)},
                  fragment="_partials/listing_table.html")


@get("/by-custodian", guards=[requires(Perm.WORKFLOW)])
async def by_custodian(request: Request) -> Response:
    rows = await services.by_custodian(request.user)
    totals = {"n": sum(r["n"] for r in rows), "total": sum((r["total"] for r in rows), Decimal("0.00"))}
    return render(request, "assets/by_custodian.html", {"rows": rows, "totals": totals, "sees_all": services.sees_register(request.user)})


@get("/cards/{card_id:int}", guards=[requires(Perm.WORKFLOW)])
async def card_detail(request: Request, card_id: int) -> Response:
    _check_id(card_id, "资产卡片不存在")
    card = await services.card(card_id)
    if not card:
        raise NotFoundException("资产卡片不存在")
    if not (services.sees_register(request.user) or card["custodian"] == request.user.employee_id):
        raise PermissionDeniedException("无权查看该资产卡片")
    disposal = await services.disposal_for_wipe(card["disposal"]) if card["disposal"] else None
    return render(request, "assets/card.html", {"card": card, "nv": services.card_net_value(card), "history": await services.history(card_id),
                                                "disposal": disposal, "may_wipe": services.may_wipe(request.user)})


@get("/net-value", guards=[requires(Perm.WORKFLOW)])
async def net_value_preview(request: Request) -> Response:
    """The disposal form's computed net value (HTMX fragment; also a plain page)."""
    raw = (request.query_params.get("asset") or "").strip()
    card_id = parse_id(raw)
    card = await services.card(card_id) if card_id else None
    ctx = {"card": card, "nv": services.card_net_value(card) if card else None}
    if card and card["status"] == services.IN_USE:
        ctx["pending"] = await services.pending_disposal(card["id"])
    return render(request, "assets/net_value.html", ctx, fragment="assets/_net_value.html")


async def _wipe_page(request: Request, request_id: int, form: Form | None = None, status_code: int = 200) -> Response:
    _check_id(request_id, "报废申请不存在")
    d = await services.disposal_for_wipe(request_id)
    if not d:
        raise NotFoundException("报废申请不存在")
    if not services.may_wipe(request.user):
        raise PermissionDeniedException("只有行政部（信息化）可以登记数据擦除")
    return render(request, "assets/wipe.html", {"d": d, "form": form or Form(), "methods": services.WIPE_METHODS}, status_code=status_code)


@get("/disposals/{request_id:int}/wipe", guards=[requires(Perm.WORKFLOW)])
async def wipe_form(request: Request, request_id: int) -> Response:
    return await _wipe_page(request, request_id)


@post("/disposals/{request_id:int}/wipe", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def wipe_submit(request: Request, request_id: int) -> Response:
    _check_id(request_id, "报废申请不存在")
    data = await form_data(request)
    try:
        errors = await services.confirm_wipe(request.user, request_id, data)
    except services.AssetError as e:
        raise NotFoundException(e.message) from None
    if errors:
        return await _wipe_page(request, request_id, Form(values=data, errors=errors), 400)
    return redirect_with_flash(f"/workflow/requests/{request_id}", "已登记数据擦除", "success", request)


router = Router(path="/assets", route_handlers=[register, by_custodian, card_detail, net_value_preview, wipe_form, wipe_submit])
