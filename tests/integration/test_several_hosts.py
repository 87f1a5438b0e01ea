"""Several hosts on one PostgreSQL (issue 11 §7): two "hosts" — two network namespaces joined to this machine by veth
pairs when `ip netns` works (root), else two loopback ports — each run an app process and the Procfile's reminder
worker (and the `report` schedule) at the same time, on one database with reminders due. Every notification, daily
report, clock mark, permit reminder and audit row they produce must equal what ONE worker produces from an identical
copy of the database (nothing twice, nothing missing), and a session made on one host works on the other.

It needs PostgreSQL: with DATABASE_URL (the suite's PostgreSQL stage) it uses new databases on that server, cloned
from the test database; without it, it starts a private server with scripts/pg.sh and migrates and seeds it (slower;
marked `postgres` so a SQLite stage may deselect it)."""
from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.integration.ops_helpers import (
    PY,
    Database,
    clone_test_database,
    free_port,
    new_database,
    rmtree,
    run,
    sign_in,
    start_server,
)

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

SHANGHAI_TODAY = None  # set in the test (the workers' "today" in Asia/Shanghai)
CARE_NOW = "2027-06-01T10:00+08:00"  # far enough ahead: every open clock is late, every callback past due
PERMITS_TODAY = "2027-06-01"  # every permit deadline within its thresholds or overdue


def report_now(today: date) -> str:
    """The first working day from today, 18:05 in Shanghai: after 17:30 (generate) and 18:00 (the late reminder).
    Never a fixed date: the demo data holds yesterday's daily report, so a fixed day stops being due once it is past."""
    import chinese_calendar

    day = today
    while True:
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package has no data for: weekdays
            working = day.weekday() < 5
        if working:
            return f"{day.isoformat()}T18:05+08:00"
        day += timedelta(days=1)


def worker_commands() -> list[str]:
    """The Procfile's `worker` modules in their order, then its `report` module, with the moments fixed."""
    procfile = (ROOT / "Procfile").read_text()
    worker = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    report = next(line for line in procfile.splitlines() if line.startswith("report:"))
    modules = re.findall(r"python -m (app\.[\w.]+)", worker) + re.findall(r"python -m (app\.[\w.]+)", report)
    assert "app.care.remind" in modules and "app.ledgers.schedule" in modules, modules
    fixed = {"app.care.remind": ["--now", CARE_NOW], "app.permits.remind": ["--today", PERMITS_TODAY],
             "app.ledgers.schedule": ["--now", report_now(SHANGHAI_TODAY)],
             # the sales office's reminders go by the clock (a patrol round ending, a shift change, a 整改单 falling
             # due): at one fixed moment, or the copies run a minute apart would see a round end between them
             **{m: ["--now", report_now(SHANGHAI_TODAY)] for m in ("app.site_patrol.remind", "app.site_shift.remind", "app.site_cleaning.remind")}}
    return ["|".join([m, *fixed.get(m, [])]) for m in modules]


# ------------------------------------------------------------------ PostgreSQL for the test

