"""The shift log and the two-signature handover (SPEC §F4, §F6): parsing the tablet's forms into Chinese field errors,
writing each action in one transaction with its audit row, the record scope of app.site.services (a team the user
does not reach is a 404 to the routes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.core import attachments, audit
from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.fields import Parser, parse_id
from app.core.timeutil import now, today_local
from app.site import services as site
from app.site.services import Slot
from app.site_shift.tables import (ABNORMAL, ABSENT, ATTENDANCE, CHECK_RESULTS, CONSUMABLE, DAMAGED, DONE, NORMAL, OPEN, PRESENT,
                                   RESOLVED, UNIFORM, UNIFORM_OK, WAITING, Handover, HandoverIssue, LogItem, PostCheck, RollCall,
                                   ShiftLog)

LOG_OWNER = "site_shift_log"  # the uniform / line-up photos of a roll call
DEFAULTS = {"handover_remind_min": ("交接班：换班前多少分钟提醒队长/领班（分钟）", 15, "C")}
PAST_DAYS = 31  # a log or handover may be written for a day up to a month back, and for tomorrow at most
MAX_QTY = 100000
MAX_ROWS = 30  # repeatable rows per section


class ShiftError(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class Duplicate(Exception):
    def __init__(self, existing_id: int, what: str):
        super().__init__(what)
        self.existing_id, self.what = existing_id, what


# ---------------------------------------------------------------- slots


async def team_slots(team_id: int) -> list[Slot]:
    """The slots of the patterns of the team's posts (a team without posts, e.g. a cleaning team: every slot)."""
    patterns = sorted({p["pattern"] for p in await site.posts(team_id)})
    return await site.slots(patterns or None)


async def post_slots(post: dict | None, team_id: int) -> list[Slot]:
    return await site.slots([post["pattern"]]) if post else await team_slots(team_id)


def slot_default(all_slots: list[Slot], moment: datetime | None = None) -> tuple[Slot | None, date]:
    found = site.slot_at(all_slots, moment or now())
    return (found[0], found[1]) if found else ((all_slots[0] if all_slots else None), today_local())


def slot_key(team_id: int, day: date, slot_id: int) -> str:
    return f"{team_id}:{day.isoformat()}:{slot_id}"


def _day(p: Parser, name: str = "day") -> date | None:
    d = p.date(name, "日期")
    if d is None:
        return None
    today = today_local()
    if d > today + timedelta(days=1):
        p.fail(name, "日期不能晚于明天")
    elif d < today - timedelta(days=PAST_DAYS):
        p.fail(name, f"只能补记 {PAST_DAYS} 天内的记录")
    return d


def _slot(p: Parser, all_slots: list[Slot], name: str = "slot") -> Slot | None:
    raw = p.raw(name)
    if not raw:
        p.fail(name, "请选择班次")
        return None
    sid = parse_id(raw)
    found = next((s for s in all_slots if s.id == sid), None)
    if found is None:
        p.fail(name, "班次的选项无效")
    return found


def rows(values: Any, *names: str) -> list[tuple[str, ...]]:
    """Repeatable rows posted as parallel lists (c_item, c_qty …); fully blank rows dropped."""
    p = Parser(values)
    cols = [p.getall(n) for n in names]
    n = max((len(c) for c in cols), default=0)
    out = []
    for i in range(min(n, MAX_ROWS)):
        row = tuple(c[i] if i < len(c) else "" for c in cols)
        if any(row):
            out.append(row)
    return out


# ---------------------------------------------------------------- shift log


@dataclass
class LogInput:
    day: date | None = None
    slot: Slot | None = None
    roll: list[tuple[int, str, str]] = field(default_factory=list)  # worker, attendance, uniform
    checks: list[tuple[int, str, str]] = field(default_factory=list)  # post, result, note
    consumables: list[tuple[str, int]] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


