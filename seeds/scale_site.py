"""The sales office at scale (SPEC §F), for the scale generator: new sites' teams with their people, posts and
checkpoints, then a year of their records — written in bulk (seeds/scale_db.py), never row by row:

- `teams_for(N)` security teams and as many cleaning teams (large: 25 + 25), round the projects (the new ones first);
  a security team has the six posts of F1 (两班) and 10 people, a cleaning team two day posts and 5 people and the demo's
  areas with their checklists; the scale 保安/保洁 employees are linked to a team of a project in their scope, the rest are
  outsourced (no account); the demo 保安队长 / 保洁领班 lead them (they manage the scale guards and cleaners);
- the monthly rosters of the 12 months before the current one and of the current month, 已批准 (no approval request:
  request empty), each month's cells made by the roster's own draft generator (app/site_roster/rules.generate) from
  the team's posts, slots, people, special days (site_event and the 集中交房 days the pipeline gives, as the roster page
  computes them) and the previous month's last week; the stored problem count is the rules' own check of it (10 guards: no
  problem on ordinary months);
- patrols: 7 checkpoints per security team set up before the year, and for every round window (app/site_patrol/rounds
  with the settings) of every patrol day of that year that has ended, one scan per checkpoint (≈2 % 异常 with a note,
  no photo) by the person on the 巡逻 / 监控 post at that time, or — ≈3 % — a miss (site_patrol_miss, alerted);
- one shift log per team, day and slot staffed (up to now), with the roll call of that slot's people (到岗, a few 迟到 /
  缺勤; 着装);
- cleaning inspections per area at its frequency (every `every_min` minutes during opening hours, else daily) over the
  last 3 months: deductions on the area's own items, ≈2 % below the pass mark with their 整改单 closed by a re-inspection.

Large (N = 50,000; the site part took ~14 s of an 83 s run on SQLite, ~33 s of 153 s on PostgreSQL): 50 teams with 375 people, 650 rosters with
89,700 cells, 27,600 shift logs with 83,100 roll-call rows, 1,122,905 patrol scans and 35,070 misses, 63,214 inspections
(36,473 deductions, 1,114 tickets). The number of sites grows with N (N / 2,000 of each kind), so the scan count stays
linear in N. Rosters: the cells pass the rules' hard checks (重叠, 工时, 班次: the seed stops otherwise); on the months
with many 集中交房 days the draft leaves soft problems (加派, 休息), counted on the roster with the lead's note, as a real
submission would carry them. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date, datetime, time as clock, timedelta, timezone

from seeds.scale_db import Bulk
from seeds.scale_people import person_name

SECURITY_POSTS = [  # as seeds/site.py: name, duties, headcount, night only (两班)
    ("门岗/迎宾", "开门、迎宾，引导来访客户至前台", 1, False),
    ("车场", "引导停车、开车门、车辆登记", 1, False),
    ("大厅形象岗", "维护沙盘区、洽谈区秩序", 1, False),
    ("样板房/看房通道", "发放鞋套，维护看房通道安全", 1, False),
    ("巡逻", "周界巡逻、巡更打卡", 1, False),
    ("监控/夜班", "闭馆后值守监控、夜间巡更", 1, True),
]
CLEANING_POSTS = [("大厅/洽谈区保洁", "大厅、洽谈区、水吧随脏随清", 2, False), ("卫生间/样板房保洁", "卫生间每 30 分钟巡检、样板房除尘", 1, False)]
PATROL_POSTS = ("巡逻", "监控/夜班")  # whoever holds these scans the checkpoints
SECURITY_SIZE, CLEANING_SIZE = 10, 5
CHECKPOINTS = [("入口", "售楼处正门及迎宾区"), ("配电房", "售楼处东侧配电房门口"), ("消防通道/灭火器", "后门消防通道、各灭火器点位"),
               ("样板房", "样板房入户门及室内"), ("停车场", "访客停车场及出入口"), ("围挡/看房通道", "工地围挡沿线与看房通道"),
               ("广告牌", "路口广告牌及灯箱")]
ABNORMAL_NOTES = ["灭火器压力不足，已报物业更换", "围挡一处松动，已拉警戒带", "广告牌灯箱不亮", "配电房门未锁，已上锁", "停车场一处地锁损坏"]
MISS_RATE, ABNORMAL_RATE = 0.03, 0.02
CLEAN_DAYS = 91
SH = timezone(timedelta(hours=8))
UTC = timezone.utc


async def _put(bulk: Bulk, table: str, columns: list[str], rows: list) -> int:
    if rows:
        await bulk.insert(table, columns, rows)
    return len(rows)


def teams_for(units: int) -> int:
    """Security teams (and as many cleaning teams) for `--units N`: large 25 + 25, small 2 + 2."""
    return max(2, round(units / 2000))


def _d(v) -> date | None:
    if v is None or isinstance(v, date) and not isinstance(v, datetime):
        return v
    return date.fromisoformat(str(v)[:10])


async def _settings(bulk: Bulk, defaults: dict) -> dict[str, int]:
    _, rows = await bulk.fetch('SELECT key, value FROM "site_setting"')
    have = {r[0]: int(r[1]) for r in rows}
    return {k: have.get(k, v[1]) for k, v in defaults.items()}


async def _events(bulk: Bulk, projects: list[int], first: date, last: date, units: int, extra: int) -> dict[int, dict[date, tuple[str, int]]]:
    """Per project {day: (kind, extra)}: its site_event days and the 集中交房 days (as app/site_roster/services.month_of)."""
    out: dict[int, dict[date, tuple[str, int]]] = defaultdict(dict)
    ids = ", ".join(str(p) for p in projects) or "0"
    _, rows = await bulk.fetch(f'SELECT project, day, kind, extra FROM "site_event" WHERE project IN ({ids}) ORDER BY day')
    for p, d, kind, ex in rows:
        d = _d(d)
        if first <= d <= last:
            k0, e0 = out[p].get(d, ("", 0))
            out[p][d] = ("、".join(x for x in (k0, kind) if x), e0 + (ex or 0))
    if units > 0:
        counts: dict[tuple[int, date], int] = {}
        for col in ("appointment_on", "handover_date"):
            _, rows = await bulk.fetch(f'SELECT project, {col}, COUNT(*) FROM "pl_deal" WHERE project IN ({ids}) AND {col} IS NOT NULL '
                                       f"GROUP BY project, {col}")
            for p, d, n in rows:
                d = _d(d)
                if first <= d <= last:
                    counts[(p, d)] = max(counts.get((p, d), 0), int(n))
        for (p, d), n in sorted(counts.items()):
            if n >= units and "交房" not in out[p].get(d, ("", 0))[0]:
                k0, e0 = out[p].get(d, ("", 0))
                out[p][d] = ("、".join(x for x in (k0, "集中交房") if x), e0 + extra)
    return out


async def make_site(bulk: Bulk, run: int, units: int, places, rng: random.Random, log, today: date | None = None,
                    at: datetime | None = None) -> dict[str, int]:
    from app.core.months import add_months, month_text
    from app.site.services import Slot, clock as hhmm_clock
    from app.site_cleaning import rules as clean_rules
    from app.site_patrol import rounds
    from app.site_patrol.tables import new_token
    from app.site_roster import rules
    from app.site_roster.services import DEFAULTS as ROSTER_DEFAULTS, HARD
    from app.site_shift.tables import ABSENT, LATE, PRESENT, UNIFORM_FAIL, UNIFORM_OK
    from app.site_cleaning.tables import CHECKED
    from seeds.site import PATTERNS
    from seeds.site_cleaning import AREAS

    t0 = time.monotonic()
    at = at or datetime.now(UTC)
    today = today or at.astimezone(SH).date()
    counts: dict[str, int] = {}
    n_teams = teams_for(units)

    # ---------------------------------------------------------------- the shift pattern (两班) and its slots
    _, rows = await bulk.fetch('SELECT id FROM "site_shift_pattern" WHERE name = \'两班\'')
    if rows:
        pattern = rows[0][0]
    else:  # the demo's patterns are missing (a database without seeds.site): add 两班 as seeds/site.py does
        pattern = await bulk.max_id("site_shift_pattern") + 1
        note, sl = PATTERNS["两班"]
        await bulk.insert("site_shift_pattern", ["id", "name", "note"], [(pattern, "两班", note)])
        sid = await bulk.max_id("site_shift_slot")
        await bulk.insert("site_shift_slot", ["id", "pattern", "name", "start", "end", "sort"],
                          [(sid + i + 1, pattern, n, a, b, i) for i, (n, a, b) in enumerate(sl)])
    _, rows = await bulk.fetch(f'SELECT id, pattern, name, start, "end", sort FROM "site_shift_slot" WHERE pattern = {pattern} ORDER BY sort, id')
    slots = [Slot(r[0], r[1], r[2], hhmm_clock(r[3]), hhmm_clock(r[4]), r[5] or 0) for r in rows]

    # ---------------------------------------------------------------- the leads and the scale guards / cleaners
    _, rows = await bulk.fetch('SELECT u.username, e.id, e.name FROM "employee" e JOIN "piccolo_user" u ON u.id = e."user" '
                               "WHERE u.username IN ('security_captain', 'cleaning_lead')")
    lead = {r[0]: (r[1], r[2]) for r in rows}
    _, rows = await bulk.fetch(f'SELECT e.id, e."user", e.name, p.role FROM "employee" e JOIN "position" p ON p.id = e.position '
                               f"WHERE e.employee_no LIKE 'S{run}%' AND p.role IN ('guard', 'cleaner') ORDER BY e.id")
    staff = {"guard": [], "cleaner": []}
    user_of: dict[int, int] = {}
    for eid, uid, name, role in rows:
        staff[role].append((eid, name))
        user_of[eid] = uid
    _, rows = await bulk.fetch('SELECT employee, project FROM "employee_project"')
    scope: dict[int, set[int]] = defaultdict(set)
    for e, p in rows:
        scope[e].add(p)

    # ---------------------------------------------------------------- teams, people, posts, checkpoints, areas
    new_projects = sorted(p for p, c in places.project_code.items() if str(c).startswith(f"SC{run}"))
    others = sorted(p for p in places.project_code if p not in new_projects)
    order = new_projects + others
    tid, wid, pid = await bulk.max_id("site_team"), await bulk.max_id("site_worker"), await bulk.max_id("site_post")
    cid, aid, iid = await bulk.max_id("site_patrol_checkpoint"), await bulk.max_id("site_clean_area"), await bulk.max_id("site_clean_item")
    team_rows, worker_rows, post_rows, cp_rows, area_rows, item_rows = [], [], [], [], [], []
    teams: list[dict] = []
    per_project: dict[int, int] = defaultdict(int)
    used: set[int] = set()
    setup = datetime.combine(add_months(today.replace(day=1), -12) - timedelta(days=30), clock(9), SH)
    for kind, size, posts, pool, lead_key, word in (("保安", SECURITY_SIZE, SECURITY_POSTS, staff["guard"], "security_captain", "保安队"),
                                                     ("保洁", CLEANING_SIZE, CLEANING_POSTS, staff["cleaner"], "cleaning_lead", "保洁组")):
        for k in range(n_teams):
            project = order[k % len(order)]
            if kind == "保安":
                per_project[project] += 1
            tid += 1
            no = per_project[project]
            name = f"{places.project_name[project]}{no}号售楼处{word}"[:50]
            lead_id, lead_name = lead.get(lead_key, (None, ""))
            team_rows.append((tid, name, kind, project, "锦程物业服务有限公司" if kind == "保安" else "洁美保洁服务有限公司", lead_id, True))
            team = {"id": tid, "kind": kind, "project": project, "lead": lead_id, "lead_name": lead_name, "workers": [], "posts": [],
                    "checkpoints": [], "areas": []}
            # the scale employees of this role with the project in scope first, then any left, then outsourced people
            mine = [e for e in pool if e[0] not in used and project in scope.get(e[0], ())]
            rest = [e for e in pool if e[0] not in used and e not in mine]
            linked = (mine + rest)[:size]
            for n in range(size):
                wid += 1
                emp, wname = linked[n] if n < len(linked) else (None, person_name(rng))
                if emp:
                    used.add(emp)
                worker_rows.append((wid, tid, wname, f"S{run}{'BA' if kind == '保安' else 'BJ'}{tid % 1000:03d}{n + 1:02d}",
                                    f"139{rng.randint(0, 99_999_999):08d}", emp, True))
                team["workers"].append({"id": wid, "name": wname, "employee": emp, "user": user_of.get(emp)})
            for i, (pname, duties, headcount, night) in enumerate(posts):
                pid += 1
                post_rows.append((pid, tid, pname, duties, pattern, headcount, night, i, True))
                team["posts"].append(rules.Post(pid, pname, pattern, headcount, night))
            if kind == "保安":
                for i, (cname, place) in enumerate(CHECKPOINTS):
                    cid += 1
                    cp_rows.append((cid, tid, cname, place, new_token(), i, True, setup))
                    team["checkpoints"].append(cid)
            else:
                for i, (aname, standard, every, checklist) in enumerate(AREAS):
                    aid += 1
                    area_rows.append((aid, tid, aname, standard, every, i, True))
                    items = []
                    for j, (text, most) in enumerate(checklist):
                        iid += 1
                        item_rows.append((iid, aid, text, most, j, True))
                        items.append((iid, text, most))
                    team["areas"].append((aid, every, items))
            teams.append(team)
    for table, cols, rows_ in (("site_team", ["id", "name", "kind", "project", "contractor", "lead", "active"], team_rows),
                               ("site_worker", ["id", "team", "name", "badge", "phone", "employee", "active"], worker_rows),
                               ("site_post", ["id", "team", "name", "duties", "pattern", "headcount", "night_only", "sort", "active"], post_rows),
                               ("site_patrol_checkpoint", ["id", "team", "name", "place", "token", "sort", "active", "created_at"], cp_rows),
                               ("site_clean_area", ["id", "team", "name", "standard", "every_min", "sort", "active"], area_rows),
                               ("site_clean_item", ["id", "area", "text", "max_points", "sort", "active"], item_rows)):
        counts[table] = await _put(bulk, table, cols, rows_)
    log(f"  site_team/worker/post         {len(team_rows)} 个班组，{len(worker_rows)} 人（{len(used)} 人有门户账号），"
        f"{len(cp_rows)} 个巡更点，{len(area_rows)} 个保洁区域")

    # ---------------------------------------------------------------- rosters: the generator's cells, month by month
    limits = await _settings(bulk, ROSTER_DEFAULTS)
    this = today.replace(day=1)
    months = [add_months(this, k) for k in range(-12, 1)]
    last_day = add_months(this, 1) - timedelta(days=1)
    events = await _events(bulk, sorted({t["project"] for t in teams}), months[0], last_day,
                           limits["roster_handover_units"], limits["roster_handover_extra"])
    rid = await bulk.max_id("site_roster")
    roster_rows, entry_rows = [], []
    problems_total = 0
    for team in teams:
        prior = None
        workers = {w["id"]: w["name"] for w in team["workers"]}
        team["entries"] = []
        ev = events.get(team["project"], {})
        for first in months:
            month_events = {d: v for d, v in ev.items() if d.year == first.year and d.month == first.month}
            entries = rules.generate(first, team["posts"], slots, list(workers), month_events, max_hours=limits["roster_max_hours"], prior=prior)
            problems = rules.check(first, team["posts"], slots, entries, workers, month_events, max_hours=limits["roster_max_hours"], prior=prior)
            hard = [p.text for p in problems if p.kind in HARD]
            if hard:  # the generator never double-books nor overworks anyone: a slip here is a bug, not data
                raise SystemExit(f"排班生成器产生了不可提交的问题：{hard[:3]}")
            problems_total += len(problems)
            rid += 1
            approved = datetime.combine(first - timedelta(days=5), clock(16, 30), SH)
            roster_rows.append((rid, team["id"], month_text(first), "已批准", None,
                                ("集中交房等加派日人手不足处已由外包单位临时增派，休息日次周补休：" + "；".join(p.text for p in problems))[:1000]
                                if problems else "", len(problems), 1, team["lead"],
                                approved, approved))
            entry_rows.extend((rid, e.day, e.slot, e.post, e.worker) for e in entries)
            team["entries"].extend(entries)
            nxt = add_months(first, 1)
            prior = [e for e in entries if e.day >= nxt - timedelta(days=7)]
    counts["site_roster"] = await _put(bulk, "site_roster", ["id", "team", "month", "status", "request", "note", "problems", "version",
                                                              "created_by", "updated_at", "approved_at"], roster_rows)
    counts["site_roster_entry"] = await _put(bulk, "site_roster_entry", ["roster", "day", "slot", "post", "worker"], entry_rows)
    log(f"  site_roster/entry             {len(roster_rows):>9,} 份排班（已批准），{len(entry_rows):,} 个班次；检查问题 {problems_total} 项"
        f"（{time.monotonic() - t0:.1f} s）")

    # ---------------------------------------------------------------- shift logs with their roll calls (up to now)
    by_id = {s.id: s for s in slots}
    lid = await bulk.max_id("site_shift_log")
    log_rows, roll_rows = [], []
    for team in teams:
        cells: dict[tuple[date, int], list[int]] = defaultdict(list)
        for e in team["entries"]:
            cells[(e.day, e.slot)].append(e.worker)
        for (day, slot_id), people in sorted(cells.items()):
            start, _end = by_id[slot_id].span(day)
            written = start + timedelta(minutes=rng.randint(3, 15))
            if written > at:
                continue
            lid += 1
            log_rows.append((lid, team["id"], day, slot_id, f"{team['id']}:{day.isoformat()}:{slot_id}", team["lead"], team["lead_name"],
                             written, ""))
            for w in people:
                x = rng.random()
                attendance = ABSENT if x < 0.015 else LATE if x < 0.04 else PRESENT
                uniform = "" if attendance == ABSENT else (UNIFORM_FAIL if rng.random() < 0.03 else UNIFORM_OK)
                roll_rows.append((lid, w, attendance, uniform))
    counts["site_shift_log"] = await _put(bulk, "site_shift_log", ["id", "team", "day", "slot", "slot_key", "written_by", "written_by_name",
                                                                    "created_at", "note"], log_rows)
    counts["site_shift_rollcall"] = await _put(bulk, "site_shift_rollcall", ["log", "worker", "attendance", "uniform"], roll_rows)
    log(f"  site_shift_log/rollcall       {len(log_rows):>9,} 份班前点名，{len(roll_rows):,} 人次（{time.monotonic() - t0:.1f} s）")

    # ---------------------------------------------------------------- patrol scans and misses, every ended window
    ps = await _settings(bulk, rounds.DEFAULTS)
    days = [months[0] + timedelta(days=i) for i in range((today - months[0]).days + 1)]
    wins = []  # (window start UTC, end UTC, start, end)
    for d in days:
        for w in rounds.settings_windows(d, ps):
            if w.end <= at:
                wins.append((w.start.astimezone(UTC), w.end.astimezone(UTC), w.start, w.end))
    # whose round it is: the slot running at a moment, for each day (two days back covers a night slot)
    spans = sorted((a, b, day, s.id) for day in [days[0] - timedelta(days=1)] + days for s in slots for a, b in [s.span(day)])
    n_scans = n_misses = 0
    for team in teams:
        if team["kind"] != "保安":
            continue
        patrol_posts = {p.id for p in team["posts"] if p.name in PATROL_POSTS}
        on_duty = {(e.day, e.slot): e.worker for e in team["entries"] if e.post in patrol_posts}
        person = {w["id"]: w for w in team["workers"]}
        scans, misses = [], []
        k = 0
        for ws_utc, we_utc, ws, we in wins:
            length = (we - ws).total_seconds()
            while k + 1 < len(spans) and spans[k][1] <= ws:  # windows in order: the first slot still running at its start
                k += 1
            for cp in team["checkpoints"]:
                if rng.random() < MISS_RATE:
                    misses.append((cp, ws_utc, we_utc, we_utc + timedelta(minutes=5)))
                    continue
                scanned = ws + timedelta(seconds=int(length * rng.uniform(0.05, 0.85)))
                j = k
                while j + 1 < len(spans) and spans[j][1] <= scanned:
                    j += 1
                a, b, sday, sslot = spans[j]
                w = person.get(on_duty.get((sday, sslot))) if a <= scanned < b else None
                if rng.random() < ABNORMAL_RATE:
                    result, note = "异常", rng.choice(ABNORMAL_NOTES)
                else:
                    result, note = "正常", ""
                scans.append((cp, ws_utc, scanned.astimezone(UTC), result, note, w["user"] if w else None, w["employee"] if w else None,
                              w["name"] if w else team["lead_name"]))
        n_scans += await _put(bulk, "site_patrol_scan", ["checkpoint", "window_start", "scanned_at", "result", "note", "by_user",
                                                          "by_employee", "by_name"], scans)
        n_misses += await _put(bulk, "site_patrol_miss", ["checkpoint", "window_start", "window_end", "alerted_at"], misses)
    counts["site_patrol_scan"], counts["site_patrol_miss"] = n_scans, n_misses
    log(f"  site_patrol_scan/miss         {n_scans:>9,} 次巡更打卡，{n_misses:,} 次漏巡（{len(wins):,} 个轮次；{time.monotonic() - t0:.1f} s）")

    # ---------------------------------------------------------------- cleaning inspections over the last 3 months
    cs = await _settings(bulk, clean_rules.DEFAULTS)
    good, passing, rectify = cs["clean_grade_good_min"], cs["clean_grade_pass_min"], cs["clean_rectify_minutes"]
    opens, closes = rounds.hhmm(ps["patrol_open_hhmm"]), rounds.hhmm(ps["patrol_close_hhmm"])
    ins_id = await bulk.max_id("site_clean_inspection")
    ins_rows, ded_rows, ticket_rows = [], [], []
    for team in teams:
        if team["kind"] != "保洁":
            continue
        cleaners = [w["name"] for w in team["workers"]]
        for back in range(CLEAN_DAYS, -1, -1):
            day = today - timedelta(days=back)
            for n, (area, every, items) in enumerate(team["areas"]):
                if every:
                    t, end = datetime.combine(day, opens, SH), datetime.combine(day, closes, SH)
                    times = []
                    while t < end:
                        times.append(t)
                        t += timedelta(minutes=every)
                else:
                    times = [datetime.combine(day, clock(9, 40 + n), SH)]
                for when in times:
                    if when > at:
                        continue
                    fail = rng.random() < 0.02
                    took = []
                    for item_id, text, most in items:
                        if fail:
                            took.append((item_id, text, most))
                        elif rng.random() < 0.12:
                            took.append((item_id, text, rng.randint(1, min(5, most))))
                    value = clean_rules.score(p for *_x, p in took)
                    if not fail and value < passing:
                        took = took[:1]
                        value = clean_rules.score(p for *_x, p in took)
                    ins_id += 1
                    ins_rows.append((ins_id, area, team["id"], team["lead"], team["lead_name"], when, day, value,
                                     clean_rules.grade(value, good, passing), "", None))
                    ded_rows.extend((ins_id, item_id, text, p) for item_id, text, p in took)
                    if value < passing:  # its 整改单: done by a cleaner and closed by a re-inspection (still open if that is ahead)
                        failed = ins_id
                        done = when + timedelta(minutes=min(rectify, 20))
                        again = done + timedelta(minutes=5)
                        if again > at:
                            ticket_rows.append((failed, area, team["id"], when, when + timedelta(minutes=rectify), "待整改", None, "", "",
                                                None, None))
                            continue
                        ins_id += 1
                        ins_rows.append((ins_id, area, team["id"], team["lead"], team["lead_name"], again, day, 100,
                                         clean_rules.grade(100, good, passing), "复检合格", failed))
                        ticket_rows.append((failed, area, team["id"], when, when + timedelta(minutes=rectify), CHECKED, done,
                                            rng.choice(cleaners), "已整改", ins_id, again))
    counts["site_clean_inspection"] = await _put(bulk, "site_clean_inspection", ["id", "area", "team", "by", "by_name", "at", "day", "score",
                                                                                  "grade", "note", "parent"], ins_rows)
    counts["site_clean_deduction"] = await _put(bulk, "site_clean_deduction", ["inspection", "item", "item_text", "points"], ded_rows)
    counts["site_clean_ticket"] = await _put(bulk, "site_clean_ticket", ["inspection", "area", "team", "opened_at", "due_at", "status", "done_at",
                                                                          "done_by_name", "done_note", "reinspection", "closed_at"], ticket_rows)
    log(f"  site_clean_inspection         {len(ins_rows):>9,} 次保洁检查，{len(ded_rows):,} 项扣分，{len(ticket_rows):,} 张整改单（已复检）"
        f"（{time.monotonic() - t0:.1f} s）")
    return counts


SEQUENCES = ["site_team", "site_worker", "site_post", "site_patrol_checkpoint", "site_clean_area", "site_clean_item", "site_roster",
             "site_roster_entry", "site_shift_log", "site_shift_rollcall", "site_patrol_scan", "site_patrol_miss", "site_clean_inspection",
             "site_clean_deduction", "site_clean_ticket"]
