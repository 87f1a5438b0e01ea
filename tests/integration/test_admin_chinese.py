"""The admin panel in Chinese (issue 8 §5), at the API its front end reads."""
from __future__ import annotations

import pytest

from tests.conftest import sign_in

pytestmark = pytest.mark.integration


async def test_admin_api_speaks_chinese_and_keeps_the_real_names_working(new_client):
    """The admin's JSON as its front end reads it (app/core/admin_zh.py): menu, column titles, the person, references."""
    admin = await sign_in(await new_client(), "sysadmin")
    menu = (await admin.get("/admin/api/tables/grouped/")).json()
    assert list(menu["grouped"])[:2] == ["审批", "交易办理"] and "节假日调整" in menu["grouped"]["系统"] and not menu["ungrouped"]
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
