"""Office registers: stock movements (every one a ledger row with the balance after it, never below zero),
durable items held by people, vehicle bookings (no overlap of a vehicle or a driver) and trip logs (odometer
never backwards). Writes happen inside the caller's transaction (workflow hooks, form.save) or in their own
`write_transaction()`; each change of a register writes one audit row in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.db import write_transaction
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI, fmt_datetime, now, to_local, today_local
from app.office.tables import DurableHolding, Driver, IssueLine, StockEntry, StockItem, TripLog, Vehicle, VehicleBooking
from app.workflow.engine import WorkflowError

MANAGER_ROLES = {"admin_staff", "sysadmin"}
HOLDING_STATUSES = ["审批中", "已退回", "已通过"]  # request states whose bookings hold the slot (mirrors VehicleBooking.holds)
MAX_QTY = 100000
MAX_ODOMETER = 9_999_999


class OfficeError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def can_manage(user) -> bool:
    """行政 (and the system administrator) keep the stock and dispatch the cars; managers may act too."""
    return getattr(user, "role", None) in MANAGER_ROLES or user.can(Perm.WORKFLOW_ALL)


def require_manage(user) -> None:
    if not can_manage(user):
        raise PermissionDeniedException("只有行政部可以办理")


# ---------------------------------------------------------------- stock


async def item_choices(*, in_stock_only: bool = False) -> list[dict]:
    """Active items for the forms' drop-downs (reference data: a few hundred rows at most)."""
    q = StockItem.select(StockItem.id, StockItem.name, StockItem.spec, StockItem.unit, StockItem.quantity, StockItem.durable).where(
        StockItem.active == True)  # noqa: E712
    if in_stock_only:
        q = q.where(StockItem.quantity > 0)
    return await q.order_by(StockItem.name).order_by(StockItem.id).limit(1000)


