"""The benchmark's arithmetic (bench/report.py), without servers: wrk's output, the median of the rounds, each target
of issue 11 §3 (✓, ✗, or — when not measured) and the Markdown table. Also the Lua scripts' output contract."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import report

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parents[2] / "bench"


def wrk_stdout(requests=1000, duration_us=10_000_000, p50=5_000, p95=12_000, p99=20_000, status=0, timeout=0, read=0) -> str:
    line = {"requests": requests, "duration_us": duration_us, "bytes": 123456, "p50_us": p50, "p95_us": p95, "p99_us": p99,
            "max_us": p99 + 1000, "errors": {"connect": 0, "read": read, "write": 0, "status": status, "timeout": timeout}}
    return ("Running 10s test @ http://127.0.0.1:8000/\n  2 threads and 8 connections\n"
            f"  1000 requests in 10.00s, 120.56KB read\nRequests/sec:    100.00\nBENCH_JSON {json.dumps(line)}\n")


def test_parse_wrk_figures():
    r = report.parse_wrk(wrk_stdout(requests=2500, duration_us=10_000_000, p50=4_200, p95=9_900, p99=15_500))
    assert r["rps"] == pytest.approx(250.0)
    assert (r["p50_ms"], r["p95_ms"], r["p99_ms"]) == (4.2, 9.9, 15.5)
    assert r["errors"] == 0 and r["requests"] == 2500


def test_parse_wrk_counts_status_and_socket_errors():
    r = report.parse_wrk(wrk_stdout(status=7, timeout=2, read=1))
    assert r["status_errors"] == 7 and r["socket_errors"] == 3 and r["errors"] == 10


def test_parse_wrk_without_a_completed_request_has_no_latency():
    r = report.parse_wrk(wrk_stdout(requests=0, p50=0, p95=0, p99=0))
    assert r["rps"] == 0 and r["p95_ms"] is None


def test_parse_wrk_refuses_output_without_the_json_line():
    with pytest.raises(report.WrkOutputError):
        report.parse_wrk("Running 10s test @ http://x/\nRequests/sec: 12.0\n")


def test_median_of_rounds_takes_each_median_and_sums_errors():
    rounds = [report.parse_wrk(wrk_stdout(requests=n, p95=p95, status=e)) for n, p95, e in ((1000, 30_000, 0), (3000, 10_000, 1), (2000, 20_000, 0))]
    m = report.median_of_rounds(rounds)
    assert m["rps"] == pytest.approx(200.0) and m["p95_ms"] == 20.0
    assert m["errors"] == 1 and m["requests"] == 6000 and m["rounds"] == 3


def test_median_of_an_even_number_of_rounds_is_the_mean_of_the_middle_two():
    m = report.median_of_rounds([report.parse_wrk(wrk_stdout(requests=n)) for n in (1000, 2000)])
    assert m["rps"] == pytest.approx(150.0)


# ------------------------------------------------------------------ targets


def page(key, rps, p95=10.0, kind="key", statements=None, errors=0, **kw):
    return {"key": key, "label": key, "role": None, "kind": kind, "rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.5,
            "errors": errors, "statements": statements, **kw}


def run(engine, scale, pages, workers=None):
    return {"engine": engine, "scale": scale, "pages": pages, "workers": workers or {}}


def by_name(targets, start):
    [t] = [t for t in targets if t["name"].startswith(start)]
    return t


def healthy(engine, scale, *, floor=500.0, home=300.0, p95=10.0, stmts=5):
    return run(engine, scale, [
        page("healthz", 900.0, kind="healthz"), page("floor", floor, kind="floor", statements=3),
        page("admin_api", 100.0, kind="admin"), page("home:supervisor", home, p95=p95, statements=stmts),
        page("ledger", 250.0, p95=p95, statements=stmts), page("approve", 260.0, p95=p95, statements=stmts, write=True),
        {"key": "shift_log", "label": "shift-log POST", "kind": "na", "rps": None},
    ], workers={"1": {"healthz": {"rps": 900.0}, "floor": {"rps": floor}, "home:supervisor": {"rps": home}},
                "2": {"healthz": {"rps": 900.0}, "floor": {"rps": floor}, "home:supervisor": {"rps": home * 1.7}}})


def four_runs(**over):
    return [healthy("sqlite", "demo"), healthy("sqlite", "large", **over), healthy("postgres", "demo", floor=400.0, home=250.0),
            healthy("postgres", "large", floor=400.0, home=250.0)]


def test_every_target_met():
    targets = report.check_targets(four_runs())
    assert [t["ok"] for t in targets] == [True] * 8, targets


def test_a_key_page_below_half_the_floor_fails():
    t = by_name(report.check_targets(four_runs(home=200.0)), "every key page")
    assert t["ok"] is False and "home:supervisor 40%" in t["detail"]


def test_key_pages_without_large_scale_are_not_measured():
    t = by_name(report.check_targets([healthy("sqlite", "demo")]), "every key page")
    assert t["ok"] is None and "large not measured" in t["detail"]


def test_p95_growth_above_1_3_fails_and_names_the_page():
    t = by_name(report.check_targets(four_runs(p95=14.0)), "p95 at large")
    assert t["ok"] is False and "home:supervisor ×1.4" in t["detail"]


def test_p95_growth_of_exactly_1_3_passes():
    assert by_name(report.check_targets(four_runs(p95=13.0)), "p95 at large")["ok"] is True


def test_ledger_against_the_admin_api():
    runs = [healthy("sqlite", "demo")]
    runs[0]["pages"][2]["rps"] = 130.0  # ledger 250 / admin 130 < 2
    t = by_name(report.check_targets(runs), "contract ledger")
    assert t["ok"] is False and "×1.92" in t["detail"]


def test_sqlite_floor_against_healthz():
    runs = [healthy("sqlite", "demo", floor=400.0)]  # 400 / 900 = 44 %
    t = by_name(report.check_targets(runs), "SQLite: floor")
    assert t["ok"] is False and "44%" in t["detail"]


def test_sqlite_against_postgres_skips_write_pages():
    runs = [healthy("sqlite", "demo"), healthy("postgres", "demo", floor=400.0, home=250.0)]
    runs[1]["pages"][5]["rps"] = 1000.0  # PostgreSQL's approval POST is faster: not a read page, not compared
    assert by_name(report.check_targets(runs), "SQLite ≥ PostgreSQL")["ok"] is True
    runs[1]["pages"][4]["rps"] = 300.0  # the ledger is faster on PostgreSQL
    t = by_name(report.check_targets(runs), "SQLite ≥ PostgreSQL")
    assert t["ok"] is False and "ledger ×0.83" in t["detail"]


def test_workers_efficiency():
    runs = [healthy("sqlite", "demo")]
    assert by_name(report.check_targets(runs), "2 workers")["ok"] is True  # home 510 / (2 × 300) = 0.85 ≥ 0.8
    # /healthz and the floor are only shown: at thousands of req/s wrk on the same cores limits them
    detail = by_name(report.check_targets(runs), "2 workers")["detail"]
    assert "healthz" not in detail and "floor" not in detail and "home:supervisor" in detail
    runs[0]["workers"]["2"]["home:supervisor"]["rps"] = 468.0  # 0.78
    t = by_name(report.check_targets(runs), "2 workers")
    assert t["ok"] is False and "0.78" in t["detail"]


def test_errors_anywhere_fail():
    runs = four_runs()
    runs[3]["pages"][3]["errors"] = 4
    t = by_name(report.check_targets(runs), "no errors")
    assert t["ok"] is False and "postgres/large home:supervisor: 4 errors" in t["detail"]
    runs = four_runs()
    runs[0]["pages"][1]["probe_error"] = "status 303"  # e.g. the session was refused: a redirect to /login is not a page
    assert by_name(report.check_targets(runs), "no errors")["ok"] is False


def test_statement_count_that_grows_with_the_data_fails():
    t = by_name(report.check_targets(four_runs(stmts=212)), "SQL statements")
    assert t["ok"] is False and "home:supervisor 5→212" in t["detail"]


def test_statement_count_without_the_header_is_not_measured():
    runs = four_runs()
    for r in runs:
        for p in r["pages"]:
            p["statements"] = None
    t = by_name(report.check_targets(runs), "SQL statements")
    assert t["ok"] is None and "no X-SQL-Count header" in t["detail"]


def test_markdown_table_shows_figures_marks_and_dashes():
    runs = [healthy("sqlite", "demo")]
    runs[0]["pages"][1]["statements"] = None
    md = report.markdown(runs, report.check_targets(runs), {"run": "20261202T120000Z"})
    assert "## sqlite · demo" in md
    assert "| floor |  | 500 | 5.0 | 10.0 | 15.0 | 0 | — |" in md  # no X-SQL-Count header: —
    assert "| home:supervisor |  | 300 | 5.0 | 10.0 | 15.0 | 0 | 5 |" in md
    assert "| shift-log POST |  | n/a |" in md
    assert "| 1 vs 2 | home:supervisor | 300 | 510 | ×1.70 |" in md
    assert "| ✓ | SQLite: floor ≥ 50 % of /healthz | demo: 56% (500 vs 900 req/s) |" in md
    assert "| — | SQLite ≥ PostgreSQL on read pages | needs both engines |" in md


def test_lua_scripts_report_what_the_parser_reads():
    lua = (BENCH / "report.lua").read_text()
    for field in ("requests", "duration_us", "p50_us", "p95_us", "p99_us", "errors", "status", "timeout"):
        assert f'"{field}"' in lua, field
    assert "BENCH_JSON" in lua and report.BENCH_LINE.pattern.startswith("^BENCH_JSON")
    rotate = (BENCH / "rotate.lua").read_text()
    assert 'dofile' in rotate and "x-csrftoken" in rotate and "HX-Request" in rotate


def test_every_writing_post_rotates_over_prepared_records_and_has_a_404_fallback():
    from bench import run

    writes = [p for p in run.pages({"per_page": 20, "ledger_project": 1, "ledger_deep_page": 2, "ledger_signed": 30, "unit": 1,
                                     "buyer": 1, "admin_user": "admin"}, ["contract"]) if p.get("write")]
    assert {p["key"] for p in writes} == set(run.WRITES) == {"approve", "shift_log"}
    for key, spec in run.WRITES.items():
        path, body = spec["fallback"].split(" ", 1)
        assert path.startswith("/") and "=" in body and spec["ok"] in (200, 303), key


def test_a_failed_run_is_shown_and_its_targets_are_not_measured():
    md = report.markdown([], report.check_targets([]), failed=[{"engine": "sqlite", "scale": "large", "error": "'python -m seeds.scale --size large' failed (1)"}])
    assert "## sqlite · large — FAILED" in md and "seeds.scale" in md
    assert all(t["ok"] is None for t in report.check_targets([]))


def test_p95_growth_with_a_page_that_completed_no_request_is_not_a_pass():
    runs = four_runs()
    runs[1]["pages"][3].update(p95_ms=None, rps=0.0)
    t = by_name(report.check_targets(runs), "p95 at large")
    assert t["ok"] is None and "no response within the run: sqlite home:supervisor" in t["detail"]


def test_cores_busy_are_shown_beside_the_workers_figures():
    runs = [healthy("postgres", "large")]
    runs[0]["cpus"] = 2
    runs[0]["workers"]["1"]["home:supervisor"]["cores"] = {"app": 1.0, "db": 0.45, "wrk": 0.3}
    runs[0]["workers"]["2"]["home:supervisor"]["cores"] = {"app": 1.2, "db": 0.5, "wrk": 0.3}
    md = report.markdown(runs, report.check_targets(runs), {"run": "20261202T120000Z"})
    assert "| app 1.00 + db 0.45 + wrk 0.30 = 1.75 | app 1.20 + db 0.50 + wrk 0.30 = 2.00 |" in md
    detail = by_name(report.check_targets(runs), "2 workers")["detail"]
    assert "cores busy with 1 worker: app 1.00 + db 0.45 + wrk 0.30 = 1.75 of 2" in detail
    assert report.cores_text({"app": 0.9, "db": 0.0, "wrk": 0.2}) == "app 0.90 + wrk 0.20 = 1.10"  # SQLite: no server
    assert report.cores_text(None) == "—"


def test_the_cpu_meter_counts_a_busy_process_group():
    """bench/run.py CpuMeter reads /proc: a child spinning in its own process group keeps up to one core busy (less
    when the suite's other stages share the machine's cores), the bench process's waited children none."""
    import os
    import subprocess
    import sys

    from bench.run import CpuMeter

    proc = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 3: pass"],
                            start_new_session=True)
    try:
        import time

        time.sleep(0.3)  # past the interpreter's start
        with CpuMeter(os.getpgid(proc.pid)) as cpu:
            time.sleep(1.0)
        assert 0.2 <= cpu.cores["app"] <= 1.1, cpu.cores
        assert cpu.cores["wrk"] < 0.2 and set(cpu.cores) == {"app", "db", "wrk"}
    finally:
        proc.kill()
        proc.wait()