def _private_server(stack: ExitStack, tmp: Path) -> str:
    pgdir = Path(tempfile.mkdtemp(prefix="ops-hosts-pg-"))
    port = free_port()
    out = subprocess.run(["bash", "scripts/pg.sh", "start", str(pgdir), str(port)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    stack.callback(lambda: subprocess.run(["bash", "scripts/pg.sh", "stop", str(pgdir)], cwd=ROOT, capture_output=True, timeout=120))
    url = out.stdout.strip().splitlines()[-1]
    env = {**os.environ, "DATABASE_URL": url}
    for args in (["-m", "piccolo.main", "migrations", "forwards", "all"], ["-m", "seeds.demo"]):
        done = run([PY, *args], env, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return url


def _make_due(db: Database, today: date) -> None:
    """The same reminders due in both copies: overdue approval tasks, overdue document loans, the supplies plan window."""
    from tests.integration.ops_helpers import _pg

    _pg(db.url, f"""
        UPDATE wf_step SET due_on = DATE '{today - timedelta(days=3)}' WHERE id IN (SELECT step FROM wf_task WHERE status = '待处理');
        UPDATE wf_task SET overdue_notified_on = NULL WHERE status = '待处理';
        UPDATE arc_loan SET due_on = DATE '{today - timedelta(days=2)}', reminded_on = NULL WHERE status = '借出';
        UPDATE wf_setting SET value = 31 WHERE flow = 'supplies_purchase' AND key = 'plan_remind_days';
    """)


def _produced(db: Database, marks: dict[str, int]) -> dict[str, Counter]:
    """What the workers wrote after `marks` (the highest ids before they ran), as multisets."""
    q = db.rows
    return {
        # by recipient, kind, what it announces and its words; not by url: a row generated by a worker (the annual
        # 开发规模审批 record) may get another id when a concurrent worker's losing insert used up a sequence value
        "notification": Counter((r["user"], r["kind"], r["ref"], r["text"]) for r in q(
            f'SELECT "user", kind, ref, text FROM notification WHERE id > {marks["notification"]}')),
        "report_run": Counter((r["project"], str(r["report_date"])) for r in q(
            f"SELECT project, report_date FROM lg_report_run WHERE id > {marks['lg_report_run']}")),
        "clock_mark": Counter(r["key"] for r in q(f"SELECT key FROM care_clock_mark WHERE id > {marks['care_clock_mark']}")),
        "permit_log": Counter((r["deadline"], r["threshold"]) for r in q(
            f"SELECT deadline, threshold FROM permit_reminder_log WHERE id > {marks['permit_reminder_log']}")),
        # the test's own sign-in aside; by action and object (a lost ON CONFLICT insert still uses up a sequence value,
        # so ids of generated rows may differ between the runs)
        "audit": Counter((r["action"], r["entity"]) for r in q(
            f"SELECT action, entity FROM audit_log WHERE id > {marks['audit_log']} AND action NOT LIKE 'auth.%'")),
    }


def _marks(db: Database) -> dict[str, int]:
    tables = ("notification", "lg_report_run", "care_clock_mark", "permit_reminder_log", "audit_log")
    return {t: db.rows(f"SELECT COALESCE(MAX(id), 0) AS m FROM {t}")[0]["m"] for t in tables}


# ------------------------------------------------------------------ two hosts

class Relay(threading.Thread):
    """A TCP relay in this machine's namespace: a host namespace reaches PostgreSQL (which listens on loopback) at
    `listen` through its veth link, as an app host reaches the database host."""

    def __init__(self, listen_host: str, target_host: str, target_port: int):
        super().__init__(daemon=True)
        self.listen_host, self.target = listen_host, (target_host, target_port)
        self.port = free_port(listen_host)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, r1, w1) -> None:
        try:
            r2, w2 = await asyncio.open_connection(*self.target)
        except OSError:
            w1.close()
            return
        await asyncio.gather(self._pipe(r1, w2), self._pipe(r2, w1))

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, self.listen_host, self.port))
        self.ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


def _netns_works() -> bool:
    if os.geteuid() != 0:
        return False
    probe = f"opsprobe{uuid.uuid4().hex[:6]}"
    ok = _ip("netns", "add", probe).returncode == 0
    if ok:
        _ip("netns", "del", probe)
    return ok


class Host:
    """Where one app process and one worker run: a network namespace (prefix `ip netns exec NS`) or this machine."""

    def __init__(self, name: str, bind: str, db_url: str, prefix: list[str]):
        self.name, self.bind, self.db_url, self.prefix = name, bind, db_url, prefix

    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.db_url, "PORTAL_ENV": "test"}


def _hosts(stack: ExitStack, db_url: str) -> tuple[list[Host], str]:
    """Two hosts on the database at `db_url`: namespaces joined by veth when possible, else loopback ports."""
    from urllib.parse import urlsplit

    parts = urlsplit(db_url)
    if not _netns_works():
        return [Host(f"loopback-{i}", "127.0.0.1", db_url, []) for i in (1, 2)], "loopback"
    tag, net = uuid.uuid4().hex[:5], 200 + int(uuid.uuid4().hex[:2], 16) % 50
    hosts = []
    for i in (1, 2):
        ns, veth, peer = f"opsh{i}{tag}", f"ovh{i}{tag}", f"ovp{i}{tag}"
        here, there = f"10.{net}.{i}.1", f"10.{net}.{i}.2"
        stack.callback(_ip, "link", "del", veth)
        stack.callback(_ip, "netns", "del", ns)
        for args in (["netns", "add", ns], ["link", "add", veth, "type", "veth", "peer", "name", peer], ["link", "set", peer, "netns", ns],
                     ["addr", "add", f"{here}/30", "dev", veth], ["link", "set", veth, "up"],
                     ["-n", ns, "addr", "add", f"{there}/30", "dev", peer], ["-n", ns, "link", "set", peer, "up"],
                     ["-n", ns, "link", "set", "lo", "up"]):
            done = _ip(*args)
            assert done.returncode == 0, (args, done.stderr)
        relay = Relay(here, parts.hostname, parts.port or 5432)
        relay.start()
        relay.ready.wait(10)
        stack.callback(relay.stop)
        url = f"{parts.scheme}://{parts.username or 'postgres'}{':' + parts.password if parts.password else ''}@{here}:{relay.port}{parts.path}"
        hosts.append(Host(ns, there, url, ["ip", "netns", "exec", ns]))
    return hosts, "netns"


