"""Cleaning inspections and rectifications (SPEC §F5–F6): reading an area's checklist, scoring it in one transaction
(a score below the pass mark opens the 整改单 and tells the team's lead), marking a ticket fixed with its after photos,
the re-inspection that closes it, and the monthly averages per area and per contractor (SQL AVG)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from piccolo.query.methods.select import Avg, Count, Max

from app.core import attachments, audit, notify
from app.core.db import write_transaction
from app.core.fields import Parser, parse_id
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI, now
from app.org.tables import Employee
from app.site import services as site
from app.site import settings as site_settings
from app.site.tables import CLEANING
from app.site_cleaning import rules
from app.site_cleaning.attachment_owners import INSPECTION, TICKET
from app.site_cleaning.tables import CHECKED, DONE, TODO, CleanArea, CleanDeduction, CleanInspection, CleanItem, CleanTicket

NOTE_MAX = 500
ONE = Decimal("0.1")


class Refused(Exception):
    """A write that cannot be made; errors per field (Chinese), "__all__" for the form."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def config() -> dict[str, int]:
    return await site_settings.read(rules.DEFAULTS)


def may_inspect(user: Any, team: dict) -> bool:
    """The team's lead (保洁领班) or the 客服主管 scores an area."""
    return user.can(Perm.SITE_CLEANING) and site.leads(user, team)


# ---------------------------------------------------------------- reading


AREA_COLUMNS = (CleanArea.id, CleanArea.team, CleanArea.name, CleanArea.standard, CleanArea.every_min, CleanArea.sort)


async def area_for(user: Any, area_id: Any) -> tuple[dict, dict] | None:
    """An active area and its team if the user reaches the team (else None: the route answers 404)."""
    aid = parse_id(area_id)
    if aid is None:
        return None
    area = await CleanArea.select(*AREA_COLUMNS).where((CleanArea.id == aid) & (CleanArea.active == True)).first()  # noqa: E712
    if not area:
        return None
    team = await site.team_for(user, area["team"], CLEANING)
    return (area, team) if team else None


async def items(area_id: int) -> list[dict]:
    return await CleanItem.select(CleanItem.id, CleanItem.text, CleanItem.max_points).where(
        (CleanItem.area == area_id) & (CleanItem.active == True)).order_by(CleanItem.sort).order_by(CleanItem.id)  # noqa: E712


async def areas(team_ids: list[int]) -> list[dict]:
    """The teams' active areas, each with its last inspection (score, grade, time) and when it is next due."""
    if not team_ids:
        return []
    rows = await CleanArea.select(*AREA_COLUMNS, CleanArea.team.name).where(
        CleanArea.team.is_in(team_ids) & (CleanArea.active == True)).order_by(CleanArea.team).order_by(CleanArea.sort).order_by(CleanArea.id)  # noqa: E712
    ids = [r["id"] for r in rows]
    last: dict[int, dict] = {}
    if ids:
        newest = CleanInspection.select(Max(CleanInspection.id)).where(CleanInspection.area.is_in(ids)).group_by(CleanInspection.area)
        for r in await CleanInspection.select(CleanInspection.id, CleanInspection.area, CleanInspection.at, CleanInspection.score,
                                              CleanInspection.grade).where(CleanInspection.id.is_in(newest)):
            last[r["area"]] = r
    moment = now()
    for r in rows:
        r["last"] = last.get(r["id"])
        nxt = rules.next_check(r["last"]["at"] if r["last"] else None, r["every_min"])
        r["next_at"] = nxt
        r["check_due"] = bool(r["every_min"]) and (nxt is None or nxt <= moment)
    return rows


async def history(area_id: int, *, page: int = 1, per_page: int = 20):
    """An area's inspections, newest first (the washroom's signed check sheet), paged in SQL."""
    from app.core.pagination import paginate

    where = CleanInspection.area == area_id
    return await paginate(CleanInspection.select(CleanInspection.id, CleanInspection.at, CleanInspection.by_name, CleanInspection.score,
                                                 CleanInspection.grade, CleanInspection.parent, CleanInspection.note).where(where).order_by(
        CleanInspection.at, ascending=False).order_by(CleanInspection.id, ascending=False), CleanInspection.count().where(where),
        page=page, per_page=per_page, params={})


TICKET_COLUMNS = (CleanTicket.id, CleanTicket.inspection, CleanTicket.area, CleanTicket.area.name, CleanTicket.team, CleanTicket.team.name,
                  CleanTicket.opened_at, CleanTicket.due_at, CleanTicket.status, CleanTicket.done_at, CleanTicket.done_by_name,
                  CleanTicket.done_note, CleanTicket.reinspection, CleanTicket.closed_at, CleanTicket.inspection.score,
                  CleanTicket.inspection.grade, CleanTicket.inspection.by_name, CleanTicket.inspection.note)


def _overdue(t: dict, moment: datetime) -> dict:
    t["overdue"] = t["status"] != CHECKED and t["due_at"] < moment
    return t


