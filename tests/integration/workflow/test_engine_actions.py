"""The engine's actions, each through the real routes on the real database."""
import asyncio
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.finance.tables import Advance
from app.workflow.tables import Action, CarbonCopy, Request, Step, Task
from tests.conftest import csrf_token, sign_in
from tests.integration.workflow.helpers import act, approve_as, chain, expense_form, pending_task, status, submit

pytestmark = pytest.mark.integration


async def test_expense_through_the_whole_chain(new_client):
    applicant = await sign_in(await new_client(), "data")
    rid, r = await submit(applicant, "expense", expense_form("1200.00"))
    assert rid, r.text[:2000]
    assert await chain(rid) == ["dept_head", "accountant", "finance_manager", "vp", "cashier"]
    for who in ("dept_head", "accountant", "finance_manager", "vp", "cashier"):
        assert (await approve_as(new_client, rid, who)).status_code == 303
    assert await status(rid) == "已通过"
    page = await applicant.get(f"/workflow/requests/{rid}")
    assert "已通过" in page.text and "data-testid=\"history\"" in page.text
    printed = await applicant.get(f"/workflow/requests/{rid}/print")
    assert "壹仟贰佰元整" in printed.text and "出纳付款" in printed.text
    # one audit row per transition: submit + 5 approvals
    assert await AuditLog.count().where((AuditLog.entity == "wf_request") & (AuditLog.entity_id == str(rid))) == 6


