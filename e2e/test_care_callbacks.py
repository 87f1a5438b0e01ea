"""回访 and the SLA worker in the browser, on the e2e server's own database:
(a) a P3 whose first-response clock is breached (the test moves the clock back in that database and runs the worker
    pass `python -m app.care.remind` against it) is escalated: the 投诉主管 finds the notice behind the bell, and the
    case shows P2, 投诉主管 and 超时升级 on its timeline (/care/callbacks/{id} until the case page is merged);
(b) the 客户关系专员 answers a callback with 不满意 through the form: the case shows 重开 and the 投诉主管.
Screenshots of /care/callbacks and the callback panel at 1366×900 and 800×1280."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot

ROOT = Path(__file__).resolve().parent.parent

SETUP = r"""
import asyncio, json
from tests.integration.care.callbacks_helpers import ago, make_case
from app.care import states

async def main():
    late = await make_case(status=states.HANDLING, received_at=ago(hours=30), project="JC01",
                           handler="complaint_officer", handler_role="complaint_officer", title="卫生间顶棚渗水（超时测试）")
    due = await make_case(status=states.CALLBACK, received_at=ago(days=6), callback_closed_at=ago(hours=3), project="JC01",
                          handler="complaint_officer", handler_role="complaint_officer", title="主卧窗户渗水（回访测试）")
    print(json.dumps({"late": [late["id"], late["number"]], "due": [due["id"], due["number"]]}))

asyncio.run(main())
"""


def server_env(server_url: str) -> dict[str, str]:
    """The e2e server's environment (its SQLite file): read from the uvicorn process listening on the server's port."""
    port = str(urlparse(server_url).port)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"uvicorn" not in b" ".join(argv) or port.encode() not in argv:
                continue
            pairs = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        env = dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
        if env.get("SQLITE_PATH"):
            return {**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                    **{k: env[k] for k in ("SQLITE_PATH", "PORTAL_ENV", "PORTAL_LOCAL_DIR") if k in env}}
    raise AssertionError(f"the e2e server on port {port} was not found")


def run(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_breached_case_escalates_and_a_dissatisfied_callback_reopens(page, login_page, server_url):
    env = server_env(server_url)
    made = json.loads(run(env, "-c", SETUP).strip().splitlines()[-1])
    late_id, late_no = made["late"]
    due_id, due_no = made["due"]
    assert "care reminders:" in run(env, "-m", "app.care.remind")

    # (a) the 投诉主管 is told (bell → 消息) and the case is P2, handled by the 投诉主管, with 超时升级 on its timeline
    login_page.sign_in("complaint_supervisor")
    bell = page.get_by_test_id("bell-count")
    expect(bell).not_to_have_attribute("data-count", "0")
    page.get_by_test_id("bell-link").click()
    expect(page.get_by_test_id("notes-list")).to_contain_text(f"超时升级：案件 {late_no}")
    page.goto(f"{server_url}/care/callbacks/{late_id}")
    expect(page.get_by_test_id("case-level")).to_contain_text("P2")
    expect(page.get_by_test_id("case-handler")).to_contain_text("投诉主管")
    escalated = page.locator('[data-testid="timeline-item"][data-action="escalate"]')
    expect(escalated).to_contain_text("超时升级")
    expect(escalated).to_contain_text("由 P3 升级为 P2")
    login_page.sign_out()

    # (b) the 客户关系专员 opens 回访 from the sidebar, finds the case and answers 不满意
    login_page.sign_in("cr_officer")
    nav(page, "nav-callbacks")
    expect(page.get_by_test_id("page-title")).to_have_text("回访")
    shoot(page, "care-callbacks-1366")
    page.get_by_test_id("filter-q").fill(due_no)
    page.get_by_test_id("filter-submit").click()
    page.get_by_test_id("callback-link").filter(has_text=due_no).click()
    expect(page.get_by_test_id("callback-form")).to_be_visible()
    shoot(page, "care-callback-panel-1366", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})  # a 10-inch tablet from here on
    page.reload()
    shoot(page, "care-callback-panel-800", full_page=True)
    page.get_by_test_id("reached-yes").check()
    page.locator('label:has([data-testid="score-2"])').click()
    page.get_by_test_id("field-note").fill("窗户仍渗水，客户不满意")
    page.get_by_test_id("callback-submit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已重开")
    expect(page.get_by_test_id("case-status")).to_contain_text("重开")
    expect(page.get_by_test_id("case-handler")).to_contain_text("投诉主管")
    expect(page.get_by_test_id("callback-history")).to_contain_text("不满意")
    expect(page.locator('[data-testid="timeline-item"][data-action="reopen"]')).to_contain_text("转投诉主管")

    page.goto(f"{server_url}/care/callbacks")
    shoot(page, "care-callbacks-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server_url}/care/callbacks/{due_id}")
    shoot(page, "care-callback-done-1366", full_page=True)
