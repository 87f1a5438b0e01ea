"""Computed figures kept in the database: the home pages' queue counts and headline figures, the KPI board's aggregates.

At 50,000 units a supervisor's home runs ~100 COUNTs (300 ms of SQL) and the KPI board's 12-month trend scans a year of
cases and calls (2 s). The figures change only when the data does, so each is computed once and kept in
`figure_cache` with the **data version** it was computed at:

- the data version is a counter that every INSERT, UPDATE and DELETE on a domain table moves, by a trigger installed
  at start-up (`ensure_triggers`) on every table but the few written by reading (sessions, the audit log, the cache
  itself …, `UNWATCHED`). So an approval, a receipt, a piccolo-admin edit, a worker's pass or a test's direct UPDATE
  all make the next page recompute — nothing in the application has to remember to invalidate.
  SQLite: a one-row table `data_version` that the triggers update inside the writing transaction (exact).
  PostgreSQL: a sequence moved by deferred constraint triggers, i.e. at the writer's commit; a reader that takes the
  version in the instant between a writer's nextval and its commit keeps an old figure for at most the age below.
- a kept value is served while the version is unchanged and it is younger than `max_seconds` (the setting
  “统计缓存 › 统计结果最长保留秒数”, 60 by default); figures that also depend on the clock (a complaint whose due moment
  passes, the date) carry the date in their key, and the age bounds the rest. 0 turns the cache off.

Requests that need the same missing or stale figure at the same moment share one computation: the first computes,
the others wait for its value (`_compute_once`; per process, only while it runs).

No process keeps anything in memory: the version and the setting are read once per request — with the session's
statement (app/core/auth.py; `state_columns`), or in a statement of their own where there is no session — and the
values live in the database, shared by every process on every host. (app/core/memo.py `kept` serves reference data
read by a process only while this version is unchanged.) Values are JSON with Decimal, date and datetime
kept (`encode` / `decode`).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Awaitable, Callable

log = logging.getLogger("portal.figcache")

DEFAULT_SETTINGS = {"max_seconds": ("统计结果最长保留秒数（0 表示不缓存）", 60), "keep_days": ("统计缓存保留天数", 2)}

# Tables written while reading or by every request: a write there does not change a figure.
UNWATCHED = frozenset({
    "figure_cache", "figure_cache_setting", "data_version", "sessions", "audit_log", "login_attempt", "idempotency_key",
    "notification", "list_preference", "migration", "piccolo_user", "counter",
})
TRIGGER_PREFIX = "portal_dv_"

_REQUEST: ContextVar[dict | None] = ContextVar("portal_figcache", default=None)


def begin_request() -> None:
    """A fresh per-request memo of the data version (the session middleware calls it)."""
    _REQUEST.set({})


# ------------------------------------------------------------------ values
def _default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return {"__dec": str(o)}
    if isinstance(o, datetime):
        return {"__dt": o.isoformat()}
    if isinstance(o, date):
        return {"__d": o.isoformat()}
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"{type(o).__name__} is not kept in the figure cache")


def _hook(d: dict) -> Any:
    if len(d) == 1:
        if "__dec" in d:
            return Decimal(d["__dec"])
        if "__dt" in d:
            return datetime.fromisoformat(d["__dt"])
        if "__d" in d:
            return date.fromisoformat(d["__d"])
    return d


def encode(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_hook)


def make_key(name: str, parts: Any) -> str:
    digest = hashlib.sha1(encode(parts).encode()).hexdigest()[:24]
    return f"{name[:50]}:{digest}"


def scope_part(user) -> Any:
    """The project scope a figure was counted over, as a key part."""
    return "all" if getattr(user, "all_projects", False) else sorted(int(p) for p in (getattr(user, "project_ids", None) or ()))


# ------------------------------------------------------------------ the data version
def _is_postgres(engine) -> bool:
    from piccolo.engine.postgres import PostgresEngine

    return isinstance(engine, PostgresEngine)


def version_sql(engine) -> str:
    """The data version as a scalar subquery. PostgreSQL: a new sequence's last_value is already 1 before its first
    nextval (is_called false), so it counts from 0 until then."""
    if _is_postgres(engine):
        return "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM data_version_seq"
    return "SELECT n FROM data_version WHERE id = 1"


def state_columns(engine) -> str:
    """The request's (version, max_seconds) as two columns "dv" and "dv_s" of a SELECT: the session's statement carries
    them (app/core/auth.py), so a signed-in request knows them without a statement of their own."""
    return f"({version_sql(engine)}) AS \"dv\", (SELECT value FROM figure_cache_setting WHERE key = 'max_seconds') AS \"dv_s\""


def state_sql(engine) -> str:
    return f"SELECT {state_columns(engine)}"


def _state_of(version: Any, max_seconds: Any) -> dict:
    return {"version": None if version is None else int(version),
            "max_seconds": DEFAULT_SETTINGS["max_seconds"][1] if max_seconds is None else int(max_seconds)}


def seed_state(version: Any, max_seconds: Any) -> None:
    """This request's (version, max_seconds) read by another statement (the session's): no statement of its own."""
    memo = _REQUEST.get()
    if memo is not None:
        memo.update(_state_of(version, max_seconds))


def request_state() -> dict | None:
    """This request's (version, max_seconds) if already read, else None (never a statement)."""
    memo = _REQUEST.get()
    return memo if memo is not None and "version" in memo else None