async def parse_log(values: Any, team_id: int) -> tuple[LogInput, dict[str, str]]:
    p = Parser(values)
    out = LogInput()
    out.day = _day(p)
    out.slot = _slot(p, await team_slots(team_id))
    for w in await site.workers(team_id):
        att = p.raw(f"att_{w['id']}") or PRESENT
        if att not in ATTENDANCE:
            p.fail(f"att_{w['id']}", "出勤的选项无效")
            continue
        uni = p.raw(f"uni_{w['id']}") or UNIFORM_OK
        if uni not in UNIFORM:
            p.fail(f"uni_{w['id']}", "着装的选项无效")
            continue
        out.roll.append((w["id"], att, "" if att == ABSENT else uni))
    posts = {p_["id"] for p_ in await site.posts(team_id)}
    for i, (post, result, note) in enumerate(rows(values, "p_post", "p_result", "p_note")):
        if not result and not note:
            continue  # a post offered but not spot-checked this shift
        pid = parse_id(post)
        if pid not in posts:
            p.fail("checks", f"第 {i + 1} 行抽查：请选择本班组的岗位")
        elif result not in CHECK_RESULTS:
            p.fail("checks", f"第 {i + 1} 行抽查：请选择正常或异常")
        elif result == ABNORMAL and not note:
            p.fail("checks", f"第 {i + 1} 行抽查：异常须填写说明")
        elif len(note) > 200:
            p.fail("checks", f"第 {i + 1} 行抽查：说明最多 200 个字")
        else:
            out.checks.append((pid, result, note))
    for i, (item, qty) in enumerate(rows(values, "c_item", "c_qty")):
        n = p.integer("consumables", f"第 {i + 1} 行耗材数量", minimum=1, maximum=MAX_QTY, raw=qty)
        if not item:
            p.fail("consumables", f"第 {i + 1} 行：请填写耗材名称")
        elif len(item) > 60:
            p.fail("consumables", f"第 {i + 1} 行：耗材名称最多 60 个字")
        elif n is not None and "consumables" not in p.errors:
            out.consumables.append((item, n))
    for i, (item, note) in enumerate(rows(values, "d_item", "d_note")):
        if not item:
            p.fail("damaged", f"第 {i + 1} 行：请填写物品名称")
        elif len(item) > 60 or len(note) > 200:
            p.fail("damaged", f"第 {i + 1} 行：物品最多 60 个字，说明最多 200 个字")
        else:
            out.damaged.append((item, note))
    out.note = p.text("note", "备注", required=False, max_len=1000)
    return out, p.errors


async def existing_log(team_id: int, day: date, slot_id: int) -> int | None:
    row = await ShiftLog.select(ShiftLog.id).where(ShiftLog.slot_key == slot_key(team_id, day, slot_id)).first()
    return row["id"] if row else None


async def create_log(user, team: dict, data: LogInput, file_ids: list[int]) -> int:
    """One log per (team, day, slot): a second one raises Duplicate with the first's id (serialised across workers)."""
    key = slot_key(team["id"], data.day, data.slot.id)
    async with write_transaction():
        await serialise(f"site_shift_log:{key}")
        found = await existing_log(team["id"], data.day, data.slot.id)
        if found:
            raise Duplicate(found, f"{data.day:%m月%d日} {data.slot.name} 已有班前点名记录")
        rows_ = await ShiftLog.insert(ShiftLog(team=team["id"], day=data.day, slot=data.slot.id, slot_key=key,
                                               written_by=user.employee_id, written_by_name=user.display_name or "",
                                               created_at=now(), note=data.note)).returning(ShiftLog.id)
        log_id = rows_[0]["id"]
        if data.roll:
            await RollCall.insert(*[RollCall(log=log_id, worker=w, attendance=a, uniform=u) for w, a, u in data.roll])
        if data.checks:
            await PostCheck.insert(*[PostCheck(log=log_id, post=p, result=r, note=n) for p, r, n in data.checks])
        items = [LogItem(log=log_id, kind=CONSUMABLE, item=i, quantity=q) for i, q in data.consumables]
        items += [LogItem(log=log_id, kind=DAMAGED, item=i, note=n) for i, n in data.damaged]
        if items:
            await LogItem.insert(*items)
        await attachments.bind(user, file_ids, LOG_OWNER, log_id)
        absent = sum(1 for _w, a, _u in data.roll if a == ABSENT)
        await audit.record(actor=user, action="site_shift.log", entity="site_shift_log", entity_id=log_id,
                           summary=f"{team['name']} {data.day:%Y-%m-%d} {data.slot.name} 班前点名：{len(data.roll)} 人，缺勤 {absent} 人",
                           after={"team": team["id"], "day": data.day, "slot": data.slot.id, "roll": data.roll, "checks": data.checks,
                                  "consumables": data.consumables, "damaged": data.damaged})
    return log_id


