"""离职交接 through the real routes (SPEC §E5/§E8): the resignation's notice rule, each holding provider lists and
reassigns/clears, the completion refused while anything is open then allowed, the worker disables the sign-in once,
dismissal's ground rules, the profile section. Each test files as its own new employee."""
from datetime import timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.assets.tables import AssetCard
from app.core.auth import load_user
from app.core.tables import AuditLog
from app.finance.tables import Advance
from app.hr_contract.tables import LabourContract
from app.hr_exit import holdings, profile, remind, services
from app.hr_exit.tables import DONE, SWEEP, Custody, ExitCase
from app.hr_probation.tables import EmployeeStatus
from app.org.tables import Employee
from app.workflow.tables import Task
from tests.conftest import csrf_token, sign_in
from tests.integration.hr_exit import prep
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration


async def as_user(name: str):
    row = await BaseUser.select(BaseUser.id).where(BaseUser.username == name).first()
    return await load_user(row["id"])


async def post_as(new_client, username: str, path: str, data: dict):
    c = await sign_in(await new_client(), username)
    token = await csrf_token(c, "/hr/exit")
    return await c.post(path, data={**data, "_csrf_token": token})


async def test_resignation_notice_rule_and_chain(new_client):
    from app.core.timeutil import today_local

    s = await prep.make_staff(nda=True)
    c = await sign_in(await new_client(), s["username"], prep.PASSWORD)
    today = today_local()
    rid, r = await submit(c, "resignation", {"notice_on": today.isoformat(), "last_day": (today + timedelta(days=29)).isoformat(), "reason": "个人发展"})
    assert not rid and "第三十七条" in r.text and (today + timedelta(days=30)).isoformat() in r.text
    rid, r = await submit(c, "resignation", {"notice_on": today.isoformat(), "last_day": (today + timedelta(days=30)).isoformat(), "reason": "个人发展"})
    assert rid, r.text[:2000]
    assert await chain(rid) == ["dept_head", "hr"]
    assert (await approve_as(new_client, rid, "dept_head")).status_code in (200, 303)
    assert (await approve_as(new_client, rid, "hr")).status_code in (200, 303)
    assert await status(rid) == "已通过"
    case = await ExitCase.select(ExitCase.id, ExitCase.status).where(ExitCase.request == rid).first()
    assert case["status"] == SWEEP
    hr = await sign_in(await new_client(), "hr")
    r = await hr.get(f"/hr/exit/{case['id']}")
    assert r.status_code == 200 and "离职交接" in r.text and "保密条款" in r.text and "第五十条" in r.text
    r = await hr.get(f"/workflow/requests/{rid}")
    assert r.status_code == 200 and f"/hr/exit/{case['id']}" in r.text and "第三十七条" in r.text
    r = await c.get("/workflow/new/resignation")
    assert r.status_code == 200 and "试用期内提前 3 日" in r.text


async def test_probation_notice_three_days(new_client):
    from app.core.timeutil import today_local

    today = today_local()
    s = await prep.make_staff(probation_end=today + timedelta(days=40))
    c = await sign_in(await new_client(), s["username"], prep.PASSWORD)
    rid, r = await submit(c, "resignation", {"notice_on": today.isoformat(), "last_day": (today + timedelta(days=2)).isoformat(), "reason": "不适应"})
    assert not rid and "试用期内应提前 3 日" in r.text
    rid, r = await submit(c, "resignation", {"notice_on": today.isoformat(), "last_day": (today + timedelta(days=3)).isoformat(), "reason": "不适应"})
    assert rid, r.text[:2000]


