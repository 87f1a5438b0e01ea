"""Browser tests: a real uvicorn server on a fresh, migrated and seeded SQLite database, driven by Debian's
Chromium through Playwright. A missing browser or a server that does not start fails the run."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from e2e.waits import settle

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "demo2026"


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_url():
    tmp = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PORTAL_ENV="test", PORTAL_LOCAL_DIR=str(tmp), SQLITE_PATH=str(tmp / "e2e.sqlite"))
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "seeds.demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError("the portal did not start:\n" + (tmp / "server.log").read_text()[-3000:])
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError("the portal did not answer within 60 s")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: run `make chromium`"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1366, "height": 900}}


class LoginPage:
    def __init__(self, page, base: str):
        self.page, self.base = page, base

    def sign_in(self, username: str, password: str = DEMO_PASSWORD, next_path: str = "/"):
        self.page.goto(f"{self.base}/login?next={next_path}")
        self.page.get_by_test_id("field-username").fill(username)
        self.page.get_by_test_id("field-password").fill(password)
        self.page.get_by_test_id("login-submit").click()
        settle(self.page)
        return self.page

    def sign_out(self):
        settle(self.page)  # let a badge refresh after an HTMX action finish first
        self.page.get_by_test_id("logout").click()
        self.page.wait_for_url("**/login*")


@pytest.fixture
def login_page(page, server_url):
    return LoginPage(page, server_url)


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser test also checks that the Content-Security-Policy blocked nothing on our pages."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    yield
    assert not seen, "blocked by the Content-Security-Policy: " + " | ".join(seen[:5])