async def test_reject_needs_reason_and_ends_it(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, _ = await submit(applicant, "expense", expense_form("300.00"))
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    r = await act(head, tid, "驳回", "", htmx=True)
    assert r.status_code == 400 and "驳回必须填写理由" in r.text
    assert await status(rid) == "审批中"
    r = await act(head, tid, "驳回", "发票抬头不符", htmx=True)
    assert r.status_code == 200 and "已驳回" in r.text and r.headers.get("HX-Trigger") == "todo-changed"
    assert await status(rid) == "已驳回"
    assert not await Task.exists().where((Task.request == rid) & (Task.status == "待处理"))
    assert await Notification.exists().where(Notification.text.like(f"%被驳回%发票抬头不符%"))


async def test_return_for_changes_and_resubmit_continues_the_chain(new_client):
    applicant = await sign_in(await new_client(), "archive")
    rid, _ = await submit(applicant, "expense", expense_form("800.00"))
    assert (await approve_as(new_client, rid, "dept_head")).status_code == 303
    acc = await sign_in(await new_client(), "accountant")
    r = await act(acc, await pending_task(rid, "accountant"), "退回修改", "请补充用餐人数")
    assert r.status_code == 303 and await status(rid) == "已退回"
    page = await applicant.get(f"/workflow/requests/{rid}")
    assert 'data-testid="resubmit-link"' in page.text
    edit = await applicant.get(f"/workflow/requests/{rid}/edit")
    assert edit.status_code == 200 and "800.00" in edit.text
    token = await csrf_token(applicant, f"/workflow/requests/{rid}/edit")
    data = expense_form("850.00", reason="客户接待用餐（6人）")
    r = await applicant.post(f"/workflow/requests/{rid}/edit", data={**data, "_csrf_token": token})
    assert r.status_code == 303
    assert await status(rid) == "审批中"
    # the chain continues at the accountant; the head's approval stands
    assert await pending_task(rid, "accountant") and not await pending_task(rid, "dept_head")
    assert (await Request.select(Request.amount).where(Request.id == rid).first())["amount"] == Decimal("850.00")
    assert await Action.exists().where((Action.request == rid) & (Action.action == "重新提交"))


async def test_withdraw_only_before_first_approval(new_client):
    applicant = await sign_in(await new_client(), "clerk")
    rid, _ = await submit(applicant, "expense", expense_form("100.00"))
    rid2, _ = await submit(applicant, "expense", expense_form("120.00"))
    token = await csrf_token(applicant, f"/workflow/requests/{rid}")
    r = await applicant.post(f"/workflow/requests/{rid}/withdraw", data={"_csrf_token": token})
    assert r.status_code == 303 and await status(rid) == "已撤回"
    await approve_as(new_client, rid2, "dept_head")
    r = await applicant.post(f"/workflow/requests/{rid2}/withdraw", data={"_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 400 and "已有审批人同意，不能撤回" in r.text
    # someone else cannot withdraw
    other = await sign_in(await new_client(), "reception2")
    token2 = await csrf_token(other, "/workflow")
    r = await other.post(f"/workflow/requests/{rid2}/withdraw", data={"_csrf_token": token2})
    assert r.status_code == 403


async def test_transfer_hands_the_task_over(new_client):
    applicant = await sign_in(await new_client(), "reception")
    rid, _ = await submit(applicant, "expense", expense_form("200.00"))
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    from app.org.tables import Employee

    target = (await Employee.select(Employee.user).where(Employee.user.username == "supervisor").first())["user"]
    token = await csrf_token(head, "/workflow")
    r = await head.post(f"/workflow/tasks/{tid}/transfer", data={"target": str(target), "_csrf_token": token})
    assert r.status_code == 303
    assert not await pending_task(rid, "dept_head") and await pending_task(rid, "supervisor")
    assert (await approve_as(new_client, rid, "supervisor")).status_code == 303
    assert await pending_task(rid, "accountant")


async def test_add_signer_before_and_after(new_client):
    from app.org.tables import Employee

    users = {r["user.username"]: r["user"] for r in await Employee.select(Employee.user, Employee.user.username).where(
        Employee.user.username.is_in(["legal", "hr"]))}
    applicant = await sign_in(await new_client(), "mortgage2")
    rid, _ = await submit(applicant, "expense", expense_form("150.00"))
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    token = await csrf_token(head, "/workflow")
    r = await head.post(f"/workflow/tasks/{tid}/addsign", data={"target": str(users["legal"]), "where": "before", "_csrf_token": token})
    assert r.status_code == 303
    assert not await pending_task(rid, "dept_head") and await pending_task(rid, "legal")
    await approve_as(new_client, rid, "legal")
    tid = await pending_task(rid, "dept_head")
    assert tid  # back to me after the added signer
    r = await head.post(f"/workflow/tasks/{tid}/addsign", data={"target": str(users["hr"]), "where": "after", "_csrf_token": token})
    await act(head, tid, "同意")
    assert await pending_task(rid, "hr") and not await pending_task(rid, "accountant")
    await approve_as(new_client, rid, "hr")
    assert await pending_task(rid, "accountant")
    assert (await chain(rid))[:2] == ["dept_head", f"addsign-{tid}-{users['hr']}"]


async def test_cc_at_submit_and_at_finish(new_client):
    from app.org.tables import Employee

    uid = {r["user.username"]: r["user"] for r in await Employee.select(Employee.user, Employee.user.username).where(
        Employee.user.username.is_in(["legal", "hr2"]))}
    applicant = await sign_in(await new_client(), "contract2")
    rid, _ = await submit(applicant, "expense", expense_form("90.00", extra={"cc_submit": [str(uid["legal"])], "cc_finish": [str(uid["hr2"])]}))
    assert await CarbonCopy.exists().where((CarbonCopy.request == rid) & (CarbonCopy.user == uid["legal"]) & CarbonCopy.sent_at.is_not_null())
    assert await CarbonCopy.exists().where((CarbonCopy.request == rid) & (CarbonCopy.user == uid["hr2"]) & CarbonCopy.sent_at.is_null())
    legal = await sign_in(await new_client(), "legal")
    inbox = await legal.get("/workflow?tab=cc")
    assert f"/workflow/requests/{rid}" in inbox.text
    hr2 = await sign_in(await new_client(), "hr2")
    assert (await hr2.get(f"/workflow/requests/{rid}")).status_code == 403  # not yet: CC at finish
    for who in ("dept_head", "accountant", "finance_manager", "cashier"):
        await approve_as(new_client, rid, who)
    assert await status(rid) == "已通过"
    assert (await hr2.get(f"/workflow/requests/{rid}")).status_code == 200
    assert f"/workflow/requests/{rid}" in (await hr2.get("/workflow?tab=cc")).text


async def test_urge_at_most_once_a_day(new_client):
    applicant = await sign_in(await new_client(), "sales")
    rid, _ = await submit(applicant, "expense", expense_form("60.00"))
    token = await csrf_token(applicant, f"/workflow/requests/{rid}")
    r = await applicant.post(f"/workflow/requests/{rid}/urge", data={"_csrf_token": token})
    assert r.status_code == 303
    assert await Notification.exists().where(Notification.kind == "urge")
    r = await applicant.post(f"/workflow/requests/{rid}/urge", data={"_csrf_token": token}, headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 400 and "每天最多催办一次" in r.text


async def test_delegation_sends_tasks_to_the_deputy(new_client):
    from app.core.timeutil import today_local
    from app.org.tables import Employee

    fm = await sign_in(await new_client(), "finance_manager")
    deputy = (await Employee.select(Employee.user).where(Employee.user.username == "accountant").first())["user"]
    today = today_local().isoformat()
    token = await csrf_token(fm, "/workflow/delegations")
    bad = await fm.post("/workflow/delegations", data={"deputy": str(deputy), "start_on": today, "end_on": "2020-01-01", "_csrf_token": token})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.text
    r = await fm.post("/workflow/delegations", data={"deputy": str(deputy), "start_on": today, "end_on": today, "_csrf_token": token})
    assert r.status_code == 303
    try:
        applicant = await sign_in(await new_client(), "sales2")
        rid, _ = await submit(applicant, "expense", expense_form("70.00"))
        await approve_as(new_client, rid, "dept_head")
        await approve_as(new_client, rid, "accountant")  # as accountant
        # the finance manager's step went to the deputy (the accountant), recorded as acting for the manager
        t = await Task.select(Task.assignee.username, Task.on_behalf_of.username).where(
            (Task.request == rid) & (Task.status == "待处理")).first()
        assert t["assignee.username"] == "accountant" and t["on_behalf_of.username"] == "finance_manager"
        await approve_as(new_client, rid, "accountant", "代为审批")
        assert await Action.exists().where((Action.request == rid) & (Action.on_behalf_name != "") & (Action.action == "同意"))
        page = await applicant.get(f"/workflow/requests/{rid}")
        assert " 代 " in page.text
    finally:
        from app.workflow.tables import Delegation

        await Delegation.update({Delegation.active: False}).where(Delegation.principal.username == "finance_manager")


async def test_self_approval_guard(new_client):
    # the department head's own claim: their step goes to the next level (their manager, the VP)
    head = await sign_in(await new_client(), "dept_head")
    rid, _ = await submit(head, "expense", expense_form("300.00"))
    keys = await chain(rid)
    assert keys[0] == "dept_head"
    assert await pending_task(rid, "vp") and not await pending_task(rid, "dept_head")
    # at 1,000 or more the VP approves later anyway: the escalated step is dropped
    rid2, _ = await submit(head, "expense", expense_form("1500.00"))
    assert await chain(rid2) == ["accountant", "finance_manager", "vp", "cashier"]
    # nobody can act on a task of their own request, even if handed one
    assert not await Task.exists().where((Task.request.is_in([rid, rid2])) & (Task.assignee.username == "dept_head"))


async def test_countersign_step_needs_everyone(new_client):
    """A 会签 step (mode all): the flow declares it; here the payment's cashier step is replaced by a 会签 of the two HR staff."""
    from app.workflow import engine
    from app.workflow.definitions import STAFF, Approvers, FlowDef, Mode, StepSpec, register
    from app.finance.forms import ExpenseForm
    from app.org.tables import Employee

    hr_users = [r["user"] for r in await Employee.select(Employee.user).where(Employee.position.role == "hr").order_by(Employee.id)]
    register(FlowDef(code="test_countersign", name="会签测试", prefix="HQ", group="测试", form=ExpenseForm(), starters=STAFF,
                     chain=lambda c: [StepSpec("hr_all", "人事会签", Approvers.users(*hr_users), mode=Mode.ALL)]))
    applicant = await sign_in(await new_client(), "data")
    rid, r = await submit(applicant, "test_countersign", expense_form("10.00"))
    assert rid, r.text[:500]
    await approve_as(new_client, rid, "hr")
    assert await status(rid) == "审批中"  # still waiting for the other signer
    await approve_as(new_client, rid, "hr2")
    assert await status(rid) == "已通过"


async def test_twenty_simultaneous_approvals_give_one_transition(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, _ = await submit(applicant, "expense", expense_form("55.00"))
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    token = await csrf_token(head, "/workflow")
    before = await AuditLog.count().where(AuditLog.entity_id == str(rid))

    async def one():
        return await head.post(f"/workflow/tasks/{tid}/act", data={"action": "同意", "_csrf_token": token},
                               headers={"HX-Request": "true", "x-csrftoken": token})

    results = await asyncio.gather(*[one() for _ in range(20)])
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 1 and codes.count(409) == 19, codes
    assert all("该审批任务已被处理" in r.text for r in results if r.status_code == 409)
    assert await AuditLog.count().where(AuditLog.entity_id == str(rid)) == before + 1
    assert await Task.count().where((Task.request == rid) & (Task.status == "已同意")) == 1
    assert await pending_task(rid, "accountant")


async def test_simultaneous_submissions_get_distinct_numbers(new_client):
    applicant = await sign_in(await new_client(), "data")
    results = await asyncio.gather(*[submit(applicant, "expense", expense_form("21.00")) for _ in range(6)])
    ids = [rid for rid, _ in results]
    assert all(ids), [r.status_code for _, r in results]
    numbers = [r["number"] for r in await Request.select(Request.number).where(Request.id.is_in(ids))]
    assert len(set(numbers)) == 6


async def test_sequential_step_approvers_act_one_after_another(new_client):
    """A 依次 step (mode seq) with two approvers: the second gets the task only after the first approves."""
    from app.finance.forms import ExpenseForm
    from app.org.tables import Employee
    from app.workflow.definitions import STAFF, Approvers, FlowDef, Mode, StepSpec, register

    users = {r["user.username"]: r["user"] for r in await Employee.select(Employee.user, Employee.user.username).where(
        Employee.user.username.is_in(["legal", "admin_staff2"]))}
    register(FlowDef(code="test_sequential", name="依次测试", prefix="YC9", group="测试", form=ExpenseForm(), starters=STAFF,
                     chain=lambda c: [StepSpec("seq", "依次审批", Approvers.users(users["legal"], users["admin_staff2"]), mode=Mode.SEQ)]))
    applicant = await sign_in(await new_client(), "clerk")
    rid, r = await submit(applicant, "test_sequential", expense_form("12.00"))
    assert rid, r.text[:500]
    assert await pending_task(rid, "legal") and not await pending_task(rid, "admin_staff2")
    await approve_as(new_client, rid, "legal")
    assert await pending_task(rid, "admin_staff2") and await status(rid) == "审批中"
    await approve_as(new_client, rid, "admin_staff2")
    assert await status(rid) == "已通过"


async def test_add_signer_before_refuses_someone_already_on_the_step(new_client):
    """加签 before, like 转交, never gives one person a second open task on the step (the inbox counts one pending
    task per request and person)."""
    from app.org.tables import Employee

    users = {r["user.username"]: r["user"] for r in await Employee.select(Employee.user, Employee.user.username).where(
        Employee.user.username.is_in(["legal", "dept_head"]))}
    applicant = await sign_in(await new_client(), "mortgage2")
    rid, _ = await submit(applicant, "expense", expense_form("151.00"))
    head = await sign_in(await new_client(), "dept_head")
    tid = await pending_task(rid, "dept_head")
    token = await csrf_token(head, "/workflow")
    r = await head.post(f"/workflow/tasks/{tid}/addsign", data={"target": str(users["legal"]), "where": "before", "_csrf_token": token})
    assert r.status_code == 303 and await pending_task(rid, "legal")
    legal = await sign_in(await new_client(), "legal")
    ltid = await pending_task(rid, "legal")
    token = await csrf_token(legal, "/workflow")
    r = await legal.post(f"/workflow/tasks/{ltid}/addsign", data={"target": str(users["dept_head"]), "where": "before", "_csrf_token": token})
    assert r.status_code == 400 and "已在本环节中" in r.text  # dept_head's own task waits on this step
    assert await Task.count().where((Task.request == rid) & (Task.assignee == users["dept_head"]) & Task.status.is_in(["待处理", "等待"])) == 1
