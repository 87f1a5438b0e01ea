"""Office registers: stock items and their ledgers, durable items held by people, vehicles, the booking calendar,
bookings with their trip logs. Requests themselves go through the engine's pages (/workflow/new/<code>)."""
from __future__ import annotations

from dataclasses import replace

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.query.functions.aggregate import Sum

from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.web import Form, form_data, redirect_with_flash, render
from app.office import services
from app.office.tables import DurableHolding, StockEntry, StockItem, TripLog, Vehicle, VehicleBooking

LIST_FRAGMENT = "_partials/listing_table.html"


async def _vehicle_filter_choices(_user) -> list[tuple[str, str]]:
    return [(str(v["id"]), v["plate"]) for v in await services.vehicle_choices()]


ITEMS = Listing(
    table=StockItem,
    select=[StockItem.id, StockItem.name, StockItem.spec, StockItem.unit, StockItem.quantity, StockItem.durable, StockItem.active],
    columns=[
        Col("name", "物品名称", sort=StockItem.name, link="/office/items/{id}", testid="item-link"),
        Col("spec", "规格型号"),
        Col("unit", "单位"),
        Col("quantity", "库存数量", sort=StockItem.quantity),
        Col("durable", "耐用品", fmt="bool"),
        Col("active", "在用", fmt="bool"),
    ],
    filters=[
        Filter("q", "物品名称/规格", "text", columns=[StockItem.name, StockItem.spec], placeholder="输入名称或规格"),
        Filter("durable", "类别", "select", columns=[StockItem.durable], choices=[("1", "耐用品"), ("0", "消耗品")]),
    ],
    default_sort="name", base_url="/office/items", target_id="item-list",
)

LEDGER = Listing(
    table=StockEntry,
    select=[StockEntry.id, StockEntry.at, StockEntry.kind, StockEntry.qty_in, StockEntry.qty_out, StockEntry.balance, StockEntry.request,
            StockEntry.request.number, StockEntry.person.name, StockEntry.actor_name, StockEntry.note],
    columns=[
        Col("at", "日期", sort=StockEntry.at, fmt="datetime"),
        Col("kind", "摘要"),
        Col("qty_in", "入库"),
        Col("qty_out", "出库"),
        Col("balance", "结存"),
        Col("request.number", "单据", link="/workflow/requests/{request}", testid="ledger-request"),
        Col("person.name", "申请人/领用人"),
        Col("actor_name", "经手人"),
        Col("note", "备注"),
    ],
    filters=[
        Filter("kind", "摘要", "select", columns=[StockEntry.kind], choices=[(k, k) for k in ("期初", "申购入库", "领用出库", "归还入库")]),
        Filter("from", "起始日期", "date_from", columns=[StockEntry.at]),
        Filter("to", "截止日期", "date_to", columns=[StockEntry.at]),
    ],
    default_sort="at", default_desc=True, target_id="ledger-list",
)

_DURABLE_SELECT = [DurableHolding.id, DurableHolding.item, DurableHolding.item.name, DurableHolding.item.spec, DurableHolding.item.unit,
                   DurableHolding.employee.name, DurableHolding.qty, DurableHolding.request, DurableHolding.request.number,
                   DurableHolding.issued_at, DurableHolding.returned, DurableHolding.returned_at]
_RETURNED = [("0", "未归还"), ("1", "已归还")]

DURABLES = Listing(
    table=DurableHolding, select=_DURABLE_SELECT,
    columns=[
        Col("item.name", "物品", sort=DurableHolding.item.name, link="/office/durables/{id}", testid="durable-link"),
        Col("item.spec", "规格"),
        Col("employee.name", "领用人", sort=DurableHolding.employee.name),
        Col("qty", "数量"),
        Col("request.number", "领用单", link="/workflow/requests/{request}"),
        Col("issued_at", "领用时间", sort=DurableHolding.issued_at, fmt="datetime"),
        Col("returned", "已归还", fmt="bool"),
        Col("returned_at", "归还时间", fmt="datetime"),
    ],
    filters=[
        Filter("q", "物品/领用人", "text", columns=[DurableHolding.item.name, DurableHolding.employee.name]),
        Filter("returned", "状态", "select", columns=[DurableHolding.returned], choices=_RETURNED),
    ],
    default_sort="issued_at", default_desc=True, base_url="/office/durables", target_id="durable-list",
)

MY_DURABLES = Listing(
    table=DurableHolding, select=_DURABLE_SELECT,
    columns=[c for c in DURABLES.columns if c.key != "employee.name"],
    filters=[Filter("returned", "状态", "select", columns=[DurableHolding.returned], choices=_RETURNED)],
    default_sort="issued_at", default_desc=True, base_url="/office/my-durables", target_id="my-durable-list",
    scope=lambda user: DurableHolding.employee == (user.employee_id or 0),
)

