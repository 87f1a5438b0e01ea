"""Patrols (SPEC §F3): the checkpoints a user reaches, the round window of a moment, recording a scan (once per
checkpoint and window), the round's remaining checkpoints and the day's report (completion, misses, 异常 with photos).

Round windows come from rounds.py with the settings in site_setting (app.site.settings). Window starts are stored in
UTC so that the same window is the same value on SQLite and PostgreSQL (the unique (checkpoint, window_start))."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.core import attachments, audit
from app.core.db import write_transaction
from app.core.fields import Parser
from app.core.permissions import Perm
from app.core.tables import Attachment
from app.core.timeutil import SHANGHAI, now
from app.site import services as site
from app.site import settings as site_settings
from app.site.tables import SECURITY, SiteTeam
from app.site_patrol import rounds
from app.site_patrol.tables import ABNORMAL, RESULTS, PatrolCheckpoint, PatrolMiss, PatrolScan

OWNER = "site_patrol_scan"  # the photos of an 异常 scan (app/site_patrol/attachment_owners.py)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,32}")
NOTE_MAX = 500

CP_COLUMNS = (PatrolCheckpoint.id, PatrolCheckpoint.team, PatrolCheckpoint.name, PatrolCheckpoint.place, PatrolCheckpoint.token,
              PatrolCheckpoint.sort, PatrolCheckpoint.created_at)


class PatrolRefused(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc)


def may_read_reports(user: Any) -> bool:
    return user.can(Perm.SITE_SECURITY) or site.oversees(user)


# ---------------------------------------------------------------- rounds


async def patrol_settings() -> dict[str, int]:
    return await site_settings.read(rounds.DEFAULTS)


def patrol_day_of(at: dt.datetime, s: dict[str, int]) -> dt.date:
    """The patrol day a moment belongs to: before the opening time it is still the previous day's night."""
    local = at.astimezone(SHANGHAI)
    return local.date() if local.time() >= rounds.hhmm(s["patrol_open_hhmm"]) else local.date() - dt.timedelta(days=1)


