"""The inbox (tabs, filters, fragment, bulk 同意), the overdue list and the reminder worker."""
import re
from datetime import timedelta

import pytest

from app.core.tables import Notification
from app.core.timeutil import today_local
from app.workflow.remind import remind_once
from app.workflow.tables import Step, Task
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import expense_form, pending_task, status, submit

pytestmark = pytest.mark.integration


async def test_inbox_tabs_filters_and_fragment(new_client):
    applicant = await sign_in(await new_client(), "sales3")
    rid, _ = await submit(applicant, "expense", expense_form("66.00", reason="收件箱测试"))
    head = await sign_in(await new_client(), "dept_head")
    todo = await head.get("/workflow?tab=todo")
    assert todo.status_code == 200 and f"/workflow/requests/{rid}" in todo.text
    frag = await head.get("/workflow?tab=todo&q=收件箱测试", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and f"/workflow/requests/{rid}" in frag.text
    none = await head.get("/workflow?tab=todo&q=没有这个标题", headers={"HX-Request": "true"})
    assert f"/workflow/requests/{rid}" not in none.text
    mine = await applicant.get("/workflow?tab=mine&status=审批中")
    assert f"/workflow/requests/{rid}" in mine.text
    badge = await head.get("/badge", headers={"HX-Request": "true"})
    assert int(re.search(r'data-count="(\d+)"', badge.text).group(1)) >= 1
    # an unrelated employee cannot open the request
    other = await sign_in(await new_client(), "cleaner")
    assert (await other.get(f"/workflow/requests/{rid}")).status_code == 403
    assert (await other.get("/workflow/all")).status_code == 403


async def test_bulk_approve(new_client):
    applicant = await sign_in(await new_client(), "sales2")
    ids = [(await submit(applicant, "expense", expense_form(a)))[0] for a in ("11.00", "12.00")]
    head = await sign_in(await new_client(), "dept_head")
    page = await head.get("/workflow?tab=todo")
    assert 'data-testid="bulk-approve"' in page.text and f'data-testid="select-{ids[0]}"' in page.text
    token = await csrf_token(head, "/workflow")
    r = await head.post("/workflow/bulk-approve", data={"request_ids": [str(i) for i in ids], "_csrf_token": token})
    assert r.status_code == 303
    for rid in ids:
        assert not await pending_task(rid, "dept_head") and await pending_task(rid, "accountant")


async def test_overdue_list_and_reminders(new_client):
    applicant = await sign_in(await new_client(), "clerk")
    rid, _ = await submit(applicant, "expense", expense_form("33.00", reason="逾期测试"))
    step = await Step.select(Step.id, Step.limit_days).where((Step.request == rid) & (Step.status == "进行中")).first()
    await Step.update({Step.due_on: today_local() - timedelta(days=5)}).where(Step.id == step["id"])  # time passes
    head = await sign_in(await new_client(), "dept_head")
    page = await head.get("/workflow/overdue")
    assert page.status_code == 200 and "逾期测试" in page.text
    detail = await head.get(f"/workflow/requests/{rid}")
    assert "逾期" in detail.text
    before = await Notification.count().where(Notification.kind == "overdue")
    sent = await remind_once()
    assert sent >= 1
    assert await Notification.count().where(Notification.kind == "overdue") > before
    assert await remind_once() == 0  # once a day per task
    contract = await sign_in(await new_client(), "contract")
    assert (await contract.get("/workflow/overdue")).status_code == 403
    assert await status(rid) == "审批中"


async def test_step_due_dates_count_working_days():
    from app.core.workdays import add_working_days

    row = await Step.select(Step.started_at, Step.due_on, Step.limit_days).where(Step.status == "进行中").first()
    from app.core.timeutil import to_local

    assert row["due_on"] == await add_working_days(to_local(row["started_at"]).date(), row["limit_days"])


async def test_print_sheet_and_comment(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, _ = await submit(applicant, "expense", expense_form("1234.56"))
    printed = await applicant.get(f"/workflow/requests/{rid}/print")
    assert "壹仟贰佰叁拾肆元伍角陆分" in printed.text and "审批单" in printed.text
    token = await csrf_token(applicant, f"/workflow/requests/{rid}")
    r = await applicant.post(f"/workflow/requests/{rid}/comment", data={"comment": "", "_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 400 and "请填写评论内容" in r.text
    r = await applicant.post(f"/workflow/requests/{rid}/comment", data={"comment": "发票原件已交财务", "_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 200 and 'id="wf-panel"' in r.text
    page = await applicant.get(f"/workflow/requests/{rid}")
    assert "发票原件已交财务" in page.text


async def test_the_todo_tab_reads_its_default_page_in_the_tasks_index_order(new_client):
    """待办 unfiltered: the total and the page's ids come from wf_task (assignee, status, submitted_at, request), the
    newest request first; every task carries its request's submission time; a filter or a column sort still reads
    the requests themselves; and page 2 follows page 1 without a gap or a repeat."""
    from app.core import engine
    from app.workflow.tables import Request

    applicant = await sign_in(await new_client(), "sales3")
    for n in range(22):  # more than one page of 20
        await submit(applicant, "expense", expense_form(f"{21 + n}.00", reason="待办顺序测试"))
    head = await sign_in(await new_client(), "dept_head")
    uid = (await Task.select(Task.assignee).where(Task.id == await pending_task(
        (await Request.select(Request.id).order_by(Request.id, ascending=False).first())["id"], "dept_head")).first())["assignee"]
    pending = await Task.select(Task.request, Task.submitted_at, Task.request.submitted_at).where(
        (Task.assignee == uid) & (Task.status == "待处理"))
    assert pending and all(r["submitted_at"] == r["request.submitted_at"] for r in pending)
    expected = [r["request"] for r in sorted(pending, key=lambda r: (r["submitted_at"], r["request"]), reverse=True)]

    def ids(html: str) -> list[int]:
        return [int(x) for x in dict.fromkeys(re.findall(r'href="/workflow/requests/(\d+)"', html))]

    page1 = await head.get("/workflow?tab=todo")
    assert len(expected) > 20 and ids(page1.text) == expected[:20]
    page2 = await head.get("/workflow?tab=todo&page=2")
    assert ids(page2.text) == expected[20:40]
    engine.begin_count()
    from app.workflow import services

    who = type("U", (), {"user_id": uid})()
    result = await services.inbox_listing("todo", who).fetch({}, who)
    assert result.page.total == len(expected) and [r["id"] for r in result.page.rows] == expected[:20]
    assert engine.statement_count() == 3  # the list's preferences, the count, the page
    # narrowed or re-sorted: the requests' own query, the same rows
    mine = await head.get("/workflow?tab=todo&q=待办顺序测试")
    assert len(ids(mine.text)) == 20
    by_amount = await head.get("/workflow?tab=todo&sort=amount&dir=desc&per_page=100")
    assert sorted(ids(by_amount.text)) == sorted(expected[:100])