async def test_providers_list_and_reassign_or_clear(new_client):
    s = await prep.make_staff()
    other = await prep.make_staff()
    adv = await prep.make_advance(s)
    card = await prep.make_asset(s)
    task = await prep.make_task(s, other)
    cust = await prep.make_custody(s)
    items = await holdings.holdings_of(s["id"])
    kinds = {(h.source, h.record_id) for h in items}
    assert {("finance", adv), ("assets", card), ("workflow", task), ("hr_exit", cust)} <= kinds
    hr = await as_user("hr")
    await holdings.act("assets", "reassign", card, hr, other["id"])
    assert (await AssetCard.select(AssetCard.custodian).where(AssetCard.id == card).first())["custodian"] == other["id"]
    with pytest.raises(holdings.HoldingError, match="申请人"):  # the engine's own 转交 rule: never to the applicant
        await holdings.act("workflow", "reassign", task, hr, other["id"])
    third = await prep.make_staff()
    await holdings.act("workflow", "reassign", task, hr, third["id"])  # the engine's 转交: the task handed on, a new one
    assert (await Task.select(Task.status).where(Task.id == task).first())["status"] == "已转交"
    req = (await Task.select(Task.request).where(Task.id == task).first())["request"]
    assert await Task.exists().where((Task.request == req) & (Task.assignee == third["user"]) & (Task.status == "待处理"))
    await holdings.act("hr_exit", "clear", cust, hr)
    assert (await Custody.select(Custody.returned_on).where(Custody.id == cust).first())["returned_on"] is not None
    with pytest.raises(holdings.HoldingError):
        await holdings.act("finance", "clear", adv, hr)
    left = holdings.open_holdings(await holdings.holdings_of(s["id"]))
    assert [(h.source, h.record_id) for h in left] == [("finance", adv)]
    actions = {r["action"] for r in await AuditLog.select(AuditLog.action).where(
        AuditLog.entity_id.is_in([str(card), str(task), str(cust)]) & AuditLog.action.like("hr_exit.%"))}
    assert {"hr_exit.asset_reassign", "hr_exit.task_reassign", "hr_exit.custody_return"} <= actions


async def test_completion_blocked_then_allowed_and_worker_disables_once(new_client):
    from app.core.timeutil import today_local

    s = await prep.make_staff()
    adv = await prep.make_advance(s)
    case_id = await prep.make_exit(s, last_day=today_local() + timedelta(days=3))
    r = await post_as(new_client, "hr", f"/hr/exit/{case_id}/complete", {})
    assert r.status_code == 400 and "借款" in r.text and "未确认" in r.text
    await prep.tick_all_but(case_id)
    r = await post_as(new_client, "hr", f"/hr/exit/{case_id}/complete", {})
    assert r.status_code == 400 and "借款" in r.text and "未确认" not in r.text
    await Advance.update({Advance.status: "已结清", Advance.balance: 0}).where(Advance.id == adv)  # finance's repayment
    r = await post_as(new_client, "hr", f"/hr/exit/{case_id}/complete", {})
    assert r.status_code == 303, r.text[:2000]
    assert (await ExitCase.select(ExitCase.status).where(ExitCase.id == case_id).first())["status"] == DONE
    assert (await LabourContract.select(LabourContract.status).where(LabourContract.id == s["contract"]).first())["status"] == "已终止"
    assert (await EmployeeStatus.select(EmployeeStatus.status).where(EmployeeStatus.employee == s["id"]).first())["status"] == "离职"
    # the last day has not passed: still active; the worker disables after it, once
    assert await remind.remind_once(today_local()) >= 0
    assert (await Employee.select(Employee.active).where(Employee.id == s["id"]).first())["active"]
    later = today_local() + timedelta(days=4)
    assert await remind.remind_once(later) >= 1
    assert await services.disable_due(later) == 0 or not await ExitCase.exists().where((ExitCase.id == case_id) & ExitCase.disabled_at.is_null())
    assert not (await Employee.select(Employee.active).where(Employee.id == s["id"]).first())["active"]
    assert not (await BaseUser.select(BaseUser.active).where(BaseUser.id == s["user"]).first())["active"]
    assert await AuditLog.count().where((AuditLog.action == "hr_exit.disable") & (AuditLog.entity_id == str(case_id))) == 1
    c = await new_client()
    token = await csrf_token(c)
    await c.post("/login", data={"username": s["username"], "password": prep.PASSWORD, "_csrf_token": token, "next": "/"})
    r = await c.get("/workflow")
    assert r.status_code != 200 or "/login" in str(r.url)  # the disabled account reaches no page


