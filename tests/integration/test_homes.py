"""Each role's home shows its own figures (issue 8 §4), equal to SQL counts over the data, and its number of SQL
statements does not grow with the number of rows.

- 总经理: this month's signings (count, amount), money collected, overdue receivables (= the 回款台账's 逾期 filter),
  overdue approvals, approvals waiting on him — checked against SQL written here and against a deal added today;
- 客服主管: the team's queue by task equals the work queue (app.pipeline.queries.queue) counted by task, and the
  overdue approvals by approver equal a GROUP BY written here;
- officers (合同专员, 按揭专员, 置业顾问): their own queue equals their work queue counted by task."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.auth import load_user
from app.core.timeutil import today_local
from app.dashboard.figures import month_start, next_month
from app.org.tables import Employee
from app.pipeline.queries import queue
from app.pipeline.tables import Deal, Instalment, Receipt
from app.workflow.tables import Task
from tests.conftest import sign_in
from tests.integration.ledgers.data import drop_project, make_buyer, make_deal, make_project, pay, record_queries

pytestmark = pytest.mark.integration


def fig(html: str, testid: str) -> str:
    m = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert m, f"no {testid} on the page"
    return m.group(1).strip()


def money(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", "").strip() or "0")


def queue_rows(html: str) -> dict[str, tuple[int, int]]:
    rows = re.findall(r'data-testid="queue-row" data-task="([^"]+)">.*?data-testid="queue-open">(\d+)<.*?data-testid="queue-overdue">(\d+)<', html, re.S)
    return {t: (int(o), int(late)) for t, o, late in rows}


async def _user(username: str):
    emp = await Employee.select(Employee.user).where(Employee.user.username == username).first()
    return await load_user(emp["user"])


async def _expected_exec(user_id: int) -> dict:
    today = today_local()
    start, end = month_start(today), next_month(today)
    [signed] = await Deal.raw("SELECT COUNT(*) AS n, COALESCE(SUM(total_price), 0) AS amount FROM pl_deal WHERE signed_on >= {} AND signed_on < {} "
                              "AND stage NOT IN ('已作废', '已退订')", start, end)
    [got] = await Receipt.raw("SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount FROM pl_receipt WHERE received_on >= {} AND received_on < {} "
                              "AND amount > 0", start, end)
    [late] = await Instalment.raw("SELECT COUNT(*) AS n, COALESCE(SUM(amount_due - received), 0) AS owed FROM pl_instalment "
                                  "WHERE received < amount_due AND due_on < {}", today)
    [tasks] = await Task.raw("SELECT COUNT(*) AS n FROM wf_task t JOIN wf_step s ON s.id = t.step WHERE t.status = '待处理' AND s.due_on < {}", today)
    mine = await Task.count().where((Task.assignee == user_id) & (Task.status == "待处理"))
    q2 = Decimal("0.01")
    return {"signed": (int(signed["n"]), Decimal(str(signed["amount"])).quantize(q2)), "collected": (int(got["n"]), Decimal(str(got["amount"])).quantize(q2)),
            "late": (int(late["n"]), Decimal(str(late["owed"])).quantize(q2)), "late_tasks": int(tasks["n"]), "mine": mine}


def _shown_exec(html: str) -> dict:
    return {"signed": (int(fig(html, "fig-signed-count")), money(fig(html, "fig-signed-amount"))),
            "collected": (int(fig(html, "fig-collected-count")), money(fig(html, "fig-collected-amount"))),
            "late": (int(fig(html, "fig-overdue-receivables")), money(fig(html, "fig-overdue-receivable-amount"))),
            "late_tasks": int(fig(html, "fig-overdue-approvals")), "mine": int(fig(html, "fig-approvals"))}


@pytest.fixture
async def signed_today():
    """A project of its own with one deal signed today: a receipt today and an instalment overdue since yesterday."""
    p = await make_project("HOM", units=2)
    buyer = await make_buyer("首页测试", 61)
    today = today_local()
    deal = await make_deal(p, p["units"][0], buyer, stage="已签约", signed_on=today, contract_no=f'{p["code"]}-HT-1', total_price=Decimal("1234567.89"),
                           check_status="审核通过")
    await pay(deal, "首付款", "300000.00", today, received="300000.00", received_on=today)
    await pay(deal, "房款", "200000.00", today - timedelta(days=1), received="50000.00", received_on=today)
    yield {"project": p, "deal": deal}
    await drop_project(p)


async def test_the_general_manager_s_figures_equal_the_records(new_client, signed_today):
    gm = await sign_in(await new_client(), "gm")
    u = await _user("gm")
    r = await gm.get("/")
    assert r.status_code == 200
    shown, expected = _shown_exec(r.text), await _expected_exec(u.user_id)
    assert shown == expected
    # the deal signed today is in this month's figures: at least its count and amount, and both receipts
    assert shown["signed"][0] >= 1 and shown["signed"][1] >= Decimal("1234567.89")
    assert shown["collected"][1] >= Decimal("350000.00") and shown["late"][0] >= 1
    # overdue receivables: the same number as the 回款台账 filtered on 逾期
    ledger = await gm.get("/ledgers/collections", params={"state": "逾期"})
    assert f'共 {shown["late"][0]} 条' in ledger.text or (shown["late"][0] == 0 and 'data-testid="empty-state"' in ledger.text)
    # the trend's current month equals the month's figure; the chart is fed by a data attribute, the table reads without JS
    this_month = today_local().strftime("%Y-%m")
    row = re.search(rf'data-testid="trend-row" data-month="{this_month}"><td>[^<]*</td><td class="text-end">(\d+)</td><td class="text-end">([^<]*)</td>', r.text)
    assert row and int(row.group(1)) == shown["signed"][0] and money(row.group(2)) == shown["signed"][1]
    assert 'data-chart=' in r.text and "echarts-6.1.0.min.js" in r.text


async def test_the_signing_trend_groups_by_month_in_sql(new_client):
    """Each month of the trend equals a COUNT over that month (written here without GROUP BY)."""
    gm = await sign_in(await new_client(), "gm")
    r = await gm.get("/")
    today = today_local()
    for back in range(12):
        m = month_start(today, back)
        n = await Deal.count().where((Deal.signed_on >= m) & (Deal.signed_on < next_month(m)) & Deal.stage.not_in(["已作废", "已退订"]))
        row = re.search(rf'data-month="{m.strftime("%Y-%m")}"><td>[^<]*</td><td class="text-end">(\d+)<', r.text)
        assert row and int(row.group(1)) == n, m


def _by_task(items: list[dict]) -> dict[str, tuple[int, int]]:
    opened, late = Counter(i["task"] for i in items), Counter(i["task"] for i in items if i["overdue"])
    return {t: (opened[t], late[t]) for t in opened}


async def test_the_supervisor_s_team_queue_and_overdue_approvals_by_approver(new_client):
    c = await sign_in(await new_client(), "supervisor")
    r = await c.get("/")
    assert r.status_code == 200 and 'data-testid="team-queue"' in r.text
    shown = queue_rows(r.text)
    expected = _by_task(await queue(await _user("supervisor")))
    assert {t: v for t, v in shown.items() if v[0]} == expected
    assert sum(v[1] for v in shown.values()) >= 1  # the demo data has overdue work
    today = today_local()
    rows = await Task.select(Task.assignee).where((Task.status == "待处理") & (Task.step.due_on < today))
    late_by = Counter(r_["assignee"] for r_ in rows)
    shown_late = re.findall(r'data-testid="late-approver"><td>[^<]*</td><td>[^<]*</td><td class="text-end text-red fw-bold">(\d+)<', r.text)
    assert sorted(map(int, shown_late), reverse=True) == sorted(late_by.values(), reverse=True)[:20]


@pytest.mark.parametrize("role", ["contract", "mortgage", "sales", "bureau"])
async def test_an_officer_s_own_queue_equals_the_work_queue(new_client, role):
    c = await sign_in(await new_client(), role)
    r = await c.get("/")
    assert r.status_code == 200
    assert 'data-testid="exec-figures"' not in r.text and 'data-testid="team-queue"' not in r.text
    shown = {t: v for t, v in queue_rows(r.text).items() if v[0]}
    assert shown == _by_task(await queue(await _user(role)))
    if shown:
        assert 'data-testid="my-queue"' in r.text


async def _home_statements(client, monkeypatch) -> list[dict]:
    seen = record_queries(monkeypatch)
    r = await client.get("/")
    monkeypatch.undo()
    assert r.status_code == 200
    return seen


async def test_home_statements_do_not_grow_with_the_rows(new_client, figures_computed, monkeypatch):
    """40 more deals in every stage, with instalments and receipts: the same number of statements on each home,
    and no statement returns more than a handful of rows (everything is counted in SQL)."""
    clients = {role: await sign_in(await new_client(), role) for role in ("gm", "supervisor", "contract")}
    before = {role: await _home_statements(c, monkeypatch) for role, c in clients.items()}
    p = await make_project("HST", units=40)
    buyer = await make_buyer("语句计数", 62)
    today = today_local()
    stages = [dict(stage="已认购", sign_deadline=today - timedelta(days=2)),
              dict(stage="已签约", signed_on=today - timedelta(days=40), filing_status="待备案", mortgage_status="资料收集中", docs_due=today - timedelta(days=1)),
              dict(stage="已签约", signed_on=today, handover_status="待通知", delivery_due=today - timedelta(days=3)),
              dict(stage="已交付", signed_on=today - timedelta(days=200), title_status="资料收集中", handed_over_on=today - timedelta(days=100))]
    try:
        for i, unit in enumerate(p["units"]):
            deal = await make_deal(p, unit, buyer, contract_no=f'{p["code"]}-HT-{i}', **stages[i % 4])
            await pay(deal, "房款", "1000.00", today - timedelta(days=5), received="400.00", received_on=today)
        after = {role: await _home_statements(c, monkeypatch) for role, c in clients.items()}
        for role in clients:
            assert len(after[role]) == len(before[role]), (role, len(before[role]), len(after[role]))
            pipeline = [q for q in after[role] if ('"pl_' in q["sql"] or "pl_deal" in q["sql"]) and '"pl_setting"' not in q["sql"]]
            assert pipeline and max(q["rows"] for q in pipeline) <= 12, [(q["sql"][:100], q["rows"]) for q in pipeline if q["rows"] > 12]
    finally:
        await drop_project(p)


async def test_home_page_roles_without_figures(new_client):
    for role in ("guard", "cashier", "sysadmin"):
        c = await sign_in(await new_client(), role)
        r = await c.get("/")
        assert r.status_code == 200, role
        assert 'data-testid="exec-figures"' not in r.text and 'data-testid="shortcuts"' not in r.text