LOG_COLUMNS = (ShiftLog.id, ShiftLog.team, ShiftLog.team.name, ShiftLog.day, ShiftLog.slot, ShiftLog.slot.name, ShiftLog.slot.start,
               ShiftLog.slot.end, ShiftLog.written_by_name, ShiftLog.created_at, ShiftLog.note)


async def log_detail(user, log_id: int | None) -> dict | None:
    if not log_id:
        return None
    log = await ShiftLog.select(*LOG_COLUMNS).where((ShiftLog.id == log_id) & ShiftLog.team.is_in(
        site.SiteTeam.select(site.SiteTeam.id).where(site.team_clause(user)))).first()
    if not log:
        return None
    log["roll"] = await RollCall.select(RollCall.worker.name, RollCall.worker.badge, RollCall.attendance, RollCall.uniform).where(
        RollCall.log == log_id).order_by(RollCall.id)
    log["checks"] = await PostCheck.select(PostCheck.post.name, PostCheck.result, PostCheck.note).where(PostCheck.log == log_id).order_by(PostCheck.id)
    items = await LogItem.select(LogItem.kind, LogItem.item, LogItem.quantity, LogItem.note).where(LogItem.log == log_id).order_by(LogItem.id)
    log["consumables"] = [i for i in items if i["kind"] == CONSUMABLE]
    log["damaged"] = [i for i in items if i["kind"] == DAMAGED]
    log["absent"] = sum(1 for r in log["roll"] if r["attendance"] == ABSENT)
    log["uniform_fail"] = sum(1 for r in log["roll"] if r["uniform"] == "不合格")
    return log


# ---------------------------------------------------------------- handover


def badge_matches(worker: dict, typed: str) -> bool:
    t = (typed or "").strip().upper()
    return bool(t) and t in {(worker.get("badge") or "").strip().upper(), (worker.get("name") or "").strip().upper()} - {""}


@dataclass
class HandoverInput:
    post: dict | None = None
    day: date | None = None
    slot: Slot | None = None
    outgoing: dict | None = None
    incoming: dict | None = None
    radios: str = ""
    keys: int = 0
    umbrellas: int = 0
    shoe_covers: int = 0
    fire_status: str = NORMAL
    fire_note: str = ""
    note: str = ""
    resolved: set[int] = field(default_factory=set)  # carried issue ids marked resolved
    new_issues: list[str] = field(default_factory=list)


def radio_numbers(raw: str) -> str | None:
    """"1,2,5" / "1，2 5" → "1,2,5" (sorted, unique); None if anything else than numbers."""
    parts = [x for x in raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if x]
    if not all(x.isascii() and x.isdigit() and len(x) <= 4 for x in parts) or len(parts) > 50:
        return None
    return ",".join(str(n) for n in sorted({int(x) for x in parts}))


async def team_posts(team_id: int) -> list[dict]:
    return await site.posts(team_id)