async def items_by_id(ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    rows = await StockItem.select().where(StockItem.id.is_in(sorted(set(ids))))
    return {r["id"]: r for r in rows}


async def item_named(name: str, spec: str) -> dict | None:
    return await StockItem.select(StockItem.id, StockItem.name, StockItem.spec).where(
        (StockItem.name == name) & (StockItem.spec == spec)).first()


async def find_or_create_item(name: str, spec: str, unit: str, durable: bool, *, actor, request: dict) -> int:
    """A new item of a purchase, created on approval (or the one someone created meanwhile). In a transaction."""
    existing = await item_named(name, spec)
    if existing:
        return existing["id"]
    rows = await StockItem.insert(StockItem(name=name, spec=spec, unit=unit, quantity=0, durable=durable, active=True)).returning(StockItem.id)
    await audit.record(actor=actor, action="office.item_create", entity="office_item", entity_id=rows[0]["id"],
                       summary=f"新增库存物品 {name}{('（' + spec + '）') if spec else ''}（{request['number']}）", before=None,
                       after={"name": name, "spec": spec, "unit": unit, "durable": durable})
    return rows[0]["id"]


def item_label(item: dict) -> str:
    return item["name"] + (f"（{item['spec']}）" if item.get("spec") else "")


async def _ledger(item_id: int, kind: str, qty_in: int | None, qty_out: int | None, balance: int, *, request: dict | None, person: int | None,
                  actor, note: str = "") -> None:
    await StockEntry.insert(StockEntry(item=item_id, at=now(), kind=kind, qty_in=qty_in, qty_out=qty_out, balance=balance,
                                       request=request["id"] if request else None, person=person, actor=getattr(actor, "user_id", None),
                                       actor_name=getattr(actor, "display_name", "") or "系统", note=note[:200]))


async def stock_in(item_id: int, qty: int, *, kind: str, actor, request: dict | None = None, person: int | None = None, note: str = "") -> int:
    """Add to stock; a ledger row and an audit row. Call inside a transaction. Returns the balance."""
    rows = await StockItem.update({StockItem.quantity: StockItem.quantity + qty}).where(StockItem.id == item_id).returning(
        StockItem.quantity, StockItem.name, StockItem.unit)
    if not rows:
        raise WorkflowError("物品不存在")
    balance = rows[0]["quantity"]
    await _ledger(item_id, kind, qty, None, balance, request=request, person=person, actor=actor, note=note)
    await audit.record(actor=actor, action="office.stock_in", entity="office_item", entity_id=item_id,
                       summary=f"{rows[0]['name']} {kind} {qty} {rows[0]['unit']}" + (f"（{request['number']}）" if request else ""),
                       before={"quantity": balance - qty}, after={"quantity": balance})
    return balance


async def stock_out(item_id: int, qty: int, *, kind: str, actor, request: dict | None = None, person: int | None = None, note: str = "") -> int:
    """Take from stock with a conditional update (`quantity >= qty`), so two racing requisitions can never drive
    it below zero: the second finds nothing to update and fails. Call inside a transaction."""
    rows = await StockItem.update({StockItem.quantity: StockItem.quantity - qty}).where(
        (StockItem.id == item_id) & (StockItem.quantity >= qty)).returning(StockItem.quantity, StockItem.name, StockItem.unit)
    if not rows:
        cur = await StockItem.select(StockItem.name, StockItem.spec, StockItem.quantity, StockItem.unit).where(StockItem.id == item_id).first()
        if not cur:
            raise WorkflowError("物品不存在")
        raise WorkflowError(f"库存不足：「{item_label(cur)}」当前库存 {cur['quantity']} {cur['unit']}，本单需出库 {qty} {cur['unit']}。"
                            "请驳回或退回申请人修改数量。")
    balance = rows[0]["quantity"]
    await _ledger(item_id, kind, None, qty, balance, request=request, person=person, actor=actor, note=note)
    await audit.record(actor=actor, action="office.stock_out", entity="office_item", entity_id=item_id,
                       summary=f"{rows[0]['name']} {kind} {qty} {rows[0]['unit']}" + (f"（{request['number']}）" if request else ""),
                       before={"quantity": balance + qty}, after={"quantity": balance})
    return balance


async def return_durable(user, holding_id: int) -> None:
    """归还: a durable item comes back to stock (e.g. on exit)."""
    require_manage(user)
    async with write_transaction():
        rows = await DurableHolding.update({DurableHolding.returned: True, DurableHolding.returned_at: now(),
                                            DurableHolding.returned_by_name: user.display_name}).where(
            (DurableHolding.id == holding_id) & (DurableHolding.returned == False)).returning(  # noqa: E712
            DurableHolding.item, DurableHolding.qty, DurableHolding.employee, DurableHolding.request)
        if not rows:
            if not await DurableHolding.exists().where(DurableHolding.id == holding_id):
                raise NotFoundException("领用记录不存在")
            raise OfficeError("该物品已归还，请刷新页面")
        h = rows[0]
        await stock_in(h["item"], h["qty"], kind="归还入库", actor=user, person=h["employee"], note="耐用品归还")
        await audit.record(actor=user, action="office.durable_return", entity="office_durable", entity_id=holding_id,
                           summary=f"耐用品归还入库 {h['qty']} 件", before={"returned": False}, after={"returned": True})


# ---------------------------------------------------------------- vehicles


def local_text(value: datetime | None) -> str:
    """A stored time as a datetime-local input value."""
    v = to_local(value)
    return v.strftime("%Y-%m-%dT%H:%M") if v else ""


async def vehicle_choices(user=None) -> list[dict]:
    """Active vehicles; with `user`, a private car (私车公用) only for its owner."""
    q = Vehicle.select(Vehicle.id, Vehicle.plate, Vehicle.model, Vehicle.seats, Vehicle.odometer, Vehicle.private_owner).where(
        Vehicle.active == True)  # noqa: E712
    if user is not None:
        q = q.where(Vehicle.private_owner.is_null() | (Vehicle.private_owner == (getattr(user, "employee_id", None) or 0)))
    return await q.order_by(Vehicle.sort).order_by(Vehicle.plate).limit(200)


async def driver_choices() -> list[dict]:
    return await Driver.select(Driver.id, Driver.name, Driver.phone).where(Driver.active == True).order_by(Driver.id).limit(200)  # noqa: E712


async def _overlapping(column, value: int, depart: datetime, ret: datetime, exclude_request: int | None) -> dict | None:
    """A booking holding `column == value` whose range overlaps [depart, ret). Adjacent ranges do not overlap."""
    q = VehicleBooking.select(VehicleBooking.request.number, VehicleBooking.request.status, VehicleBooking.depart_at,
                              VehicleBooking.return_at).where(
        (column == value) & (VehicleBooking.holds == True) & (VehicleBooking.depart_at < ret) & (VehicleBooking.return_at > depart))  # noqa: E712
    if exclude_request:
        q = q.where(VehicleBooking.request != exclude_request)
    return await q.order_by(VehicleBooking.depart_at).first()


def _conflict_text(what: str, row: dict) -> str:
    return (f"{what}在该时间段已被预约：{row['request.number']}（{fmt_datetime(row['depart_at'])} 至 {fmt_datetime(row['return_at'])}，"
            f"{row['request.status']}），请换{'一辆车' if what == '该车辆' else '一位司机'}或调整时间")


async def booking_conflicts(vehicle_id: int | None, driver_id: int | None, depart: datetime, ret: datetime,
                            exclude_request: int | None = None) -> dict[str, str]:
    """Field messages for a vehicle or driver already booked in the range (pending and approved bookings hold it)."""
    out: dict[str, str] = {}
    if vehicle_id:
        row = await _overlapping(VehicleBooking.vehicle, vehicle_id, depart, ret, exclude_request)
        if row:
            out["vehicle"] = _conflict_text("该车辆", row)
    if driver_id:
        row = await _overlapping(VehicleBooking.driver, driver_id, depart, ret, exclude_request)
        if row:
            out["driver"] = _conflict_text("该司机", row)
    return out


async def lock_for_booking(vehicle_id: int, driver_id: int | None) -> None:
    """Serialise bookings of one vehicle (and one driver): an UPDATE takes the row lock on PostgreSQL until the
    transaction ends (on SQLite the engine's IMMEDIATE transaction already serialises writers). Vehicle first,
    then driver, always in that order, so two bookings cannot deadlock."""
    await Vehicle.update({Vehicle.sort: Vehicle.sort + 0}).where(Vehicle.id == vehicle_id)
    if driver_id:
        await Driver.update({Driver.active: Driver.active}).where(Driver.id == driver_id)


def week_start(raw: str | None) -> date:
    try:
        d = date.fromisoformat((raw or "").strip())
    except ValueError:
        d = today_local()
    return d - timedelta(days=d.weekday())


WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"]


async def week_calendar(monday: date) -> dict[str, Any]:
    """Vehicles as rows, the seven days as columns, bookings holding a slot in each cell (queried for the week only)."""
    start = datetime.combine(monday, time.min, tzinfo=SHANGHAI)
    end = start + timedelta(days=7)
    vehicles = await Vehicle.select(Vehicle.id, Vehicle.plate, Vehicle.model, Vehicle.seats).where(Vehicle.active == True).order_by(  # noqa: E712
        Vehicle.sort).order_by(Vehicle.plate).limit(200)
    bookings = await VehicleBooking.select(
        VehicleBooking.id, VehicleBooking.vehicle, VehicleBooking.request, VehicleBooking.request.number, VehicleBooking.request.status,
        VehicleBooking.request.applicant.name, VehicleBooking.driver.name, VehicleBooking.destination, VehicleBooking.depart_at,
        VehicleBooking.return_at,
    ).where((VehicleBooking.holds == True) & (VehicleBooking.depart_at < end) & (VehicleBooking.return_at > start)).order_by(  # noqa: E712
        VehicleBooking.depart_at).limit(2000)
    days = [monday + timedelta(days=i) for i in range(7)]
    today = today_local()
    grid = []
    for v in vehicles:
        cells = []
        for d in days:
            d0 = datetime.combine(d, time.min, tzinfo=SHANGHAI)
            d1 = d0 + timedelta(days=1)
            cell = []
            for b in bookings:
                if b["vehicle"] == v["id"] and to_local(b["depart_at"]) < d1 and to_local(b["return_at"]) > d0:
                    dep, ret = to_local(b["depart_at"]), to_local(b["return_at"])
                    cell.append({**b, "from": dep.strftime("%H:%M") if dep >= d0 else "…", "to": ret.strftime("%H:%M") if ret <= d1 else "…"})
            cells.append(cell)
        grid.append({"vehicle": v, "cells": cells})
    return {
        "monday": monday, "days": [{"day": d, "weekday": WEEKDAYS[i], "today": d == today} for i, d in enumerate(days)], "grid": grid,
        "prev": (monday - timedelta(days=7)).isoformat(), "next": (monday + timedelta(days=7)).isoformat(),
        "this_week": (today - timedelta(days=today.weekday())).isoformat(), "sunday": monday + timedelta(days=6),
    }


async def booking_page(booking_id: int) -> dict:
    b = await VehicleBooking.select(
        VehicleBooking.all_columns(), VehicleBooking.request.number, VehicleBooking.request.status, VehicleBooking.request.applicant_user,
        VehicleBooking.request.applicant.name, VehicleBooking.vehicle.plate, VehicleBooking.vehicle.model, VehicleBooking.vehicle.odometer,
        VehicleBooking.driver.name, VehicleBooking.driver.phone, VehicleBooking.vehicle.private_owner.name,
    ).where(VehicleBooking.id == booking_id).first()
    if not b:
        raise NotFoundException("用车记录不存在")
    trip = await TripLog.select().where(TripLog.booking == booking_id).first()
    claim = None
    if trip:
        from app.finance.tables import ExpenseTrip  # the expense claim holding this trip, if any (finance builds on office)

        claim = await ExpenseTrip.select(ExpenseTrip.request, ExpenseTrip.request.number, ExpenseTrip.request.status, ExpenseTrip.amount).where(
            ExpenseTrip.trip == trip["id"]).first()
    return {"b": b, "trip": trip, "claim": claim}


def can_log_trip(user, booking: dict) -> bool:
    return booking["request.applicant_user"] == user.user_id or can_manage(user)


@dataclass
class TripInput:
    odometer_out: int
    odometer_in: int
    fuel_note: str
    fuel_amount: Decimal = Decimal("0.00")  # 油费 per the receipts (an expense claim takes this amount)
    toll_amount: Decimal = Decimal("0.00")  # 路桥费/停车费 per the receipts


def parse_trip(values: dict[str, str]) -> tuple[TripInput | None, dict[str, str]]:
    from app.core.fields import Parser

    p = Parser(values)
    out = p.integer("odometer_out", "出车里程", minimum=0, maximum=MAX_ODOMETER)
    back = p.integer("odometer_in", "回车里程", minimum=0, maximum=MAX_ODOMETER)
    note = p.text("fuel_note", "油费、路桥费说明", required=False, max_len=200)
    fuel = p.money("fuel_amount", "油费（票据金额）", required=False, allow_zero=True)
    toll = p.money("toll_amount", "路桥费（票据金额）", required=False, allow_zero=True)
    if out is not None and back is not None and "odometer_out" not in p.errors and "odometer_in" not in p.errors and back < out:
        p.fail("odometer_in", f"回车里程不能小于出车里程（{out} 公里）")
    if p.errors:
        return None, p.errors
    return TripInput(out, back, note, fuel or Decimal("0.00"), toll or Decimal("0.00")), {}


async def record_trip(user, booking_id: int, trip: TripInput) -> int:
    """行车记录: by 行政 or the applicant, once per approved booking. The vehicle's odometer moves forward with a
    conditional update (`odometer <= out`), so it never goes backwards, even with two logs at once."""
    page = await booking_page(booking_id)
    b = page["b"]
    if not can_log_trip(user, b):
        raise PermissionDeniedException("只有申请人或行政部可以登记行车记录")
    async with write_transaction():
        status = (await VehicleBooking.select(VehicleBooking.request.status).where(VehicleBooking.id == booking_id).first())["request.status"]
        if status != "已通过":
            raise OfficeError("用车申请审批通过后才能登记行车记录", "odometer_out")
        rows = await Vehicle.update({Vehicle.odometer: trip.odometer_in}).where(
            (Vehicle.id == b["vehicle"]) & (Vehicle.odometer <= trip.odometer_out)).returning(Vehicle.odometer)
        if not rows:
            cur = (await Vehicle.select(Vehicle.odometer).where(Vehicle.id == b["vehicle"]).first())["odometer"]
            raise OfficeError(f"出车里程不能小于该车上次记录的里程 {cur} 公里（里程不能倒退）", "odometer_out")
        if await TripLog.exists().where(TripLog.booking == booking_id):
            raise OfficeError("该次用车已登记行车记录", "odometer_out")
        distance = trip.odometer_in - trip.odometer_out
        await TripLog.insert(TripLog(booking=booking_id, vehicle=b["vehicle"], odometer_out=trip.odometer_out, odometer_in=trip.odometer_in,
                                     distance=distance, fuel_note=trip.fuel_note, fuel_amount=trip.fuel_amount, toll_amount=trip.toll_amount,
                                     recorded_by=user.user_id, recorded_by_name=user.display_name,
                                     at=now()))
        await audit.record(actor=user, action="office.trip", entity="office_booking", entity_id=booking_id,
                           summary=f"{b['request.number']} {b['vehicle.plate']} 行车 {distance} 公里（{trip.odometer_out}→{trip.odometer_in}）",
                           before={"odometer": b["vehicle.odometer"]}, after={"odometer": trip.odometer_in, "distance": distance,
                                                                              "fuel_amount": str(trip.fuel_amount), "toll_amount": str(trip.toll_amount)})
    return distance


# ---------------------------------------------------------------- trips claimed through an expense (E2 → E13)

_TRIP_COLUMNS = (TripLog.id, TripLog.booking.request.number, TripLog.booking.request.applicant_user, TripLog.vehicle.plate,
                 TripLog.vehicle.private_owner, TripLog.distance, TripLog.fuel_amount, TripLog.toll_amount, TripLog.at,
                 TripLog.booking.destination, TripLog.booking.depart_at)


def _unclaimed():
    from app.finance.tables import ExpenseTrip  # finance builds on office: imported where used

    return TripLog.id.not_in(ExpenseTrip.select(ExpenseTrip.trip).where(ExpenseTrip.trip.is_not_null()))


def trip_label(t: dict) -> str:
    kind = "私车公用" if t["vehicle.private_owner"] else "公车"
    money = f"行驶 {t['distance']} 公里" if t["vehicle.private_owner"] else f"油费 {Decimal(t['fuel_amount']):,.2f}"
    return (f"{t['booking.request.number']} · {t['vehicle.plate']}（{kind}）· {to_local(t['booking.depart_at']):%Y-%m-%d} {t['booking.destination']}"
            f" · {money}，路桥费 {Decimal(t['toll_amount']):,.2f} 元")


async def claimable_trips(user, q: str, limit: int) -> list[tuple[str, str]]:
    """The record picker of an expense claim: the applicant's own logged trips not yet on any claim (value: the 用车
    单号). A company car's trip needs fuel or tolls on its receipts; a private car's trip needs kilometres."""
    if not getattr(user, "user_id", None):
        return []
    where = (TripLog.booking.request.applicant_user == user.user_id) & _unclaimed() & (
        ((TripLog.vehicle.private_owner.is_null()) & ((TripLog.fuel_amount > 0) | (TripLog.toll_amount > 0)))
        | (TripLog.vehicle.private_owner.is_not_null() & (TripLog.distance > 0)))
    query = TripLog.select(*_TRIP_COLUMNS).where(where)
    if q.strip():
        query = query.where(TripLog.booking.request.number.ilike(f"%{q.strip()}%") | TripLog.booking.destination.ilike(f"%{q.strip()}%"))
    rows = await query.order_by(TripLog.at, ascending=False).limit(limit)
    return [(r["booking.request.number"], trip_label(r)) for r in rows]


async def trip_by_ref(ref: str) -> dict | None:
    """A trip by its 用车单号 (one trip per booking), with who applied and whether it is claimed already."""
    from app.finance.tables import ExpenseTrip

    t = await TripLog.select(*_TRIP_COLUMNS).where(TripLog.booking.request.number == ref.strip()).first()
    if not t:
        return None
    t["claim"] = await ExpenseTrip.select(ExpenseTrip.request, ExpenseTrip.request.number, ExpenseTrip.request.applicant.name).where(
        ExpenseTrip.trip == t["id"]).first()
    return t


async def reaches_trip(user, ref: str) -> bool:
    """The picker's check: the user's own logged trip (whether it is claimed already is the form's message)."""
    return bool(getattr(user, "user_id", None)) and await TripLog.exists().where(
        (TripLog.booking.request.number == ref.strip()) & (TripLog.booking.request.applicant_user == user.user_id))


# ---------------------------------------------------------------- the monthly supplies plan (E1 月度计划) and its budget

PLAN_HOLDING = ["审批中", "已退回", "已通过"]  # plans and requisitions that count against the budget / the plan


async def budget_lines(month: str) -> list[dict]:
    """The month's 预算科目 with what is left of each (pending and approved plans count), in two queries."""
    from app.office.tables import Purchase, SuppliesBudget

    rows = await SuppliesBudget.select().where(SuppliesBudget.month == month).order_by(SuppliesBudget.line).limit(200)
    if not rows:
        return []
    used = await Purchase.raw(
        "SELECT p.budget AS budget, SUM(p.total) AS used FROM office_purchase p JOIN wf_request r ON r.id = p.request "
        "WHERE p.budget IN (SELECT id FROM office_budget WHERE month = {}) AND r.status IN ('审批中', '已退回', '已通过') GROUP BY p.budget", month)
    by = {u["budget"]: Decimal(str(u["used"] or 0)) for u in used}
    return [{**r, "used": by.get(r["id"], Decimal("0.00")), "left": Decimal(r["amount"]) - by.get(r["id"], Decimal("0.00"))} for r in rows]


async def budget_left(month: str, line: str, exclude_request: int | None = None) -> dict | None:
    """One budget line of the month, with what is left excluding the plan being edited."""
    from app.office.tables import Purchase, SuppliesBudget

    b = await SuppliesBudget.select().where((SuppliesBudget.month == month) & (SuppliesBudget.line == line)).first()
    if not b:
        return None
    q = Purchase.select(Purchase.total).where((Purchase.budget == b["id"]) & Purchase.request.status.is_in(PLAN_HOLDING))
    if exclude_request:
        q = q.where(Purchase.request != exclude_request)
    used = sum((Decimal(r["total"]) for r in await q), Decimal("0.00"))
    return {**b, "used": used, "left": Decimal(b["amount"]) - used}


async def month_plan(month: str) -> list[dict]:
    """The month's approved plans, per register item: planned quantity, what requisitions (领用, pending or approved,
    submitted in that month) have taken, and what is left. Two grouped queries."""
    from app.office.rules import add_months, parse_month, plan_remaining
    from app.office.tables import Purchase

    start = parse_month(month)
    if not start:
        return []

    from app.office.tables import PurchaseLine

    approved = Purchase.select(Purchase.request).where((Purchase.plan_month == month) & (Purchase.request.status == "已通过"))
    planned: dict[int, int] = {}
    for r in await PurchaseLine.select(PurchaseLine.item, PurchaseLine.qty).where(PurchaseLine.request.is_in(approved) & PurchaseLine.item.is_not_null()):
        planned[r["item"]] = planned.get(r["item"], 0) + r["qty"]
    if not planned:
        return []
    t0 = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    t1 = datetime.combine(add_months(start, 1), time.min, tzinfo=SHANGHAI)
    taken = await _taken(t0, t1)
    left = plan_remaining(planned, taken)
    items = await items_by_id(list(left))
    return sorted(({"item": i, "label": item_label(items[i]), "unit": items[i]["unit"], "stock": items[i]["quantity"], **v}
                   for i, v in left.items() if i in items), key=lambda r: r["label"])


async def _taken(t0: datetime, t1: datetime) -> dict[int, int]:
    """Requisitioned per item in [t0, t1) (pending or approved requisitions; one month's lines)."""
    rows = await IssueLine.select(IssueLine.item, IssueLine.qty).where(
        IssueLine.request.status.is_in(PLAN_HOLDING) & (IssueLine.request.submitted_at >= t0) & (IssueLine.request.submitted_at < t1))
    out: dict[int, int] = {}
    for r in rows:
        out[r["item"]] = out.get(r["item"], 0) + r["qty"]
    return out
