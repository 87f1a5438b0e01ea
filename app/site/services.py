"""What the sales office's parts share: which teams a user reaches (down to the record), the people on a team, the
shift slots with their hours (a slot whose end is not after its start crosses midnight), the special days.

Record scope: a team's lead (or a worker with an account) reaches their own team; the 客服主管 and the leaders
(SITE_MANAGE / SITE_VIEW) every team of the projects in their scope."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from app.core.permissions import Perm
from app.core.scope import project_clause
from app.core.timeutil import SHANGHAI
from app.site.tables import ShiftSlot, SiteEvent, SitePost, SiteTeam, SiteWorker

TEAM_COLUMNS = (SiteTeam.id, SiteTeam.name, SiteTeam.kind, SiteTeam.project, SiteTeam.project.name, SiteTeam.contractor,
                SiteTeam.lead, SiteTeam.lead.name)


def oversees(user: Any) -> bool:
    return user.can(Perm.SITE_MANAGE) or user.can(Perm.SITE_VIEW)


def team_clause(user: Any, kind: str | None = None):
    """The WHERE of the teams `user` reaches (optionally of one kind)."""
    clause = SiteTeam.active == True  # noqa: E712
    if kind:
        clause &= SiteTeam.kind == kind
    if oversees(user):
        scope = project_clause(SiteTeam.project, user)
        return clause if scope is None else clause & scope
    emp = user.employee_id or 0
    mine = SiteTeam.id.is_in(SiteWorker.select(SiteWorker.team).where((SiteWorker.employee == emp) & (SiteWorker.active == True)))  # noqa: E712
    return clause & ((SiteTeam.lead == emp) | mine)


async def teams_for(user: Any, kind: str | None = None) -> list[dict]:
    return await SiteTeam.select(*TEAM_COLUMNS).where(team_clause(user, kind)).order_by(SiteTeam.project).order_by(SiteTeam.kind)


async def team_for(user: Any, team_id: int | None, kind: str | None = None) -> dict | None:
    """One team if the user reaches it, else None (the route answers 404: the record is not theirs)."""
    if not team_id:
        return None
    return await SiteTeam.select(*TEAM_COLUMNS).where(team_clause(user, kind) & (SiteTeam.id == team_id)).first()


def leads(user: Any, team: dict) -> bool:
    """May `user` write the team's lead records (roster, roll call, handover)?"""
    return user.can(Perm.SITE_MANAGE) or (user.can(Perm.SITE_LEAD) and team["lead"] == user.employee_id)


async def workers(team_id: int, *, active_only: bool = True) -> list[dict]:
    q = SiteWorker.select(SiteWorker.id, SiteWorker.name, SiteWorker.badge, SiteWorker.employee, SiteWorker.active).where(
        SiteWorker.team == team_id)
    if active_only:
        q = q.where(SiteWorker.active == True)  # noqa: E712
    return await q.order_by(SiteWorker.id)


async def posts(team_id: int) -> list[dict]:
    return await SitePost.select(SitePost.id, SitePost.name, SitePost.duties, SitePost.pattern, SitePost.pattern.name,
                                 SitePost.headcount, SitePost.night_only).where(
        (SitePost.team == team_id) & (SitePost.active == True)).order_by(SitePost.sort).order_by(SitePost.id)  # noqa: E712


# ---------------------------------------------------------------- shift slots


def clock(text: str) -> time:
    h, m = (int(x) for x in text.strip().split(":"))
    if h == 24 and m == 0:
        return time(0, 0)
    return time(h, m)


@dataclass(frozen=True)
class Slot:
    id: int
    pattern: int
    name: str
    start: time
    end: time
    sort: int = 0

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def hours(self) -> float:
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return (minutes if minutes > 0 else minutes + 24 * 60) / 60

    def span(self, day: date) -> tuple[datetime, datetime]:
        """The slot worked on `day` (its start day) as aware datetimes; the end is the next day when it crosses midnight."""
        start = datetime.combine(day, self.start, SHANGHAI)
        end = datetime.combine(day + timedelta(days=1) if self.crosses_midnight else day, self.end, SHANGHAI)
        return start, end

    @property
    def label(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{'24:00' if self.end == time(0) else f'{self.end:%H:%M}'}"


def slot_of(row: dict) -> Slot:
    return Slot(id=row["id"], pattern=row["pattern"], name=row["name"], start=clock(row["start"]), end=clock(row["end"]),
                sort=row.get("sort") or 0)


async def slots(pattern_ids: list[int] | None = None) -> list[Slot]:
    q = ShiftSlot.select(ShiftSlot.id, ShiftSlot.pattern, ShiftSlot.name, ShiftSlot.start, ShiftSlot.end, ShiftSlot.sort)
    if pattern_ids is not None:
        q = q.where(ShiftSlot.pattern.is_in(list(pattern_ids) or [0]))
    return [slot_of(r) for r in await q.order_by(ShiftSlot.pattern).order_by(ShiftSlot.sort).order_by(ShiftSlot.id)]


def slot_at(all_slots: list[Slot], moment: datetime) -> tuple[Slot, date] | None:
    """The slot (of the given ones) running at `moment`, with the day it started."""
    local = moment.astimezone(SHANGHAI)
    for s in all_slots:
        for start_day in (local.date(), local.date() - timedelta(days=1)):
            a, b = s.span(start_day)
            if a <= local < b:
                return s, start_day
    return None


async def events(project_id: int, first: date, last: date) -> list[dict]:
    """The special days (开盘/集中签约/交房) of a project between two days."""
    return await SiteEvent.select(SiteEvent.day, SiteEvent.kind, SiteEvent.extra, SiteEvent.note).where(
        (SiteEvent.project == project_id) & (SiteEvent.day >= first) & (SiteEvent.day <= last)).order_by(SiteEvent.day)
