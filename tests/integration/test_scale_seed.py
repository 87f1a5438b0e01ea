"""`python -m seeds.scale --size small` on a FRESH database of its own (never the shared test database: other tests count
rows): on SQLite a temp file, on PostgreSQL (DATABASE_URL set) a new database on the same server, dropped afterwards.
Migrated, demo data, then the scale data — each as a subprocess — then the consistency rules in SQL, and the portal
serving that data (uvicorn on it, signed in as the demo accounts)."""
from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD, ROOT

pytestmark = pytest.mark.integration

DB_URL = os.environ.get("DATABASE_URL")
SIGNED = ("已签约", "已备案", "已交付", "已办证")
UNIT_STATUS_OF_STAGE = {"认购中": "保留", "已认购": "已认购", "已签约": "已签约", "已备案": "已备案", "已交付": "已交付", "已办证": "已办证"}


class DB:
    """Plain SQL against the scale database, the same on both engines (no ORM, no mocks)."""

    def __init__(self, sqlite_path: str | None = None, url: str | None = None):
        self.sqlite_path, self.url = sqlite_path, url

    async def rows(self, sql: str) -> list[tuple]:
        if self.url:
            import asyncpg

            conn = await asyncpg.connect(self.url)
            try:
                return [tuple(r) for r in await conn.fetch(sql)]
            finally:
                await conn.close()
        with sqlite3.connect(self.sqlite_path) as conn:
            return conn.execute(sql).fetchall()

    async def value(self, sql: str):
        return (await self.rows(sql))[0][0]


