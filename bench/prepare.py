"""The benchmark's helpers that read or write the prepared database through the portal's own code (run by bench/run.py
in a subprocess with the database's environment, never inside the portal's server process):

    python -m bench.prepare targets            → JSON: the records the pages are measured on (unit, buyer, deep page)
    python -m bench.prepare tasks --n 500      → JSON: N fresh 用章 requests submitted through the engine, each with
                                                  one pending task on the same approver (the approval POST rotates them)
    python -m bench.prepare shifts --n 500     → JSON: N free (team, slot, day) of the security captain's teams, each
                                                  with no 班前点名 yet (the shift-log POST writes one per request)

Nothing here is timed. The tasks are made through `engine.submit` (the same call the form makes), so the POST approves
a real request with its steps, tasks, notifications and audit rows.
"""
from __future__ import annotations

from app.core.fields import FormValues
import argparse
import asyncio
import json
import math
import sys

PER_PAGE = 20  # the ledger's default page size (app/core/listing.py); the admin API is asked for the same
DEEP_PAGE = 200  # page 200 with a filter, or the deepest page the filter has




async def _scope(usernames: tuple[str, ...]) -> list[int] | None:
    """The projects every one of these accounts may see (None: all projects)."""
    from piccolo.apps.user.tables import BaseUser

    from app.core.auth import load_user

    common: set[int] | None = None
    for name in usernames:
        row = await BaseUser.select(BaseUser.id).where(BaseUser.username == name).first()
        user = await load_user(row["id"]) if row else None
        if user is None:
            raise SystemExit(f"bench.prepare: no active account {name!r}")
        if not user.all_projects:
            common = set(user.project_ids) if common is None else common & set(user.project_ids)
    return None if common is None else sorted(common)


async def targets(viewers: tuple[str, ...] = ("supervisor", "cr_officer")) -> dict:
    from piccolo.apps.user.tables import BaseUser

    from app.pipeline.tables import Deal

    # the unit timeline: the unit with the most deals (past deals kept), then the latest, in a project that the
    # accounts measuring the unit and the customer file both see; its latest buyer's customer file
    scope = await _scope(viewers)
    where = f"WHERE project IN ({','.join(str(int(p)) for p in scope) or '0'})" if scope is not None else ""
    rows = await Deal.raw(f"SELECT unit, COUNT(*) AS n, MAX(id) AS last FROM pl_deal {where} GROUP BY unit ORDER BY n DESC, last DESC LIMIT 1")
    unit = rows[0]["unit"] if rows else None
    buyer = None
    if rows:
        d = await Deal.select(Deal.buyer).where(Deal.id == rows[0]["last"]).first()
        buyer = d["buyer"] if d else None
    # the ledger's deep page: filtered on the project with the most signed contracts
    proj = await Deal.raw(
        "SELECT project, COUNT(*) AS n FROM pl_deal WHERE signed_on IS NOT NULL GROUP BY project ORDER BY n DESC, project LIMIT 1")
    project, signed = (proj[0]["project"], proj[0]["n"]) if proj else (None, 0)
    # the deepest FULL page (page 200 at most): a page of 20 rows at both scales, so that the p95 of demo and large
    # compare the same work on more data (demo's project 1 has 27 contracts: page 2 would show 7 rows)
    deep = max(1, min(DEEP_PAGE, signed // PER_PAGE)) if signed else 1
    admin = await BaseUser.select(BaseUser.username).where(BaseUser.admin == True).order_by(BaseUser.id).first()  # noqa: E712
    inbox_added = await _fill_inbox(INBOX_USER, PER_PAGE)
    return {"unit": unit, "buyer": buyer, "ledger_project": project, "ledger_signed": signed, "ledger_deep_page": deep,
            "per_page": PER_PAGE, "admin_user": admin["username"] if admin else None, "scope": scope, "inbox_added": inbox_added}


INBOX_USER = "dept_head"  # whose 待办 the inbox page measures (bench/run.py)


async def _fill_inbox(username: str, n: int) -> int:
    """At least `n` pending tasks for `username` (a full first page of the inbox at every scale: demo has one, large
    ~1,100): 用章 requests submitted through the engine, as the approval POST's are. Returns how many were added."""
    from piccolo.apps.user.tables import BaseUser

    from app.workflow.engine import T_PENDING
    from app.workflow.tables import Task

    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == username).first()
    have = await Task.count().where((Task.assignee == row["id"]) & (Task.status == T_PENDING)) if row else 0
    if have >= n:
        return 0
    made = await tasks(n - have, "contract")
    if made["approver"] != username:
        raise SystemExit(f"bench.prepare: the inbox's tasks went to {made['approver']}, expected {username}")
    return n - have


async def tasks(n: int, applicant: str) -> dict:
    """N 用章 requests by `applicant` on the 行政-kept 合同专用章 (申 → 部门负责人 → 行政): each leaves one pending task on
    the applicant's department head; 同意 moves the request on to 行政."""
    from piccolo.apps.user.tables import BaseUser

    from app.core.auth import load_user
    from app.seals.flows import SEAL
    from app.seals.tables import Seal
    from app.workflow import engine
    from app.workflow.tables import Task

    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == applicant).first()
    if not row:
        raise SystemExit(f"bench.prepare: no user {applicant!r}")
    user = await load_user(row["id"])
    seal = await Seal.select(Seal.id).where((Seal.active == True) & (Seal.keeper_dept == "行政")).order_by(Seal.id).first()  # noqa: E712
    if not seal:
        raise SystemExit("bench.prepare: no active seal kept by 行政")
    values = FormValues(seal=str(seal["id"]), doc_kind="报告/函件", document="压力测试用印文件", purpose="压力测试：审批同意",
                     copies="1", content_complete="1")
    result = await SEAL.form.parse(values, user, None)
    if result.errors:
        raise SystemExit(f"bench.prepare: the 用章 form refused the values: {result.errors}")
    ids: list[int] = []
    assignees: set[int] = set()
    for _ in range(n):
        req = await engine.submit(user, SEAL, result)
        pending = await Task.select(Task.id, Task.assignee).where((Task.request == req["id"]) & (Task.status == engine.T_PENDING))
        if len(pending) != 1:
            raise SystemExit(f"bench.prepare: request {req['number']} has {len(pending)} pending tasks, expected 1")
        ids.append(pending[0]["id"])
        assignees.add(pending[0]["assignee"])
    if len(assignees) != 1:
        raise SystemExit(f"bench.prepare: the tasks went to {len(assignees)} approvers, expected 1")
    approver = await BaseUser.select(BaseUser.username).where(BaseUser.id == assignees.pop()).first()
    return {"task_ids": ids, "approver": approver["username"]}


