"""Org chart, positions and the staff directory (a declared Listing: filters, sort and pages in SQL)."""
import pytest

from app.org.tables import Employee

pytestmark = pytest.mark.integration


async def test_org_chart_shows_the_department_tree(client, login):
    await login("contract")
    r = await client.get("/org")
    assert r.status_code == 200
    for name in ("客服部", "内勤组", "外勤组", "客投组", "销售部", "财务部", "人力资源部", "行政部", "售楼处保安队", "售楼处保洁组", "锦程置业（无锡）有限公司"):
        assert name in r.text, name
    assert "组长" in r.text


async def test_positions_page_shows_duties_from_the_regulations(client, login):
    await login("contract")
    r = await client.get("/org/positions")
    assert r.status_code == 200
    assert "3到5个工作日" in r.text  # 按揭专员 4.3
    assert 'data-testid="position-bureau"' in r.text and "/rules/kf-71p#c-" in r.text


async def test_employee_directory_filters_sorts_and_pages_in_sql(client, login):
    await login("contract")
    r = await client.get("/org/employees")
    assert r.status_code == 200 and 'data-testid="filter-form"' in r.text
    total = await Employee.count().where(Employee.active == True)  # noqa: E712
    assert f"共 {total} 条" in r.text
    page2 = await client.get("/org/employees?page=2", headers={"HX-Request": "true"})
    assert page2.status_code == 200 and "<html" not in page2.text and "第 21–" in page2.text
    assert page2.headers.get("vary") == "HX-Request"
    only = await client.get("/org/employees?q=JC1001")
    assert "共 1 条" in only.text
    pos = await client.get("/org/employees?position=999999")
    assert "没有符合筛选条件的记录" in pos.text
    srt = await client.get("/org/employees?sort=name&dir=desc")
    assert srt.status_code == 200 and "姓名 ↓" in srt.text


async def test_employee_detail_and_denied_for_guard(client, login, new_client):
    await login("contract")
    eid = (await Employee.select(Employee.id).where(Employee.employee_no == "JC1004").first())["id"]
    r = await client.get(f"/org/employees/{eid}")
    assert r.status_code == 200 and "直接下属" in r.text
    from tests.conftest import sign_in

    guard = await sign_in(await new_client(), "guard")
    assert (await guard.get("/org/employees")).status_code == 403
    assert (await guard.get("/org")).status_code == 403