async def parse_handover(values: Any, team_id: int) -> tuple[HandoverInput, dict[str, str]]:
    p = Parser(values)
    out = HandoverInput()
    posts = await team_posts(team_id)
    if posts:
        pid = parse_id(p.raw("post"))
        out.post = next((x for x in posts if x["id"] == pid), None)
        if out.post is None:
            p.fail("post", "请选择岗位" if not p.raw("post") else "岗位的选项无效")
    out.day = _day(p)
    out.slot = _slot(p, await post_slots(out.post, team_id))
    workers = {w["id"]: w for w in await site.workers(team_id)}
    for name, label in (("outgoing", "交班人"), ("incoming", "接班人")):
        raw = p.raw(name)
        w = workers.get(parse_id(raw))
        if w is None:
            p.fail(name, f"请选择{label}" if not raw else f"{label}的选项无效")
        setattr(out, name, w)
    if out.outgoing and out.incoming and out.outgoing["id"] == out.incoming["id"]:
        p.fail("incoming", "接班人不能与交班人相同")
    radios = radio_numbers(p.text("radios", "对讲机编号", required=False, max_len=100))
    if radios is None:
        p.fail("radios", "对讲机编号请填数字，用逗号分隔，例如 1,2,5")
    out.radios = radios or ""
    for name, label in (("keys", "钥匙"), ("umbrellas", "雨伞"), ("shoe_covers", "鞋套")):
        n = p.integer(name, f"{label}数量", minimum=0, maximum=MAX_QTY, required=False)
        setattr(out, name, n or 0)
    out.fire_status = p.choice("fire_status", "消防器材状态", CHECK_RESULTS) or NORMAL
    out.fire_note = p.text("fire_note", "消防器材说明", required=out.fire_status == ABNORMAL, max_len=200)
    out.note = p.text("note", "备注", required=False, max_len=1000)
    out.resolved = {i for i in (parse_id(x) for x in p.getall("resolved")) if i}
    lines = [x.strip() for x in p.text("issues", "遗留问题", required=False, max_len=2000).splitlines() if x.strip()]
    if any(len(x) > 200 for x in lines):
        p.fail("issues", "每个遗留问题最多 200 个字（一行一个）")
    out.new_issues = lines[:MAX_ROWS]
    if out.outgoing and not badge_matches(out.outgoing, p.raw("out_badge")):
        p.fail("out_badge", "请交班人输入本人工号（或姓名）签名" if not p.raw("out_badge") else "工号与交班人不符，请交班人本人签名")
    return out, p.errors


async def carried_issues(team_id: int, post_id: int | None, before_id: int | None = None) -> list[dict]:
    """The open issues of the latest earlier handover of the same post (offered on the next handover)."""
    q = Handover.select(Handover.id).where((Handover.team == team_id) & (
        Handover.post.is_null() if post_id is None else Handover.post == post_id))
    if before_id:
        q = q.where(Handover.id < before_id)
    prev = await q.order_by(Handover.id, ascending=False).first()
    if not prev:
        return []
    return await HandoverIssue.select(HandoverIssue.id, HandoverIssue.text, HandoverIssue.handover).where(
        (HandoverIssue.handover == prev["id"]) & (HandoverIssue.status == OPEN)).order_by(HandoverIssue.id)


def handover_key(team_id: int, post_id: int | None, day: date, slot_id: int) -> str:
    return f"{team_id}:{post_id or 0}:{day.isoformat()}:{slot_id}"