async def _state() -> dict:
    """(version, max_seconds) for this request: one statement, memoised per request."""
    from piccolo.engine import engine_finder

    from app.core.tables import FigureCacheSetting

    memo = _REQUEST.get()
    if memo is not None and "version" in memo:
        return memo
    try:
        rows = await FigureCacheSetting.raw(state_sql(engine_finder()))
        row = rows[0] if rows else {}
        state = _state_of(row.get("dv"), row.get("dv_s"))
    except Exception:  # the version is not installed yet (a database before start-up): compute everything
        log.warning("figure cache: no data version", exc_info=True)
        state = {"version": None, "max_seconds": 0}
    if memo is not None:
        memo.update(state)
    return state


def _in_transaction() -> bool:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    current = getattr(engine, "current_transaction", None)
    return bool(current is not None and current.get() is not None)


async def cached(name: str, parts: Any, compute: Callable[[], Awaitable[Any]]) -> Any:
    """The figure `name` for `parts` (everything it depends on besides the data: date, scope, settings …): the kept
    value while the data version is unchanged and it is young enough, else computed now and kept."""
    return (await cached_many([(name, parts, compute)]))[0]


async def kept_count(count_query: Any) -> int:
    """A list's COUNT(*) kept like a figure, keyed by its SQL (filters and project scope included): a deep ledger page
    at 50,000 contracts no longer counts ~10,000 rows per view while nothing changed. Every total is kept, small ones
    too, so a page runs the same statements whatever the size of its list (the lookup; the COUNT and the keeping only
    when the data changed)."""
    async def compute() -> int:
        return int(await count_query)

    return int(await cached("list.count", [str(count_query)], compute))


class _Flight:
    """A figure this process is computing right now: the requests that need it meanwhile wait for its value."""

    __slots__ = ("future", "waiters")

    def __init__(self) -> None:
        self.future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.waiters = 0


# (key, data version) → the computation in flight, and then its value until the request that computed it has kept it
# (SQLite's reads do not yield to the event loop: a request that read the cache before the keeping was done would
# otherwise compute again). An entry lives only that long: nothing is kept between requests.
_IN_FLIGHT: dict[tuple[str, int], _Flight] = {}


