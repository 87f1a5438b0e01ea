"""The work queue is paged (50 a page) and filtered by task, as a page and as the HTMX fragment of its list; each task
contributes at most QUEUE_LIMIT rows, and the page says so."""
import re
from datetime import timedelta

import pytest

from app.core.timeutil import today_local
from app.pipeline import queries
from app.pipeline.tables import Deal
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_project

pytestmark = pytest.mark.integration

N = queries.QUEUE_LIMIT + 30  # more than one task may list


@pytest.fixture
async def many_to_file():
    p = await make_project("QPG", units=1)
    buyer = await make_buyer("队列分页客户", 71)
    signed = today_local() - timedelta(days=2)
    code = p["code"]
    await Deal.raw(
        f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {N}) "
        "INSERT INTO pl_deal (number, unit, project, buyer, stage, unit_price, total_price, payment_method, down_payment, deposit, "
        "contract_no, online_no, signed_on, subscribed_on, sign_deadline, check_status, filing_status, handover_status) "
        f"SELECT '{code}-' || n, {p['units'][0]['id']}, {p['id']}, {buyer}, '已签约', 20000, 2000000, '一次性', 2000000, 50000, "
        f"'{code}-HT-' || n, 'WQ' || n, {{}}, {{}}, {{}}, '审核通过', '待备案', '待通知' FROM seq", signed, signed, signed)
    from app.org.tables import Employee, EmployeeProject

    bureau = await Employee.select(Employee.id, Employee.all_projects).where(Employee.user.username == "bureau").first()
    if not bureau["all_projects"]:
        await EmployeeProject.insert(EmployeeProject(employee=bureau["id"], project=p["id"]))
    yield p
    await EmployeeProject.delete().where(EmployeeProject.project == p["id"])
    await Deal.delete().where(Deal.project == p["id"])


async def test_queue_is_paged_and_filtered_by_task(new_client, many_to_file):
    bureau = await sign_in(await new_client(), "bureau")
    r = await bureau.get("/pipeline/queue")
    assert r.status_code == 200
    assert r.text.count('data-testid="queue-row"') == 50
    assert 'data-testid="pagination"' in r.text
    assert 'data-testid="queue-capped"' in r.text and "备案" in r.text.split('data-testid="queue-capped"')[1][:200]  # 备案 hit its LIMIT
    task = "备案：合同备案：准备备案资料"
    listed = int(re.search(rf'<option value="{task}"[^>]*>{task}（(\d+)）', r.text).group(1))
    assert 150 < listed <= queries.QUEUE_LIMIT

    last = -(-listed // 50)
    r = await bureau.get("/pipeline/queue", params={"task": task, "page": str(last + 3)}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="queue-list">') and "<html" not in r.text
    assert r.text.count('data-testid="queue-row"') == listed - (last - 1) * 50  # a page past the end shows the last one
    assert r.text.count("合同备案：准备备案资料") >= listed - (last - 1) * 50 and f"共 {listed} 条" in r.text

    r = await bureau.get("/pipeline/queue", params={"task": "不存在的事项", "page": "abc"})
    assert r.status_code == 200 and r.text.count('data-testid="queue-row"') == 50  # unknown filter and page fall back


async def test_queue_is_refused_without_the_pipeline_permission(new_client):
    c = await sign_in(await new_client(), "hr")
    assert (await c.get("/pipeline/queue")).status_code == 403
