"""`make bench`: the portal on SQLite and on PostgreSQL, at demo and at large scale, driven by wrk on loopback.

For each engine × scale, all up at once: a fresh database (prepared once and cached under bench/.cache/), the portal
started the way the Procfile's `web` line starts it with one worker and beside it with 2 (the workers target), its
piccolo-admin, the demo accounts signed in through the real login form. Then every page is measured with wrk at a
fixed concurrency and duration in interleaved rounds (`interleave`: round by round, and within a round each page on
every server in turn), probed once before its first round (status, X-SQL-Count). Writes
bench/results/<engine>-<scale>-<UTC>.json and bench/results/latest.md (printed). See bench/README.md.

Environment (all optional):
  BENCH_QUICK=1            1 round of 3 s, demo scale only
  BENCH_ENGINES            sqlite,postgres          BENCH_SCALES       demo,large
  BENCH_CONNECTIONS / BENCH_THREADS / BENCH_DURATION / BENCH_ROUNDS     8 / 2 / 10 / 3
  BENCH_ROLES              the demo roles whose home is measured (default: every demo role)
  BENCH_LARGE_CMD          the large-scale generator (default: python -m seeds.scale --size large)
  BENCH_FRESH=1            rebuild the cached databases
  BENCH_PG_PORT            55442
"""
from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from bench import report

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python")
PASSWORD = "demo2026"
DEFAULT_LARGE_CMD = "python -m seeds.scale --size large"
CSRF_INPUT = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')
HX_CSRF = re.compile(r'"x-csrftoken":\s*"([^"]+)"')


def log(msg: str) -> None:
    print(f"[bench {datetime.now(timezone.utc):%H:%M:%S}] {msg}", flush=True)


class BenchError(RuntimeError):
    pass


# ------------------------------------------------------------------ configuration


def config() -> dict:
    e = os.environ
    quick = e.get("BENCH_QUICK", "") not in ("", "0")
    return {
        "quick": quick,
        "engines": [x for x in e.get("BENCH_ENGINES", "sqlite,postgres").split(",") if x],
        "scales": ["demo"] if quick else [x for x in e.get("BENCH_SCALES", "demo,large").split(",") if x],
        "connections": int(e.get("BENCH_CONNECTIONS", "8")),
        "threads": int(e.get("BENCH_THREADS", "2")),
        "duration": int(e.get("BENCH_DURATION", "3" if quick else "10")),
        "rounds": int(e.get("BENCH_ROUNDS", "1" if quick else "3")),
        "roles": [x for x in e.get("BENCH_ROLES", "").split(",") if x],
        "large_cmd": e.get("BENCH_LARGE_CMD", DEFAULT_LARGE_CMD),
        "fresh": e.get("BENCH_FRESH", "") not in ("", "0"),
        "pg_port": int(e.get("BENCH_PG_PORT", "55442")),
    }


def base_env(extra: dict | None = None) -> dict:
    """The environment of every child: the venv first on PATH, the database variables from `extra`, nothing of the
    developer's own database (DATABASE_URL/SQLITE_PATH are always set explicitly)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "PORTAL_ENV", "SECRET_KEY", "DEBUG")}
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"
    env["PORTAL_LOCAL_DIR"] = str(CACHE / "local")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def sh(cmd: str | list, env: dict, *, log_to: Path | None = None, capture: bool = False) -> str:
    """Run a command in the repository; its output goes to `log_to` (or is returned). Fails loudly."""
    args = cmd if isinstance(cmd, list) else ["bash", "-c", cmd]
    if capture:
        r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if r.returncode:
            raise BenchError(f"{cmd!r} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        return r.stdout
    log_to = log_to or CACHE / "logs" / "commands.log"
    log_to.parent.mkdir(parents=True, exist_ok=True)
    with open(log_to, "a") as f:
        f.write(f"\n$ {cmd}\n")
        f.flush()
        r = subprocess.run(args, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if r.returncode:
        raise BenchError(f"{cmd!r} failed ({r.returncode}); see {log_to}")
    return ""


# ------------------------------------------------------------------ databases


def cache_key(scale: str, large_cmd: str) -> str:
    """Changes when the schema or the seed data can change: every file under migrations/ and seeds/, the tables, and
    the large generator's command."""
    h = hashlib.sha256()
    files = sorted([*ROOT.glob("migrations/**/*.py"), *ROOT.glob("seeds/**/*"), *ROOT.glob("app/**/tables*.py")])
    for f in files:
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    if scale != "demo":
        h.update(large_cmd.encode())
    return h.hexdigest()[:12]


