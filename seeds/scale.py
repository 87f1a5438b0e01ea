"""Bulk data at scale, ON TOP of the demo data, in the configured database (the SQLite file, or PostgreSQL when
DATABASE_URL is set — the same code on both):

    python -m seeds.demo                       # first
    python -m seeds.scale --size large         # 50,000 units and buyers, ~45,000 deals, 200,000 requests, …
    python -m seeds.scale --size small         # the same shape at ~2 % (tests)
    python -m seeds.scale --units 10000 --seed 7

What it writes (for `--units N`; large: N = 50,000):
- 5 new projects beside the two demo projects, new buildings in all seven (the demo projects keep half of the units, so
  the demo accounts' project scopes see a large share); each new project's maintenance-fund account;
- N/25 employees with sign-ins (password as the demo accounts') under the demo leads, with their project scope;
- the pipeline: copies of the demo's 53 deals — made by the real services, so every stage and state with its consistent
  records (instalments, receipts, 审核单, same-day entries, documents, parties, 面签, 维修基金, 整改单, the approval
  requests about a deal) — on N units (the deals' units plus some still for sale) and one buyer per deal;
- customer care: copies of the demo's cases (its 12-month KPI history included) on the copies' units: 2·N cases;
- with them the calls, call QA, file audits and survey answers the KPI board counts;
- 4·N approval requests (报销, 借款, 付款, 招待) in every state with their steps, tasks, history, open notices and payloads,
  each with the approvers the engine's own plan_chain gives (seeds/scale_requests.py);
- the sales office (seeds/scale_site.py): N/2,000 security teams and as many cleaning teams (at least 2 + 2) on the
  projects with their people (the scale 保安/保洁 linked), posts, checkpoints and areas; for the 12 months before the
  current one and the current month their 已批准 monthly rosters (cells from the roster's own draft generator), a scan
  per checkpoint and ended round window (a few % 异常, ~3 % missed and recorded as misses), one shift log per team, day
  and slot with its roll call; cleaning inspections per area at its frequency over the last 3 months (整改单 and
  re-inspection on the few failed). Large: ~1.1 million scans, ~90,000 roster cells, ~27,600 shift logs, ~63,000
  inspections;
- HR (seeds/scale_hr.py), for the N/25 employees: one labour contract each (starts on hired_on), the 入职 row of
  hr_position_history, hr_employee_status, hr_leave_profile and a few leave requests (rows only, no approval requests).

Set-based: rows are copied/generated in Python and written with executemany (SQLite) or COPY (PostgreSQL) in a few
transactions (seeds/scale_db.py); nothing is saved row by row. Refuses to run twice on one database unless --force."""
from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time

from seeds.scale_clone import Copier
from seeds.scale_db import connect
from seeds.scale_site import teams_for

SIZES = {"small": 1_000, "large": 50_000}