def window_at(at: dt.datetime, s: dict[str, int]) -> rounds.Window:
    day = patrol_day_of(at, s)
    for d in (day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
        for w in rounds.settings_windows(d, s):
            if w.contains(at.astimezone(SHANGHAI)):
                return w
    raise LookupError(at)  # pragma: no cover - the windows of consecutive days are contiguous


def window_label(w: rounds.Window) -> str:
    start, end = w.start.astimezone(SHANGHAI), w.end.astimezone(SHANGHAI)
    tail = "次日 " if end.date() != start.date() and end.time() != dt.time(0) else ""
    end_text = "24:00" if end.time() == dt.time(0) and end.date() != start.date() else f"{end:%H:%M}"
    return f"{start:%H:%M}–{tail}{end_text}" + ("（夜间）" if w.night else "")


# ---------------------------------------------------------------- checkpoints


def _team_scope(user: Any):
    return PatrolCheckpoint.team.is_in(SiteTeam.select(SiteTeam.id).where(site.team_clause(user, SECURITY)))


async def checkpoint_for(user: Any, token: str) -> dict | None:
    """The active checkpoint with this URL token if it is in a security team the user reaches (else None: 404)."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    return await PatrolCheckpoint.select(*CP_COLUMNS, PatrolCheckpoint.team.name).where(
        (PatrolCheckpoint.token == token) & (PatrolCheckpoint.active == True) & _team_scope(user)).first()  # noqa: E712


async def checkpoints(team_id: int) -> list[dict]:
    return await PatrolCheckpoint.select(*CP_COLUMNS).where(
        (PatrolCheckpoint.team == team_id) & (PatrolCheckpoint.active == True)).order_by(  # noqa: E712
        PatrolCheckpoint.sort).order_by(PatrolCheckpoint.id)


def expected_in(cp: dict, w: rounds.Window) -> bool:
    """A checkpoint is due in a window from the window it was set up in."""
    created = cp.get("created_at")
    return created is None or created < w.end


async def scans_between(cp_ids: list[int], first: dt.datetime, last: dt.datetime, columns=()) -> list[dict]:
    """The scans of these checkpoints whose window starts in [first, last) — one query, bounded by the period."""
    if not cp_ids:
        return []
    return await PatrolScan.select(PatrolScan.id, PatrolScan.checkpoint, PatrolScan.window_start, *columns).where(
        PatrolScan.checkpoint.is_in(cp_ids) & (PatrolScan.window_start >= utc(first)) & (PatrolScan.window_start < utc(last))
    ).order_by(PatrolScan.window_start).order_by(PatrolScan.id)


async def round_status(team_id: int, w: rounds.Window) -> list[dict]:
    """The team's checkpoints in this round, each with its scan (or None): what is done and what remains."""
    cps = [c for c in await checkpoints(team_id) if expected_in(c, w)]
    done = {r["checkpoint"]: r for r in await scans_between([c["id"] for c in cps], w.start, w.end,
                                                           (PatrolScan.result, PatrolScan.scanned_at, PatrolScan.by_name))}
    return [{**c, "scan": done.get(c["id"])} for c in cps]


# ---------------------------------------------------------------- scanning


def parse_scan(values: Any, file_ids: list[int]) -> tuple[str, str]:
    p = Parser(values)
    result = p.choice("result", "巡更结果", RESULTS)
    note = p.text("note", "异常情况说明", required=result == ABNORMAL, max_len=NOTE_MAX)
    if result == ABNORMAL and not file_ids:
        p.fail("attachments", "异常须拍照：请用相机拍摄现场照片后再提交")
    if p.errors:
        raise PatrolRefused(p.errors)
    return result, note


async def record_scan(user: Any, cp: dict, values: Any, file_ids: list[int], at: dt.datetime | None = None) -> tuple[dict, bool]:
    """Record the scan of `cp` into the window running at `at` (now). Returns (the window's scan, whether it is new):
    a second scan of the same checkpoint in the same round changes nothing. One transaction: the scan, its photos, the
    audit row."""
    result, note = parse_scan(values, file_ids)
    at = at or now()
    w = window_at(at, await patrol_settings())
    row = {PatrolScan.checkpoint: cp["id"], PatrolScan.window_start: utc(w.start), PatrolScan.scanned_at: utc(at),
           PatrolScan.result: result, PatrolScan.note: note if result == ABNORMAL else "", PatrolScan.by_user: user.user_id,
           PatrolScan.by_employee: user.employee_id, PatrolScan.by_name: (getattr(user, "display_name", "") or "")[:50]}
    async with write_transaction():
        made = await PatrolScan.insert(PatrolScan(**{c._meta.name: v for c, v in row.items()})).on_conflict(
            action="DO NOTHING").returning(PatrolScan.id)
        if not made:
            existing = await PatrolScan.select(PatrolScan.id, PatrolScan.result, PatrolScan.scanned_at, PatrolScan.by_name).where(
                (PatrolScan.checkpoint == cp["id"]) & (PatrolScan.window_start == utc(w.start))).first()
            return {**(existing or {}), "window": w}, False
        scan_id = made[0]["id"]
        if result == ABNORMAL:
            await attachments.bind(user, file_ids, OWNER, scan_id)
        await audit.record(actor=user, action="site_patrol.scan", entity="site_patrol_scan", entity_id=scan_id,
                           summary=f"巡更打卡：{cp.get('team.name', '')} {cp['name']} {result}（{window_label(w)}）",
                           after={"checkpoint": cp["id"], "window_start": w.start, "result": result, "note": note})
    return {"id": scan_id, "result": result, "scanned_at": at, "by_name": row[PatrolScan.by_name], "window": w}, True


# ---------------------------------------------------------------- the day's report


async def missed_pairs(team_id: int, wins: list[rounds.Window]) -> list[tuple[int, dt.datetime]]:
    """(checkpoint, window start) of the given windows × the team's active checkpoints due in them, minus the scans —
    one SQL statement (the windows as a derived table; a scan belongs to the window its window_start falls in)."""
    if not wins:
        return []
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    pg = isinstance(engine_finder(), PostgresEngine)
    cast = "CAST({} AS TIMESTAMPTZ)" if pg else "{}"
    rows_sql = " UNION ALL ".join(f"SELECT {cast} AS ws, {cast} AS we" for _ in wins)
    args: list = [team_id]
    for w in wins:
        args += [utc(w.start), utc(w.end)]
    sql = (f"SELECT cp.id AS checkpoint, w.ws AS window_start FROM site_patrol_checkpoint cp JOIN ({rows_sql}) w ON cp.created_at < w.we "
           "WHERE cp.team = {} AND cp.active = TRUE AND NOT EXISTS (SELECT 1 FROM site_patrol_scan s WHERE s.checkpoint = cp.id "
           "AND s.window_start >= w.ws AND s.window_start < w.we) ORDER BY w.ws, cp.sort, cp.id")
    # the team id's placeholder comes after the windows' in the statement
    args = args[1:] + args[:1]
    out = []
    for r in await PatrolCheckpoint.raw(sql, *args):
        ws = r["window_start"]
        if isinstance(ws, str):  # SQLite returns the derived table's value as stored text
            ws = dt.datetime.fromisoformat(ws)
        out.append((r["checkpoint"], ws.astimezone(dt.timezone.utc)))
    return out



async def day_report(team_id: int, day: dt.date, at: dt.datetime | None = None) -> dict:
    """Per round of patrol day `day`: scanned / expected, the missed checkpoints (windows that have ended × the
    checkpoints due in them, minus the scans, plus the misses the reminder recorded), the 异常 scans with photos."""
    at = at or now()
    wins = rounds.settings_windows(day, await patrol_settings())
    cps = await checkpoints(team_id)
    by_id = {c["id"]: c for c in cps}
    first, last = wins[0].start, wins[-1].end
    # every checkpoint of the team, also those since switched off: their scans and recorded misses stay listed
    names = {r["id"]: r["name"] for r in await PatrolCheckpoint.select(PatrolCheckpoint.id, PatrolCheckpoint.name).where(
        PatrolCheckpoint.team == team_id)}
    all_ids = list(names)
    scans = await scans_between(all_ids, first, last, (PatrolScan.result, PatrolScan.note, PatrolScan.scanned_at, PatrolScan.by_name))
    misses = await PatrolMiss.select(PatrolMiss.checkpoint, PatrolMiss.window_start, PatrolMiss.alerted_at).where(
        PatrolMiss.checkpoint.is_in(all_ids or [0]) & (PatrolMiss.window_start >= utc(first)) & (PatrolMiss.window_start < utc(last)))
    # the ended windows × the checkpoints due in them, minus the scans: in SQL
    missing = await missed_pairs(team_id, [w for w in wins if w.end <= at])
    photos: dict[str, list[dict]] = {}
    abnormal_ids = [str(s["id"]) for s in scans if s["result"] == ABNORMAL]
    if abnormal_ids:
        for a in await Attachment.select(Attachment.id, Attachment.owner_id, Attachment.filename).where(
                (Attachment.owner_kind == OWNER) & Attachment.owner_id.is_in(abnormal_ids)).order_by(Attachment.id):
            photos.setdefault(a["owner_id"], []).append({**a, "url": f"/attachments/{a['id']}"})
    out_rounds, abnormal = [], []
    totals = {"expected": 0, "scanned": 0, "missed": 0, "abnormal": 0}
    for w in wins:
        in_w = [s for s in scans if w.start <= s["window_start"] < w.end]
        due = [c for c in cps if expected_in(c, w)]
        seen = {s["checkpoint"] for s in in_w}
        ended = w.end <= at
        missed_ids = [cp for cp, ws in missing if ws == w.start]
        for m in misses:
            if w.start <= m["window_start"] < w.end and m["checkpoint"] not in seen and m["checkpoint"] not in missed_ids:
                missed_ids.append(m["checkpoint"])
        alerted = {m["checkpoint"] for m in misses if w.start <= m["window_start"] < w.end and m["alerted_at"]}
        scanned_due = len([c for c in due if c["id"] in seen])
        state = "已结束" if ended else ("进行中" if w.start <= at else "未开始")
        out_rounds.append({"window": w, "label": window_label(w), "state": state, "expected": len(due), "scanned": scanned_due,
                           "pct": round(100 * scanned_due / len(due)) if due else 100,
                           "missed": [{"id": i, "name": names.get(i, str(i)), "alerted": i in alerted} for i in missed_ids]})
        if ended:
            totals["expected"] += len(due)
            totals["scanned"] += scanned_due
        totals["missed"] += len(missed_ids)
        for s in in_w:
            if s["result"] == ABNORMAL:
                abnormal.append({**s, "name": names.get(s["checkpoint"], ""), "label": window_label(w), "photos": photos.get(str(s["id"]), [])})
    totals["abnormal"] = len(abnormal)
    return {"rounds": out_rounds, "abnormal": abnormal, "totals": totals, "checkpoints": cps, "by_id": by_id}