async def shifts(n: int, lead: str) -> dict:
    """N (team, slot, day) with no shift log yet, on teams led by `lead`: copies of the lead's own team (its project,
    contractor, posts and workers) made for the benchmark, so each has every day the form accepts (tomorrow back to
    PAST_DAYS ago) × its slots free. The POST of one of them writes a log with a roll call row per worker."""
    from datetime import timedelta

    from piccolo.apps.user.tables import BaseUser

    from app.core.timeutil import today_local
    from app.org.tables import Employee
    from app.site.tables import SitePost, SiteTeam, SiteWorker
    from app.site_shift.services import PAST_DAYS, team_slots

    row = await Employee.select(Employee.id).where((Employee.user.username == lead) & (Employee.active == True)).first()  # noqa: E712
    if not row:
        raise SystemExit(f"bench.prepare: no active employee {lead!r}")
    base = await SiteTeam.select().where((SiteTeam.lead == row["id"]) & (SiteTeam.active == True)).order_by(SiteTeam.id).first()  # noqa: E712
    if not base:
        raise SystemExit(f"bench.prepare: {lead!r} leads no team")
    slots = await team_slots(base["id"])
    posts = await SitePost.select().where((SitePost.team == base["id"]) & (SitePost.active == True))  # noqa: E712
    workers = await SiteWorker.select().where((SiteWorker.team == base["id"]) & (SiteWorker.active == True))  # noqa: E712
    if not slots or not workers:
        raise SystemExit("bench.prepare: the lead's team has no slots or no workers")
    today = today_local()
    days = [today + timedelta(days=1 - k) for k in range(PAST_DAYS + 2)]
    per_team = len(days) * len(slots)
    made = await SiteTeam.count().where(SiteTeam.name.like("压力测试班组%"))
    out: list[str] = []
    for i in range(math.ceil(n / per_team)):
        team = (await SiteTeam.insert(SiteTeam(name=f"压力测试班组{made + i + 1}", kind=base["kind"], project=base["project"],
                                              contractor=base["contractor"], lead=base["lead"], active=True)).returning(SiteTeam.id))[0]["id"]
        keep = ("id", "team")
        if posts:
            await SitePost.insert(*[SitePost(**{k: v for k, v in p_.items() if k not in keep}, team=team) for p_ in posts])
        await SiteWorker.insert(*[SiteWorker(**{k: v for k, v in w.items() if k not in keep}, team=team) for w in workers])
        out += [f"{team},{slot.id},{day.isoformat()}" for day in days for slot in slots]
    return {"shifts": out[:n], "lead": lead, "workers": len(workers)}


async def _main(argv: list[str]) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.prepare")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("targets")
    t = sub.add_parser("tasks")
    t.add_argument("--n", type=int, required=True)
    t.add_argument("--applicant", default="contract")
    sh = sub.add_parser("shifts")
    sh.add_argument("--n", type=int, required=True)
    sh.add_argument("--lead", default="security_captain")
    args = p.parse_args(argv)
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    eng = engine_finder()
    pool = isinstance(eng, PostgresEngine)
    if pool:
        await eng.start_connection_pool(min_size=1, max_size=2)
    try:
        import app.flows  # noqa: F401  (registers every request type)

        if args.cmd == "targets":
            return await targets()
        if args.cmd == "shifts":
            return await shifts(args.n, args.lead)
        return await tasks(args.n, args.applicant)
    finally:
        if pool:
            await eng.close_connection_pool()
        elif hasattr(eng, "close"):  # app/core/engine.py's pooled SQLite engine, once merged
            try:
                from app.core.engine import close_engine  # type: ignore[import-not-found]

                await close_engine(eng)
            except ImportError:
                pass


if __name__ == "__main__":
    out = asyncio.run(_main(sys.argv[1:]))
    print("BENCH_PREPARE " + json.dumps(out, ensure_ascii=False))