def plan(units: int, units_per_copy: int, deals_per_copy: int, cases_per_copy: int) -> dict[str, int]:
    # enough copies for the units, and for deals on ~90 % of them (large: 50,000 units, 45,000 deals)
    copies = max(1, math.ceil(units / units_per_copy), math.ceil(0.9 * units / deals_per_copy))
    return {"copies": copies, "care_copies": min(copies, max(1, math.ceil(2 * units / max(cases_per_copy, 1)))),
            "requests": 4 * units, "staff": max(20, units // 25), "deals": copies * deals_per_copy}


async def run(units: int, seed: int, force: bool, log=print) -> dict[str, int]:
    from seeds.scale_families import clone_care, clone_pipeline, template_units
    from seeds.scale_people import make_projects, make_staff
    from seeds.scale_hr import SEQUENCES as HR_TABLES, make_hr
    from seeds.scale_requests import make_requests
    from seeds.scale_site import SEQUENCES as SITE_TABLES, make_site

    bulk = await connect()
    started = time.monotonic()
    try:
        if not await bulk.scalar("SELECT COUNT(*) FROM \"project\" WHERE code = 'JC01'") or not await bulk.scalar('SELECT COUNT(*) FROM "pl_deal"'):
            raise SystemExit("数据库中没有演示数据：请先运行 python -m seeds.demo")
        runs = int(await bulk.scalar("SELECT COUNT(*) FROM \"project\" WHERE code LIKE 'SC_01'") or 0)
        if runs and not force:
            raise SystemExit(f"该数据库已载入过规模数据（{runs} 次）；如确需再次追加，请加 --force")
        run_no = runs + 1
        copier = Copier(bulk, tag=f"S{run_no}", log=log)
        per_copy = len(await template_units(copier))
        deals_per_copy = int(await bulk.scalar('SELECT COUNT(*) FROM "pl_deal"'))
        cases = int(await bulk.scalar('SELECT COUNT(*) FROM "care_case" WHERE compensation_request IS NULL AND payment_request IS NULL') or 0)
        p = plan(units, per_copy, deals_per_copy, cases)
        log(f"规模数据（第 {run_no} 次，随机种子 {seed}）：约 {p['copies'] * per_copy:,} 套房源、{p['deals']:,} 笔交易、"
            f"{p['care_copies'] * cases:,} 个客服案件、{p['requests']:,} 张审批单、{p['staff']:,} 名员工、"
            f"{2 * teams_for(units)} 个售楼处班组；数据库：{bulk.engine}")
        rng = random.Random(seed)

        log("组织与项目 …")
        await bulk.begin()
        places = await make_projects(bulk, run_no, p["copies"], per_copy, log)
        await make_staff(bulk, run_no, p["staff"], places, rng, log)
        await bulk.commit()

        log("交易流程（房源、买受人、交易及其记录）…")
        await bulk.begin()
        await clone_pipeline(copier, places, range(1, p["copies"] + 1), seed)
        await bulk.commit()

        log("客户服务（案件、时间线、报修、回访）…")
        await bulk.begin()
        await clone_care(copier, places, range(1, p["care_copies"] + 1))
        await bulk.commit()

        log("审批（报销、借款、付款、招待）…")
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if bulk.engine == "postgres":
            await engine.start_connection_pool()
        try:
            await bulk.begin()
            counts = await make_requests(bulk, p["requests"], run_no, rng, log)
            await bulk.commit()
        finally:
            if bulk.engine == "postgres":
                await engine.close_connection_pool()
        log("售楼处（班组、排班、巡更、班前点名、保洁检查）…")
        await bulk.begin()
        site_counts = await make_site(bulk, run_no, units, places, rng, log)
        await bulk.commit()

        log("人事（劳动合同、入职记录、员工状态、请假）…")
        await bulk.begin()
        hr_counts = await make_hr(bulk, run_no, rng, log)
        await bulk.commit()
        for extra in (site_counts, hr_counts):
            for t, n in extra.items():
                counts[t] = counts.get(t, 0) + n
        await bulk.fix_sequences(sorted(set(copier.counts) | set(counts) | set(SITE_TABLES) | set(HR_TABLES) | {
            "project", "building", "permit_fund", "piccolo_user", "employee", "employee_project"}))
        await bulk.execute("ANALYZE")  # fresh statistics for the planner on both engines
        total = dict(copier.counts)
        for t, n in counts.items():
            total[t] = total.get(t, 0) + n
        log(f"完成：共 {sum(total.values()):,} 行，用时 {time.monotonic() - started:.1f} s")
        return total
    finally:
        await bulk.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m seeds.scale", description="在演示数据之上载入规模数据（压测用）")
    ap.add_argument("--size", choices=sorted(SIZES), default="small", help="small ≈ 1,000 套房源（测试用）；large = 50,000 套")
    ap.add_argument("--units", type=int, default=None, help="房源套数（覆盖 --size）")
    ap.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成同样的数据）")
    ap.add_argument("--force", action="store_true", help="数据库已载入过规模数据时仍再追加一份")
    a = ap.parse_args(argv)
    units = a.units or SIZES[a.size]
    if units < 1:
        ap.error("--units 必须为正数")
    asyncio.run(run(units, a.seed, a.force, log=lambda s: print(s, flush=True)))


if __name__ == "__main__":
    sys.exit(main())