async def open_tickets(team_ids: list[int], *, page: int = 1, per_page: int = 20):
    """The teams' tickets not yet re-inspected, the earliest due first (paged in SQL)."""
    from app.core.pagination import paginate

    where = CleanTicket.team.is_in(team_ids or [0]) & (CleanTicket.status != CHECKED)
    result = await paginate(CleanTicket.select(*TICKET_COLUMNS).where(where).order_by(CleanTicket.due_at).order_by(CleanTicket.id),
                            CleanTicket.count().where(where), page=page, per_page=per_page, params={})
    moment = now()
    for t in result.rows:
        _overdue(t, moment)
    return result


async def ticket_for(user: Any, ticket_id: Any) -> tuple[dict, dict] | None:
    tid = parse_id(ticket_id)
    if tid is None:
        return None
    t = await CleanTicket.select(*TICKET_COLUMNS).where(CleanTicket.id == tid).first()
    if not t:
        return None
    team = await site.team_for(user, t["team"], CLEANING)
    return (_overdue(t, now()), team) if team else None


async def inspection_for(user: Any, inspection_id: Any) -> tuple[dict, dict] | None:
    iid = parse_id(inspection_id)
    if iid is None:
        return None
    row = await CleanInspection.select(CleanInspection.all_columns(), CleanInspection.area.name).where(CleanInspection.id == iid).first()
    if not row:
        return None
    team = await site.team_for(user, row["team"], CLEANING)
    return (row, team) if team else None


async def deductions(inspection_id: int) -> list[dict]:
    return await CleanDeduction.select(CleanDeduction.item, CleanDeduction.item_text, CleanDeduction.points).where(
        CleanDeduction.inspection == inspection_id).order_by(CleanDeduction.id)


async def ticket_of_inspection(inspection_id: int) -> dict | None:
    return await CleanTicket.select(CleanTicket.id, CleanTicket.status).where(CleanTicket.inspection == inspection_id).first()


# ---------------------------------------------------------------- writing


def field_name(item_id: int) -> str:
    return f"d-{item_id}"


def clean(values: Any, names: list[str]) -> dict[str, str]:
    """The named text values of a form, without NUL characters (PostgreSQL refuses them in text)."""
    out = {}
    for n in names:
        v = values.get(n) if hasattr(values, "get") else None
        if isinstance(v, str):
            out[n] = v.replace("\x00", "")
    return out


def parse(values: Any, checklist: list[dict]) -> tuple[list[tuple[dict, int]], str, dict[str, str]]:
    """The deductions typed per item (blank = 0) and the note, with Chinese messages per field."""
    p = Parser(clean(values, [field_name(it["id"]) for it in checklist] + ["note"]))
    taken = []
    for it in checklist:
        name = field_name(it["id"])
        n = p.integer(name, it["text"], required=False)
        if n is None:
            continue
        if name in p.errors:
            continue
        err = rules.deduction_error(n, it["max_points"])
        if err:
            p.fail(name, err)
        elif n:
            taken.append((it, n))
    note = p.text("note", "备注", required=False, max_len=NOTE_MAX)
    return taken, note, p.errors


async def _lead_user(team: dict) -> int | None:
    if not team.get("lead"):
        return None
    row = await Employee.select(Employee.user).where(Employee.id == team["lead"]).first()
    return row["user"] if row and row["user"] else None


