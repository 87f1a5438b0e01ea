"""Test data of the ledger tests: a project of their own (so the figures can be hand-checked and other tests' data
never leaks in), its units, buyers and deals written straight to the tables."""
from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.timeutil import now, today_local
from app.core.validators import id_check_char
from app.estate.tables import Building, Project, Unit
from app.pipeline.tables import Buyer, Deal, Instalment

_seq = itertools.count(1)


def valid_id(n: int, birth: str = "19850312") -> str:
    first17 = f"110101{birth}{n % 1000:03d}"
    return first17 + id_check_char(first17)


async def make_project(prefix: str, *, units: int = 4, area: str = "100.00", price: str = "10000.00") -> dict[str, Any]:
    n = next(_seq)
    code = f"{prefix}{n:03d}"
    p = Project(code=code, name=f"测试项目{code}", company_name="测试", city="苏州")
    await p.save()
    b = Building(project=p.id, name="1号楼", floors=10, units_per_floor=4)
    await b.save()
    rows = []
    for i in range(units):
        rows.append(Unit(project=p.id, building=b.id, room_no=f"{1 + i // 4}{i % 4 + 1:02d}", floor=1 + i // 4, layout="三室两厅",
                         area_build=Decimal(area), area_inner=Decimal(area) * Decimal("0.8"), unit_price=Decimal(price),
                         total_price=Decimal(area) * Decimal(price), status="可售"))
    await Unit.insert(*rows)
    unit_rows = await Unit.select(Unit.id, Unit.room_no, Unit.area_build).where(Unit.project == p.id).order_by(Unit.id)
    return {"id": p.id, "code": code, "name": p.name, "building": b.id, "units": unit_rows}


async def drop_project(project: dict) -> None:
    """Remove a project made by make_project with its deals, their instalments and receipts, units and buildings."""
    from app.pipeline.tables import Receipt

    ids = [d["id"] for d in await Deal.select(Deal.id).where(Deal.project == project["id"])]
    await Receipt.delete().where(Receipt.deal.is_in(ids or [0]))
    await Instalment.delete().where(Instalment.deal.is_in(ids or [0]))
    await Deal.delete().where(Deal.project == project["id"])
    await Unit.delete().where(Unit.project == project["id"])
    await Building.delete().where(Building.project == project["id"])
    await Project.delete().where(Project.id == project["id"])


async def make_buyer(name: str = "测试客户", n: int = 1, mobile: str = "13812345678") -> int:
    b = Buyer(name=name, id_number=valid_id(n), mobile=mobile, created_at=now())
    await b.save()
    return b.id


async def make_deal(project: dict, unit: dict, buyer: int, **fields) -> int:
    n = next(_seq)
    values = dict(number=f"T-{project['code']}-{n:05d}", unit=unit["id"], project=project["id"], buyer=buyer, stage="已认购",
                  unit_price=Decimal("10000.00"), total_price=Decimal("1000000.00"), deposit=Decimal("50000.00"), payment_method="一次性",
                  down_payment=Decimal("1000000.00"), sign_deadline=fields.get("subscribed_on") or today_local(),
                  subscribed_on=today_local(), created_at=now())
    values.update(fields)
    d = Deal(**values)
    await d.save()
    return d.id


async def pay(deal: int, kind: str, amount: str, due: date, received: str = "0", received_on: date | None = None) -> None:
    """An instalment and, when something was received, its receipt (an instalment's `received` is the sum of its receipts)."""
    from app.core.numbering import next_number
    from app.pipeline.tables import Receipt

    rows = await Instalment.insert(Instalment(deal=deal, kind=kind, amount_due=Decimal(amount), due_on=due, received=Decimal(received),
                                              received_on=received_on)).returning(Instalment.id)
    if Decimal(received) > 0:
        await Receipt.insert(Receipt(deal=deal, instalment=rows[0]["id"], kind=kind, amount=Decimal(received), received_on=received_on,
                                     method="按揭放款" if kind == "贷款" else "转账", voucher_no=await next_number("TSK"), created_at=now()))


def xlsx(rows: list[list[Any]], sheet: str = "合同台账") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_xlsx(content: bytes) -> tuple[list[Any], list[list[Any]]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def record_queries(monkeypatch) -> list[dict[str, Any]]:
    """Every SQL statement the engine runs from now on (on its class: engine instances have slots), with the number
    of rows it returned. Undo with monkeypatch.undo()."""
    from piccolo.engine import engine_finder

    cls = type(engine_finder())
    original = cls.run_querystring
    seen: list[dict[str, Any]] = []

    async def spy(self, querystring, *args, **kwargs):
        result = await original(self, querystring, *args, **kwargs)
        seen.append({"sql": str(querystring), "rows": len(result) if isinstance(result, list) else 0})
        return result

    monkeypatch.setattr(cls, "run_querystring", spy)
    return seen
