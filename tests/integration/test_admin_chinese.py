"""The admin panel in Chinese (issue 8 §5), at the API its front end reads."""
from __future__ import annotations

import json

import pytest

from tests.conftest import sign_in

pytestmark = pytest.mark.integration


async def test_admin_api_speaks_chinese_and_keeps_the_real_names_working(new_client):
    """The admin's JSON as its front end reads it (app/core/admin_zh.py): menu, column titles, the person, references."""
    admin = await sign_in(await new_client(), "sysadmin")
    menu = (await admin.get("/admin/api/tables/grouped/")).json()
    assert list(menu["grouped"])[:3] == ["审批", "客户服务", "交易办理"] and "节假日调整" in menu["grouped"]["系统"] and not menu["ungrouped"]
    assert "employee" in (await admin.get("/admin/api/tables/")).json()  # scripts keep the real names
    by_zh = (await admin.get("/admin/api/tables/员工/schema/")).json()
    by_code = (await admin.get("/admin/api/tables/employee/schema/")).json()
    assert by_zh == by_code and by_zh["properties"]["employee_no"]["title"] == "工号"
    assert by_zh["properties"]["department"]["extra"]["foreign_key"]["to"] == "部门"
    assert (await admin.get("/admin/api/tables/部门/?__page=1")).status_code == 200
    refs = (await admin.get("/admin/api/tables/员工/references/")).json()["references"]
    assert {"tableName": "员工项目范围", "columnName": "employee"} in refs and all(r["tableName"] != "wf_request" for r in refs)
    user = (await admin.get("/admin/api/user/")).json()
    assert user["username"].endswith(" · 系统管理员")
    langs = (await admin.get("/admin/public/translations/")).json()
    assert langs == {"translations": [{"language_name": "简体中文", "language_code": "zh-CN"}], "default_language_code": "zh-CN"}


async def test_login_account_edits_are_audited_without_the_password(new_client):
    from piccolo.apps.user.tables import BaseUser

    from app.core.admin_guard import SECRET_MARK
    from app.core.tables import AuditLog

    user = await BaseUser.create_user(username="audit_probe", password="Probe2026x", email="audit_probe@demo.invalid", active=True)
    admin = await sign_in(await new_client(), "sysadmin")
    await admin.get("/admin/")
    headers = {"X-CSRFToken": admin.cookies.get("csrftoken"), "Content-Type": "application/json"}
    r = await admin.patch(f"/admin/api/tables/登录账号/{user.id}/", json={"first_name": "探针", "password": "Another2026y"}, headers=headers)
    assert r.status_code in (200, 204), r.text
    row = await AuditLog.select().where((AuditLog.action == "admin.update") & (AuditLog.entity == "piccolo_user")).order_by(
        AuditLog.id, ascending=False).first()
    assert row["entity_id"] == str(user.id) and row["summary"].startswith("管理后台修改登录账号")
    after = json.loads(row["after"]) if isinstance(row["after"], str) else row["after"]
    assert after["first_name"] == "探针" and after["password"] == SECRET_MARK
    assert "Another2026y" not in str(row) and "pbkdf2" not in str(row) and "pbkdf2" not in str(row["before"])
    page = (await admin.get(f"/audit/{row['id']}")).text
    assert "登录账号 #" in page and SECRET_MARK in page and "名" in page
    await BaseUser.delete().where(BaseUser.id == user.id)


@pytest.mark.parametrize("path, group, table", [("/calendar", "系统", "节假日调整"), ("/seals", "印章", "印章"),
                                                ("/office/vehicles", "办公用品与用车", "车辆")])
async def test_portal_pages_name_the_admin_menu(new_client, path, group, table):
    from urllib.parse import quote

    admin = await sign_in(await new_client(), "sysadmin")
    html = (await admin.get(path)).text
    assert f'<a href="/admin/#/{quote(table)}" data-testid="admin-link">管理后台 › {group} › {table}</a>' in html
    head = await sign_in(await new_client(), "admin_staff")  # may read the page, may not open the admin
    r = await head.get(path)
    if r.status_code == 200:
        assert f"「管理后台 › {group} › {table}」" in r.text and 'data-testid="admin-link"' not in r.text