VEHICLES = Listing(
    table=Vehicle,
    select=[Vehicle.id, Vehicle.plate, Vehicle.model, Vehicle.seats, Vehicle.odometer, Vehicle.active],
    columns=[
        Col("plate", "车牌号", sort=Vehicle.plate),
        Col("model", "品牌型号"),
        Col("seats", "座位数"),
        Col("odometer", "当前里程（公里）", sort=Vehicle.odometer),
        Col("active", "可预约", fmt="bool"),
    ],
    filters=[Filter("q", "车牌/型号", "text", columns=[Vehicle.plate, Vehicle.model])],
    default_sort="plate", base_url="/office/vehicles", target_id="vehicle-list",
)

BOOKINGS = Listing(
    table=VehicleBooking,
    select=[VehicleBooking.id, VehicleBooking.request.number, VehicleBooking.request.status, VehicleBooking.request.applicant.name,
            VehicleBooking.vehicle.plate, VehicleBooking.destination, VehicleBooking.depart_at, VehicleBooking.return_at],
    columns=[
        Col("request.number", "单号", sort=VehicleBooking.request.number, link="/office/bookings/{id}", testid="booking-link"),
        Col("vehicle.plate", "车辆"),
        Col("request.applicant.name", "申请人"),
        Col("destination", "目的地"),
        Col("depart_at", "出发时间", sort=VehicleBooking.depart_at, fmt="datetime"),
        Col("return_at", "返回时间", sort=VehicleBooking.return_at, fmt="datetime"),
        Col("request.status", "状态", fmt="badge"),
    ],
    filters=[
        Filter("q", "单号/目的地/申请人", "text", columns=[VehicleBooking.request.number, VehicleBooking.destination, VehicleBooking.request.applicant.name]),
        Filter("vehicle", "车辆", "select", columns=[VehicleBooking.vehicle], choices=_vehicle_filter_choices),
        Filter("status", "状态", "select", columns=[VehicleBooking.request.status], choices=[(s, s) for s in ("审批中", "已退回", "已通过", "已驳回", "已撤回")]),
        Filter("from", "出发不早于", "date_from", columns=[VehicleBooking.depart_at]),
    ],
    default_sort="depart_at", default_desc=True, base_url="/office/bookings", target_id="booking-list",
)

TRIPS = Listing(
    table=TripLog,
    select=[TripLog.id, TripLog.booking, TripLog.booking.request.number, TripLog.vehicle.plate, TripLog.odometer_out, TripLog.odometer_in,
            TripLog.distance, TripLog.fuel_amount, TripLog.toll_amount, TripLog.fuel_note, TripLog.recorded_by_name, TripLog.at],
    columns=[
        Col("booking.request.number", "用车单", link="/office/bookings/{booking}", testid="trip-link"),
        Col("vehicle.plate", "车辆"),
        Col("odometer_out", "出车里程"),
        Col("odometer_in", "回车里程"),
        Col("distance", "行驶公里", sort=TripLog.distance),
        Col("fuel_amount", "油费", fmt="money"),
        Col("toll_amount", "路桥费", fmt="money"),
        Col("fuel_note", "说明"),
        Col("recorded_by_name", "登记人"),
        Col("at", "登记时间", sort=TripLog.at, fmt="datetime"),
    ],
    filters=[
        Filter("vehicle", "车辆", "select", columns=[TripLog.vehicle], choices=_vehicle_filter_choices),
        Filter("from", "登记日期起", "date_from", columns=[TripLog.at]),
        Filter("to", "登记日期止", "date_to", columns=[TripLog.at]),
    ],
    default_sort="at", default_desc=True, base_url="/office/trips", target_id="trip-list",
)


# ---------------------------------------------------------------- stock


@get("/items", guards=[requires(Perm.WORKFLOW)])
async def items(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, ITEMS, dict(request.query_params), "办公用品库存")
    result = await ITEMS.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "office/items.html", {"result": result, "can_manage": services.can_manage(request.user)}, fragment=LIST_FRAGMENT)


@get("/items/{item_id:int}", guards=[requires(Perm.WORKFLOW)])
async def item_detail(request: Request, item_id: int) -> Response:
    item = await StockItem.select().where(StockItem.id == item_id).first()
    if not item:
        raise NotFoundException("物品不存在")
    listing = replace(LEDGER, base_url=f"/office/items/{item_id}", extra_where=(StockEntry.item == item_id,))
    if wants_export(request):
        return await export_response(request, listing, dict(request.query_params), f"出入库台账_{item['name']}"[:30])
    result = await listing.fetch(dict(request.query_params), request.user)
    result.offer_export()
    held_out = 0
    if item["durable"]:
        row = await DurableHolding.select(Sum(DurableHolding.qty, alias="n")).where(
            (DurableHolding.item == item_id) & (DurableHolding.returned == False)).first()  # noqa: E712
        held_out = (row or {}).get("n") or 0
    return render(request, "office/item_detail.html", {"item": item, "result": result, "held_out": held_out}, fragment=LIST_FRAGMENT)