async def inspect(user: Any, area: dict, team: dict, values: Any, file_ids: list[int], *, ticket_id: int | None = None) -> dict:
    """Score an area (or re-inspect it for a ticket) in one transaction; a fail opens a ticket and notifies the lead.
    Raises Refused with field errors."""
    checklist = await items(area["id"])
    taken, note, errors = parse(values, checklist)
    cfg = await config()
    value = rules.score(n for _it, n in taken)
    grade = rules.grade(value, cfg["clean_grade_good_min"], cfg["clean_grade_pass_min"])
    failed = rules.fails(value, cfg["clean_grade_pass_min"])
    if failed and not file_ids and not errors:
        errors["attachments"] = f"得分 {value} 分不合格：请拍照留存整改前的情况"
    if errors:
        raise Refused(errors)
    at = now()
    local_day = at.astimezone(SHANGHAI).date()
    async with write_transaction():
        parent = None
        if ticket_id is not None:  # claimed by one conditional update: two re-inspections at once cannot both close it
            claimed = await CleanTicket.update({CleanTicket.status: CHECKED, CleanTicket.closed_at: at}).where(
                (CleanTicket.id == ticket_id) & (CleanTicket.status == DONE)).returning(CleanTicket.inspection)
            if not claimed:
                raise Refused({"__all__": "该整改单当前不能复检（须先完成整改并上传整改后照片）"})
            parent = claimed[0]["inspection"]
        row = CleanInspection(area=area["id"], team=team["id"], by=user.employee_id, by_name=user.display_name or "", at=at, day=local_day,
                              score=value, grade=grade, note=note, parent=parent)
        await row.save()
        if taken:
            await CleanDeduction.insert(*[CleanDeduction(inspection=row.id, item=it["id"], item_text=it["text"], points=n) for it, n in taken])
        await attachments.bind(user, file_ids, INSPECTION, row.id)
        what = f"{area['name']}{'复检' if parent else '检查'} {value} 分（{grade}）"
        await audit.record(actor=user, action="site_cleaning.inspect", entity="site_clean_inspection", entity_id=row.id, summary=what,
                           after={"area": area["id"], "score": value, "grade": grade, "parent": parent,
                                  "deductions": {str(it["id"]): n for it, n in taken}, "note": note})
        new_ticket = None
        if ticket_id is not None:
            await CleanTicket.update({CleanTicket.reinspection: row.id}).where(CleanTicket.id == ticket_id)
            await audit.record(actor=user, action="site_cleaning.recheck", entity="site_clean_ticket", entity_id=ticket_id,
                               summary=f"整改单 #{ticket_id} 已复检：{value} 分（{grade}）", before={"status": DONE},
                               after={"status": CHECKED, "reinspection": row.id})
            await notify.close([f"site_clean_ticket:{ticket_id}", f"site_clean_overdue:{ticket_id}"])  # the lead's notices of it
        if failed:
            due = rules.due_at(at, cfg["clean_rectify_minutes"])
            ticket = CleanTicket(inspection=row.id, area=area["id"], team=team["id"], opened_at=at, due_at=due, status=TODO)
            await ticket.save()
            new_ticket = ticket.id
            await audit.record(actor=user, action="site_cleaning.ticket", entity="site_clean_ticket", entity_id=ticket.id,
                               summary=f"{area['name']} {value} 分不合格，开整改单，{due.astimezone(SHANGHAI):%H:%M} 前整改复检",
                               after={"inspection": row.id, "due_at": due, "status": TODO})
            lead = await _lead_user(team)
            if lead:
                await notify.notify(lead, f"保洁整改：{area['name']} 检查 {value} 分不合格，请于 {due.astimezone(SHANGHAI):%H:%M} 前整改并复检",
                                    url=f"/site/cleaning/rectifications/{ticket.id}", kind="reminder", ref=f"site_clean_ticket:{ticket.id}")
    return {"id": row.id, "score": value, "grade": grade, "ticket": new_ticket}


async def mark_done(user: Any, ticket: dict, values: Any, file_ids: list[int]) -> None:
    """The cleaner or the lead records the fix with its after photos (required): 待整改 → 已整改."""
    p = Parser(clean(values, ["done_note"]))
    note = p.text("done_note", "整改说明", required=False, max_len=NOTE_MAX)
    errors = dict(p.errors)
    if not file_ids:
        errors["attachments"] = "请上传整改后照片"
    if errors:
        raise Refused(errors)
    async with write_transaction():
        changed = await CleanTicket.update({CleanTicket.status: DONE, CleanTicket.done_at: now(), CleanTicket.done_by_name: user.display_name or "",
                                            CleanTicket.done_note: note}).where(
            (CleanTicket.id == ticket["id"]) & (CleanTicket.status == TODO)).returning(CleanTicket.id)
        if not changed:
            raise Refused({"__all__": "该整改单已不是待整改状态"})
        await attachments.bind(user, file_ids, TICKET, ticket["id"])
        await audit.record(actor=user, action="site_cleaning.fixed", entity="site_clean_ticket", entity_id=ticket["id"],
                           summary=f"整改单 #{ticket['id']}（{ticket['area.name']}）已整改，待复检", before={"status": TODO},
                           after={"status": DONE, "note": note})


# ---------------------------------------------------------------- monthly averages


def average(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(ONE)


async def month_averages(team_ids: list[int], first: date, last: date) -> dict:
    """Per area and per contractor: the number of inspections, the average score (SQL AVG) and the fails."""
    where = CleanInspection.team.is_in(team_ids or [0]) & (CleanInspection.day >= first) & (CleanInspection.day <= last)
    cfg = await config()
    fails_where = where & (CleanInspection.score < cfg["clean_grade_pass_min"])
    by_area = await CleanInspection.select(CleanInspection.area, CleanInspection.area.name, CleanInspection.team.name, Count(alias="n"),
                                           Avg(CleanInspection.score, alias="avg")).where(where).group_by(
        CleanInspection.area, CleanInspection.area.name, CleanInspection.team.name).order_by(CleanInspection.area)
    area_fails = {r["area"]: r["n"] for r in await CleanInspection.select(CleanInspection.area, Count(alias="n")).where(fails_where).group_by(
        CleanInspection.area)}
    by_contractor = await CleanInspection.select(CleanInspection.team.contractor, Count(alias="n"), Avg(CleanInspection.score, alias="avg")).where(
        where).group_by(CleanInspection.team.contractor).order_by(CleanInspection.team.contractor)
    for r in by_area:
        r["avg"] = average(r["avg"])
        r["fails"] = area_fails.get(r["area"], 0)
        r["grade"] = rules.grade(int(r["avg"]), cfg["clean_grade_good_min"], cfg["clean_grade_pass_min"]) if r["avg"] is not None else ""
    for r in by_contractor:
        r["avg"] = average(r["avg"])
        r["contractor"] = r.pop("team.contractor") or "—"
    return {"areas": by_area, "contractors": by_contractor}