async def create_handover(user, team: dict, data: HandoverInput) -> int:
    key = handover_key(team["id"], data.post["id"] if data.post else None, data.day, data.slot.id)
    change_at = data.slot.span(data.day)[1]
    async with write_transaction():
        await serialise(f"site_handover:{key}")
        found = await Handover.select(Handover.id).where(Handover.handover_key == key).first()
        if found:
            raise Duplicate(found["id"], f"{data.day:%m月%d日} {data.slot.name} 本岗位已有交接班记录")
        carried = await carried_issues(team["id"], data.post["id"] if data.post else None)
        at = now()
        row = await Handover.insert(Handover(
            team=team["id"], post=data.post["id"] if data.post else None, day=data.day, slot=data.slot.id, handover_key=key,
            change_at=change_at, outgoing=data.outgoing["id"], incoming=data.incoming["id"], radios=data.radios, keys=data.keys,
            umbrellas=data.umbrellas, shoe_covers=data.shoe_covers, fire_status=data.fire_status, fire_note=data.fire_note,
            note=data.note, status=WAITING, out_signed_at=at, created_by=user.employee_id)).returning(Handover.id)
        hid = row[0]["id"]
        issues = [HandoverIssue(handover=hid, text=i["text"], status=RESOLVED if i["id"] in data.resolved else OPEN, carried_from=i["id"])
                  for i in carried]
        issues += [HandoverIssue(handover=hid, text=t, status=OPEN) for t in data.new_issues]
        if issues:
            await HandoverIssue.insert(*issues)
        await audit.record(actor=user, action="site_shift.handover", entity="site_handover", entity_id=hid,
                           summary=f"{team['name']} {data.post['name'] if data.post else ''} {data.day:%Y-%m-%d} {data.slot.name} 交班：{data.outgoing['name']} 签名，待 {data.incoming['name']} 接班",
                           after={"key": key, "radios": data.radios, "keys": data.keys, "umbrellas": data.umbrellas,
                                  "shoe_covers": data.shoe_covers, "fire_status": data.fire_status,
                                  "carried": [i["id"] for i in carried], "resolved": sorted(data.resolved), "new_issues": data.new_issues})
    return hid


HANDOVER_COLUMNS = (Handover.all_columns(), Handover.team.name, Handover.post.name, Handover.slot.name, Handover.slot.start,
                    Handover.slot.end, Handover.outgoing.name, Handover.outgoing.badge, Handover.incoming.name, Handover.incoming.badge)


def visible_teams(user):
    return site.SiteTeam.select(site.SiteTeam.id).where(site.team_clause(user))


async def handover_detail(user, handover_id: int | None) -> dict | None:
    if not handover_id:
        return None
    h = await Handover.select(*HANDOVER_COLUMNS).where((Handover.id == handover_id) & Handover.team.is_in(visible_teams(user))).first()
    if h:
        h["issues"] = await HandoverIssue.select().where(HandoverIssue.handover == handover_id).order_by(HandoverIssue.id)
    return h


async def sign_incoming(user, handover_id: int, typed: str) -> dict:
    """The incoming person confirms with their badge: 已交接, 逾时 when after the change time. ShiftError otherwise."""
    async with write_transaction():
        h = await handover_detail(user, handover_id)
        if h is None:
            raise LookupError(handover_id)
        if h["status"] == DONE:
            raise ShiftError({"in_badge": "本次交接已完成签名"})
        worker = {"name": h["incoming.name"], "badge": h["incoming.badge"]}
        if not (typed or "").strip():
            raise ShiftError({"in_badge": "请接班人输入本人工号（或姓名）签名"})
        if not badge_matches(worker, typed):
            raise ShiftError({"in_badge": "工号与接班人不符，请接班人本人签名"})
        at = now()
        late = at > h["change_at"]
        done = await Handover.update({Handover.status: DONE, Handover.in_signed_at: at, Handover.late: late}).where(
            (Handover.id == handover_id) & (Handover.status == WAITING)).returning(Handover.id)
        if not done:
            raise ShiftError({"in_badge": "本次交接已完成签名"})
        await audit.record(actor=user, action="site_shift.handover_sign", entity="site_handover", entity_id=handover_id,
                           summary=f"{h['team.name']} {h['post.name'] or ''} {h['day']:%Y-%m-%d} {h['slot.name']} 接班：{h['incoming.name']} 签名{'（逾时）' if late else ''}",
                           before={"status": WAITING}, after={"status": DONE, "late": late})
    return {"late": late}


def may_handover(user, team: dict) -> bool:
    """Anyone on the team (the guard or cleaner on the tablet), its lead, the 客服主管; not the read-only leaders."""
    from app.core.permissions import Perm

    return user.can(Perm.SITE_MANAGE) or not site.oversees(user)