@get("/my-durables", guards=[requires(Perm.WORKFLOW)])
async def my_durables(request: Request) -> Response:
    result = await MY_DURABLES.fetch(dict(request.query_params), request.user)
    return render(request, "office/my_durables.html", {"result": result}, fragment=LIST_FRAGMENT)


@get("/durables", guards=[requires(Perm.WORKFLOW)])
async def durables(request: Request) -> Response:
    services.require_manage(request.user)
    if wants_export(request):
        return await export_response(request, DURABLES, dict(request.query_params), "耐用品领用台账")
    result = await DURABLES.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "office/durables.html", {"result": result}, fragment=LIST_FRAGMENT)


async def _holding(request: Request, holding_id: int) -> dict:
    h = await DurableHolding.select(*_DURABLE_SELECT, DurableHolding.employee, DurableHolding.returned_by_name).where(
        DurableHolding.id == holding_id).first()
    if not h:
        raise NotFoundException("领用记录不存在")
    if h["employee"] != request.user.employee_id and not services.can_manage(request.user):
        raise PermissionDeniedException("无权查看")
    return h


@get("/durables/{holding_id:int}", guards=[requires(Perm.WORKFLOW)])
async def durable_detail(request: Request, holding_id: int) -> Response:
    h = await _holding(request, holding_id)
    return render(request, "office/durable_detail.html", {"h": h, "can_manage": services.can_manage(request.user)})


@post("/durables/{holding_id:int}/return", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def durable_return(request: Request, holding_id: int) -> Response:
    try:
        await services.return_durable(request.user, holding_id)
    except services.OfficeError as e:
        return redirect_with_flash(f"/office/durables/{holding_id}", e.message, "error", request)
    return redirect_with_flash(f"/office/durables/{holding_id}", "已登记归还，物品已入库", "success", request)


# ---------------------------------------------------------------- vehicles


@get("/vehicles", guards=[requires(Perm.WORKFLOW)])
async def vehicles(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, VEHICLES, dict(request.query_params), "车辆登记")
    result = await VEHICLES.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "office/vehicles.html", {"result": result}, fragment=LIST_FRAGMENT)


@get("/calendar", guards=[requires(Perm.WORKFLOW)])
async def calendar(request: Request) -> Response:
    cal = await services.week_calendar(services.week_start(request.query_params.get("week")))
    return render(request, "office/calendar.html", {"cal": cal}, fragment="office/_calendar_week.html")


@get("/bookings", guards=[requires(Perm.WORKFLOW)])
async def bookings(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, BOOKINGS, dict(request.query_params), "用车预约登记")
    result = await BOOKINGS.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "office/bookings.html", {"result": result}, fragment=LIST_FRAGMENT)


async def _booking_page(request: Request, booking_id: int, form: Form | None = None, status_code: int = 200) -> Response:
    page = await services.booking_page(booking_id)
    b = page["b"]
    can_log = (b["request.status"] == "已通过" and not page["trip"] and services.can_log_trip(request.user, b))
    if form is None:
        form = Form(values={"odometer_out": str(b["vehicle.odometer"])})
    return render(request, "office/booking_detail.html", {**page, "can_log": can_log, "form": form}, status_code=status_code)


@get("/bookings/{booking_id:int}", guards=[requires(Perm.WORKFLOW)])
async def booking_detail(request: Request, booking_id: int) -> Response:
    return await _booking_page(request, booking_id)


@post("/bookings/{booking_id:int}/trip", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def booking_trip(request: Request, booking_id: int) -> Response:
    page = await services.booking_page(booking_id)
    if not services.can_log_trip(request.user, page["b"]):
        raise PermissionDeniedException("只有申请人或行政部可以登记行车记录")
    data = await form_data(request)
    trip, errors = services.parse_trip(data)
    if trip is None:
        return await _booking_page(request, booking_id, Form(values=data, errors=errors), 400)
    try:
        distance = await services.record_trip(request.user, booking_id, trip)
    except services.OfficeError as e:
        return await _booking_page(request, booking_id, Form(values=data, errors={e.field or "odometer_out": e.message}), 400)
    return redirect_with_flash(f"/office/bookings/{booking_id}", f"已登记行车记录：行驶 {distance} 公里", "success", request)


@get("/trips", guards=[requires(Perm.WORKFLOW)])
async def trips(request: Request) -> Response:
    if wants_export(request):
        return await export_response(request, TRIPS, dict(request.query_params), "出车登记")
    result = await TRIPS.fetch(dict(request.query_params), request.user)
    result.offer_export()
    return render(request, "office/trips.html", {"result": result}, fragment=LIST_FRAGMENT)


router = Router(path="/office", route_handlers=[
    items, item_detail, my_durables, durables, durable_detail, durable_return, vehicles, calendar, bookings, booking_detail, booking_trip, trips,
])
