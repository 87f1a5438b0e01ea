"""The benchmark's arithmetic, without servers: parse wrk's output, take the median of the rounds, check the targets of
issue 11 and write the Markdown table. bench/run.py measures; this module only computes (tests/unit/test_bench_report.py).

A run is a dict {"engine", "scale", "pages": [page, …], "workers": {"1": {key: figures}, "2": {key: figures}}} where a
page is {"key", "label", "path", "role", "kind", "rps", "p50_ms", "p95_ms", "p99_ms", "errors", "statements", …}:
kind "healthz" | "floor" | "admin" | "key" (a key page of the targets) | "na" (not built yet: no figures); a key page
with "write": True is not a read page.
"""
from __future__ import annotations

import json
import re
import statistics
from typing import Any, Iterable

BENCH_LINE = re.compile(r"^BENCH_JSON (\{.*\})\s*$", re.M)

# the targets of issue 11 §3
KEY_VS_FLOOR = 0.5  # every key page ≥ 50 % of the floor's req/s, at large, on both engines
P95_GROWTH = 1.3  # p95 at large ≤ 1.3 × p95 at demo, per key page
LEDGER_VS_ADMIN = 2.0  # the ledger ≥ 2 × piccolo-admin's list API on the same table and page size
SQLITE_FLOOR_VS_HEALTHZ = 0.5  # SQLite: the floor ≥ 50 % of /healthz
WORKERS_EFFICIENCY = 0.8  # N workers ≥ 0.8 × N × one worker on a CPU-bound page
WORKERS_N = 2
# The workers target is judged on a page whose time is the portal's own Python: the supervisor's home (~2.5 ms of
# work per request; wrk's share of the 2 cores is small beside it), so N workers on N cores should serve ~N times as
# much. /healthz and the floor are measured with 1 and N workers too but only shown: they do so little per request
# (0.2 and 0.45 ms) that wrk, on the same 2 cores, is what limits them (see bench/README.md).
WORKERS_SHOWN = ("healthz", "floor")
WORKERS_CPU_BOUND = ("home:supervisor",)


class WrkOutputError(ValueError):
    pass


def parse_wrk(stdout: str) -> dict[str, Any]:
    """One wrk run's figures from the BENCH_JSON line that bench/report.lua writes: req/s over the measured duration,
    latency percentiles in ms, and the errors (status > 399 plus socket errors)."""
    m = BENCH_LINE.search(stdout or "")
    if not m:
        raise WrkOutputError("wrk printed no BENCH_JSON line (was it run with -s bench/report.lua?)")
    raw = json.loads(m.group(1))
    duration_s = raw["duration_us"] / 1e6
    if duration_s <= 0:
        raise WrkOutputError("wrk reported a zero duration")
    errors = raw["errors"]
    done = raw["requests"] > 0  # no response within the run: no latency (wrk prints 0), and 0 req/s
    return {
        "requests": raw["requests"],
        "duration_s": round(duration_s, 3),
        "rps": raw["requests"] / duration_s,
        "p50_ms": raw["p50_us"] / 1000 if done else None,
        "p95_ms": raw["p95_us"] / 1000 if done else None,
        "p99_ms": raw["p99_us"] / 1000 if done else None,
        "max_ms": raw["max_us"] / 1000 if done else None,
        "bytes": raw["bytes"],
        "status_errors": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "errors": errors["status"] + errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
    }