DEMO_COMMANDS = [f"{VENV_BIN}/piccolo migrations forwards all", f"{PY} -m seeds.demo"]


def check_scale(scale: str) -> None:
    if scale not in ("demo", "large"):
        raise BenchError(f"unknown scale {scale!r} (demo or large)")


def sqlite_cache(scale: str, cfg: dict, _done: set = set()) -> Path:
    """The prepared SQLite file of `scale` (built once: demo from an empty file, large from a copy of demo)."""
    check_scale(scale)
    cached = CACHE / f"sqlite-{scale}-{cache_key(scale, cfg['large_cmd'])}.sqlite"
    if cached.exists() and (not cfg["fresh"] or cached in _done):
        return cached
    for old in CACHE.glob(f"sqlite-{scale}-*.sqlite"):
        old.unlink()
    building = cached.with_suffix(".building")
    for p in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        p.unlink(missing_ok=True)
    t0 = time.monotonic()
    if scale == "demo":
        cmds = DEMO_COMMANDS
    else:
        shutil.copyfile(sqlite_cache("demo", cfg), building)
        cmds = [cfg["large_cmd"]]
    env = base_env({"SQLITE_PATH": str(building)})
    for cmd in cmds:
        log(f"sqlite/{scale}: {cmd}")
        sh(cmd, env, log_to=CACHE / "logs" / f"prepare-sqlite-{scale}.log")
    with sqlite3.connect(building) as conn:  # everything in the main file before it is copied
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    building.rename(cached)
    _done.add(cached)
    log(f"sqlite/{scale}: prepared in {time.monotonic() - t0:.0f} s, cached as {cached.name}")
    return cached


def prepare_sqlite(scale: str, cfg: dict) -> dict:
    cached = sqlite_cache(scale, cfg)
    work = CACHE / "run" / f"sqlite-{scale}.sqlite"
    work.parent.mkdir(parents=True, exist_ok=True)
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)
    shutil.copyfile(cached, work)
    log(f"sqlite/{scale}: fresh copy of {cached.name}")
    return {"SQLITE_PATH": str(work)}


class Postgres:
    """One throwaway server (scripts/pg.sh) for the whole run; one database per scale restored from a cached dump."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="pg-bench-"))
        self.url = ""
        # the client tools of the newest installed server (as scripts/pg.sh picks its binaries); else those on PATH
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
        self.bin = Path(os.environ.get("PGBIN") or (versions[-1] if versions else "/usr/bin"))

    def start(self) -> None:
        self.url = sh(["bash", "scripts/pg.sh", "start", str(self.dir), str(self.port)], base_env(), capture=True).strip().splitlines()[-1]
        log(f"postgres: started on port {self.port}")

    def stop(self) -> None:
        if self.url:
            subprocess.run(["bash", "scripts/pg.sh", "stop", str(self.dir)], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.url = ""
            log("postgres: stopped")

    def tool(self, name: str, *args: str) -> list[str]:
        exe = self.bin / name
        return [str(exe if exe.exists() else name), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *args]

    def _url(self, db: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + db

    def _fresh_db(self, db: str, dump: Path | None = None) -> None:
        env = base_env()
        sh(self.tool("dropdb", "--if-exists", db), env)
        sh(self.tool("createdb", db), env)
        if dump:
            sh(self.tool("pg_restore", "--no-owner", "-j", "2", "-d", db, str(dump)), env)

    def cache(self, scale: str, cfg: dict, _done: set = set()) -> Path:
        """The cached dump of `scale` (built once: demo from an empty database, large on a restored demo)."""
        check_scale(scale)
        dump = CACHE / f"pg-{scale}-{cache_key(scale, cfg['large_cmd'])}.dump"
        if dump.exists() and (not cfg["fresh"] or dump in _done):
            return dump
        for old in CACHE.glob(f"pg-{scale}-*.dump"):
            old.unlink()
        t0 = time.monotonic()
        db = f"build_{scale}"
        if scale == "demo":
            self._fresh_db(db)
            cmds = DEMO_COMMANDS
        else:
            self._fresh_db(db, self.cache("demo", cfg))
            cmds = [cfg["large_cmd"]]
        for cmd in cmds:
            log(f"postgres/{scale}: {cmd}")
            sh(cmd, base_env({"DATABASE_URL": self._url(db)}), log_to=CACHE / "logs" / f"prepare-postgres-{scale}.log")
        tmp = dump.with_suffix(".building")
        sh(self.tool("pg_dump", "-Fc", "-f", str(tmp), db), base_env())
        tmp.rename(dump)
        sh(self.tool("dropdb", db), base_env())
        _done.add(dump)
        log(f"postgres/{scale}: prepared in {time.monotonic() - t0:.0f} s, cached as {dump.name}")
        return dump

    def prepare(self, scale: str, cfg: dict) -> dict:
        dump = self.cache(scale, cfg)
        db = f"bench_{scale}"
        log(f"postgres/{scale}: restoring {dump.name}")
        self._fresh_db(db, dump)
        # fresh statistics, and the visibility map a running database keeps by autovacuum (a restored one has none, so
        # every index-only scan — the ledger's COUNT — would read the table too)
        sh(self.tool("psql", "-q", "-d", db, "-c", "VACUUM ANALYZE"), base_env())
        return {"DATABASE_URL": self._url(db)}


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_command() -> str:
    """The Procfile's `web` line, on loopback: the portal is started exactly as production starts it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line[4:].strip().replace("--host 0.0.0.0", "--host 127.0.0.1")
    raise BenchError("Procfile has no web: line")


