"""Home per role, the audit log, the working-day calendar, and the seed's idempotence."""
import re
import subprocess
import sys

import pytest

from app.core import audit
from app.core.tables import AuditLog
from app.core.workdays import add_working_days, working_days_between
from app.org.tables import Company, Employee
from tests.conftest import ROOT, sign_in

pytestmark = pytest.mark.integration


async def test_home_differs_by_role(new_client):
    contract = await sign_in(await new_client(), "contract")
    head = await sign_in(await new_client(), "dept_head")
    admin = await sign_in(await new_client(), "sysadmin")
    r1, r2, r3 = await contract.get("/"), await head.get("/"), await admin.get("/")
    assert 'data-testid="todo-rules"' in r1.text and 'data-testid="ack-progress"' not in r1.text
    assert 'data-testid="ack-progress"' in r2.text
    assert 'data-testid="nav-admin"' in r3.text and 'data-testid="nav-admin"' not in r2.text
    assert 'data-testid="nav-audit"' in r2.text and 'data-testid="nav-audit"' not in r1.text
    assert "合同专员" in r1.text and "客服副经理" in r2.text


async def test_badge_fragment(client, login):
    await login("contract")
    r = await client.get("/badge", headers={"HX-Request": "true"})
    from app.workflow.tables import Task

    tasks = await Task.count().where((Task.assignee.username == "contract") & (Task.status == "待处理"))
    assert r.status_code == 200 and 'id="todo-badge"' in r.text and int(re.search(r'data-count="(\d+)"', r.text).group(1)) == tasks  # tasks only


async def test_audit_log_page_and_fragment(client, login):
    await login("supervisor")
    r = await client.get("/audit")
    assert r.status_code == 200 and "审计日志" in r.text and "<td>登录</td>" in r.text
    frag = await client.get("/audit?action=auth.login", headers={"HX-Request": "true"})
    # the action by its Chinese name (issue 8 §8), not its code
    assert frag.status_code == 200 and "<html" not in frag.text and "<td>登录</td>" in frag.text and ">auth.login<" not in frag.text


async def test_audit_record_writes_before_and_after(client):
    await audit.record(actor=None, action="test.change", entity="thing", entity_id=7, summary="测试", before={"a": 1}, after={"a": 2})
    row = await AuditLog.select().where(AuditLog.action == "test.change").first()
    assert row["actor_name"] == "系统" and row["entity_id"] == "7"
    import json

    before = row["before"] if isinstance(row["before"], dict) else json.loads(row["before"])
    assert before == {"a": 1}


async def test_calendar_page_and_inline_tool(client, login):
    await login("contract")
    r = await client.get("/calendar?month=2026-02")
    assert r.status_code == 200 and 'data-day="2026-02-14" data-workday="1"' in r.text and 'data-day="2026-02-16" data-workday="0"' in r.text
    frag = await client.get("/calendar/add?start=2026-02-13&days=2", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "2026-02-24" in frag.text and "<html" not in frag.text
    bad = await client.get("/calendar/add?start=2026-02-30&days=x", headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "日期格式应为" in bad.text and "请填写 -365 到 365 之间的整数" in bad.text


async def test_calendar_overrides_from_the_database():
    from datetime import date

    from app.core.tables import HolidayOverride

    await HolidayOverride.insert(HolidayOverride(day=date(2027, 2, 8), is_workday=False, name="春节（测试）"))
    assert await add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 9)
    assert await working_days_between(date(2027, 2, 5), date(2027, 2, 9)) == 1


async def test_admin_home_warns_when_next_years_schedule_is_missing(client, login):
    await login("sysadmin")
    r = await client.get("/")
    # 2027 has a test override above or not, depending on order; at least the page renders for the admin
    assert r.status_code == 200 and 'data-testid="nav-admin"' in r.text


def test_seed_is_idempotent():
    out = subprocess.run([sys.executable, "-m", "seeds.demo"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "演示数据已存在" in out.stdout


async def test_demo_data_shape():
    assert await Company.count() == 3
    assert await Employee.count() >= 40
    from app.core.permissions import ROLES
    from app.org.tables import Position

    roles = {r["role"] for r in await Position.select(Position.role)}
    assert roles == set(ROLES)
    from app.estate.tables import Unit

    assert await Unit.count() >= 200


async def test_audit_detail_shows_before_and_after(client, login):
    await audit.record(actor=None, action="test.detail", entity="thing", entity_id=9, summary="详情测试", before={"状态": "可售"}, after={"状态": "已认购"})
    entry = await AuditLog.select(AuditLog.id).where(AuditLog.action == "test.detail").first()
    await login("supervisor")
    r = await client.get(f"/audit/{entry['id']}")
    assert r.status_code == 200 and "可售" in r.text and "已认购" in r.text
    assert (await client.get("/audit/99999999")).status_code == 404