async def _compute_once(key: str, version: int, compute: Callable[[], Awaitable[Any]]) -> tuple[Any, bool, tuple | None]:
    """(value, computed by this request (so it keeps it), (flight key, flight) to end once it is kept — the computing
    request's only). When the kept figure
    is missing or stale, every request that reads it at that moment would compute it: at 50,000 units the KPI board's
    ~1.2 s of scans, 8 times over with 8 viewers (and on SQLite one after the other on the event loop). The first
    computes; the others at the same data version wait for its value. If its computation fails or is cancelled, each
    waiting request computes for itself."""
    flight_key = (key, version)
    flight = _IN_FLIGHT.get(flight_key)
    if flight is not None:
        flight.waiters += 1
        try:
            return decode(await asyncio.shield(flight.future)), False, None  # a copy of its own, as a kept row gives
        except asyncio.CancelledError:
            if not flight.future.cancelled():
                raise  # this request was cancelled, not the computation
        except Exception:  # the computing request's error is its own: compute here
            pass
        return await compute(), True, None  # (not shared: the one that failed may still be ending)
    flight = _IN_FLIGHT[flight_key] = _Flight()
    try:
        value = await compute()
    except BaseException as e:
        _end_flight(flight_key, flight)
        if isinstance(e, asyncio.CancelledError):
            flight.future.cancel()
        else:
            flight.future.set_exception(e)
            flight.future.exception()  # retrieved: the waiters (if any) compute for themselves
        raise
    try:
        flight.future.set_result(encode(value))
    except Exception as e:  # not keepable: the waiters compute for themselves (never left waiting)
        flight.future.set_exception(e)
        flight.future.exception()
    return value, True, (flight_key, flight)


def _end_flight(flight_key: tuple, flight: _Flight) -> None:
    if _IN_FLIGHT.get(flight_key) is flight:  # never another request's later flight of the same figure
        del _IN_FLIGHT[flight_key]


async def cached_many(items: list[tuple[str, Any, Callable[[], Awaitable[Any]]]]) -> list[Any]:
    """Several figures at once (a board of many; `cached` is the one-figure case): the kept values in ONE statement, then
    only the missing or stale ones computed, kept in ONE statement. Returns the values in the order of `items`."""
    from app.core.tables import FigureCache
    from app.core.timeutil import now

    if not items:
        return []
    state = await _state()
    version, max_seconds = state["version"], state["max_seconds"]
    if version is None or max_seconds <= 0:
        return [await compute() for _name, _parts, compute in items]
    keys = [make_key(name, parts) for name, parts, _ in items]
    rows = await FigureCache.select(FigureCache.key, FigureCache.value, FigureCache.version, FigureCache.computed_at).where(
        FigureCache.key.is_in(sorted(set(keys))))
    moment = now()
    kept = {r["key"]: r for r in rows if int(r["version"]) == int(version) and moment - r["computed_at"] < timedelta(seconds=max_seconds)}
    out: list[Any] = []
    fresh: dict[str, Any] = {}
    mine: set[str] = set()  # computed by this request: kept here (another request's value is kept by that one)
    flights: list[tuple] = []  # … and the flights that end once they are kept
    in_transaction = _in_transaction()
    try:
        for key, (_name, _parts, compute) in zip(keys, items):
            if key in fresh:
                out.append(fresh[key])
                continue
            row = kept.get(key)
            if row is not None:
                try:
                    out.append(decode(row["value"]))
                    continue
                except ValueError:
                    pass
            if in_transaction:  # it may see this request's own uncommitted writes: never shared, never kept
                fresh[key] = value = await compute()
            else:
                value, here, flight = await _compute_once(key, int(version), compute)
                fresh[key] = value
                if here:
                    mine.add(key)
                if flight:
                    flights.append(flight)
            out.append(value)
        if not in_transaction:  # a write inside a request's transaction would join it (and could abort it on PostgreSQL)
            await _keep({k: v for k, v in fresh.items() if k in mine}, int(version), moment)
    finally:
        for flight_key, flight in flights:
            _end_flight(flight_key, flight)
    return out


async def _keep(fresh: dict[str, Any], version: int, moment: datetime) -> None:
    """The figures computed by this request, kept in ONE statement."""
    from app.core.tables import FigureCache

    if not fresh:
        return
    from piccolo.querystring import QueryString

    values = QueryString(", ".join("({}, {}, {}, {})" for _ in fresh),
                         *[x for k, v in fresh.items() for x in (k, encode(v), int(version), moment)])
    try:
        await FigureCache.raw(
            "INSERT INTO figure_cache (key, value, version, computed_at) VALUES {} "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, computed_at = excluded.computed_at",
            values)
    except Exception:  # keeping figures is best effort (a busy SQLite writer): the page has its values
        log.warning("figure cache: keeping %d figures failed", len(fresh), exc_info=True)