async def test_past_last_day_disables_at_completion(new_client):
    s = await prep.make_staff()
    case_id = await prep.make_exit(s)  # last day two days ago
    await prep.tick_all_but(case_id)
    r = await post_as(new_client, "hr", f"/hr/exit/{case_id}/complete", {})
    assert r.status_code == 303
    assert not (await BaseUser.select(BaseUser.active).where(BaseUser.id == s["user"]).first())["active"]
    r = await (await sign_in(await new_client(), "hr")).get(f"/hr/exit/{case_id}/certificate")
    assert r.status_code == 200 and "第五十条" in r.text and s["name"] in r.text


async def test_ticks_only_by_their_roles_and_sweep_forbidden_to_others(new_client):
    s = await prep.make_staff()
    case_id = await prep.make_exit(s)
    r = await post_as(new_client, "hr", f"/hr/exit/{case_id}/tick", {"item": "it"})
    assert r.status_code == 400 and "须由系统管理员确认" in r.text
    r = await post_as(new_client, "sales", f"/hr/exit/{case_id}/complete", {})
    assert r.status_code == 403
    r = await post_as(new_client, "hr", f"/hr/exit/{case_id}/holding", {"source": "x", "how": "clear", "record_id": "abc"})
    assert r.status_code == 400


async def test_dismissal_ground_rules(new_client):
    from app.core.timeutil import today_local
    from app.hr_exit.flows import DismissalForm
    from app.core.fields import FormValues

    s = await prep.make_staff()
    head = await as_user("dept_head")
    today = today_local()
    base = {"employee": str(s["id"]), "facts": "连续旷工", "notice_how": "书面送达本人", "notice_on": today.isoformat()}
    r = await DismissalForm().parse(FormValues({**base, "ground": "40", "last_day": (today + timedelta(days=10)).isoformat()}), head, None)
    assert "第四十条" in r.errors.get("last_day", "") and "attachments" in r.errors
    r = await DismissalForm().parse(FormValues({**base, "ground": "40", "in_lieu": "1", "last_day": today.isoformat()}), head, None)
    assert "last_day" not in r.errors and r.cleaned["severance_months"] > 0
    r = await DismissalForm().parse(FormValues({**base, "ground": "39", "last_day": today.isoformat()}), head, None)
    assert "last_day" not in r.errors and r.cleaned["severance_months"] == 0
    r = await DismissalForm().parse(FormValues({**base, "ground": "39", "ground_item": "6", "in_lieu": "1", "last_day": today.isoformat()}), head, None)
    assert "in_lieu" in r.errors
    r = await DismissalForm().parse(FormValues({**base, "ground": "41", "ground_item": "5", "last_day": today.isoformat()}), head, None)
    assert "ground_item" in r.errors and "last_day" in r.errors


async def test_profile_section_and_events(new_client):
    s = await prep.make_staff()
    await prep.make_custody(s)
    case_id = await prep.make_exit(s)
    held, sec = await profile.section({"id": s["id"], "name": s["name"]}, await as_user("hr"))
    assert held["title"] == "名下在办事项（1）" and [h.kind for h in held["ctx"]["items"]] == ["钥匙"]
    assert sec["title"] == "离职交接" and sec["ctx"]["case"]["id"] == case_id
    ev = await profile.events(s["id"])
    assert ev and ev[0]["url"] == f"/hr/exit/{case_id}"


GARBAGE = ["", "abc", "-1", "99999999999999999999", "2026-02-30", "\x00", "x" * 5000, "１２", "0"]


