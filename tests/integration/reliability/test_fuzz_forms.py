"""The form fuzzer (issue 11 §5): every form the app renders, and every POST route that has no page, posted with
fuzzed values — huge strings, unicode, NUL, negative and huge numbers, bad dates, ids of other and of non-existent
records, missing and duplicated fields, wrong types for files — with a valid CSRF token, by the demo roles that see
the forms. No 5xx ever; a refused post changes no row.

Discovery: as each role below, GET every page of the route table that has no path parameter (and that the role's
permissions open), then up to a few pages per parameterised GET route reached by the links of those pages; parse
every <form method="post"> (action, input/select/textarea/button names, types, values). POST routes that no
discovered form targets are posted with their path parameters filled in (real and impossible ids) and a pool of
common field names.

Refused means status >= 400, or a 200 page that shows field errors. The row check is cheap and sound: a refused post
is compared table by table (one UNION ALL count) only when the database says something was committed while it ran
(SQLite: PRAGMA data_version on a connection of the test's own; PostgreSQL: the next transaction id moved). Pending
uploads (attachment, attachment_blob, and their attachment.upload audit rows) are kept across a refused form by
design and are not compared.

Driven in-process over httpx.ASGITransport; hypothesis runs in a worker thread and hands each post to the test's
event loop (where the app's database pool lives)."""
from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import sqlite3
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litestar.handlers import HTTPRouteHandler

from app.core.guards import GUARD_MARK
from tests.conftest import DB_URL, HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration

POSTS = int(os.environ.get("FUZZ_POSTS", "5000"))  # per engine stage: 10,000 in all in `make test` (SQLite + PostgreSQL)
ROLES = ("sysadmin", "supervisor", "contract", "mortgage", "clerk", "finance_manager", "admin_staff", "hr", "complaint_officer",
         "cr_officer", "quality", "project_engineer", "security_captain", "sales", "cashier", "archive", "title")
# never posted: they end or change the session the fuzzer signs in with
SKIP_POST = re.compile(r"^/(login|logout|account/password)(/|$)|^/admin")
ROLES_PER_PAGE = 2  # roles that read each page without a path parameter
PAGES_PER_PATTERN = 3  # pages visited per parameterised route, in all
NOT_COMPARED = {"attachment", "attachment_blob"}  # pending uploads of a refused form are kept (issue 8)
COMMON_FIELDS = ("comment", "reason", "note", "amount", "action", "title", "name", "date", "due_on", "user", "project", "unit",
                 "deal", "buyer", "kind", "status", "q", "next", "back", "id", "ids", "value", "files")


# ------------------------------------------------------------------ discovery
@dataclass
class Field:
    name: str
    type: str = "text"
    values: list[str] = field(default_factory=list)  # the rendered value, the options of a select / radio / button


@dataclass
class Target:
    role: str
    action: str  # a concrete URL path
    pattern: str  # the route it hits
    multipart: bool
    fields: list[Field]
    pageless: bool = False


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            if a.get("method", "get").lower() == "post" or a.get("hx-post"):
                self._form = {"action": a.get("action") or a.get("hx-post") or "", "multipart": "multipart" in (a.get("enctype", "") + a.get("hx-encoding", "")),
                              "fields": {}}
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag in ("input", "button", "textarea", "select") and name:
            kind = a.get("type", "text" if tag != "button" else "submit").lower() if tag in ("input", "button") else tag
            f = fields.setdefault(name, Field(name=name, type=kind))
            if tag in ("input", "button") and "value" in a:
                f.values.append(a["value"])
            if kind == "file":
                f.type = "file"
            if tag == "select":
                self._select = f
        if tag == "option" and self._select is not None:
            self._select.values.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _route_regex(path: str) -> re.Pattern:
    out, pos = "", 0
    for m in re.finditer(r"\{([^}:]+)(?::([^}]+))?\}", path):
        out += re.escape(path[pos:m.start()])
        out += r"(-?\d+)" if m.group(2) == "int" else r"([^/]+)"
        pos = m.end()
    return re.compile("^" + out + re.escape(path[pos:]) + "$")


@dataclass
class Routes:
    get_plain: list[tuple[str, tuple[str, ...]]]
    get_param: list[tuple[str, re.Pattern]]
    post: list[tuple[str, re.Pattern]]

    def post_pattern(self, path: str) -> str | None:
        for pattern, rx in self.post:
            if rx.match(path):
                return pattern
        return None


