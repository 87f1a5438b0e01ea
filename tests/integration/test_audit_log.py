"""The audit log reads in Chinese (issue 8 §8): actions and objects by their Chinese names, filters by person, object,
action and date range done in SQL and paged, the change of an update as a field-by-field table with masked phones,
and only roles with the audit permission get in."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from app.core import audit
from app.core.permissions import ROLES, Perm, permissions_for
from app.core.tables import AuditLog
from app.core.timeutil import SHANGHAI
from tests.conftest import sign_in

pytestmark = pytest.mark.integration

ROW_RE = re.compile(r'<tr data-testid="row">(.*?)</tr>', re.S)


def rows(html: str) -> list[str]:
    return ROW_RE.findall(html)


async def _admin_update(admin) -> dict:
    """A real change through the admin panel: the employee's phone, then back."""
    from app.org.tables import Employee

    await admin.get("/admin/")
    headers = {"X-CSRFToken": admin.cookies.get("csrftoken"), "Content-Type": "application/json"}
    emp = await Employee.select(Employee.id, Employee.mobile).where(Employee.employee_no == "JC1010").first()
    r = await admin.patch(f"/admin/api/tables/employee/{emp['id']}/", json={"mobile": "13900001234"}, headers=headers)
    assert r.status_code in (200, 204), r.text
    await Employee.update({Employee.mobile: emp["mobile"]}).where(Employee.id == emp["id"])
    return await AuditLog.select().where(AuditLog.action == "admin.update").order_by(AuditLog.id, ascending=False).first()


async def test_list_shows_chinese_names_for_login_export_and_admin_update(new_client):
    data = await sign_in(await new_client(), "data")  # a sign-in: auth.login
    r = await data.get("/ledgers/contracts/export")
    assert r.status_code == 200
    admin = await sign_in(await new_client(), "sysadmin")
    update = await _admin_update(admin)
    head = await sign_in(await new_client(), "dept_head")

    page = await head.get("/audit?action=auth.login")
    assert page.status_code == 200
    first = rows(page.text)[0]
    assert "登录" in first and "用户 #" in first and "auth.login" not in first
    page = await head.get("/audit?action=export")
    first = rows(page.text)[0]
    assert "导出" in first and "台账" in first and ">export<" not in first
    page = await head.get(f"/audit?action=admin.update&q={update['entity_id']}")
    first = rows(page.text)[0]
    assert "管理后台修改" in first and "员工 #" in first and "admin.update" not in first
    assert "手机号：" in first and "139****1234" in first and "13900001234" not in first  # the change, masked
    # the filter's own choices are Chinese too
    assert '<option value="admin.update" selected>管理后台修改</option>' in page.text
    assert re.search(r'<option value="employee" *>员工</option>', page.text)


async def test_each_filter_narrows_in_sql(new_client):
    from app.org.tables import Employee

    head = await sign_in(await new_client(), "dept_head")
    reception = await Employee.select(Employee.user).where(Employee.user.username == "reception").first()
    base = datetime(2031, 3, 10, 9, 0, tzinfo=SHANGHAI)  # a date no other test writes on
    who = type("Actor", (), {"user_id": reception["user"], "display_name": "筛选测试人", "ip": "10.0.0.9"})()
    for i, (action, entity) in enumerate([("rules.acknowledge", "rule_version"), ("export", "ledger"), ("rules.acknowledge", "rule_version")]):
        await audit.record(actor=who, action=action, entity=entity, entity_id=str(9000 + i), summary=f"筛选测试 {i}")
        last = await AuditLog.select(AuditLog.id).order_by(AuditLog.id, ascending=False).first()
        await AuditLog.update({AuditLog.at: base + timedelta(days=i)}).where(AuditLog.id == last["id"])
    total = await AuditLog.count()

    async def count(query: str) -> int:
        r = await head.get("/audit?" + query, headers={"HX-Request": "true"})
        assert r.status_code == 200 and "<html" not in r.text  # the fragment
        m = re.search(r"共 (\d+) 条", r.text)
        return int(m.group(1)) if m else len(rows(r.text))

    assert await count(f"actor={reception['user']}") == await AuditLog.count().where(AuditLog.actor == reception["user"]) < total
    assert await count(f"actor={reception['user']}&entity=rule_version&from=2031-03-10&to=2031-03-12") == 2
    assert await count("entity=ledger&from=2031-03-10&to=2031-03-12") == 1
    assert await count("action=rules.acknowledge&from=2031-03-10&to=2031-03-12") == 2
    assert await count("from=2031-03-11&to=2031-03-11") == 1
    assert await count("from=2031-03-12") == await AuditLog.count().where(AuditLog.at >= base + timedelta(days=2))
    # nonsense values never 500
    r = await head.get("/audit?actor=abc&entity=%27;drop&action=&from=2031-13-40&to=x&page=0")
    assert r.status_code == 200
    # the full page has the filters: a person select, object, action, dates
    page = (await head.get("/audit")).text
    for name in ("actor", "entity", "action", "from", "to"):
        assert f'data-testid="filter-{name}"' in page
    assert "（客服副经理）</option>" in page


async def test_update_detail_shows_a_field_by_field_diff(new_client):
    admin = await sign_in(await new_client(), "sysadmin")
    update = await _admin_update(admin)
    r = await admin.get(f"/audit/{update['id']}")
    assert r.status_code == 200
    html = r.text
    assert 'data-testid="audit-diff"' in html
    assert "<th>字段</th><th>原值</th><th>新值</th>" in html
    assert 'data-testid="audit-action">管理后台修改<' in html and 'data-testid="audit-entity">员工 #' in html
    row = re.search(r'data-field="mobile".*?</tr>', html, re.S).group(0)
    assert "手机号" in row and "139****1234" in row and "13900001234" not in html


@pytest.mark.parametrize("role", ["contract", "guard", "sales", "cashier"])
async def test_roles_without_the_audit_permission_get_403(new_client, role):
    assert Perm.AUDIT_VIEW not in permissions_for(role)
    c = await sign_in(await new_client(), role)
    entry = await AuditLog.select(AuditLog.id).first()
    for path in ("/audit", f"/audit/{entry['id']}", "/audit?action=export"):
        assert (await c.get(path)).status_code == 403
        assert (await c.get(path, headers={"HX-Request": "true"})).status_code == 403


def test_the_audit_roles_are_the_managers_and_the_administrator():
    allowed = sorted(r for r in ROLES if Perm.AUDIT_VIEW in permissions_for(r))
    assert "sysadmin" in allowed and "dept_head" in allowed and "contract" not in allowed


async def test_admin_changes_name_the_person_and_the_table(new_client):
    from app.org.tables import Employee

    admin = await sign_in(await new_client(), "sysadmin")
    update = await _admin_update(admin)
    person = await Employee.select(Employee.name).where(Employee.user.username == "sysadmin").first()
    assert update["actor_name"] == person["name"] and update["summary"].startswith("管理后台修改员工 #")