def _run(args: list[str], env: dict, timeout: int = 900) -> subprocess.CompletedProcess:
    """A step as a subprocess; the long limit is for a loaded machine (the demo seed alone takes ~35 s on an idle one)."""
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _check(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    return p.stdout


def _pg_admin(url: str, sql: str) -> None:
    """CREATE/DROP DATABASE on the test server, in a thread of its own (pytest-asyncio's loop may be running here)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import asyncpg

    async def go():
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, go()).result()


@pytest.fixture(scope="module")
def scale():
    """(DB, env, scale output): a fresh database with migrations, the demo data and `--size small`."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-scale-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env["PORTAL_LOCAL_DIR"] = str(tmp)
    created = None
    if DB_URL:
        name = f"scale_test_{os.getpid()}"
        parts = urlsplit(DB_URL)
        url = urlunsplit(parts._replace(path="/" + name))
        _pg_admin(DB_URL, f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(DB_URL, f'CREATE DATABASE "{name}"')
        created = name
        env["DATABASE_URL"] = url
        db = DB(url=url)
    else:
        path = str(tmp / "scale.sqlite")
        env["SQLITE_PATH"] = path
        db = DB(sqlite_path=path)
    try:
        _check(_run(["-m", "piccolo.main", "migrations", "forwards", "all"], env))
        _check(_run(["-m", "seeds.demo"], env))
        t0 = time.monotonic()
        out = _check(_run(["-m", "seeds.scale", "--size", "small", "--seed", "11"], env))
        yield db, env, out, time.monotonic() - t0
    finally:
        if created:
            _pg_admin(DB_URL, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


async def test_sizes_and_progress(scale):
    db, _env, out, seconds = scale
    assert "完成" in out and "pl_deal" in out and "wf_request" in out, out  # progress and timings per table
    assert seconds < 180, f"--size small took {seconds:.0f} s"  # seconds on an idle machine; generous for a loaded one
    units = await db.value("SELECT COUNT(*) FROM unit")
    deals = await db.value("SELECT COUNT(*) FROM pl_deal")
    assert 1_000 <= units - 288 <= 1_200, units  # ~2 % of large, on top of the demo's 288
    assert deals - 53 >= 0.9 * 1_000 - 1, deals
    assert await db.value("SELECT COUNT(*) FROM pl_buyer") >= deals
    assert await db.value("SELECT COUNT(*) FROM wf_request") >= 4_000
    assert await db.value("SELECT COUNT(*) FROM care_case") >= 2_000
    assert await db.value("SELECT COUNT(*) FROM employee") >= 40 + 51
    # spread over the demo projects and the new ones
    per_project = dict(await db.rows("SELECT p.code, COUNT(*) FROM pl_deal d JOIN project p ON p.id = d.project GROUP BY p.code"))
    assert per_project.get("JC01", 0) > 200 and per_project.get("JC02", 0) > 100, per_project
    assert sum(1 for code in per_project if code.startswith("SC")) >= 3, per_project


async def test_every_stage_and_state_is_present(scale):
    db = scale[0]
    stages = dict(await db.rows("SELECT stage, COUNT(*) FROM pl_deal GROUP BY stage"))
    for stage in ("认购中", "已认购", "已签约", "已备案", "已交付", "已办证", "已作废"):
        assert stages.get(stage, 0) >= 10, (stage, stages)
    for col, values in (("subscription_status", ("草稿", "优惠待批", "待收定金", "已认购", "逾期未签", "已转签约")),
                        ("sign_status", ("审核单待审", "审核退回", "审核通过", "网签草拟", "待客户签字", "已签约")),
                        ("mortgage_status", ("资料收集中", "待面签", "银行审批中", "抵押登记中", "已放款", "贷款被拒")),
                        ("handover_status", ("待通知", "已预约", "已交付", "有条件交付", "拒收")),
                        ("title_status", ("资料收集中", "资料待补", "待缴税费", "已递交", "审核中", "已交付业主"))):
        have = {r[0] for r in await db.rows(f"SELECT DISTINCT {col} FROM pl_deal")}
        assert set(values) <= have, (col, set(values) - have)
    states = dict(await db.rows("SELECT status, COUNT(*) FROM wf_request GROUP BY status"))
    for s in ("审批中", "已退回", "已通过", "已驳回", "已撤回"):
        assert states.get(s, 0) >= 20, (s, states)
    flows = {r[0] for r in await db.rows("SELECT DISTINCT flow FROM wf_request")}
    assert {"expense", "advance", "payment", "entertainment", "contract_void", "subscription_discount"} <= flows, flows
    care = dict(await db.rows("SELECT kind, COUNT(*) FROM care_case GROUP BY kind"))
    assert care.get("投诉", 0) > 1_000 and care.get("报修", 0) >= 4, care
    assert await db.value("SELECT COUNT(*) FROM care_case WHERE closed_at IS NULL") >= 100  # open cases to work on


async def test_no_orphans(scale):
    db = scale[0]
    checks = {
        "deal→unit": "SELECT COUNT(*) FROM pl_deal d LEFT JOIN unit u ON u.id = d.unit WHERE u.id IS NULL",
        "deal→buyer": "SELECT COUNT(*) FROM pl_deal d LEFT JOIN pl_buyer b ON b.id = d.buyer WHERE b.id IS NULL",
        "deal→salesperson": "SELECT COUNT(*) FROM pl_deal d LEFT JOIN employee e ON e.id = d.salesperson WHERE d.salesperson IS NOT NULL AND e.id IS NULL",
        "unit→building": "SELECT COUNT(*) FROM unit u LEFT JOIN building b ON b.id = u.building WHERE b.id IS NULL OR b.project <> u.project",
        "instalment→deal": "SELECT COUNT(*) FROM pl_instalment i LEFT JOIN pl_deal d ON d.id = i.deal WHERE d.id IS NULL",
        "receipt→instalment of its deal": "SELECT COUNT(*) FROM pl_receipt r LEFT JOIN pl_instalment i ON i.id = r.instalment "
                                          "WHERE r.instalment IS NOT NULL AND (i.id IS NULL OR i.deal <> r.deal)",
        "document→deal": "SELECT COUNT(*) FROM pl_deal_document x LEFT JOIN pl_deal d ON d.id = x.deal WHERE d.id IS NULL",
        "party→deal/buyer": "SELECT COUNT(*) FROM pl_deal_party x LEFT JOIN pl_deal d ON d.id = x.deal LEFT JOIN pl_buyer b ON b.id = x.buyer "
                            "WHERE d.id IS NULL OR b.id IS NULL",
        "sign check→deal": "SELECT COUNT(*) FROM pl_sign_check x LEFT JOIN pl_deal d ON d.id = x.deal WHERE d.id IS NULL",
        "step→request": "SELECT COUNT(*) FROM wf_step s LEFT JOIN wf_request r ON r.id = s.request WHERE r.id IS NULL",
        "task→step of its request": "SELECT COUNT(*) FROM wf_task t LEFT JOIN wf_step s ON s.id = t.step WHERE s.id IS NULL OR s.request <> t.request",
        "task→assignee": "SELECT COUNT(*) FROM wf_task t LEFT JOIN piccolo_user u ON u.id = t.assignee WHERE u.id IS NULL",
        "action→request": "SELECT COUNT(*) FROM wf_action a LEFT JOIN wf_request r ON r.id = a.request WHERE r.id IS NULL",
        "request→applicant": "SELECT COUNT(*) FROM wf_request r LEFT JOIN employee e ON e.id = r.applicant WHERE e.id IS NULL OR e.\"user\" <> r.applicant_user",
        "payload→request": "SELECT (SELECT COUNT(*) FROM fin_expense x LEFT JOIN wf_request r ON r.id = x.request WHERE r.id IS NULL)"
                           " + (SELECT COUNT(*) FROM fin_advance x LEFT JOIN wf_request r ON r.id = x.request WHERE r.id IS NULL)"
                           " + (SELECT COUNT(*) FROM pl_deal_void x LEFT JOIN pl_deal d ON d.id = x.deal WHERE d.id IS NULL)",
        "case→unit/deal/buyer": "SELECT COUNT(*) FROM care_case c LEFT JOIN unit u ON u.id = c.unit LEFT JOIN pl_deal d ON d.id = c.deal "
                                "LEFT JOIN pl_buyer b ON b.id = c.buyer WHERE (c.unit IS NOT NULL AND u.id IS NULL) "
                                "OR (c.deal IS NOT NULL AND (d.id IS NULL OR d.unit <> c.unit)) OR (c.buyer IS NOT NULL AND b.id IS NULL) "
                                "OR (u.id IS NOT NULL AND u.project <> c.project)",
        "event→case": "SELECT COUNT(*) FROM care_case_event e LEFT JOIN care_case c ON c.id = e.\"case\" WHERE c.id IS NULL",
        "callback→case": "SELECT COUNT(*) FROM care_callback x LEFT JOIN care_case c ON c.id = x.\"case\" WHERE c.id IS NULL OR c.project <> x.project",
        "employee→position/manager": "SELECT COUNT(*) FROM employee e LEFT JOIN position p ON p.id = e.position "
                                     "LEFT JOIN employee m ON m.id = e.manager WHERE p.id IS NULL OR (e.manager IS NOT NULL AND m.id IS NULL)",
        "fund payment→fund of the unit's project": "SELECT COUNT(*) FROM permit_fund_payment x JOIN unit u ON u.id = x.unit "
                                                   "JOIN permit_fund f ON f.id = x.fund WHERE f.project <> u.project",
    }
    bad = {name: n for name, sql in checks.items() if (n := await db.value(sql))}
    assert not bad, bad


async def test_deals_agree_with_their_records(scale):
    db = scale[0]
    when = " ".join(f"WHEN '{s}' THEN '{u}'" for s, u in UNIT_STATUS_OF_STAGE.items())
    signed = ", ".join(f"'{s}'" for s in SIGNED)
    checks = {
        "unit status = stage": f"SELECT COUNT(*) FROM pl_deal d JOIN unit u ON u.id = d.unit WHERE d.stage IN ({', '.join(repr(s) for s in UNIT_STATUS_OF_STAGE)}) "
                               f"AND u.status <> CASE d.stage {when} END",
        "one open deal per unit": "SELECT COUNT(*) FROM (SELECT unit FROM pl_deal WHERE stage NOT IN ('已作废', '已退订') GROUP BY unit HAVING COUNT(*) > 1) x",
        "deal project = unit project": "SELECT COUNT(*) FROM pl_deal d JOIN unit u ON u.id = d.unit WHERE u.project <> d.project",
        "signed: contract no, date, passed 审核单": f"SELECT COUNT(*) FROM pl_deal d LEFT JOIN pl_sign_check c ON c.deal = d.id "
                                               f"WHERE d.stage IN ({signed}) AND (d.contract_no = '' OR d.signed_on IS NULL OR c.id IS NULL OR c.status <> '通过')",
        "filed: 备案号 and date": "SELECT COUNT(*) FROM pl_deal WHERE stage IN ('已备案', '已交付', '已办证') AND (filing_no = '' OR filed_on IS NULL)",
        "handed over: date, fund paid": "SELECT COUNT(*) FROM pl_deal d WHERE d.handover_status IN ('已交付', '有条件交付', '整改闭环') "
                                        "AND (d.handed_over_on IS NULL OR NOT EXISTS (SELECT 1 FROM permit_fund_payment f WHERE f.unit = d.unit))",
        "certificate: 证号 and delivery": "SELECT COUNT(*) FROM pl_deal WHERE stage = '已办证' AND (cert_no = '' OR issued_on IS NULL)",
        "subscribed: 定金 instalment": "SELECT COUNT(*) FROM pl_deal d WHERE d.stage <> '认购中' AND NOT EXISTS "
                                     "(SELECT 1 FROM pl_instalment i WHERE i.deal = d.id AND i.kind = '定金')",
        "instalment received = its receipts": "SELECT COUNT(*) FROM pl_instalment i WHERE i.received <> COALESCE((SELECT SUM(r.amount) "
                                              "FROM pl_receipt r WHERE r.instalment = i.id), 0)",
        "recipient is the buyer": "SELECT COUNT(*) FROM pl_deal d JOIN pl_buyer b ON b.id = d.buyer WHERE d.recipient <> '' "
                                  "AND (d.recipient <> b.name OR d.recipient_id_number <> b.id_number)",
        "voided deal has its approved 合同作废": "SELECT COUNT(*) FROM pl_deal d LEFT JOIN wf_request r ON r.id = d.void_request "
                                            "WHERE d.stage = '已作废' AND (r.id IS NULL OR r.status <> '已通过' OR r.flow <> 'contract_void')",
        "unique contract numbers": "SELECT COUNT(*) FROM (SELECT contract_no FROM pl_deal WHERE contract_no <> '' GROUP BY contract_no HAVING COUNT(*) > 1) x",
        "unique 身份证号": "SELECT COUNT(*) FROM (SELECT id_number FROM pl_buyer GROUP BY id_number HAVING COUNT(*) > 1) x",
    }
    bad = {name: n for name, sql in checks.items() if (n := await db.value(sql))}
    assert not bad, bad
    from app.core.validators import id_check_char

    for (number,) in await db.rows("SELECT id_number FROM pl_buyer ORDER BY id DESC LIMIT 200"):
        assert len(number) == 18 and id_check_char(number[:17]) == number[17], number


async def test_requests_agree_with_their_steps_and_tasks(scale):
    db = scale[0]
    checks = {
        "open: exactly one active step": "SELECT COUNT(*) FROM wf_request r WHERE r.status IN ('审批中', '已退回') AND "
                                         "(SELECT COUNT(*) FROM wf_step s WHERE s.request = r.id AND s.status = '进行中') <> 1",
        "审批中: pending tasks only in the active step": "SELECT COUNT(*) FROM wf_task t JOIN wf_step s ON s.id = t.step "
                                                     "WHERE t.status = '待处理' AND s.status <> '进行中'",
        "审批中: a pending task (依次: exactly one)": "SELECT COUNT(*) FROM wf_request r JOIN wf_step s ON s.request = r.id AND s.status = '进行中' "
                                                 "WHERE r.status = '审批中' AND ((SELECT COUNT(*) FROM wf_task t WHERE t.step = s.id AND t.status = '待处理') = 0 "
                                                 "OR (s.mode = 'seq' AND (SELECT COUNT(*) FROM wf_task t WHERE t.step = s.id AND t.status = '待处理') <> 1))",
        "pending task held by the step's position": "SELECT COUNT(*) FROM wf_task t JOIN wf_step s ON s.id = t.step JOIN wf_request r ON r.id = t.request "
                                                    "JOIN employee e ON e.\"user\" = t.assignee JOIN position p ON p.id = e.position "
                                                    "WHERE t.status = '待处理' AND r.flow IN ('expense', 'advance', 'payment', 'entertainment') AND p.role <> s.key "
                                                    "AND s.name NOT LIKE '%上级代审%'",
        "pending task has its open notification": "SELECT COUNT(*) FROM wf_task t WHERE t.status = '待处理' AND NOT EXISTS (SELECT 1 FROM notification n "
                                                  "WHERE n.ref = 'task:' || CAST(t.id AS TEXT) AND n.\"user\" = t.assignee AND n.closed_at IS NULL)",
        "no pending task outside 审批中": "SELECT COUNT(*) FROM wf_task t JOIN wf_request r ON r.id = t.request WHERE t.status IN ('待处理', '等待') AND r.status <> '审批中'",
        "finished: every step done": "SELECT COUNT(*) FROM wf_step s JOIN wf_request r ON r.id = s.request WHERE r.status = '已通过' AND s.status <> '已完成'",
        "finished: every task closed": "SELECT COUNT(*) FROM wf_task t JOIN wf_request r ON r.id = t.request WHERE r.status = '已通过' "
                                       "AND t.status NOT IN ('已同意', '已取消', '已转交')",
        "closed: finished_at": "SELECT COUNT(*) FROM wf_request WHERE status IN ('已通过', '已驳回', '已撤回') AND finished_at IS NULL",
        "open: no finished_at": "SELECT COUNT(*) FROM wf_request WHERE status IN ('审批中', '已退回') AND finished_at IS NOT NULL",
        "approved task has its 同意": "SELECT COUNT(*) FROM wf_task t WHERE t.status = '已同意' AND NOT EXISTS "
                                    "(SELECT 1 FROM wf_action a WHERE a.task = t.id AND a.action = '同意')",
        "task carries its request's submission time": "SELECT COUNT(*) FROM wf_task t JOIN wf_request r ON r.id = t.request "
                                                      "WHERE t.submitted_at IS NULL OR t.submitted_at <> r.submitted_at",
        "submitted once": "SELECT COUNT(*) FROM wf_request r WHERE (SELECT COUNT(*) FROM wf_action a WHERE a.request = r.id AND a.action = '提交') <> 1",
        "withdrawn before any approval": "SELECT COUNT(*) FROM wf_task t JOIN wf_request r ON r.id = t.request WHERE r.status = '已撤回' AND t.status = '已同意'",
        "advance follows its request": "SELECT COUNT(*) FROM fin_advance a JOIN wf_request r ON r.id = a.request WHERE NOT ("
                                       "(r.status IN ('审批中', '已退回') AND a.status = '审批中') OR (r.status IN ('已驳回', '已撤回') AND a.status = '已作废') "
                                       "OR (r.status = '已通过' AND a.status IN ('未结清', '已结清')))",
        "advance balance = its ledger": "SELECT COUNT(*) FROM fin_advance a WHERE a.balance <> COALESCE((SELECT SUM(e.amount) FROM fin_advance_entry e "
                                        "WHERE e.advance = a.id), 0)",
        "closed claims free their invoices": "SELECT COUNT(*) FROM fin_invoice i JOIN wf_request r ON r.id = i.request "
                                             "WHERE i.active = (r.status IN ('已驳回', '已撤回'))",
        "payment paid once approved": "SELECT COUNT(*) FROM fin_payment x JOIN wf_request r ON r.id = x.request WHERE x.paid <> (r.status = '已通过')",
        "every request has its payload": "SELECT COUNT(*) FROM wf_request r WHERE r.flow IN ('expense', 'advance', 'payment', 'entertainment') AND NOT EXISTS "
                                         "(SELECT 1 FROM fin_expense x WHERE x.request = r.id UNION ALL SELECT 1 FROM fin_advance x WHERE x.request = r.id "
                                         "UNION ALL SELECT 1 FROM fin_payment x WHERE x.request = r.id UNION ALL SELECT 1 FROM fin_entertainment x WHERE x.request = r.id)",
        "amount band → chain (vp from 1,000 on claims)": "SELECT COUNT(*) FROM wf_request r JOIN employee e ON e.id = r.applicant JOIN position p ON p.id = e.position "
                                                         "WHERE r.flow = 'expense' AND r.amount >= 1000 AND p.role NOT IN ('vp', 'gm', 'president') AND NOT EXISTS "
                                                         "(SELECT 1 FROM wf_step s WHERE s.request = r.id AND s.key = 'vp')",
        "unique request numbers": "SELECT COUNT(*) - COUNT(DISTINCT number) FROM wf_request",
    }
    bad = {name: n for name, sql in checks.items() if (n := await db.value(sql))}
    assert not bad, bad


async def test_site_data_is_consistent(scale):
    """The sales office at scale (seeds/scale_site.py): a year of approved rosters whose cells are the teams' own people,
    posts and slots, a scan or a miss per checkpoint and round, shift logs per team/day/slot, cleaning inspections."""
    db = scale[0]
    this = await db.value("SELECT MAX(month) FROM site_roster WHERE team IN (SELECT id FROM site_team WHERE name LIKE '%号售楼处%')")
    teams = await db.value("SELECT COUNT(*) FROM site_team WHERE name LIKE '%号售楼处%'")
    assert teams >= 4, teams
    per_team = dict(await db.rows("SELECT t.id, COUNT(r.id) FROM site_team t LEFT JOIN site_roster r ON r.team = t.id "
                                  "AND r.status = '已批准' WHERE t.name LIKE '%号售楼处%' GROUP BY t.id"))
    assert set(per_team.values()) == {13}, per_team  # the 12 months before the current one, and the current one
    assert await db.value("SELECT COUNT(DISTINCT month) FROM site_roster") >= 13 and this
    assert await db.value("SELECT COUNT(*) FROM site_patrol_scan") >= 50_000
    assert 0 < await db.value("SELECT COUNT(*) FROM site_patrol_scan WHERE result = '异常'") < 0.05 * await db.value("SELECT COUNT(*) FROM site_patrol_scan")
    assert await db.value("SELECT COUNT(*) FROM site_patrol_miss") > 0
    assert await db.value("SELECT COUNT(*) FROM site_shift_rollcall") > await db.value("SELECT COUNT(*) FROM site_shift_log") > 1_000
    assert await db.value("SELECT COUNT(*) FROM site_clean_inspection") > 1_000
    checks = {
        "entry's person on the roster's team": "SELECT COUNT(*) FROM site_roster_entry e JOIN site_roster r ON r.id = e.roster "
                                               "JOIN site_worker w ON w.id = e.worker WHERE w.team <> r.team",
        "entry's post on the team": "SELECT COUNT(*) FROM site_roster_entry e JOIN site_roster r ON r.id = e.roster "
                                    "JOIN site_post p ON p.id = e.post WHERE p.team <> r.team",
        "entry's slot of the post's pattern": "SELECT COUNT(*) FROM site_roster_entry e JOIN site_post p ON p.id = e.post "
                                              "JOIN site_shift_slot s ON s.id = e.slot WHERE s.pattern <> p.pattern",
        "entry's day in the roster's month": "SELECT COUNT(*) FROM site_roster_entry e JOIN site_roster r ON r.id = e.roster "
                                             "WHERE SUBSTR(CAST(e.day AS TEXT), 1, 7) <> r.month",
        "a person once per day and slot": "SELECT COUNT(*) FROM (SELECT roster, day, slot, worker FROM site_roster_entry "
                                          "GROUP BY roster, day, slot, worker HAVING COUNT(*) > 1) x",
        "one roster per team and month": "SELECT COUNT(*) FROM (SELECT team, month FROM site_roster GROUP BY team, month HAVING COUNT(*) > 1) x",
        "rosters approved": "SELECT COUNT(*) FROM site_roster r JOIN site_team t ON t.id = r.team WHERE t.name LIKE '%号售楼处%' "
                            "AND (r.status <> '已批准' OR r.approved_at IS NULL)",
        "one scan per checkpoint and round": "SELECT COUNT(*) FROM (SELECT checkpoint, window_start FROM site_patrol_scan "
                                             "GROUP BY checkpoint, window_start HAVING COUNT(*) > 1) x",
        "no scan and miss of one round": "SELECT COUNT(*) FROM site_patrol_miss m JOIN site_patrol_scan s ON s.checkpoint = m.checkpoint "
                                         "AND s.window_start = m.window_start",
        "scanned inside its round": "SELECT COUNT(*) FROM site_patrol_scan WHERE scanned_at < window_start",
        "scan by the team's person": "SELECT COUNT(*) FROM site_patrol_scan s JOIN site_patrol_checkpoint c ON c.id = s.checkpoint "
                                     "WHERE s.by_employee IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_worker w WHERE w.team = c.team "
                                     "AND w.employee = s.by_employee)",
        "checkpoints of security teams": "SELECT COUNT(*) FROM site_patrol_checkpoint c JOIN site_team t ON t.id = c.team WHERE t.kind <> '保安'",
        "scan after the checkpoint was set up": "SELECT COUNT(*) FROM site_patrol_scan s JOIN site_patrol_checkpoint c ON c.id = s.checkpoint "
                                                "WHERE s.window_start < c.created_at",
        "shift log key": "SELECT COUNT(*) FROM site_shift_log WHERE slot_key <> CAST(team AS TEXT) || ':' || CAST(day AS TEXT) || ':' || CAST(slot AS TEXT)",
        "roll call = the slot's rostered people": "SELECT COUNT(*) FROM site_shift_rollcall c JOIN site_shift_log l ON l.id = c.log "
                                                  "WHERE NOT EXISTS (SELECT 1 FROM site_roster_entry e JOIN site_roster r ON r.id = e.roster "
                                                  "WHERE r.team = l.team AND e.day = l.day AND e.slot = l.slot AND e.worker = c.worker)",
        "absent: no uniform": "SELECT COUNT(*) FROM site_shift_rollcall WHERE (attendance = '缺勤') <> (uniform = '')",
        "inspection score = 100 − its deductions": "SELECT COUNT(*) FROM site_clean_inspection i WHERE i.score <> 100 - COALESCE("
                                                   "(SELECT SUM(d.points) FROM site_clean_deduction d WHERE d.inspection = i.id), 0)",
        "deduction on the area's own item": "SELECT COUNT(*) FROM site_clean_deduction d JOIN site_clean_inspection i ON i.id = d.inspection "
                                            "JOIN site_clean_item it ON it.id = d.item WHERE it.area <> i.area",
        "failed inspection has its ticket": "SELECT COUNT(*) FROM site_clean_inspection i WHERE i.grade = '不合格' AND NOT EXISTS "
                                            "(SELECT 1 FROM site_clean_ticket t WHERE t.inspection = i.id)",
        "closed ticket's re-inspection": "SELECT COUNT(*) FROM site_clean_ticket t LEFT JOIN site_clean_inspection r ON r.id = t.reinspection "
                                         "WHERE t.status = '已复检' AND (r.id IS NULL OR r.parent <> t.inspection OR r.area <> t.area)",
    }
    bad = {name: n for name, sql in checks.items() if (n := await db.value(sql))}
    assert not bad, bad
    # the cells pass the roster's own checks: the stored count is the rules' (a 集中交房 day may lack its extra person)
    assert await db.value("SELECT COALESCE(SUM(problems), 0) FROM site_roster") <= await db.value("SELECT COUNT(*) FROM site_roster")


async def test_hr_data_is_consistent(scale):
    db = scale[0]
    staff = await db.value("SELECT COUNT(*) FROM employee WHERE employee_no LIKE 'S1%'")
    assert staff >= 40
    checks = {
        "one contract each": "SELECT COUNT(*) FROM employee e WHERE e.employee_no LIKE 'S1%' AND (SELECT COUNT(*) FROM hr_contract c "
                             "WHERE c.employee = e.id) <> 1",
        "contract starts on hired_on": "SELECT COUNT(*) FROM hr_contract c JOIN employee e ON e.id = c.employee "
                                       "WHERE e.employee_no LIKE 'S1%' AND (c.start <> e.hired_on OR c.signed_on <> c.start)",
        "fixed term ends after it starts, in force": "SELECT COUNT(*) FROM hr_contract c JOIN employee e ON e.id = c.employee "
                                                     "WHERE e.employee_no LIKE 'S1%' AND ((c.kind = '固定期限') <> (c.\"end\" IS NOT NULL) "
                                                     "OR c.\"end\" < c.start OR c.status <> '已签')",
        "probation inside the contract": "SELECT COUNT(*) FROM hr_contract WHERE probation_end IS NOT NULL AND (probation_end < start "
                                         "OR (\"end\" IS NOT NULL AND probation_end > \"end\"))",
        "入职 history row on hired_on": "SELECT COUNT(*) FROM employee e WHERE e.employee_no LIKE 'S1%' AND NOT EXISTS (SELECT 1 FROM "
                                       "hr_position_history h WHERE h.employee = e.id AND h.reason = '入职' AND h.since = e.hired_on "
                                       "AND h.position = e.position AND h.department = e.department AND h.company = e.company)",
        "status row each": "SELECT COUNT(*) FROM employee e WHERE e.employee_no LIKE 'S1%' AND NOT EXISTS (SELECT 1 FROM hr_employee_status s "
                           "WHERE s.employee = e.id AND s.status IN ('试用期', '正式'))",
        "试用期 while the probation runs": "SELECT COUNT(*) FROM hr_employee_status s JOIN hr_contract c ON c.employee = s.employee "
                                         "WHERE s.status = '试用期' AND (c.probation_end IS NULL OR s.since <> c.start)",
        "正式 after the probation": "SELECT COUNT(*) FROM hr_employee_status s JOIN hr_contract c ON c.employee = s.employee "
                                  "WHERE s.status = '正式' AND c.probation_end IS NOT NULL AND s.since <= c.probation_end",
        "leave after hiring": "SELECT COUNT(*) FROM hr_leave_request l JOIN employee e ON e.id = l.employee WHERE l.request IS NULL AND (l.start_on <= e.hired_on "
                              "OR l.end_on < l.start_on)",
    }
    bad = {name: n for name, sql in checks.items() if (n := await db.value(sql))}
    assert not bad, bad
    assert await db.value("SELECT COUNT(*) FROM hr_leave_request WHERE request IS NULL") > 0


async def test_demo_accounts_have_open_work(scale):
    db = scale[0]
    pending = dict(await db.rows("SELECT u.username, COUNT(*) FROM wf_task t JOIN piccolo_user u ON u.id = t.assignee "
                                 "WHERE t.status = '待处理' GROUP BY u.username"))
    assert pending.get("dept_head", 0) >= 10 and pending.get("accountant", 0) >= 10, pending
    open_cases = await db.value("SELECT COUNT(*) FROM care_case c JOIN employee e ON e.id = c.handler WHERE c.closed_at IS NULL")
    assert open_cases >= 100


async def test_refuses_a_second_run_without_force(scale):
    _db, env, _out, _ = scale
    p = _run(["-m", "seeds.scale", "--size", "small"], env, timeout=120)
    assert p.returncode != 0 and "--force" in (p.stdout + p.stderr), p.stdout + p.stderr


def db_team(db: DB) -> int:
    """A scale security team's id (plain SQL in a thread of its own: pytest-asyncio's loop may be running here)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, db.value("SELECT MIN(id) FROM site_team WHERE kind = '保安' AND name LIKE '%号售楼处%'")).result()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_portal_serves_the_scale_data(scale):
    db, env, _out, _ = scale
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError("server exited: " + proc.stderr.read().decode()[-2000:])
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "server did not start"
            time.sleep(0.2)
        for username, pages in (("supervisor", ["/", "/ledgers/contracts", "/care", "/site/rosters", "/site/patrol/report"]),
                                ("dept_head", ["/", "/workflow"]), ("hr", ["/hr/people", "/hr/contracts"])):
            with httpx.Client(base_url=base, timeout=60) as c:
                token = re.search(r'name="_csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
                r = c.post("/login", data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": token})
                assert r.status_code == 303, (username, r.status_code)
                for page in pages:
                    r = c.get(page)
                    assert r.status_code == 200, (username, page, r.status_code)
                if username == "supervisor":
                    # a scale deal's unit page (timeline) and its buyer's customer file
                    html = c.get("/ledgers/contracts").text
                    unit = re.search(r'href="(/pipeline/units/\d+)"', html)
                    assert unit, "no unit link in the contract ledger"
                    assert c.get(unit.group(1)).status_code == 200
                    # a scale team's approved roster and its patrol report on a day of last month
                    html = c.get("/site/rosters").text
                    rosters = re.findall(r'href="(/site/rosters/\d+)"', html)
                    assert rosters, "no roster link"
                    assert c.get(rosters[-1]).status_code == 200
                    team = db_team(db)
                    day = (date.today().replace(day=1) - timedelta(days=3)).isoformat()
                    r = c.get(f"/site/patrol/report?team={team}&day={day}")
                    assert r.status_code == 200 and "号售楼处保安队" in r.text, r.status_code
                elif username == "hr":
                    html = c.get("/hr/contracts").text
                    assert "固定期限" in html or "无固定期限" in html
                else:
                    link = re.search(r'href="(/workflow/requests/\d+)"', c.get("/workflow").text)
                    assert link, "no pending request in dept_head's inbox"
                    assert c.get(link.group(1)).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