def _routes(app) -> Routes:
    plain, param, post = set(), {}, {}
    for route in app.routes:
        for h in getattr(route, "route_handlers", []):
            if not isinstance(h, HTTPRouteHandler):
                continue
            marks = tuple(m for layer in h.ownership_layers for g in (layer.guards or []) for m in getattr(g, GUARD_MARK, ()))
            if "GET" in h.http_methods and not route.path.startswith(("/static", "/admin")) and "public" not in marks:
                if "{" in route.path:
                    param[route.path] = _route_regex(route.path)
                elif route.path not in ("/logout",):
                    plain.add((route.path, marks))
            if h.http_methods & {"POST", "PUT", "PATCH", "DELETE"} and not SKIP_POST.search(route.path):
                post[route.path] = _route_regex(route.path)
    # the most specific patterns first (literal segments before parameters)
    order = lambda p: (p.count("{"), -len(p))  # noqa: E731
    return Routes(sorted(plain), sorted(param.items(), key=lambda kv: order(kv[0])), sorted(post.items(), key=lambda kv: order(kv[0])))


async def _discover(app, new_client) -> tuple[dict[str, list[Target]], dict]:
    """Targets by route pattern. Each plain page is read by up to ROLES_PER_PAGE of the roles it opens to, each
    parameterised route up to PAGES_PER_PATTERN times in all (reached by links); a form is kept once per
    (route, field names), as the first role that showed it."""
    from app.core.auth import load_user
    from app.org.tables import Employee

    routes = _routes(app)
    targets: dict[tuple, Target] = {}
    clients, perms = {}, {}
    for role in ROLES:
        c = await sign_in(await new_client(), role)
        emp = await Employee.select(Employee.user).where(Employee.user.username == role).first()
        perms[role] = (await load_user(emp["user"])).permissions
        clients[role] = (c, HX_CSRF_RE.search((await c.get("/")).text).group(1))
    queue: list[tuple[str, str]] = []
    for path, marks in routes.get_plain:
        allowed = [r for r in ROLES if all(m in perms[r] for m in marks)]
        queue += [(r, path) for r in allowed[:ROLES_PER_PAGE]]
    seen_pattern: dict[str, int] = {}
    visited: set[tuple[str, str]] = set()
    pages = 0
    while queue:
        role, url = queue.pop(0)
        if (role, url) in visited:
            continue
        visited.add((role, url))
        r = await clients[role][0].get(url)
        pages += 1
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        parser = FormParser()
        parser.feed(r.text)
        for f in parser.forms:
            action = urlsplit(urljoin("http://testserver" + url, f["action"] or url)).path
            pattern = routes.post_pattern(action)
            if pattern is None:
                continue
            key = (pattern, tuple(sorted(f["fields"])))
            if key not in targets:
                fields = [fl for n, fl in f["fields"].items() if n not in ("_csrf_token", "_idem")]
                targets[key] = Target(role, action, pattern, f["multipart"], fields)
        for href in parser.links:
            parts = urlsplit(urljoin("http://testserver" + url, href))
            if parts.netloc != "testserver":
                continue
            for pattern, rx in routes.get_param:
                if rx.match(parts.path):
                    if seen_pattern.get(pattern, 0) < PAGES_PER_PATTERN:
                        seen_pattern[pattern] = seen_pattern.get(pattern, 0) + 1
                        queue.append((role, parts.path))
                    break
    covered = {t.pattern for t in targets.values()}
    for pattern, _rx in routes.post:
        if pattern in covered:
            continue
        action = re.sub(r"\{[^}:]+:int\}", "1", pattern)
        action = re.sub(r"\{[^}]+\}", "x", action)
        for role in ("sysadmin", "supervisor"):
            targets[(role, pattern)] = Target(role, action, pattern, False, [Field(n) for n in COMMON_FIELDS[:8]], pageless=True)
    by_pattern: dict[str, list[Target]] = {}
    for t in targets.values():
        by_pattern.setdefault(t.pattern, []).append(t)
    return by_pattern, {"clients": clients, "pages": pages, "routes": routes, "forms": len(targets)}


# ------------------------------------------------------------------ fuzzed values
SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
NASTY = ["", " ", "\x00", "a\x00b", "-1", "0", "1", "-0", "00", "1e309", "-1e309", "NaN", "Infinity", "1.005", "0.001", "１２３",
         "9" * 30, "-9223372036854775809", "9223372036854775808", "2147483648", "3.4e38", "2026-02-30", "2026-13-01", "2026-00-10",
         "9999-12-31", "0001-01-01", "10000-01-01", "2026/12/02", "2026-12-02T25:61", "12:99", "24:00", "on", "true", "[]", "{}",
         "null", "None", "'; DROP TABLE audit_log;--", "<script>alert(1)</script>", "{{ 7*7 }}", "../../../../etc/passwd", "%00",
         "\u202e\u200b\ufeff", "😀" * 10, "汉" * 300, "a\r\nb", "\t", "-", ".", "0x10", "1_000", "+1", " 12 "]