# ------------------------------------------------------------------ triggers (start-up)
async def _tables(engine) -> list[str]:
    from app.core.tables import FigureCache

    if _is_postgres(engine):
        rows = await FigureCache.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")
    else:
        rows = await FigureCache.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(r["name"] for r in rows if r["name"] not in UNWATCHED)


async def ensure_triggers() -> int:
    """Install the data-version counter and a trigger on every watched table that has none yet; returns how many
    triggers were created (0 once installed: one catalogue query)."""
    from piccolo.engine import engine_finder

    from app.core.tables import FigureCache

    engine = engine_finder()
    if _is_postgres(engine):
        have = {r["tgname"] for r in await FigureCache.raw(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE {}", TRIGGER_PREFIX + "%")}
        missing = [t for t in await _tables(engine) if f"{TRIGGER_PREFIX}{t}"[:63] not in have]
        if not missing:
            return 0
        async with engine.transaction():
            # several processes start at once on several hosts: one installs, the others find it done
            await FigureCache.raw("SELECT pg_advisory_xact_lock(hashtextextended('portal.figcache.triggers', 0))")
            await FigureCache.raw("CREATE SEQUENCE IF NOT EXISTS data_version_seq")
            await FigureCache.raw(
                "CREATE OR REPLACE FUNCTION portal_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM nextval('data_version_seq'); RETURN NULL; END $$")
            have = {r["tgname"] for r in await FigureCache.raw(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE {}", TRIGGER_PREFIX + "%")}
            made = 0
            for t in missing:
                name = f"{TRIGGER_PREFIX}{t}"[:63]
                if name in have:
                    continue
                await FigureCache.raw(
                    f'CREATE CONSTRAINT TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE ON "{t}" '
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portal_bump_data_version()")
                made += 1
        return made
    have = {r["name"] for r in await FigureCache.raw(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE {}", TRIGGER_PREFIX + "%")}
    tables = await _tables(engine)
    wanted = [(t, op) for t in tables for op in ("insert", "update", "delete") if f"{TRIGGER_PREFIX}{t}_{op}" not in have]
    if not wanted and tables:
        return 0
    async with engine.transaction():
        await FigureCache.raw("CREATE TABLE IF NOT EXISTS data_version (id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)")
        await FigureCache.raw("INSERT OR IGNORE INTO data_version (id, n) VALUES (1, 0)")
        for t, op in wanted:
            await FigureCache.raw(
                f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER_PREFIX}{t}_{op}" AFTER {op.upper()} ON "{t}" '
                "BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END")
    return len(wanted)


# ------------------------------------------------------------------ settings and expiry (worker pass)
async def settings() -> dict[str, int]:
    from app.core import keyvalues
    from app.core.tables import FigureCacheSetting

    return await keyvalues.read(FigureCacheSetting, DEFAULT_SETTINGS, minimum=0)  # 0 is a value here (off)


async def seed_defaults() -> int:
    from app.core import keyvalues
    from app.core.tables import FigureCacheSetting

    return await keyvalues.seed(FigureCacheSetting, DEFAULT_SETTINGS)


async def purge_old() -> int:
    """Figures computed more than keep_days ago (their date has passed, or nobody looked again)."""
    from app.core.tables import FigureCache
    from app.core.timeutil import now

    days = max(1, (await settings())["keep_days"])
    rows = await FigureCache.delete().where(FigureCache.computed_at < now() - timedelta(days=days)).returning(FigureCache.id)
    return len(rows)


async def _main() -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    if _is_postgres(engine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        await seed_defaults()
        made = await ensure_triggers()
        n = await purge_old()
        print(f"figure cache: {n} old figures removed, {made} triggers installed")
    finally:
        if _is_postgres(engine):
            await engine.close_connection_pool()


if __name__ == "__main__":
    asyncio.run(_main())