def test_two_hosts_one_postgres_every_reminder_once(request):
    started = time.time()
    global SHANGHAI_TODAY
    from app.core.timeutil import today_local

    SHANGHAI_TODAY = today_local()
    tmp = Path(tempfile.mkdtemp(prefix="ops-hosts-"))
    with ExitStack() as stack:
        stack.callback(rmtree, tmp)
        server_url = os.environ.get("DATABASE_URL")
        if server_url:
            request.getfixturevalue("app")  # the suite's test database, migrated and seeded: cloned, never written
            source_url = server_url
        else:
            source_url = _private_server(stack, tmp)
        baseline = clone_test_database(tmp, "one", source_url, None)
        stack.callback(baseline.drop)
        shared = clone_test_database(tmp, "two", source_url, None)
        stack.callback(shared.drop)
        for db in (baseline, shared):
            _make_due(db, SHANGHAI_TODAY)
        marks = _marks(baseline)
        assert marks == _marks(shared)
        cmds = worker_commands()
        prepared = time.time()

        # ONE worker, alone, on its copy: what "exactly once" must look like
        one = run([PY, "tests/integration/worker_pass.py", "--rounds", "2", *cmds], {**os.environ, "DATABASE_URL": baseline.url}, timeout=900)
        assert one.returncode == 0, one.stdout[-3000:] + one.stderr[-3000:]
        expected = _produced(baseline, marks)
        single_done = time.time()

        # two hosts, each an app process and a worker, at the same time, on the other copy
        hosts, how = _hosts(stack, shared.url)
        servers = []
        for h in hosts:
            s = start_server(h.env(), tmp / f"{h.name}.log", host=h.bind, port=8000 if h.prefix else None, prefix=h.prefix)
            stack.callback(s.stop)
            servers.append(s)
        workers = [subprocess.Popen([*h.prefix, PY, "tests/integration/worker_pass.py", "--rounds", "2", *cmds], cwd=ROOT, env=h.env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for h in hosts]
        for w in workers:
            stack.callback(lambda w=w: w.poll() is None and w.kill())

        # meanwhile: a session made on host 1 works on host 2
        with httpx.Client(base_url=servers[0].base) as c1:
            cookie = sign_in(c1, "mortgage")
            assert c1.get("/").status_code == 200
        with httpx.Client(base_url=servers[1].base, cookies={"id": cookie}) as c2:
            r = c2.get("/")
            assert r.status_code == 200 and "按揭专员" in r.text
        with httpx.Client(base_url=servers[1].base) as anonymous:
            assert anonymous.get("/").status_code == 303

        logs = [w.communicate(timeout=900)[0] for w in workers]
        for w, log in zip(workers, logs):
            assert w.returncode == 0, log[-3000:]
        got = _produced(shared, marks)
        both_done = time.time()

        # nothing twice, nothing missing
        for what, counter in got.items():
            twice = {k: n for k, n in counter.items() if n > 1 and expected[what][k] < n}
            assert not twice, (what, list(twice.items())[:5])
            assert counter == expected[what], (what, list((counter - expected[what]).items())[:5], list((expected[what] - counter).items())[:5])
        # and there was work to race for: each kind of reminder was due
        kinds = Counter(k[1] for k in expected["notification"])
        refs = [k[2] for k in expected["notification"]]
        assert kinds["overdue"] and kinds["care"] and kinds["reminder"], kinds
        assert any(r.startswith("task:") for r in refs) and any(r.startswith("report:") for r in refs)
        assert any(r.startswith("arc-loan:") for r in refs) and any(r.startswith("permit-deadline:") for r in refs)
        assert expected["report_run"] and expected["clock_mark"] and expected["permit_log"]
        assert all(n == 1 for n in got["report_run"].values()) and all(n == 1 for n in got["clock_mark"].values())
        print(f"\nseveral hosts ({how}): {sum(got['notification'].values())} notifications, {len(got['report_run'])} daily reports, "
              f"{len(got['clock_mark'])} care marks, {len(got['permit_log'])} permit reminders; kinds {dict(kinds)}; "
              f"prepare {prepared - started:.0f} s, one worker {single_done - prepared:.0f} s, two hosts {both_done - single_done:.0f} s, "
              f"total {time.time() - started:.0f} s")
        print("\n".join(log.strip().splitlines()[-1] for log in logs if log.strip()))
