"""One "host"'s reminder worker for tests/integration/test_several_hosts.py: runs each given module exactly as
`python -m <module> <args…>` would (runpy, as __main__), in the given order, `--rounds` times — the Procfile's
`worker` loop without its sleep, in one interpreter so that the test does not pay the start-up once per module.

    python tests/integration/worker_pass.py --rounds 2 "app.workflow.remind" "app.care.remind|--now|2027-01-05T09:00+08:00"
"""
from __future__ import annotations

import argparse
import runpy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("commands", nargs="+", help='"module|arg|arg…"')
    a = ap.parse_args()
    for n in range(a.rounds):
        for command in a.commands:
            module, *args = command.split("|")
            sys.argv = [module, *args]
            t = time.time()
            try:
                runpy.run_module(module, run_name="__main__", alter_sys=True)
            except SystemExit as e:
                if e.code not in (0, None):
                    print(f"{module} exited with {e.code}", flush=True)
                    return 1
            print(f"round {n + 1} {module} {time.time() - t:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
