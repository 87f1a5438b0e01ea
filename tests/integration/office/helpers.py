"""Helpers for the office tests: isolated items and vehicles (unique names), form data, far-apart time slots."""
from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

from app.core.timeutil import SHANGHAI, today_local
from app.office.tables import Driver, StockEntry, StockItem, Vehicle

_seq = itertools.count(1)


async def make_item(qty: int, *, durable: bool = False, name: str = "测试物品") -> dict:
    n = next(_seq)
    rows = await StockItem.insert(StockItem(name=f"{name}{n:03d}", spec=f"T-{n}", unit="个", quantity=qty, durable=durable, active=True)).returning(
        StockItem.id, StockItem.name)
    await StockEntry.insert(StockEntry(item=rows[0]["id"], at=datetime.now(SHANGHAI), kind="期初", qty_in=qty, balance=qty, actor_name="测试"))
    return rows[0]


async def quantity(item_id: int) -> int:
    return (await StockItem.select(StockItem.quantity).where(StockItem.id == item_id).first())["quantity"]


async def make_vehicle(odometer: int = 1000, seats: int = 5) -> int:
    n = next(_seq)
    rows = await Vehicle.insert(Vehicle(plate=f"测T{n:04d}", model="测试车", seats=seats, odometer=odometer, active=True, sort=100 + n)).returning(Vehicle.id)
    return rows[0]["id"]


async def make_driver() -> int:
    n = next(_seq)
    rows = await Driver.insert(Driver(name=f"测试司机{n}", phone="13900000000", active=True)).returning(Driver.id)
    return rows[0]["id"]


def slot(days_ahead: int, start_hour: int, end_hour: int, end_days_ahead: int | None = None) -> tuple[str, str]:
    """datetime-local values (Asia/Shanghai) days ahead of today."""
    d0 = today_local() + timedelta(days=days_ahead)
    d1 = today_local() + timedelta(days=end_days_ahead if end_days_ahead is not None else days_ahead)
    return (datetime.combine(d0, time(start_hour)).strftime("%Y-%m-%dT%H:%M"), datetime.combine(d1, time(end_hour)).strftime("%Y-%m-%dT%H:%M"))


def vehicle_form(vehicle_id: int, driver: str, depart: str, ret: str, **extra) -> dict:
    data = {"vehicle": str(vehicle_id), "driver": driver, "depart_at": depart, "return_at": ret, "destination": "苏州市不动产登记中心",
            "passengers": "2", "purpose": "递交产权证办理资料"}
    data.update({k: v for k, v in extra.items()})
    return data


def purchase_form(lines: list[dict], **extra) -> dict:
    keys = ("item", "name", "spec", "unit", "durable", "qty", "price")
    data: dict = {"purpose": "客服部下月办公用品", "budget_line": "办公费—客服部"}
    for k in keys:
        data[f"line_{k}"] = [str(ln.get(k, "0" if k == "durable" else "")) for ln in lines]
    data.update(extra)
    return data


def issue_form(lines: list[tuple], purpose: str = "日常办公") -> dict:
    return {"purpose": purpose, "line_item": [str(i) for i, _ in lines], "line_qty": [str(q) for _, q in lines]}
