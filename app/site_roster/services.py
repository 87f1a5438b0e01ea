"""The monthly roster's data path (SPEC §F2): open a team's month, fill a first draft, change one person's day, check
it (app/site_roster/rules.py), submit it to the engine (flows.py), and swap a shift once it is approved.

Who: the team's lead (保安队长 / 保洁领班) writes the roster of their own team; the 客服主管 (SITE_MANAGE) reads every
team of the projects in scope, approves on the engine and decides swaps. Every change is one transaction with its
audit row; the roster's version refuses an edit from a stale page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.months import add_months, month_label, month_text, parse_month  # noqa: F401  (the roster's months; re-exported)
from app.core.notify import notify
from app.core.permissions import Perm
from app.core.timeutil import now, today_local
from app.org.tables import Employee
from app.site import services as site
from app.site import settings as site_settings
from app.site.tables import SiteTeam
from app.site_roster import rules
from app.site_roster.tables import APPROVED, DRAFT, PENDING, SWAP_APPROVED, SWAP_PENDING, SWAP_REJECTED, RosterEntry, RosterSwap, SiteRoster

DEFAULTS = {
    "roster_max_hours": ("排班：连续工作不超过（小时）", 12, "C"),
    "roster_months_ahead": ("排班：最多提前编排几个月", 2, "C"),
    "roster_handover_units": ("排班：交易办理中同一天约定交房达到此套数即为集中交房日", 10, "C"),
    "roster_handover_extra": ("排班：集中交房日每岗每班加派人数", 1, "C"),
}
HARD = ("重叠", "工时", "班次")  # problems a roster cannot be submitted with; the others need an explanation


class RosterError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


ROSTER_COLUMNS = (SiteRoster.id, SiteRoster.team, SiteRoster.month, SiteRoster.status, SiteRoster.request, SiteRoster.request.number,
                  SiteRoster.problems, SiteRoster.version, SiteRoster.note, SiteRoster.request.status, SiteRoster.updated_at, SiteRoster.approved_at, SiteRoster.team.name,
                  SiteRoster.team.kind, SiteRoster.team.project, SiteRoster.team.lead)


def _reached(user):
    return SiteRoster.team.is_in(SiteTeam.select(SiteTeam.id).where(site.team_clause(user)))


async def get(user, roster_id: int | None) -> dict | None:
    """The roster if the user reaches its team, else None (404)."""
    if not roster_id:
        return None
    return await SiteRoster.select(*ROSTER_COLUMNS).where(_reached(user) & (SiteRoster.id == roster_id)).first()


def list_query(user):
    return SiteRoster.select(*ROSTER_COLUMNS).where(_reached(user)).order_by(SiteRoster.month, ascending=False).order_by(SiteRoster.team)


def count_query(user):
    return SiteRoster.count().where(_reached(user))


RETURNED = "已退回"  # the engine's request status when the approver sends it back for changes


def may_edit(user, roster: dict) -> bool:
    """Drafts, and a submitted roster the approver sent back (退回: fixed, then resubmitted on the same request)."""
    editable = roster["status"] == DRAFT or (roster["status"] == PENDING and roster.get("request.status") == RETURNED)
    return editable and site.leads(user, {"lead": roster["team.lead"]})


def may_lead(user, roster: dict) -> bool:
    return site.leads(user, {"lead": roster["team.lead"]})


# ---------------------------------------------------------------- what a check needs


@dataclass
class Month:
    first: date
    posts: list[rules.Post]
    slots: list[site.Slot]
    workers: dict[int, str]
    events: dict[date, tuple[str, int]]
    entries: list[rules.Entry]
    entry_ids: dict[tuple[date, int, int, int], int]
    prior: list[rules.Entry] | None
    max_hours: int


async def month_of(roster: dict) -> Month:
    first = parse_month(roster["month"])
    posts = [rules.Post(p["id"], p["name"], p["pattern"], p["headcount"], p["night_only"]) for p in await site.posts(roster["team"])]
    slots = await site.slots(sorted({p.pattern for p in posts}))
    workers = {w["id"]: w["name"] for w in await site.workers(roster["team"])}
    last = rules.month_days(first)[-1]
    limits = await site_settings.read(DEFAULTS)
    events = {}
    for ev in await site.events(roster["team.project"], first, last):
        kind, extra = events.get(ev["day"], ("", 0))
        events[ev["day"]] = ("、".join(x for x in (kind, ev["kind"]) if x), extra + (ev["extra"] or 0))
    for day in await handover_days(roster["team.project"], first, last, limits["roster_handover_units"]):
        if "交房" not in events.get(day, ("", 0))[0]:  # a 交房 day entered by hand already carries its extra staff
            kind, extra = events.get(day, ("", 0))
            events[day] = ("、".join(x for x in (kind, "集中交房") if x), extra + limits["roster_handover_extra"])
    rows = await RosterEntry.select(RosterEntry.id, RosterEntry.day, RosterEntry.slot, RosterEntry.post, RosterEntry.worker).where(
        RosterEntry.roster == roster["id"]).order_by(RosterEntry.day).order_by(RosterEntry.id)
    entries = [rules.Entry(r["day"], r["slot"], r["post"], r["worker"]) for r in rows]
    ids = {(r["day"], r["slot"], r["post"], r["worker"]): r["id"] for r in rows}
    prev = await SiteRoster.select(SiteRoster.id).where((SiteRoster.team == roster["team"]) & (
        SiteRoster.month == month_text((first - timedelta(days=1)).replace(day=1)))).first()
    prior = None
    if prev:
        prior = [rules.Entry(r["day"], r["slot"], r["post"], r["worker"]) for r in await RosterEntry.select(
            RosterEntry.day, RosterEntry.slot, RosterEntry.post, RosterEntry.worker).where(
            (RosterEntry.roster == prev["id"]) & (RosterEntry.day >= first - timedelta(days=7)))]
    return Month(first, posts, slots, workers, events, entries, ids, prior, limits["roster_max_hours"])


async def handover_days(project_id: int, first: date, last: date, units: int) -> list[date]:
    """The days of the month on which the pipeline has at least `units` handovers of the project booked (预约交房) or
    announced (交房通知书's 交房日期): the 集中交房 days the roster needs extra staff on. Two grouped counts."""
    from piccolo.query.functions.aggregate import Count

    from app.pipeline.tables import Deal

    if units <= 0:
        return []
    counts: dict[date, int] = {}
    for col in (Deal.appointment_on, Deal.handover_date):
        rows = await Deal.select(col, Count(Deal.id, alias="n")).where(
            (Deal.project == project_id) & (col >= first) & (col <= last)).group_by(col)
        for r in rows:
            d = r[col._meta.name]
            d = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
            counts[d] = max(counts.get(d, 0), int(r["n"]))
    return sorted(d for d, n in counts.items() if n >= units)


def problems_of(m: Month) -> list[rules.Problem]:
    return rules.check(m.first, m.posts, m.slots, m.entries, m.workers, m.events, max_hours=m.max_hours, prior=m.prior)


def grid(m: Month, problems: list[rules.Problem]) -> dict:
    """Rows: people; columns: the month's days; a cell: the person's shifts that day (slot and post)."""
    slot_by = {s.id: s for s in m.slots}
    post_by = {p.id: p for p in m.posts}
    days = rules.month_days(m.first)
    cells: dict[tuple[int, date], list[dict]] = {}
    for e in m.entries:
        s, p = slot_by.get(e.slot), post_by.get(e.post)
        cells.setdefault((e.worker, e.day), []).append({"slot": s.name if s else "?", "short": (s.name[:1] if s else "?"),
                                                        "post": p.name if p else "?", "night": bool(s and rules.is_night(s))})
    flagged = {(p.worker, p.day) for p in problems if p.worker}
    bad_days = {p.day for p in problems if not p.worker and p.day}
    summary = {r["worker"]: r for r in rules.summary(m.first, m.entries, m.slots, m.workers)}
    rows = [{"id": w, "name": n, "summary": summary[w],
             "cells": [{"day": d, "shifts": cells.get((w, d), []), "flag": (w, d) in flagged} for d in days]} for w, n in m.workers.items()]
    cover = {}
    for e in m.entries:
        cover[e.day] = cover.get(e.day, 0) + 1
    return {"days": [{"day": d, "wd": rules.WEEKDAYS[d.weekday()], "event": m.events.get(d, ("", 0))[0], "bad": d in bad_days,
                      "weekend": d.weekday() >= 5, "count": cover.get(d, 0)} for d in days], "rows": rows}


async def _save_problems(roster_id: int, problems: list[rules.Problem], version: int) -> None:
    await SiteRoster.update({SiteRoster.problems: len(problems), SiteRoster.version: version + 1, SiteRoster.updated_at: now()}).where(
        SiteRoster.id == roster_id)


async def _check_version(roster: dict, raw: Any) -> None:
    if str(raw or "").strip() != str(roster["version"]):
        raise RosterError("排班已被他人修改，请刷新后重试", "version")


# ---------------------------------------------------------------- writes


async def open_month(user, team_id: int | None, month_raw: str) -> int:
    team = await site.team_for(user, team_id)
    if team is None:
        raise RosterError("请选择您负责的班组", "team")
    if not site.leads(user, team):
        raise RosterError("只有该班组的负责人可以编排排班", "team")
    first = parse_month(month_raw)
    if first is None:
        raise RosterError("月份格式应为 2027-01", "month")
    this = today_local().replace(day=1)
    ahead = (await site_settings.read(DEFAULTS))["roster_months_ahead"]
    latest = add_months(this, ahead)
    if first < this or first > latest:
        raise RosterError(f"只能编排本月至 {month_label(latest)} 的排班", "month")
    existing = await SiteRoster.select(SiteRoster.id).where((SiteRoster.team == team["id"]) & (SiteRoster.month == month_text(first))).first()
    if existing:
        return existing["id"]
    async with write_transaction():
        row = SiteRoster(team=team["id"], month=month_text(first), status=DRAFT, created_by=user.employee_id, updated_at=now())
        await row.save()
        await audit.record(actor=user, action="site_roster.open", entity="site_roster", entity_id=row.id,
                           summary=f"{team['name']} {month_label(first)} 排班（草稿）")
    return row.id


async def fill(user, roster: dict, version_raw: Any) -> int:
    """Replace the draft's shifts with a generated first draft; returns how many shifts."""
    if not may_edit(user, roster):
        raise RosterError("只有草稿状态的排班可以由班组负责人修改")
    await _check_version(roster, version_raw)
    m = await month_of(roster)
    entries = rules.generate(m.first, m.posts, m.slots, list(m.workers), m.events, max_hours=m.max_hours, prior=m.prior)
    async with write_transaction():
        await RosterEntry.delete().where(RosterEntry.roster == roster["id"])
        if entries:
            await RosterEntry.insert(*[RosterEntry(roster=roster["id"], day=e.day, slot=e.slot, post=e.post, worker=e.worker) for e in entries])
        m.entries = entries
        await _save_problems(roster["id"], problems_of(m), roster["version"])
        await audit.record(actor=user, action="site_roster.fill", entity="site_roster", entity_id=roster["id"],
                           summary=f"自动生成排班初稿：{len(entries)} 个班次")
    return len(entries)


def cell_choices(m: Month) -> list[tuple[str, str]]:
    """(value "slot:post", label) of every post and slot a person can be put in; "" is 休息."""
    return [(f"{s.id}:{p.id}", f"{s.label} · {p.name}") for p in m.posts for s in rules.post_slots(p, m.slots)]


async def set_cell(user, roster: dict, worker_raw: Any, day_raw: Any, choice: str, version_raw: Any) -> str:
    """Put one person on one day in a slot and post, or give them the day off ("" = 休息). Returns the cell's text."""
    from app.core.fields import parse_id
    from app.core.timeutil import parse_date

    if not may_edit(user, roster):
        raise RosterError("只有草稿状态的排班可以由班组负责人修改")
    await _check_version(roster, version_raw)
    m = await month_of(roster)
    worker = parse_id(worker_raw)
    if worker not in m.workers:
        raise RosterError("请选择本班组的人员", "worker")
    try:
        day = parse_date(str(day_raw or ""))
    except (ValueError, TypeError):
        day = None
    if day is None or day not in rules.month_days(m.first):
        raise RosterError(f"日期应在{month_label(m.first)}内", "day")
    slot_id = post_id = None
    if choice:
        valid = dict(cell_choices(m))
        if choice not in valid:
            raise RosterError("请选择该班组的岗位和班次", "choice")
        slot_id, post_id = (int(x) for x in choice.split(":"))
    async with write_transaction():
        await RosterEntry.delete().where((RosterEntry.roster == roster["id"]) & (RosterEntry.worker == worker) & (RosterEntry.day == day))
        m.entries = [e for e in m.entries if not (e.worker == worker and e.day == day)]
        if slot_id:
            await RosterEntry.insert(RosterEntry(roster=roster["id"], day=day, slot=slot_id, post=post_id, worker=worker))
            m.entries.append(rules.Entry(day, slot_id, post_id, worker))
        await _save_problems(roster["id"], problems_of(m), roster["version"])
        text = dict(cell_choices(m)).get(choice, "休息")
        await audit.record(actor=user, action="site_roster.cell", entity="site_roster", entity_id=roster["id"],
                           summary=f"{m.workers[worker]} {rules.day_text(day)}：{text}")
    return text


# ---------------------------------------------------------------- the engine's side (flows.py calls these)


async def submittable(user) -> Any:
    """The WHERE of the rosters `user` may submit: drafts of the teams they lead."""
    emp = user.employee_id or 0
    return (SiteRoster.status == DRAFT) & SiteRoster.team.is_in(SiteTeam.select(SiteTeam.id).where(
        (SiteTeam.lead == emp) & (SiteTeam.active == True)))  # noqa: E712


async def mark_submitted(roster_id: int, request_id: int, user, note: str) -> None:
    await SiteRoster.update({SiteRoster.status: PENDING, SiteRoster.request: request_id, SiteRoster.note: note, SiteRoster.updated_at: now()}).where(
        SiteRoster.id == roster_id)
    await audit.record(actor=user, action="site_roster.submit", entity="site_roster", entity_id=roster_id, summary="提交客服主管审批")


async def mark_decided(request_id: int, approved: bool, actor) -> None:
    roster = await SiteRoster.select(SiteRoster.id, SiteRoster.month, SiteRoster.team.name, SiteRoster.team.lead).where(
        SiteRoster.request == request_id).first()
    if not roster:
        return
    changes = {SiteRoster.status: APPROVED if approved else DRAFT, SiteRoster.updated_at: now()}
    if approved:
        changes[SiteRoster.approved_at] = now()
    await SiteRoster.update(changes).where(SiteRoster.id == roster["id"])
    if approved:
        await audit.record(actor=actor, action="site_roster.approve", entity="site_roster", entity_id=roster["id"], summary="排班已批准")
    else:
        await audit.record(actor=actor, action="site_roster.return", entity="site_roster", entity_id=roster["id"],
                           summary="排班未获批准，退回草稿")
    lead = await Employee.select(Employee.user).where(Employee.id == roster["team.lead"]).first() if roster["team.lead"] else None
    if lead and lead["user"]:
        text = f"{roster['team.name']} {roster['month']} 排班{'已批准' if approved else '未获批准，已退回草稿'}"
        await notify(lead["user"], text, f"/site/rosters/{roster['id']}", "info", ref=f"site_roster:{roster['id']}")


# ---------------------------------------------------------------- swaps after approval


async def swap_entry(user, roster: dict, entry_id: int | None) -> dict | None:
    if not entry_id:
        return None
    return await RosterEntry.select(RosterEntry.id, RosterEntry.day, RosterEntry.slot, RosterEntry.slot.name, RosterEntry.post,
                                    RosterEntry.post.name, RosterEntry.worker, RosterEntry.worker.name).where(
        (RosterEntry.id == entry_id) & (RosterEntry.roster == roster["id"])).first()


async def entries_of(roster_id: int, worker_id: int | None = None) -> list[dict]:
    q = RosterEntry.select(RosterEntry.id, RosterEntry.day, RosterEntry.slot.name, RosterEntry.post.name, RosterEntry.worker,
                           RosterEntry.worker.name).where(RosterEntry.roster == roster_id)
    if worker_id:
        q = q.where(RosterEntry.worker == worker_id)
    return await q.where(RosterEntry.day >= today_local()).order_by(RosterEntry.day).order_by(RosterEntry.id).limit(200)


def _with_swap(m: Month, entry: dict, to_worker: int) -> list[rules.Entry]:
    out = []
    for e in m.entries:
        if (e.day, e.slot, e.post, e.worker) == (entry["day"], entry["slot"], entry["post"], entry["worker"]):
            out.append(rules.Entry(e.day, e.slot, e.post, to_worker))
        else:
            out.append(e)
    return out


async def _swap_problems(m: Month, entry: dict, to_worker: int) -> list[rules.Problem]:
    """The hard problems the swap would add for the person taking the shift (two places at once, too long a stretch)."""
    before = {(p.kind, p.text) for p in problems_of(m)}
    m2 = Month(**{**m.__dict__, "entries": _with_swap(m, entry, to_worker)})
    return [p for p in problems_of(m2) if (p.kind, p.text) not in before and p.kind in HARD + ("休息",)]


async def request_swap(user, roster: dict, entry_id_raw: Any, to_raw: Any, reason: str) -> int:
    from app.core.fields import parse_id

    if roster["status"] != APPROVED or not may_lead(user, roster):
        raise RosterError("只有已批准的排班可以由班组负责人申请换班")
    entry = await swap_entry(user, roster, parse_id(entry_id_raw))
    if entry is None:
        raise RosterError("请选择要调换的班次", "entry")
    if entry["day"] < today_local():
        raise RosterError("已过去的班次不能换班", "entry")
    m = await month_of(roster)
    to = parse_id(to_raw)
    if to not in m.workers or to == entry["worker"]:
        raise RosterError("请选择本班组的另一位人员顶班", "to_worker")
    reason = (reason or "").strip()
    if not reason:
        raise RosterError("请填写换班原因", "reason")
    if len(reason) > 200:
        raise RosterError("换班原因最多 200 个字", "reason")
    added = await _swap_problems(m, entry, to)
    if added:
        raise RosterError("换班后" + "；".join(p.text for p in added[:3]), "to_worker")
    async with write_transaction():
        pending = await RosterSwap.exists().where((RosterSwap.entry == entry["id"]) & (RosterSwap.status == SWAP_PENDING))
        if pending:
            raise RosterError("该班次已有待批准的换班申请", "entry")
        row = RosterSwap(roster=roster["id"], entry=entry["id"], from_worker=entry["worker"], to_worker=to, reason=reason,
                         requested_by=user.employee_id, requested_at=now())
        await row.save()
        await audit.record(actor=user, action="site_roster.swap_request", entity="site_roster", entity_id=roster["id"],
                           summary=f"{rules.day_text(entry['day'])} {entry['slot.name']} {entry['post.name']}：{entry['worker.name']} → {m.workers[to]}")
        from app.care.core import holder_users

        for uid in await holder_users(("supervisor",), roster["team.project"]):
            await notify(uid, f"换班申请：{roster['team.name']} {rules.day_text(entry['day'])} {entry['worker.name']} → {m.workers[to]}",
                         f"/site/rosters/{roster['id']}#swaps", "info", ref=f"site_swap:{row.id}")
    return row.id


async def swaps_of(roster_id: int) -> list[dict]:
    return await RosterSwap.select(RosterSwap.id, RosterSwap.status, RosterSwap.reason, RosterSwap.note, RosterSwap.requested_at,
                                   RosterSwap.decided_at, RosterSwap.entry.day, RosterSwap.entry.slot.name, RosterSwap.entry.post.name,
                                   RosterSwap.from_worker.name, RosterSwap.to_worker.name).where(
        RosterSwap.roster == roster_id).order_by(RosterSwap.id, ascending=False).limit(50)


async def decide_swap(user, roster: dict, swap_id: int, approve: bool, note: str) -> None:
    from app.core.notify import close

    if not user.can(Perm.SITE_MANAGE):
        raise RosterError("只有客服主管可以批准换班")
    async with write_transaction():
        swap = await RosterSwap.select().where((RosterSwap.id == swap_id) & (RosterSwap.roster == roster["id"])).first()
        if swap is None:
            raise RosterError("没有找到该换班申请")
        if swap["status"] != SWAP_PENDING:
            raise RosterError(f"该换班申请已{swap['status']}")
        if approve:
            entry = await swap_entry(user, roster, swap["entry"])
            if entry is None or entry["worker"] != swap["from_worker"]:
                raise RosterError("该班次已变更，换班申请不再适用")
            added = await _swap_problems(await month_of(roster), entry, swap["to_worker"])
            if added:
                raise RosterError("换班后" + "；".join(p.text for p in added[:3]))
            await RosterEntry.update({RosterEntry.worker: swap["to_worker"]}).where(RosterEntry.id == entry["id"])
        done = await RosterSwap.update({RosterSwap.status: SWAP_APPROVED if approve else SWAP_REJECTED, RosterSwap.decided_by: user.employee_id,
                                        RosterSwap.decided_at: now(), RosterSwap.note: (note or "")[:200]}).where(
            (RosterSwap.id == swap_id) & (RosterSwap.status == SWAP_PENDING)).returning(RosterSwap.id)
        if not done:
            raise RosterError("该换班申请已被处理")
        await close([f"site_swap:{swap_id}"])
        if approve:
            await audit.record(actor=user, action="site_roster.swap_approve", entity="site_roster", entity_id=roster["id"],
                               summary=f"换班申请 #{swap_id} 已批准")
        else:
            await audit.record(actor=user, action="site_roster.swap_reject", entity="site_roster", entity_id=roster["id"],
                               summary=f"换班申请 #{swap_id} 已拒绝")