def test_interleaved_rounds_are_compared_round_by_round():
    """Round i of demo and round i of large were taken one after the other (bench/run.py `interleave`): the p95
    growth is the median of the per-round ratios, so a machine that slowed down between rounds moves both."""
    demo = page("home:supervisor", 300.0, p95=10.0, round_p95=[10.0, 20.0, 30.0], round_rps=[300.0, 150.0, 100.0])
    large = page("home:supervisor", 150.0, p95=20.0, round_p95=[11.0, 22.0, 33.0], round_rps=[290.0, 140.0, 99.0])
    assert report.paired(large, demo, "p95_ms") == pytest.approx(1.1)  # the medians' ratio would be 2.0
    assert report.paired(large, demo, "rps") == pytest.approx(290.0 / 300.0)  # ratios .967, .933, .99
    runs = [run("sqlite", "demo", [demo]), run("sqlite", "large", [large])]
    t = by_name(report.check_targets(runs), "p95 at large")
    assert t["ok"] is True and "worst ×1.10" in t["detail"]


def test_figures_without_round_lists_are_compared_by_their_medians():
    a, b = page("x", 200.0, p95=12.0), page("x", 100.0, p95=10.0, round_p95=[9.0, 10.0, 11.0])
    assert report.paired(a, b, "rps") == pytest.approx(2.0) and report.paired(a, b, "p95_ms") == pytest.approx(1.2)


def test_interleave_spreads_rounds_and_rotates_the_servers():
    from bench.run import interleave

    seen = []
    interleave({"rounds": 3}, [["a1", "a2", "a3"], ["b1", "b2"]], lambda item, r: seen.append((r, item)))
    assert seen == [(0, "a1"), (0, "a2"), (0, "a3"), (0, "b1"), (0, "b2"),
                    (1, "a2"), (1, "a3"), (1, "a1"), (1, "b2"), (1, "b1"),
                    (2, "a3"), (2, "a1"), (2, "a2"), (2, "b1"), (2, "b2")]