async def test_garbage_never_500(new_client):
    s = await prep.make_staff()
    case_id = await prep.make_exit(s)
    hr = await sign_in(await new_client(), "hr")
    head = await sign_in(await new_client(), "dept_head")
    for g in GARBAGE:
        for c, path, names in (
            (hr, f"/hr/exit/{case_id}/holding", ("source", "how", "record_id", "to")),
            (hr, f"/hr/exit/{case_id}/tick", ("item", "note")),
            (hr, f"/hr/exit/{case_id}/receiver", ("receiver",)),
            (hr, "/hr/exit/dismissal/999999999/union", ("union_notified_on", "union_note")),
            (hr, "/workflow/new/resignation", ("notice_on", "last_day", "reason")),
            (head, "/workflow/new/dismissal", ("employee", "ground", "ground_item", "facts", "notice_how", "notice_on", "last_day", "in_lieu")),
        ):
            token = await csrf_token(c, "/hr/exit")
            r = await c.post(path, data={**{n: g for n in names}, "_csrf_token": token})
            assert r.status_code < 500, (path, g, r.text[:500])
    for p in (f"/hr/exit/{case_id}", f"/hr/exit/{case_id}/certificate", "/hr/exit/999999", "/hr/exit"):
        assert (await hr.get(p)).status_code < 500


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_dismissal_through_routes_needs_union_date_then_opens_the_sweep(new_client):
    import re

    from app.core.timeutil import today_local
    from app.hr_exit.tables import Dismissal

    s = await prep.make_staff()
    today = today_local()
    c = await sign_in(await new_client(), "dept_head")
    data = {"employee": str(s["id"]), "ground": "40", "ground_item": "2", "facts": "经培训及调岗仍不能胜任", "notice_how": "书面送达本人",
            "notice_on": today.isoformat(), "last_day": (today + timedelta(days=30)).isoformat()}
    token = await csrf_token(c, "/workflow/new/dismissal")
    r = await c.post("/workflow/new/dismissal", data={**data, "_csrf_token": token})
    assert r.status_code == 400 and "请上传辞退事实的证据" in r.text
    r = await c.post("/workflow/new/dismissal", data={**data, "_csrf_token": token}, files={"files": ("evidence.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text[:2000]
    rid = int(re.search(r"/workflow/requests/(\d+)", r.headers["location"]).group(1))
    assert await chain(rid) == ["hr", "union", "vp", "gm"]
    d = await Dismissal.select(Dismissal.severance_months, Dismissal.severance_text).where(Dismissal.request == rid).first()
    assert d["severance_months"] > 0 and "第四十七条" in d["severance_text"] and "10000" not in d["severance_text"]
    for who in ("hr", "hr", "vp"):
        await approve_as(new_client, rid, who)
    r = await approve_as(new_client, rid, "gm")
    assert await status(rid) == "审批中"  # refused: the union was not notified
    page = await (await sign_in(await new_client(), "hr")).get(f"/workflow/requests/{rid}")
    assert page.status_code == 200 and 'data-testid="union-form"' in page.text and "第四十三条" in page.text
    r = await post_as(new_client, "hr", f"/hr/exit/dismissal/{rid}/union", {"union_notified_on": today.isoformat(), "union_note": "无异议"})
    assert r.status_code == 303
    await approve_as(new_client, rid, "gm")
    assert await status(rid) == "已通过"
    case = await ExitCase.select(ExitCase.status, ExitCase.kind, ExitCase.last_day).where(ExitCase.request == rid).first()
    assert case["status"] == SWEEP and case["kind"] == "辞退" and case["last_day"] == today + timedelta(days=30)


async def test_sign_offs_are_the_leavers_own_company_and_department(new_client):
    """The 财务/行政/IT/部门负责人 sign-offs: only their own company's sweeps."""
    s = await prep.make_staff()
    case_id = await prep.make_exit(s)
    case = await services.get(case_id)
    same, other = await as_user("dept_head"), await as_user("b_dept_head")  # company A's 客服副经理, company B's
    assert services.may_tick(same, case, "dept_head")
    assert not services.may_tick(other, case, "dept_head") and not services.may_see(other, case)
    acct = await as_user("accountant")
    assert services.may_tick(acct, case, "finance") and services.may_see(acct, case)
    sel, _ = services.cases_query(other)
    assert case_id not in {c["id"] for c in await sel}
    page = await (await sign_in(await new_client(), "b_dept_head")).get(f"/hr/exit/{case_id}")
    assert page.status_code == 403


async def test_the_list_is_paged_and_its_pages_are_fragments(new_client):
    s = await prep.make_staff()
    case_id = await prep.make_exit(s)
    hr = await sign_in(await new_client(), "hr")
    page = await hr.get("/hr/exit")
    assert page.status_code == 200 and f"/hr/exit/{case_id}" in page.text and 'data-testid="pagination"' in page.text
    frag = await hr.get("/hr/exit?page=2", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and 'id="exit-list-card"' in frag.text