HUGE = ["A" * 100_000, "汉" * 30_000, "9" * 5_000, "\x00" * 1_000]
INTS = st.one_of(st.integers(-2**70, 2**70), st.integers(-3, 3000), st.sampled_from([0, -1, 2**31, 2**63, 2**64, 99999999]))


def value_strategy(f: Field) -> st.SearchStrategy[str]:
    known = [v for v in f.values if len(v) < 2000]
    parts = [st.sampled_from(NASTY), SAFE_TEXT, INTS.map(str), st.sampled_from(HUGE),
             st.floats(allow_nan=True, allow_infinity=True).map(repr)]
    if known:
        parts = [st.sampled_from(known)] * 3 + parts  # mostly the real values, so posts get past the first checks
    return st.one_of(*parts)


FILES = st.sampled_from([
    ("a.jpg", b"not an image at all", "image/jpeg"),
    ("a.pdf", b"%PDF-1.4 truncated", "application/pdf"),
    ("empty.png", b"", "image/png"),
    ("x.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream"),
    ("../../evil.html", b"<script>1</script>", "text/html"),
    ("汉字\x00.txt", "内容".encode(), "text/plain"),
    ("big.bin", b"\xff" * 300_000, "application/octet-stream"),
])


def _mutate_path(action: str, pattern: str, draw) -> str:
    rx = _route_regex(pattern)
    m = rx.match(action)
    if not m or not m.groups() or not draw(st.booleans()):
        return action
    out, pos = "", 0
    for i, g in enumerate(m.groups(), start=1):
        out += action[pos:m.start(i)]
        if g.lstrip("-").isdigit():
            out += str(draw(st.one_of(st.just(int(g)), INTS, st.integers(1, 400))))
        else:
            out += quote(draw(st.one_of(st.just(g), st.sampled_from(NASTY[:20]), SAFE_TEXT)) or "x", safe="")
        pos = m.end(i)
    return out + action[pos:]


# ------------------------------------------------------------------ the change detector
class Changes:
    def __init__(self) -> None:
        self.conn = None
        self.sqlite: sqlite3.Connection | None = None

    async def open(self, tables: list[str]) -> None:
        self.tables = [t for t in tables if t not in NOT_COMPARED]
        # the audit rows of those pending uploads (attachment.upload) are kept with them
        self.count_sql = " UNION ALL ".join(
            f"SELECT '{t}', COUNT(*) FROM \"{t}\"" + (" WHERE entity <> 'attachment'" if t == "audit_log" else "") for t in self.tables)
        if DB_URL:
            import asyncpg

            self.conn = await asyncpg.connect(DB_URL)
        else:
            self.sqlite = sqlite3.connect(os.environ["SQLITE_PATH"], isolation_level=None, check_same_thread=False)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()
        if self.sqlite is not None:
            self.sqlite.close()

    async def mark(self) -> int:
        if self.conn is not None:
            return int(await self.conn.fetchval("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"))
        return self.sqlite.execute("PRAGMA data_version").fetchone()[0]

    async def counts(self) -> dict[str, int]:
        if self.conn is not None:
            return {r[0]: r[1] for r in await self.conn.fetch(self.count_sql)}
        return dict(self.sqlite.execute(self.count_sql).fetchall())


def _table_names() -> list[str]:
    from piccolo.conf.apps import Finder

    return sorted({t._meta.tablename for t in Finder().get_table_classes()})


ERROR_MARK = re.compile(r'data-testid="error-|invalid-feedback d-block|class="alert alert-danger')