class Server:
    def __init__(self, name: str, cmd: str, env: dict, port: int) -> None:
        self.name, self.cmd, self.env, self.port = name, cmd, env, port
        self.proc: subprocess.Popen | None = None
        self.log = CACHE / "logs" / f"{name}.log"

    def start(self, health: str = "/healthz", timeout: float = 90) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        f = open(self.log, "w")
        self.proc = subprocess.Popen(["sh", "-c", f"exec {self.cmd}"], cwd=ROOT, env=self.env, stdout=f, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited ({self.proc.returncode}); see {self.log}")
            try:
                if request("GET", self.port, health)[0] in (200, 401, 403, 404):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError(f"{self.name} did not answer {health} within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server's own process group (start_new_session)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


# ------------------------------------------------------------------ HTTP (stdlib: cookies are handled by hand, as
# the production cookies are Secure and the benchmark talks plain HTTP on loopback)


def request(method: str, port: int, path: str, *, cookies: dict | None = None, body: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict, str, list[str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = urlencode(body).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        set_cookies = r.headers.get_all("Set-Cookie") or []
        return r.status, {k.lower(): v for k, v in r.getheaders()}, text, set_cookies
    finally:
        conn.close()


def _take_cookies(jar: dict, set_cookies: list[str]) -> None:
    for raw in set_cookies:
        c = SimpleCookie()
        c.load(raw)
        for k, m in c.items():
            if m.value and m["max-age"] not in ("0",) and "1970" not in (m["expires"] or ""):
                jar[k] = m.value
            else:
                jar.pop(k, None)


def sign_in(port: int, username: str) -> dict:
    """The real login form: GET /login (CSRF cookie and token), POST it; then the page token HTMX sends."""
    jar: dict = {}
    status, _, text, sc = request("GET", port, "/login")
    _take_cookies(jar, sc)
    m = CSRF_INPUT.search(text)
    if status != 200 or not m:
        raise BenchError(f"GET /login: {status}, no CSRF token")
    status, hdrs, _, sc = request("POST", port, "/login", cookies=jar,
                                  body={"_csrf_token": m.group(1), "username": username, "password": PASSWORD, "next": "/"})
    _take_cookies(jar, sc)
    if status != 303 or "id" not in jar:
        raise BenchError(f"sign-in as {username}: {status} (no session cookie)")
    status, _, text, sc = request("GET", port, "/account/password", cookies=jar)
    _take_cookies(jar, sc)
    m = HX_CSRF.search(text)
    return {"cookies": jar, "csrf": m.group(1) if m else None}


# ------------------------------------------------------------------ pages


def pages(targets: dict, roles: list[str]) -> list[dict]:
    """What is measured, in order. kind: healthz, floor, admin, key (the targets' key pages), na (not built yet)."""
    t = targets
    out = [
        {"key": "healthz", "label": "/healthz", "path": "/healthz", "role": None, "kind": "healthz"},
        {"key": "floor", "label": "floor: /account/password (signed in, no domain table)", "path": "/account/password", "role": "contract", "kind": "floor"},
        {"key": "admin_api", "label": f"piccolo-admin list API pl_deal ({t['per_page']}/page)", "role": t.get("admin_user"), "kind": "admin",
         "path": "/api/tables/pl_deal/?" + urlencode({"__page": 1, "__page_size": t["per_page"], "__readable": "true", "__order": "-signed_on"})},
    ]
    for role in roles:
        out.append({"key": f"home:{role}", "label": "home /", "path": "/", "role": role, "kind": "key"})
    deep = {"project": t["ledger_project"], "page": t["ledger_deep_page"]}
    out += [
        {"key": "inbox", "label": "inbox /workflow", "path": "/workflow?tab=todo", "role": "dept_head", "kind": "key"},
        {"key": "queue", "label": "work queue /pipeline/queue", "path": "/pipeline/queue", "role": "supervisor", "kind": "key"},
        {"key": "ledger", "label": "contract ledger, page 1", "path": "/ledgers/contracts", "role": "supervisor", "kind": "key"},
        {"key": "ledger_deep", "label": f"contract ledger, page {t['ledger_deep_page']} of project {t['ledger_project']} ({t['ledger_signed']} contracts)",
         "path": "/ledgers/contracts?" + urlencode(deep), "role": "supervisor", "kind": "key"},
        {"key": "unit", "label": f"unit timeline /pipeline/units/{t['unit']}", "path": f"/pipeline/units/{t['unit']}", "role": "supervisor", "kind": "key"},
        {"key": "customer", "label": f"customer file /care/customers/{t['buyer']}", "path": f"/care/customers/{t['buyer']}", "role": "cr_officer", "kind": "key"},
        {"key": "kpi", "label": "KPI board /care/kpi", "path": "/care/kpi", "role": "dept_head", "kind": "key"},
        {"key": "approve", "label": "approval POST 同意 (HTMX)", "path": "/workflow/tasks/{id}/act", "role": "dept_head", "kind": "key", "write": True},
        {"key": "shift_log", "label": "shift-log POST 班前点名 (form)", "path": "/site/shifts/new", "role": "security_captain", "kind": "key", "write": True},
    ]
    return out


def wrk(cfg: dict, port: int, path: str, cookie: str | None, *, script: str = "report.lua", args: list[str] | None = None,
        duration: int | None = None) -> dict:
    cmd = ["wrk", f"-t{cfg['threads']}", f"-c{cfg['connections']}", f"-d{duration or cfg['duration']}s", "--timeout", "60s",
           "-s", str(BENCH / script)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    if args:
        cmd += ["--", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "BENCH_LUA_DIR": str(BENCH)}, stdin=subprocess.DEVNULL)
    if r.returncode:
        raise BenchError(f"wrk failed: {r.stderr[-500:]}")
    return report.parse_wrk(r.stdout)


def cookie_header(session: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in session["cookies"].items())


def probe(port: int, path: str, session: dict | None, *, method: str = "GET", headers: dict | None = None, body: dict | None = None,
          ok: int = 200) -> tuple[str | None, int | None]:
    """One request outside the timed runs: (problem or None, X-SQL-Count or None). A page must answer `ok` (200; a
    form POST that succeeds answers 303 — to anywhere but /login)."""
    status, hdrs, _, _ = request(method, port, path, cookies=session["cookies"] if session else None, headers=headers, body=body)
    n = hdrs.get("x-sql-count")
    stmts = int(n) if n and n.isdigit() else None
    if status == ok and not (status == 303 and hdrs.get("location", "").startswith("/login")):
        return None, stmts
    return f"status {status}", stmts


# ------------------------------------------------------------------ where the machine's cores went during a measurement


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu() -> tuple[dict[int, float], dict[int, float]]:
    """(CPU seconds by process group, CPU seconds of PostgreSQL's processes), read from /proc."""
    by_group: dict[int, float] = {}
    postgres = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        comm, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        # fields after the command: state ppid pgrp … utime (12th) stime (13th)
        seconds = (int(rest[11]) + int(rest[12])) / CLOCK_TICKS
        by_group[int(rest[2])] = by_group.get(int(rest[2]), 0.0) + seconds
        if comm == "postgres":
            postgres += seconds
    return by_group, postgres


class CpuMeter:
    """The cores the portal's processes (its process group), PostgreSQL's and wrk's (the bench's waited children) kept
    busy during a measurement: CPU seconds over wall seconds. The machine has os.cpu_count() of them: what one page
    leaves to a second worker is what the three together do not already use."""

    def __init__(self, app_group: int | None) -> None:
        self.app_group = app_group

    def __enter__(self) -> "CpuMeter":
        self.t0, (groups, self.db0) = time.monotonic(), _proc_cpu()
        self.app0 = groups.get(self.app_group or -1, 0.0)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.wrk0 = ru.ru_utime + ru.ru_stime
        return self

    def __exit__(self, *exc) -> None:
        wall = max(time.monotonic() - self.t0, 1e-9)
        groups, db = _proc_cpu()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cores = {"app": round((groups.get(self.app_group or -1, 0.0) - self.app0) / wall, 2),
                      "db": round((db - self.db0) / wall, 2), "wrk": round((ru.ru_utime + ru.ru_stime - self.wrk0) / wall, 2)}


def _mean_cores(meters: list[dict]) -> dict | None:
    """The cores busy over several rounds of one measurement (each round metered on its own): their mean."""
    meters = [m for m in meters if m]
    if not meters:
        return None
    return {k: round(sum(m[k] for m in meters) / len(meters), 2) for k in meters[0]}


class Slot:
    """One page measured on one server (an engine × scale's portal, its 2-worker portal or its piccolo-admin): probed
    once, then measured one wrk round at a time so that the rounds of every server can be interleaved (`interleave`)."""

    def __init__(self, page: dict, port: int, session: dict | None, server: "Server | None") -> None:
        self.page, self.port, self.session, self.server = page, port, session, server
        self.problem: str | None = None
        self.statements: int | None = None
        self.rounds: list[dict] = []
        self.cores: list[dict] = []

    def round(self, cfg: dict) -> None:
        if not self.rounds:  # probed right before its first round, on a warm process (the statements of a steady
            probe(self.port, self.page["path"], self.session)  # state: the kept reference data is loaded by then)
            self.problem, self.statements = probe(self.port, self.page["path"], self.session)
        with CpuMeter(self.server.proc.pid if self.server and self.server.proc else None) as cpu:
            res = wrk(cfg, self.port, self.page["path"], cookie_header(self.session) if self.session else None)
        res["at"] = datetime.now(timezone.utc).strftime("%H:%M:%S")
        self.rounds.append(res)
        self.cores.append(cpu.cores)

    def result(self) -> dict:
        return measured(self.page, self.rounds, self.statements, self.problem, cores=_mean_cores(self.cores))


def measured(page: dict, rounds: list[dict], statements: int | None, problem: str | None, **extra) -> dict:
    """A page's figures: the medians of its rounds, every round's p95 and time (the per-round ratios, report.paired),
    its statement count and the probe's complaint."""
    out = {**page, **report.median_of_rounds(rounds), "statements": statements, **extra,
           "round_p95": [r["p95_ms"] for r in rounds], "round_at": [r["at"] for r in rounds]}
    if problem:
        out["probe_error"] = problem
    return out


def interleave(cfg: dict, groups: list[list], step) -> None:
    """Run `step(item, round)` once per round for every item of every group: rounds outermost, so each group's rounds are
    spread over the whole phase, and within a group its items (the same page on each server) one after the other,
    their order rotated each round. Figures compared with each other (demo and large, SQLite and PostgreSQL, one
    worker and two) are then taken within the same minute, and a machine that drifts during the run moves them together."""
    for r in range(cfg["rounds"]):
        for group in groups:
            k = r % len(group) if group else 0
            for item in group[k:] + group[:k]:
                step(item, r)


def prepare_items(db_env: dict, what: str, n: int) -> dict:
    """`python -m bench.prepare tasks|shifts --n N`: the records a writing POST needs, one per request."""
    out = sh([PY, "-m", "bench.prepare", what, "--n", str(n)], base_env(db_env), capture=True)
    line = [x for x in out.splitlines() if x.startswith("BENCH_PREPARE ")][-1]
    return json.loads(line[len("BENCH_PREPARE "):])


APPROVE_BODY = "action=%E5%90%8C%E6%84%8F&comment="  # action=同意


def approve_post(db_env: dict, n: int) -> tuple[str, list[str]]:
    """(the approver, one "PATH BODY" line per fresh pending task)."""
    p = prepare_items(db_env, "tasks", n)
    return p["approver"], [f"/workflow/tasks/{i}/act {APPROVE_BODY}" for i in p["task_ids"]]


def shift_log_post(db_env: dict, n: int) -> tuple[str, list[str]]:
    """(the team lead, one "PATH BODY" line per free team × slot × day): 班前点名 with everyone present."""
    p = prepare_items(db_env, "shifts", n)
    return p["lead"], [f"/site/shifts/new team={t}&slot={s}&day={d}" for t, s, d in (x.split(",") for x in p["shifts"])]


# what each writing POST needs: how its records are made, how it is sent (HTMX or a plain form), the status a
# success answers, and a request that hits no record (past the end of the prepared ones: a 404, counted as an error)
WRITES = {
    "approve": {"prepare": approve_post, "htmx": True, "ok": 200, "fallback": f"/workflow/tasks/0/act {APPROVE_BODY}"},
    "shift_log": {"prepare": shift_log_post, "htmx": False, "ok": 303, "fallback": "/site/shifts/new team=0&slot=0&day=2000-01-01"},
}


class WriteSlot:
    """A writing POST on a fresh record per request (WRITES), on one server: records made through the portal's code
    before each round, enough for the rate seen so far (a calibration run first); past the end a request is a 404,
    i.e. an error. Like `Slot`, one round at a time."""

    def __init__(self, cfg: dict, port: int, page: dict, db_env: dict, sessions: dict, run_dir: Path) -> None:
        self.cfg, self.port, self.page, self.db_env = cfg, port, page, db_env
        self.spec = spec = WRITES[page["key"]]
        self.user, items = spec["prepare"](db_env, 1 + 8 * cfg["connections"])
        self.sess = sessions.get(self.user) or sign_in(port, self.user)
        sessions[self.user] = self.sess
        headers = {"x-csrftoken": self.sess["csrf"] or "", **({"HX-Request": "true"} if spec["htmx"] else {})}
        self.path, body = items[0].split(" ", 1)
        self.problem, self.statements = probe(port, self.path, self.sess, method="POST", body=dict(parse_qsl(body, keep_blank_values=True)),
                                              headers=headers, ok=spec["ok"])
        self.items_file = run_dir / f"{page['key']}.txt"
        calib = self._go(items[1:], 2)  # untimed: the rate decides how many records each round needs
        # only the requests that wrote count (past the records' end the fallback's fast 404s would inflate the rate a
        # hundredfold, and tens of thousands of records would be prepared for a round that uses a few thousand)
        wrote = max(0, calib["requests"] - calib["errors"])
        self.rate = max(wrote / 2, 2.0) * (4 if wrote >= len(items) - 1 else 1)
        self.rounds: list[dict] = []
        self.retries = 0

    def _go(self, lines: list[str], duration: int) -> dict:
        self.items_file.write_text("\n".join(lines) + "\n")
        res = wrk(self.cfg, self.port, self.path, cookie_header(self.sess), script="rotate.lua", duration=duration,
                  args=[str(self.items_file), self.sess["csrf"] or "", str(self.cfg["threads"]), "1" if self.spec["htmx"] else "0",
                        self.spec["fallback"]])
        res["items"] = len(lines)
        return res

    def round(self, cfg: dict) -> None:
        while True:
            need = int(math.ceil(self.rate * cfg["duration"] * 2)) + 8 * cfg["connections"]
            log(f"  {self.page['key']}: preparing {need} records")
            _, lines = self.spec["prepare"](self.db_env, need)
            res = self._go(lines, cfg["duration"])
            self.rate = max(self.rate, max(0, res["requests"] - res["errors"]) / cfg["duration"])
            if res["requests"] > len(lines):  # the harness's shortfall, not the portal's: the round is run again with more
                if self.retries < 3:
                    self.retries += 1
                    self.rate *= 2
                    log(f"  {self.page['key']}: the {len(lines)} records ran out ({res['requests']} requests); the round is run again")
                    continue
                res["exhausted"] = True
            res["at"] = datetime.now(timezone.utc).strftime("%H:%M:%S")
            self.rounds.append(res)
            return

    def result(self) -> dict:
        out = measured(self.page, self.rounds, self.statements, self.problem, role=self.user, retried_rounds=self.retries)
        if any(r.get("exhausted") for r in self.rounds):
            out["note"] = "the prepared records ran out in a round (the 404s are counted as errors)"
        return out


# ------------------------------------------------------------------ one engine × scale


class Under:
    """One engine × scale under test: its database, the portal with one worker and with WORKERS_N (for the workers
    target), its piccolo-admin, the accounts signed in, and what was measured on it."""

    def __init__(self, cfg: dict, engine: str, scale: str, db_env: dict, stamp: str) -> None:
        self.engine, self.scale, self.db_env, self.name = engine, scale, db_env, f"{engine}/{scale}"
        self.run_dir = CACHE / "run" / f"{engine}-{scale}"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        out = sh([PY, "-m", "bench.prepare", "targets"], base_env(db_env), capture=True)
        self.targets = json.loads([x for x in out.splitlines() if x.startswith("BENCH_PREPARE ")][-1][len("BENCH_PREPARE "):])
        from app.core.permissions import ROLES  # the demo roles (one account each, README)

        self.plan = pages(self.targets, cfg["roles"] or sorted(ROLES))
        env = base_env({**db_env, "PORTAL_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), "PORTAL_SQL_COUNT": "1"})
        port, port2, admin_port = free_port(), free_port(), free_port()
        self.portal = Server(f"portal-{engine}-{scale}-1w", web_command(), {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}, port)
        self.portal2 = Server(f"portal-{engine}-{scale}-{report.WORKERS_N}w", web_command(),
                              {**env, "PORT": str(port2), "WEB_CONCURRENCY": str(report.WORKERS_N)}, port2)
        self.admin = Server(f"admin-{engine}-{scale}", f"uvicorn bench.admin_app:app --host 127.0.0.1 --port {admin_port} --log-level warning",
                            env, admin_port)
        self.sessions: dict = {}
        self.error: str | None = None
        self.result: dict = {"engine": engine, "scale": scale, "started": stamp, "targets": self.targets, "pages": [], "workers": {},
                             "settings": {k: cfg[k] for k in ("connections", "threads", "duration", "rounds", "quick")},
                             "web_command": web_command(), "cpus": os.cpu_count(), "interleaved": True}

    def start(self) -> None:
        self.portal.start()
        self.portal2.start()
        self.admin.start(health="/")
        log(f"{self.name}: portal on :{self.portal.port} (1 worker), :{self.portal2.port} ({report.WORKERS_N} workers), "
            f"piccolo-admin on :{self.admin.port}")
        roles = {p["role"] for p in self.plan if p.get("role") and p["kind"] != "admin"} | {self.targets["admin_user"]}
        for u in sorted(roles - {None}):  # signed in once: the 2-worker portal and piccolo-admin share the database
            self.sessions[u] = sign_in(self.portal.port, u)

    def stop(self) -> None:
        for s in (self.portal, self.portal2, self.admin):
            s.stop()

    def page(self, key: str) -> dict | None:
        return next((p for p in self.plan if p["key"] == key), None)


def read_slots(unders: list[Under], key: str) -> list:
    """The servers one read page is measured on: each engine × scale's portal (its piccolo-admin for the admin API),
    and for the workers target's pages its 2-worker portal too."""
    group = []
    for u in unders:
        page = u.page(key)
        if not page or page["kind"] == "na" or page.get("write"):
            continue
        session = u.sessions.get(page["role"]) if page["role"] else None
        servers = [("1", u.admin if page["kind"] == "admin" else u.portal)]
        if key in report.WORKERS_SHOWN + report.WORKERS_CPU_BOUND:
            servers.append((str(report.WORKERS_N), u.portal2))
        for workers, server in servers:
            slot = Slot(page, server.port, session, server)
            slot.under, slot.workers = u, workers
            group.append(slot)
    return group


def run_all(cfg: dict, unders: list[Under]) -> None:
    """Every read page on every server, rounds interleaved (`interleave`), then the writing POSTs the same way."""
    keys: list[str] = []
    for u in unders:
        keys += [p["key"] for p in u.plan if p["key"] not in keys]
    groups = [g for g in (read_slots(unders, k) for k in keys) if g]

    def step(slot, r: int) -> None:
        if slot.under.error:
            return
        log(f"  round {r + 1}/{cfg['rounds']} {slot.page['key']} on {slot.under.name}"
            + (f" ({slot.workers} workers)" if slot.workers != "1" else ""))
        try:
            slot.round(cfg)
        except (BenchError, OSError) as e:
            slot.under.error = str(e)
            log(f"{slot.under.name}: FAILED: {e}")

    interleave(cfg, groups, step)
    # the writes last: the tasks and shift logs they make must not show in the pages read above
    writes = []
    for key in [k for k in keys if any((u.page(k) or {}).get("write") for u in unders)]:
        group = []
        for u in unders:
            if u.error:
                continue
            try:
                slot = WriteSlot(cfg, u.portal.port, u.page(key), u.db_env, u.sessions, u.run_dir)
            except BenchError as e:
                u.error = str(e)
                log(f"{u.name}: FAILED: {e}")
                continue
            slot.under, slot.workers = u, "1"
            group.append(slot)
        writes.append(group)
    interleave(cfg, writes, step)
    for u in unders:
        slots = {(s.page["key"], s.workers): s for g in groups + writes for s in g if s.under is u}
        shown = report.WORKERS_SHOWN + report.WORKERS_CPU_BOUND
        for page in u.plan:
            if page["kind"] == "na":
                u.result["pages"].append({**page, "rps": None})
            elif (page["key"], "1") in slots:
                u.result["pages"].append(slots[(page["key"], "1")].result())
        for n in ("1", str(report.WORKERS_N)):
            u.result["workers"][n] = {k: {f: m.get(f) for f in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors", "probe_error", "cores",
                                                                             "round_rps", "round_p95")}
                                      for k in shown if (k, n) in slots for m in (slots[(k, n)].result(),)}
        u.result["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> int:
    cfg = config()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y -qq wrk (make bench does it)")
    CACHE.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    log(f"engines {cfg['engines']}, scales {cfg['scales']}, {cfg['connections']} connections, {cfg['threads']} threads, "
        f"{cfg['duration']} s × {cfg['rounds']} rounds, interleaved")
    unders: list[Under] = []
    failed: list[dict] = []
    pg = Postgres(cfg["pg_port"]) if "postgres" in cfg["engines"] else None
    try:
        if pg:
            pg.start()
        for engine in cfg["engines"]:  # every engine × scale up at once: their rounds alternate (`interleave`)
            for scale in cfg["scales"]:
                try:
                    db_env = prepare_sqlite(scale, cfg) if engine == "sqlite" else pg.prepare(scale, cfg)  # type: ignore[union-attr]
                    u = Under(cfg, engine, scale, db_env, stamp)
                    unders.append(u)
                    u.start()
                except BenchError as e:  # the other engine × scale runs still run; the table says what failed, exit 1
                    log(f"{engine}/{scale}: FAILED: {e}")
                    failed.append({"engine": engine, "scale": scale, "error": str(e).splitlines()[0][:300]})
                    if unders and unders[-1].name == f"{engine}/{scale}":
                        unders.pop().stop()
        run_all(cfg, unders)
    finally:
        for u in unders:
            u.stop()
        if pg:
            pg.stop()
    runs = []
    for u in unders:
        if u.error:
            failed.append({"engine": u.engine, "scale": u.scale, "error": u.error.splitlines()[0][:300]})
            continue
        (RESULTS / f"{u.engine}-{u.scale}-{stamp}.json").write_text(json.dumps(u.result, ensure_ascii=False, indent=1))
        runs.append(u.result)
    targets = report.check_targets(runs)
    meta = {"run": stamp, "load": f"wrk {cfg['threads']} threads, {cfg['connections']} connections, {cfg['duration']} s, "
            f"median of {cfg['rounds']}, every engine × scale's rounds interleaved" + (" (BENCH_QUICK)" if cfg["quick"] else ""),
            "server": web_command(), "cpus": os.cpu_count()}
    md = report.markdown(runs, targets, meta, failed)
    (RESULTS / "latest.md").write_text(md)
    print(md)
    return 1 if failed else 0


if __name__ == "__main__":
    def _term(signum, frame):  # make bench interrupted: the finally blocks stop the servers and PostgreSQL
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    sys.exit(main())
