"""Two uvicorn processes on one database: a session made through one is valid on the other."""
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD, ROOT

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait(port: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("server exited: " + proc.stderr.read().decode()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


def test_session_from_one_process_is_valid_on_the_other(app):  # `app` prepares the database
    ports = [_free_port(), _free_port()]
    procs = [_start(p) for p in ports]
    try:
        for p, proc in zip(ports, procs):
            _wait(p, proc)
        a = f"http://127.0.0.1:{ports[0]}"
        b = f"http://127.0.0.1:{ports[1]}"
        with httpx.Client(base_url=a) as ca:
            page = ca.get("/login")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            r = ca.post("/login", data={"username": "mortgage", "password": DEMO_PASSWORD, "_csrf_token": token})
            assert r.status_code == 303
            session = ca.cookies["id"]
        with httpx.Client(base_url=b, cookies={"id": session}) as cb:
            r = cb.get("/")
            assert r.status_code == 200 and "按揭专员" in r.text
        with httpx.Client(base_url=b) as anonymous:
            assert anonymous.get("/").status_code == 303
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