# ------------------------------------------------------------------ the test
async def test_fuzzed_posts_never_500_and_refused_posts_change_nothing(app, running_app, new_client):
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    started = time.monotonic()
    by_pattern, ctx = await _discover(running_app, new_client)
    discovered = time.monotonic() - started
    patterns = sorted(by_pattern)
    with_page = [p for p in patterns if not by_pattern[p][0].pageless]
    print(f"\ndiscovery: {ctx['pages']} pages, {ctx['forms']} forms on {len(with_page)} routes, {len(patterns) - len(with_page)} without a page, "
          f"{discovered:.0f} s")
    assert len(with_page) > 40, "the crawl found the app's forms"
    clients = ctx["clients"]
    changes = Changes()
    await changes.open(_table_names())
    state = {"counts": await changes.counts(), "mark": await changes.mark(), "posts": 0, "status": {}, "checked": 0, "committed": 0}
    failures: list[str] = []
    loop = asyncio.get_running_loop()
    rnd = random.Random(11)

    async def post_one(t: Target, path: str, data: list[tuple[str, str]], files: list, htmx: bool, via_header: bool) -> None:
        c, token = clients[t.role]
        headers = {}
        body = list(data)
        if via_header or htmx:
            headers["x-csrftoken"] = token
        else:
            body.append(("_csrf_token", token))
        if htmx:
            headers["HX-Request"] = "true"
        req_data: dict[str, list[str]] = {}
        for k, v in body:
            req_data.setdefault(k, []).append(v)
        before = state["mark"]
        try:
            r = await c.post(path, data=req_data, files=files or None, headers=headers)
        except Exception as e:  # the app raised through the transport: a 500 by another name
            failures.append(f"{t.role} POST {path}: {type(e).__name__}: {e}"[:500])
            return
        state["posts"] += 1
        state["status"][r.status_code] = state["status"].get(r.status_code, 0) + 1
        if r.status_code >= 500:
            failures.append(f"{t.role} POST {path} ({t.pattern}) -> {r.status_code}; fields {[k for k, _ in body][:12]}"[:500])
        mark = await changes.mark()
        state["mark"] = mark
        if mark == before:
            return  # nothing committed while it ran
        state["committed"] += 1
        refused = r.status_code >= 400 or (r.status_code == 200 and not htmx and bool(ERROR_MARK.search(r.text)))
        now_counts = await changes.counts()
        if refused and r.status_code < 500:
            state["checked"] += 1
            diff = {k: (state["counts"].get(k), v) for k, v in now_counts.items() if state["counts"].get(k) != v}
            if diff:
                failures.append(f"{t.role} POST {path} refused ({r.status_code}) but changed rows: {diff}"[:500])
        state["counts"] = now_counts

    @settings(max_examples=POSTS, derandomize=True, deadline=None, database=None, phases=(Phase.explicit, Phase.generate),
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one(data) -> None:
        t = data.draw(st.sampled_from(by_pattern[data.draw(st.sampled_from(patterns))]))
        path = _mutate_path(t.action, t.pattern, data.draw)
        fields: list[tuple[str, str]] = []
        files: list = []
        for f in t.fields:
            mode = data.draw(st.sampled_from(["value"] * 6 + ["missing", "twice"]))
            if mode == "missing":
                continue
            for _ in range(2 if mode == "twice" else 1):
                if f.type == "file":
                    if data.draw(st.booleans()):
                        files.append((f.name, data.draw(FILES)))
                    else:
                        fields.append((f.name, data.draw(value_strategy(f))))  # text where a file belongs
                else:
                    fields.append((f.name, data.draw(value_strategy(f))))
        if data.draw(st.integers(0, 9)) == 0:
            fields.append((data.draw(st.sampled_from(COMMON_FIELDS)), data.draw(value_strategy(Field("x")))))
        key = data.draw(st.one_of(st.just(None), st.just("fresh"), st.sampled_from(NASTY[:8])))
        if key is not None:
            fields.append(("_idem", f"fz{rnd.getrandbits(96):024x}" if key == "fresh" else key))
        htmx = data.draw(st.integers(0, 4)) == 0
        via_header = data.draw(st.integers(0, 4)) == 0
        asyncio.run_coroutine_threadsafe(post_one(t, path, fields, files, htmx, via_header), loop).result(120)

    try:
        await asyncio.to_thread(one)
    finally:
        await changes.close()
    elapsed = time.monotonic() - started
    print(f"\nfuzz ({'postgresql' if DB_URL else 'sqlite'}): {ctx['forms']} forms on {len(with_page)} routes, {len(patterns) - len(with_page)} POST routes without a page, "
          f"from {ctx['pages']} pages in {discovered:.0f} s; {state['posts']} posts in {elapsed:.0f} s; statuses {sorted(state['status'].items())}; "
          f"{state['committed']} posts committed something, {state['checked']} of them refused and row-checked")
    assert not failures, "\n".join(sorted(set(failures))[:60])
    assert state["posts"] >= POSTS
    assert state["committed"] > 0, "the change detector saw the accepted posts' commits"
