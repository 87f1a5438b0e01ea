"""The gate logs (SPEC §F4 访客登记, 车辆登记): validating an arrival, logging it, logging its leaving (once), the day's
list paged in SQL and the day's counts (in / out / still inside) by COUNT. Every write is one write_transaction with
its audit row. The team is the record scope (app.site.services.team_for): the routes resolve it before calling here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser
from app.core.pagination import Page, paginate
from app.core.timeutil import now, to_local, today_local
from app.core.validators import mask_phone, validate_mobile
from app.site.services import team_clause
from app.site.tables import SECURITY, SiteTeam
from app.site_logs import plates
from app.site_logs.tables import (CUSTOMER_PURPOSES, NEW_ENERGY, PARTIES, PURPOSES, VEHICLE_KINDS, SiteVehicle,
                                  SiteVisitor)

PER_PAGE = 20
NEV_KINDS = (NEW_ENERGY, "大型车", "货车")  # a large new-energy plate (…12345D) may be on a bus or a lorry


@dataclass(frozen=True)
class Counts:
    entered: int
    left: int

    @property
    def inside(self) -> int:
        return self.entered - self.left


class NotReached(Exception):
    """The record is not on a team the user reaches (the route answers 404)."""


# ---------------------------------------------------------------- parsing


def parse_visitor(values: Any) -> tuple[dict, dict[str, str]]:
    p = Parser(values)
    name = p.text("name", "姓名", max_len=30)
    mobile = p.raw("mobile")
    problem = validate_mobile(mobile)
    if problem:
        p.fail("mobile", problem)
    purpose = p.choice("purpose", "来访事由", PURPOSES)
    host = p.text("host", "被访人", required=bool(purpose) and purpose not in CUSTOMER_PURPOSES, max_len=50)
    id_checked = p.flag("id_checked")
    if purpose and purpose not in CUSTOMER_PURPOSES and not id_checked:
        p.fail("id_checked", f"{purpose}来访不是客户，须出示证件：核验后请勾选")
    return {"name": name, "mobile": mobile, "purpose": purpose, "host": host, "id_checked": id_checked}, p.errors


def parse_vehicle(values: Any) -> tuple[dict, dict[str, str]]:
    p = Parser(values)
    plate = None
    try:
        plate = plates.parse(p.raw("plate"))
    except plates.PlateError as e:
        p.fail("plate", str(e))
    kind = p.choice("kind", "车辆类型", VEHICLE_KINDS)
    if plate and kind:
        if kind == NEW_ENERGY and not plate.new_energy:
            p.fail("plate", "新能源车的车牌为 8 位（如 川AD12345、川A12345D）")
        elif plate.new_energy and kind not in NEV_KINDS:
            p.fail("kind", "8 位车牌是新能源车牌：车辆类型请选择“新能源”")
    bay = p.text("bay", "车位", required=False, max_len=20)
    party = p.choice("party", "访客/员工", PARTIES)
    return {"plate": plate.text if plate else "", "kind": kind, "bay": bay, "party": party}, p.errors


# ---------------------------------------------------------------- writes


async def log_visitor(user: Any, team_id: int, clean: dict) -> int:
    at = now()
    async with write_transaction():
        row = SiteVisitor(team=team_id, day=to_local(at).date(), in_at=at, by=user.employee_id, **clean)
        await row.save()
        await audit.record(actor=user, action="site_logs.visitor_in", entity="site_visitor", entity_id=row.id,
                           summary=f"访客登记：{clean['name']}（{clean['purpose']}）进入",
                           after={**clean, "mobile": mask_phone(clean["mobile"]), "in_at": at})
    return row.id


async def plate_inside(team_id: int, plate: str) -> dict | None:
    """The same plate logged in and not yet out (any day): it cannot come in twice."""
    return await SiteVehicle.select(SiteVehicle.id, SiteVehicle.in_at).where(
        (SiteVehicle.team == team_id) & (SiteVehicle.plate == plate) & SiteVehicle.out_at.is_null()).first()


async def log_vehicle(user: Any, team_id: int, clean: dict) -> int | str:
    """The new row's id, or the message for a plate still inside."""
    at = now()
    async with write_transaction():
        inside = await plate_inside(team_id, clean["plate"])
        if inside:
            return f"该车辆 {to_local(inside['in_at']):%m-%d %H:%M} 进场后尚未登记离开，请先在列表中登记离开"
        row = SiteVehicle(team=team_id, day=to_local(at).date(), in_at=at, by=user.employee_id, **clean)
        await row.save()
        await audit.record(actor=user, action="site_logs.vehicle_in", entity="site_vehicle", entity_id=row.id,
                           summary=f"车辆登记：{clean['plate']}（{clean['kind']}，{clean['party']}）进场", after={**clean, "in_at": at})
    return row.id