def median_of_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of several rounds: the median of each rate and latency, the sum of requests and errors (an error in
    any round is an error)."""
    if not rounds:
        raise ValueError("no rounds")
    out: dict[str, Any] = {}
    for k in ("rps", "p50_ms", "p95_ms", "p99_ms"):
        vals = [r[k] for r in rounds if r[k] is not None]
        out[k] = statistics.median(vals) if vals else None
    maxes = [r["max_ms"] for r in rounds if r["max_ms"] is not None]
    out["max_ms"] = max(maxes) if maxes else None
    for k in ("requests", "errors", "status_errors", "socket_errors"):
        out[k] = sum(r[k] for r in rounds)
    out["rounds"] = len(rounds)
    out["round_rps"] = [round(r["rps"], 1) for r in rounds]
    return out


# ------------------------------------------------------------------ targets


def _pages(run: dict, kind: str | None = None) -> list[dict]:
    return [p for p in run["pages"] if p.get("rps") is not None and (kind is None or p["kind"] == kind)]


def _page(run: dict, key: str) -> dict | None:
    for p in run["pages"]:
        if p["key"] == key and p.get("rps") is not None:
            return p
    return None


def _find(runs: Iterable[dict], engine: str, scale: str) -> dict | None:
    for r in runs:
        if r["engine"] == engine and r["scale"] == scale:
            return r
    return None


def _engines(runs: list[dict]) -> list[str]:
    return sorted({r["engine"] for r in runs}, key=lambda e: (e != "sqlite", e))


def _scales(runs: list[dict]) -> list[str]:
    return sorted({r["scale"] for r in runs}, key=lambda s: (s != "demo", s))


def _target(name: str, ok: bool | None, detail: str) -> dict:
    return {"name": name, "ok": ok, "detail": detail}


def _all_ok(flags: list[bool]) -> bool | None:
    return None if not flags else all(flags)


def verdict(flags: list[bool], missing: bool = False) -> bool | None:
    """✗ as soon as one figure misses; ✓ only when every figure the target needs was measured and met; else — ."""
    if flags and not all(flags):
        return False
    if missing or not flags:
        return None
    return True


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


ROUND_LISTS = {"rps": "round_rps", "p95_ms": "round_p95"}


def paired(a: dict, b: dict, field: str) -> float | None:
    """a's `field` over b's. When both were measured in interleaved rounds (bench/run.py `interleave`: round i of a
    and round i of b taken one after the other), the median of the per-round ratios, so that the machine's drift
    between rounds cancels; otherwise the ratio of the medians."""
    xs, ys = a.get(ROUND_LISTS[field]), b.get(ROUND_LISTS[field])
    if xs and ys and len(xs) == len(ys) and all(x is not None for x in xs) and all(y for y in ys):
        return statistics.median(x / y for x, y in zip(xs, ys))
    return ratio(a.get(field), b.get(field))


def check_targets(runs: list[dict]) -> list[dict]:
    """Every target of issue 11 §3 with ✓ (True), ✗ (False) or — (None: not measured in these runs) and its figures."""
    out = []

    # 1. every key page ≥ 50 % of the floor's req/s at large, on both engines
    flags, parts, missing = [], [], False
    for eng in _engines(runs):
        run = _find(runs, eng, "large")
        floor = _page(run, "floor") if run else None
        if not run or not floor or not floor["rps"]:
            parts.append(f"{eng}: large not measured")
            missing = True
            continue
        worst, bad = None, []
        for p in _pages(run, "key"):
            r = paired(p, floor, "rps")
            flags.append(r >= KEY_VS_FLOOR)
            if r < KEY_VS_FLOOR:
                bad.append(f"{p['key']} {r:.0%}")
            worst = r if worst is None else min(worst, r)
        parts.append(f"{eng}: lowest {worst:.0%} of the floor's {floor['rps']:.0f} req/s" + (f"; below 50 %: {', '.join(bad)}" if bad else "")
                     if worst is not None else f"{eng}: no key page")
    out.append(_target("every key page ≥ 50 % of the floor's req/s at large, both engines", verdict(flags, missing), "; ".join(parts)))

    # 2. p95 large ≤ 1.3 × p95 demo per key page
    flags, parts, missing, unmeasured = [], [], False, []
    for eng in _engines(runs):
        demo, large = _find(runs, eng, "demo"), _find(runs, eng, "large")
        if not demo or not large:
            parts.append(f"{eng}: needs demo and large")
            missing = True
            continue
        bad, worst = [], None
        for p in _pages(large, "key"):
            d = _page(demo, p["key"])
            if not d:
                continue
            if not d["p95_ms"] or p["p95_ms"] is None:  # no response completed in a run: no p95 to compare
                unmeasured.append(f"{eng} {p['key']}")
                continue
            g = paired(p, d, "p95_ms")
            flags.append(g <= P95_GROWTH)
            worst = g if worst is None else max(worst, g)
            if g > P95_GROWTH:
                bad.append(f"{p['key']} ×{g:.1f} ({d['p95_ms']:.0f}→{p['p95_ms']:.0f} ms)")
        parts.append(f"{eng}: worst ×{worst:.2f}" + (f"; above ×1.3: {', '.join(bad)}" if bad else "") if worst is not None else f"{eng}: no pair")
    if unmeasured:
        parts.append(f"no response within the run: {', '.join(unmeasured)}")
    out.append(_target("p95 at large ≤ 1.3 × p95 at demo, every key page", verdict(flags, missing or bool(unmeasured)), "; ".join(parts)))

    # 3. ledger ≥ 2 × admin list API
    flags, parts = [], []
    for run in runs:
        led, adm = _page(run, "ledger"), _page(run, "admin_api")
        if not led or not adm or not adm["rps"]:
            continue
        r = paired(led, adm, "rps")
        flags.append(r >= LEDGER_VS_ADMIN)
        parts.append(f"{run['engine']}/{run['scale']}: ×{r:.2f} ({led['rps']:.0f} vs {adm['rps']:.0f} req/s)")
    out.append(_target("contract ledger ≥ 2 × piccolo-admin list API (same table, page size)", _all_ok(flags), "; ".join(parts) or "not measured"))

    # 4. SQLite floor ≥ 50 % of /healthz
    flags, parts = [], []
    for run in runs:
        if run["engine"] != "sqlite":
            continue
        fl, hz = _page(run, "floor"), _page(run, "healthz")
        if fl and hz and hz["rps"]:
            r = paired(fl, hz, "rps")
            flags.append(r >= SQLITE_FLOOR_VS_HEALTHZ)
            parts.append(f"{run['scale']}: {r:.0%} ({fl['rps']:.0f} vs {hz['rps']:.0f} req/s)")
    out.append(_target("SQLite: floor ≥ 50 % of /healthz", _all_ok(flags), "; ".join(parts) or "not measured"))

    # 5. SQLite ≥ PostgreSQL on read pages
    flags, parts = [], []
    for scale in _scales(runs):
        s, pg = _find(runs, "sqlite", scale), _find(runs, "postgres", scale)
        if not s or not pg:
            continue
        bad, worst = [], None
        for p in _pages(s, "key") + [x for x in (_page(s, "floor"),) if x]:
            if p.get("write"):
                continue
            q = _page(pg, p["key"])
            if not q or not q["rps"]:
                continue
            r = paired(p, q, "rps")
            flags.append(r >= 1.0)
            worst = r if worst is None else min(worst, r)
            if r < 1.0:
                bad.append(f"{p['key']} ×{r:.2f}")
        if worst is not None:
            parts.append(f"{scale}: lowest SQLite/PostgreSQL ×{worst:.2f}" + (f"; below: {', '.join(bad)}" if bad else ""))
    out.append(_target("SQLite ≥ PostgreSQL on read pages", _all_ok(flags), "; ".join(parts) or "needs both engines"))

    # 6. N workers ≥ 0.8 × N × one worker on CPU-bound pages
    flags, parts = [], []
    for run in runs:
        w = run.get("workers") or {}
        one, many = w.get("1") or {}, w.get(str(WORKERS_N)) or {}
        for key in sorted(set(one) & set(many) & set(WORKERS_CPU_BOUND)):
            if not one[key].get("rps") or many[key].get("rps") is None:
                continue
            eff = paired(many[key], one[key], "rps") / WORKERS_N
            flags.append(eff >= WORKERS_EFFICIENCY)
            parts.append(f"{run['engine']}/{run['scale']} {key}: {many[key]['rps']:.0f} vs {one[key]['rps']:.0f} req/s = {eff:.2f} of ×{WORKERS_N}"
                         + (f" (cores busy with 1 worker: {cores_text(one[key]['cores'])} of {run.get('cpus') or '?'})" if one[key].get("cores") else ""))
    out.append(_target(f"{WORKERS_N} workers ≥ 0.8 × {WORKERS_N} × one worker (CPU-bound page: the supervisor's home)", _all_ok(flags), "; ".join(parts) or "not measured"))

    # 7. no errors
    bad, seen = [], False
    for run in runs:
        for p in run["pages"] + [dict(v, key=f"{k} ({n} workers)") for n, d in (run.get("workers") or {}).items() for k, v in d.items()]:
            if p.get("rps") is None and p.get("kind") == "na":
                continue
            seen = True
            if p.get("errors") or p.get("probe_error"):
                bad.append(f"{run['engine']}/{run['scale']} {p['key']}: " + (p.get("probe_error") or f"{p['errors']} errors"))
    out.append(_target("no errors", (not bad) if seen else None, "; ".join(bad) or ("none" if seen else "not measured")))

    # 8. statements at large = at demo (bounded)
    flags, parts = [], []
    for eng in _engines(runs):
        demo, large = _find(runs, eng, "demo"), _find(runs, eng, "large")
        if not demo or not large:
            continue
        dm = {p["key"]: p.get("statements") for p in demo["pages"]}
        grew = []
        for p in large["pages"]:
            a, b = dm.get(p["key"]), p.get("statements")
            if a is None or b is None:
                continue
            flags.append(b <= a)
            if b > a:
                grew.append(f"{p['key']} {a}→{b}")
        parts.append(f"{eng}: " + (f"grew: {', '.join(grew)}" if grew else ("same on every page" if flags else "no X-SQL-Count header")))
    out.append(_target("SQL statements per page at large = at demo", _all_ok(flags), "; ".join(parts) or "needs demo and large"))
    return out


# ------------------------------------------------------------------ Markdown


def _num(v: float | None, fmt: str = "{:.0f}") -> str:
    return "—" if v is None else fmt.format(v)


def _ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def cores_text(c: dict | None) -> str:
    """'app 0.98 + db 0.41 + wrk 0.35 = 1.74' (db only where there is a database server)."""
    if not c:
        return "—"
    parts = [("app", c.get("app") or 0.0)] + ([("db", c["db"])] if c.get("db") else []) + [("wrk", c.get("wrk") or 0.0)]
    return " + ".join(f"{n} {v:.2f}" for n, v in parts) + f" = {sum(v for _, v in parts):.2f}"


def mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: "—"}[ok]


def markdown(runs: list[dict], targets: list[dict], meta: dict | None = None, failed: list[dict] | None = None) -> str:
    meta = meta or {}
    lines = ["# Benchmark results", ""]
    if meta:
        lines.append("  ".join(f"**{k}** {v}" for k, v in meta.items()))
        lines.append("")
    for f in failed or []:
        lines += [f"## {f['engine']} · {f['scale']} — FAILED", "", f"    {f['error']}", ""]
    for run in runs:
        lines += [f"## {run['engine']} · {run['scale']}" + (f" — {run['note']}" if run.get("note") else ""), "",
                  "| page | as | req/s | p50 ms | p95 ms | p99 ms | errors | SQL |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for p in run["pages"]:
            if p.get("rps") is None:
                lines.append(f"| {p['label']} | {p.get('role') or ''} | n/a | | | | {p.get('probe_error') or p.get('note') or ''} | |")
                continue
            err = str(p.get("errors", 0)) + (f" ({p['probe_error']})" if p.get("probe_error") else "")
            lines.append(f"| {p['label']} | {p.get('role') or ''} | {_num(p['rps'])} | {_ms(p['p50_ms'])} | {_ms(p['p95_ms'])} | "
                         f"{_ms(p['p99_ms'])} | {err} | {_num(p.get('statements'), '{}')} |")
        w = run.get("workers") or {}
        if w.get("1") and w.get(str(WORKERS_N)):
            lines += ["", f"| workers | page | req/s (1) | req/s ({WORKERS_N}) | ratio | p95 ms (1) | p95 ms ({WORKERS_N}) | cores busy (1) | cores busy ({WORKERS_N}) |",
                      "|---|---|---:|---:|---:|---:|---:|---|---|"]
            for key in sorted(set(w["1"]) & set(w[str(WORKERS_N)])):
                a, b = w["1"][key], w[str(WORKERS_N)][key]
                lines.append(f"| 1 vs {WORKERS_N} | {key} | {_num(a.get('rps'))} | {_num(b.get('rps'))} | {_num(ratio(b.get('rps'), a.get('rps')), '×{:.2f}')} | "
                             f"{_ms(a.get('p95_ms'))} | {_ms(b.get('p95_ms'))} | {cores_text(a.get('cores'))} | {cores_text(b.get('cores'))} |")
            lines += ["", "cores busy: CPU seconds per wall second of the portal's processes + PostgreSQL's + wrk's during the "
                      f"measurement (the machine has {run.get('cpus') or '?'})."]
        lines.append("")
    lines += ["## Targets (issue 11 §3)", "", "| | target | measured |", "|---|---|---|"]
    for t in targets:
        lines.append(f"| {mark(t['ok'])} | {t['name']} | {t['detail']} |")
    lines.append("")
    return "\n".join(lines)
