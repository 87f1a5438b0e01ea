"""Feedback after every action (issue 8 §2): the action's answer says what happened, refreshes the history and the
status out of band and offers the next pending item; 催办 names whom it reminded; notifications announcing a task close
when the task is done (transfer, withdraw, a deputy); the people picker's search; empty lists offer their action;
field messages say the problem once and a summary names the field."""
import re
from urllib.parse import unquote

import pytest

from app.core.tables import Notification
from app.org.tables import Employee
from app.workflow.tables import Action, Delegation, Task
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import act, expense_form, pending_task, submit

pytestmark = pytest.mark.integration


async def _uid(username: str) -> int:
    return (await Employee.select(Employee.user).where(Employee.user.username == username).first())["user"]


async def _name(username: str) -> str:
    return (await Employee.select(Employee.name).where(Employee.user.username == username).first())["name"]


async def _notes(task_id: int) -> list[dict]:
    return await Notification.select().where(Notification.ref == f"task:{task_id}")


async def _htmx_post(client, path: str, data: dict | None = None):
    token = await csrf_token(client, "/workflow")
    return await client.post(path, data={**(data or {}), "_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})


async def test_approve_answers_with_panel_history_status_and_toast_out_of_band(new_client):
    applicant = await sign_in(await new_client(), "data")
    rid, r = await submit(applicant, "expense", expense_form("260.00"))
    assert rid, r.text[:1500]
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    r = await act(head, tid, "同意", "情况属实", htmx=True)
    assert r.status_code == 200 and r.headers.get("HX-Trigger") == "todo-changed"
    html = r.text
    assert '<div id="wf-panel"' in html and "<html" not in html
    history = re.search(r'<div class="card" id="wf-history" hx-swap-oob="true">(.*?)</div>\s*</div>\s*</div>', html, re.S)
    assert history and "同意" in history.group(1) and "情况属实" in history.group(1)
    assert re.search(r'<span id="wf-status-head"[^>]*hx-swap-oob="true"><span class="badge[^"]*" data-status="审批中">', html)
    toast = re.search(r'<div hx-swap-oob="beforeend:#portal-toasts">(.*?)</div>\s*$', html, re.S)
    assert toast and 'data-testid="toast"' in toast.group(1) and "已同意，审批单转入后续审批" in toast.group(1)
    # the approver can go on: the next request pending on them, or back to the inbox
    nxt = await Task.select(Task.request).where((Task.assignee == await _uid("dept_head")) & (Task.status == "待处理")).order_by(Task.id).first()
    if nxt:
        assert f'href="/workflow/requests/{nxt["request"]}" data-testid="next-todo"' in html
    else:
        assert 'data-testid="back-to-inbox"' in html
    # the request page itself carries the ids the swaps target
    page = await head.get(f"/workflow/requests/{rid}")
    assert 'id="wf-history"' in page.text and 'id="wf-status-head"' in page.text and 'id="portal-toasts"' in page.text


async def test_plain_post_redirects_with_a_flash_that_says_the_same(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, _ = await submit(applicant, "expense", expense_form("120.00"))
    head = await sign_in(await new_client(), "dept_head")
    r = await act(head, await pending_task(rid, "dept_head"), "退回修改", "请补充发票")
    assert r.status_code == 303 and r.headers["location"] == f"/workflow/requests/{rid}?done=task"
    assert "已退回修改，已通知申请人" in unquote(r.headers["set-cookie"])
    page = await head.get(r.headers["location"])
    assert "已退回修改，已通知申请人" in page.text and 'data-testid="next-step"' in page.text


async def test_urge_says_whom_it_reminded(new_client):
    applicant = await sign_in(await new_client(), "archive")
    rid, _ = await submit(applicant, "expense", expense_form("99.00"))
    r = await _htmx_post(applicant, f"/workflow/requests/{rid}/urge")
    assert r.status_code == 200
    name = await _name("dept_head")
    assert f"已催办：{name}" in r.text
    assert (await Action.select(Action.comment).where((Action.request == rid) & (Action.action == "催办")).first())["comment"] == f"提醒 {name}"
    # the reminder is about the task: it closes with it
    tid = await pending_task(rid, "dept_head")
    kinds = {n["kind"] for n in await _notes(tid)}
    assert kinds == {"task", "urge"}


async def test_notifications_close_when_the_task_is_acted_on(new_client):
    applicant = await sign_in(await new_client(), "data")
    rid, _ = await submit(applicant, "expense", expense_form("88.00"))
    tid = await pending_task(rid, "dept_head")
    notes = await _notes(tid)
    assert len(notes) == 1 and notes[0]["user"] == await _uid("dept_head") and notes[0]["closed_at"] is None and notes[0]["kind"] == "task"
    head = await sign_in(await new_client(), "dept_head")
    await act(head, tid, "同意", htmx=True)
    notes = await _notes(tid)
    assert notes[0]["closed_at"] is not None and notes[0]["read_at"] is not None


async def test_transfer_closes_the_old_task_notification_and_announces_the_new_one(new_client):
    applicant = await sign_in(await new_client(), "clerk")
    rid, _ = await submit(applicant, "expense", expense_form("66.00"))
    tid = await pending_task(rid, "dept_head")
    head = await sign_in(await new_client(), "dept_head")
    r = await _htmx_post(head, f"/workflow/tasks/{tid}/transfer", {"target": str(await _uid("supervisor"))})
    assert r.status_code == 200 and f"已转交给 {await _name('supervisor')}" in r.text
    assert all(n["closed_at"] is not None for n in await _notes(tid))
    new_tid = await pending_task(rid, "supervisor")
    fresh = await _notes(new_tid)
    assert len(fresh) == 1 and fresh[0]["closed_at"] is None and fresh[0]["user"] == await _uid("supervisor")


async def test_withdraw_closes_the_approvers_notifications(new_client):
    applicant = await sign_in(await new_client(), "archive")
    rid, _ = await submit(applicant, "expense", expense_form("55.00"))
    tid = await pending_task(rid, "dept_head")
    assert (await _notes(tid))[0]["closed_at"] is None
    r = await _htmx_post(applicant, f"/workflow/requests/{rid}/withdraw")
    assert r.status_code == 200 and "申请已撤回" in r.text
    assert all(n["closed_at"] is not None for n in await _notes(tid))


async def test_a_deputy_acting_closes_the_principals_notification(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, _ = await submit(applicant, "expense", expense_form("44.00"))
    tid = await pending_task(rid, "dept_head")
    head = await sign_in(await new_client(), "dept_head")
    from app.core.timeutil import today_local

    token = await csrf_token(head, "/workflow/delegations")
    r = await head.post("/workflow/delegations", data={"deputy": str(await _uid("supervisor")), "start_on": today_local().isoformat(),
                                                       "end_on": today_local().isoformat(), "_csrf_token": token})
    assert r.status_code == 303
    try:
        deputy = await sign_in(await new_client(), "supervisor")
        assert await pending_task(rid, "supervisor") == tid  # the task moved to the deputy, who is told
        assert {n["user"] for n in await _notes(tid) if n["closed_at"] is None} == {await _uid("dept_head"), await _uid("supervisor")}
        r = await act(deputy, tid, "同意", htmx=True)
        assert r.status_code == 200
        notes = await _notes(tid)
        assert notes and all(n["closed_at"] is not None for n in notes)
        assert await _uid("dept_head") in {n["user"] for n in notes}
    finally:
        await Delegation.update({Delegation.active: False}).where(Delegation.principal == await _uid("dept_head"))


async def test_people_search_returns_only_active_colleagues_and_is_guarded(new_client, client):
    c = await sign_in(await new_client(), "data")
    supervisor = await Employee.select(Employee.id, Employee.name, Employee.user).where(Employee.user.username == "supervisor").first()
    r = await c.get("/workflow/people", params={"q": supervisor["name"], "name": "cc", "multiple": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and f'value="{supervisor["user"]}"' in r.text and 'type="checkbox"' in r.text
    assert 'name="cc"' not in r.text  # the chips carry the form values, the matches only choose
    me = await _uid("data")
    r = await c.get("/workflow/people", params={"q": "", "name": "target"})
    assert f'value="{me}"' not in r.text and 'type="radio"' in r.text and r.text.count('data-testid="person-') <= 30
    await Employee.update({Employee.active: False}).where(Employee.id == supervisor["id"])
    try:
        r = await c.get("/workflow/people", params={"q": supervisor["name"], "name": "cc", "multiple": "1"})
        assert f'value="{supervisor["user"]}"' not in r.text and 'data-testid="people-none"' in r.text
    finally:
        await Employee.update({Employee.active: True}).where(Employee.id == supervisor["id"])
    # a name that is not a form field name is not echoed back
    r = await c.get("/workflow/people", params={"q": "x", "name": '"><script>'})
    assert "<script>" not in r.text
    anonymous = await client.get("/workflow/people", params={"q": "a"})
    assert anonymous.status_code in (302, 303, 401)


async def test_pickers_on_the_form_and_the_panel_degrade_to_checkboxes(new_client):
    c = await sign_in(await new_client(), "data")
    r = await c.get("/workflow/new/expense")
    assert r.status_code == 200 and "<select id=\"f-cc_submit\"" not in r.text and " multiple " not in r.text.split('data-field="cc_submit"')[1][:400]
    assert 'type="checkbox" name="cc_submit"' in r.text and 'type="checkbox" name="cc_finish"' in r.text
    assert 'hx-get="/workflow/people?name=cc_submit&amp;multiple=1"' in r.text
    rid, _ = await submit(c, "expense", expense_form("33.00"))
    head = await sign_in(await new_client(), "dept_head")
    page = await head.get(f"/workflow/requests/{rid}")
    assert 'type="radio" name="target"' in page.text and 'type="checkbox" name="cc"' in page.text
    ids = re.findall(r'\bid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


async def test_empty_lists_offer_their_action(new_client):
    c = await sign_in(await new_client(), "data")
    r = await c.get("/workflow", params={"tab": "mine", "q": "没有这样的单号zz"})
    assert 'data-testid="empty-action"' in r.text and "清除筛选" in r.text and 'href="/workflow?tab=mine"' in r.text
    r = await c.get("/workflow", params={"tab": "mine", "q": "没有这样的单号zz"}, headers={"HX-Request": "true"})
    assert "清除筛选" in r.text and "<html" not in r.text
    fresh = await sign_in(await new_client(), "president")
    r = await fresh.get("/workflow", params={"tab": "todo"})
    if 'data-testid="row"' not in r.text:
        assert 'href="/workflow/new" class="btn btn-primary portal-touch" data-testid="empty-action">发起申请' in r.text


async def test_field_messages_say_it_once_and_the_summary_names_the_field(new_client):
    c = await sign_in(await new_client(), "data")
    rid, r = await submit(c, "expense", expense_form("abc", reason=""))
    assert rid == 0 and r.status_code == 400
    assert 'data-testid="error-summary"' in r.text and 'href="#f-reason"' in r.text
    assert "请填写报销事由" in r.text
    assert "：金额格式不正确" not in r.text and "格式不正确，请输入数字" in r.text


async def test_comment_says_so_and_offers_no_next_item(new_client):
    applicant = await sign_in(await new_client(), "clerk")
    rid, _ = await submit(applicant, "expense", expense_form("21.00"))
    r = await _htmx_post(applicant, f"/workflow/requests/{rid}/comment", {"comment": "发票已补交"})
    assert r.status_code == 200 and "评论已发表" in r.text and 'data-testid="next-step"' not in r.text
    assert 'hx-swap-oob="true"' in r.text and "发票已补交" in r.text
    r = await _htmx_post(applicant, f"/workflow/requests/{rid}/comment", {"comment": ""})
    assert r.status_code == 400 and "请填写评论内容" in r.text and 'data-testid="toast"' not in r.text
    assert re.search(r'<input name="comment" class="form-control is-invalid"', r.text)  # portal.js focuses it
    head = await sign_in(await new_client(), "dept_head")
    r = await act(head, await pending_task(rid, "dept_head"), "驳回", "", htmx=True)
    assert r.status_code == 400 and 'class="form-control mb-2 is-invalid" data-testid="field-comment"' in r.text