async def _leave(user: Any, table, record_id: int, action: str, entity: str, what) -> tuple[dict, bool]:
    """Set out_at once. The row (its team and day, for the page to go back to) and whether this call set it."""
    teams = SiteTeam.select(SiteTeam.id).where(team_clause(user, SECURITY))
    async with write_transaction():
        row = await table.select(table.id, table.team, table.day, table.out_at, *what).where(
            (table.id == record_id) & table.team.is_in(teams)).first()
        if row is None:
            raise NotReached()
        if row["out_at"] is not None:
            return row, False
        at = now()
        done = await table.update({table.out_at: at, table.out_by: user.employee_id}).where(
            (table.id == record_id) & table.out_at.is_null()).returning(table.id)
        if not done:
            return row, False
        label = " ".join(str(row[c._meta.name]) for c in what)
        await audit.record(actor=user, action=action, entity=entity, entity_id=record_id, summary=f"登记离开：{label}",
                           before={"out_at": None}, after={"out_at": at})
    return row, True


async def visitor_leaves(user: Any, visitor_id: int) -> tuple[dict, bool]:
    return await _leave(user, SiteVisitor, visitor_id, "site_logs.visitor_out", "site_visitor", (SiteVisitor.name,))


async def vehicle_leaves(user: Any, vehicle_id: int) -> tuple[dict, bool]:
    return await _leave(user, SiteVehicle, vehicle_id, "site_logs.vehicle_out", "site_vehicle", (SiteVehicle.plate,))


# ---------------------------------------------------------------- reads


async def counts(table, team_id: int, day: date) -> Counts:
    where = (table.team == team_id) & (table.day == day)
    entered = await table.count().where(where)
    left = await table.count().where(where & table.out_at.is_not_null())
    return Counts(entered=entered, left=left)


async def visitors(team_id: int, day: date, page: int, params: dict[str, str]) -> Page:
    where = (SiteVisitor.team == team_id) & (SiteVisitor.day == day)
    q = SiteVisitor.select(SiteVisitor.id, SiteVisitor.name, SiteVisitor.mobile, SiteVisitor.purpose, SiteVisitor.host,
                           SiteVisitor.id_checked, SiteVisitor.in_at, SiteVisitor.out_at, SiteVisitor.by.name).where(
        where).order_by(SiteVisitor.in_at, ascending=False).order_by(SiteVisitor.id, ascending=False)
    result = await paginate(q, SiteVisitor.count().where(where), page=page, per_page=PER_PAGE, params=params)
    for r in result.rows:
        r["mobile_masked"] = mask_phone(r.pop("mobile") or "")  # never the full number on the page
        _times(r, day)
    return result


async def vehicles(team_id: int, day: date, page: int, params: dict[str, str]) -> Page:
    where = (SiteVehicle.team == team_id) & (SiteVehicle.day == day)
    q = SiteVehicle.select(SiteVehicle.id, SiteVehicle.plate, SiteVehicle.kind, SiteVehicle.bay, SiteVehicle.party,
                           SiteVehicle.in_at, SiteVehicle.out_at, SiteVehicle.by.name).where(where).order_by(
        SiteVehicle.in_at, ascending=False).order_by(SiteVehicle.id, ascending=False)
    result = await paginate(q, SiteVehicle.count().where(where), page=page, per_page=PER_PAGE, params=params)
    for r in result.rows:
        r["plate_display"] = plates.parse(r["plate"]).display if plates.check(r["plate"]) is None else r["plate"]
        _times(r, day)
    return result


def _times(row: dict, day: date) -> None:
    """14:05 on the listed day; a leaving on a later day shows its date too."""
    for key in ("in_at", "out_at"):
        at = to_local(row[key])
        row[key.replace("_at", "_time")] = "" if at is None else at.strftime("%H:%M" if at.date() == day else "%m-%d %H:%M")


def today() -> date:
    return today_local()
