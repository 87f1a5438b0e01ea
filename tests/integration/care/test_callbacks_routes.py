"""回访 through the real routes: the list (page, fragment, filters, project scope, denied roles), the answer form
(the handler refused, not reached stays due, 满意 closes, 不满意 reopens for the 投诉主管 with the clocks restarted,
the reopen window) — one transaction per answer, audit and timeline."""
import re
from datetime import timedelta

import pytest

from app.care import states
from app.care.tables import Callback, CaseEvent
from app.core.tables import AuditLog
from app.core.timeutil import now
from tests.conftest import csrf_token, sign_in
from tests.integration.care.callbacks_helpers import ago, employee, make_case, notices, reload

pytestmark = pytest.mark.integration
HX = {"HX-Request": "true"}


def link(case: dict) -> str:
    return f'href="/care/callbacks/{case["id"]}"'


async def closed_case(**kw) -> dict:
    kw.setdefault("received_at", ago(days=5))
    return await make_case(status=states.CALLBACK, callback_closed_at=kw.pop("closed_at", ago(hours=2)), **kw)


async def answer(client, case_id: int, data: dict, *, htmx: bool = False):
    token = await csrf_token(client, f"/care/callbacks/{case_id}")
    headers = {**HX, "x-csrftoken": token} if htmx else None
    return await client.post(f"/care/callbacks/{case_id}", data={**data, "_csrf_token": token}, headers=headers)


async def test_list_page_fragment_and_filters(new_client):
    due = await closed_case()
    late = await closed_case(closed_at=ago(days=10))
    c = await sign_in(await new_client(), "cr_officer")
    # the demo history has hundreds of callbacks: each case is found by its number, with and without the state filter
    r = await c.get("/care/callbacks")
    assert r.status_code == 200 and "<html" in r.text and 'data-testid="callback-counts"' in r.text
    for case in (due, late):
        assert link(case) in (await c.get("/care/callbacks?q=" + case["number"], headers=HX)).text
    r = await c.get("/care/callbacks?state=overdue&q=" + late["number"], headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and link(late) in r.text
    assert link(due) not in (await c.get("/care/callbacks?state=overdue&q=" + due["number"], headers=HX)).text
    r = await c.get("/care/callbacks?state=today&q=" + late["number"], headers=HX)
    assert link(late) not in r.text
    r = await c.get("/care/callbacks?state=done&q=" + late["number"], headers=HX)
    assert link(late) not in r.text
    r = await c.get("/care/callbacks?q=" + late["number"], headers=HX)
    assert link(late) in r.text and link(due) not in r.text
    r = await c.get("/care/callbacks?project=junk&caller=%27&state=nonsense&sort=zzz&page=-3")
    assert r.status_code == 200


async def test_list_and_form_follow_the_project_scope(new_client):
    jc02 = await closed_case(project="JC02", handler="complaint_officer2", handler_role="complaint_officer")
    c = await sign_in(await new_client(), "cr_officer2")  # JC01 only
    r = await c.get("/care/callbacks?q=" + jc02["number"])
    assert r.status_code == 200 and link(jc02) not in r.text
    assert (await c.get(f"/care/callbacks/{jc02['id']}")).status_code == 404
    r = await c.post(f"/care/callbacks/{jc02['id']}", data={"reached": "1", "score": "5",
                                                            "_csrf_token": await csrf_token(c, "/care/callbacks")})
    assert r.status_code == 404
    assert (await reload(jc02["id"]))["status"] == states.CALLBACK


@pytest.mark.parametrize("username", ["clerk", "quality", "sales", "gm"])
async def test_roles_without_care_are_refused(new_client, username):
    case = await closed_case()
    c = await sign_in(await new_client(), username)
    assert (await c.get("/care/callbacks")).status_code == 403
    assert (await c.get(f"/care/callbacks/{case['id']}")).status_code == 403


async def test_form_page_and_panel_fragment(new_client):
    case = await closed_case()
    c = await sign_in(await new_client(), "cr_officer")
    r = await c.get(f"/care/callbacks/{case['id']}")
    assert r.status_code == 200 and 'data-testid="callback-form"' in r.text and 'data-testid="callback-due"' in r.text
    assert "回访管理 3.2" in r.text and case["number"] in r.text
    r = await c.get(f"/care/callbacks/{case['id']}", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and r.text.lstrip().startswith("{#") is False
    assert 'id="callback-panel"' in r.text
    assert (await c.get("/care/callbacks/999999")).status_code == 404


async def test_the_handler_may_not_make_the_callback(new_client):
    case = await closed_case(handler="complaint_officer")
    c = await sign_in(await new_client(), "complaint_officer")
    page = await c.get(f"/care/callbacks/{case['id']}")
    assert 'data-testid="callback-handler-note"' in page.text and 'data-testid="callback-form"' not in page.text
    r = await answer(c, case["id"], {"reached": "1", "score": "5", "note": "自己回访"}, htmx=True)
    assert r.status_code == 409 and "回访人不能是该投诉的处理人" in r.text
    cb = await Callback.select().where(Callback.case == case["id"]).first()
    assert cb["called_at"] is None and cb["attempts"] == 0
    assert (await reload(case["id"]))["status"] == states.CALLBACK


async def test_someone_who_acted_on_the_timeline_is_a_handler_too(new_client):
    case = await closed_case(handler="complaint_officer")
    helper = await employee("cr_officer")
    await CaseEvent.insert(CaseEvent(case=case["id"], at=ago(days=1), actor=helper["id"], action="note", note="现场查看"))
    c = await sign_in(await new_client(), "cr_officer")
    r = await answer(c, case["id"], {"reached": "1", "score": "4"})
    assert r.status_code == 409 and "回访人不能是该投诉的处理人" in r.text


async def test_not_reached_needs_a_note_and_stays_due(new_client):
    case = await closed_case()
    c = await sign_in(await new_client(), "cr_officer")
    r = await answer(c, case["id"], {"reached": "0", "note": ""}, htmx=True)
    assert r.status_code == 400 and 'data-testid="error-note"' in r.text
    r = await answer(c, case["id"], {"reached": "0", "note": "无人接听"})
    assert r.status_code == 303
    r = await answer(c, case["id"], {"reached": "0", "note": "关机"})
    cb = await Callback.select().where(Callback.case == case["id"]).first()
    assert (cb["attempts"], cb["called_at"], cb["reached"]) == (2, None, False)
    assert (await reload(case["id"]))["status"] == states.CALLBACK
    page = await c.get(f"/care/callbacks/{case['id']}")
    assert re.search(r'data-testid="callback-attempts">2<', page.text)
    assert await CaseEvent.count().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "callback")) == 2


async def test_a_score_is_required_when_reached(new_client):
    case = await closed_case()
    c = await sign_in(await new_client(), "cr_officer")
    r = await answer(c, case["id"], {"reached": "1", "note": "客户说还行"}, htmx=True)
    assert r.status_code == 400 and 'data-testid="error-score"' in r.text and "客户说还行" in r.text
    r = await answer(c, case["id"], {"reached": "1", "score": "9"})
    assert r.status_code == 400 and "1 到 5" in r.text
    r = await answer(c, case["id"], {})
    assert r.status_code == 400 and 'data-testid="error-reached"' in r.text
    assert (await Callback.select().where(Callback.case == case["id"]).first())["called_at"] is None


async def test_satisfied_closes_the_case(new_client):
    case = await closed_case()
    c = await sign_in(await new_client(), "cr_officer")
    r = await answer(c, case["id"], {"reached": "1", "score": "4", "note": "处理及时"}, htmx=True)
    assert r.status_code == 200 and r.headers["HX-Redirect"] == f"/care/callbacks/{case['id']}"
    after = await reload(case["id"])
    assert after["status"] == states.CLOSED and after["reopen_count"] == 0
    cb = await Callback.select().where(Callback.case == case["id"]).first()
    me = await employee("cr_officer")
    assert (cb["reached"], cb["score"], cb["caller"], cb["reopened"], cb["attempts"]) == (True, 4, me["id"], False, 1)
    assert cb["called_at"] is not None
    assert await AuditLog.exists().where((AuditLog.action == "care.close") & (AuditLog.entity_id == str(case["id"])))
    assert await AuditLog.exists().where((AuditLog.action == "care.callback") & (AuditLog.entity_id == str(cb["id"])))
    page = await c.get(f"/care/callbacks/{case['id']}")
    assert 'data-testid="callback-history"' in page.text and "满意" in page.text
    # a second answer on the same callback is not possible: a closed case gets a new call instead
    r = await answer(c, case["id"], {"reached": "1", "score": "3"})
    assert r.status_code == 303
    assert await Callback.count().where(Callback.case == case["id"]) == 2
    assert (await reload(case["id"]))["status"] == states.CLOSED


async def test_neutral_closes_too(new_client):
    case = await closed_case()
    c = await sign_in(await new_client(), "cr_supervisor")
    assert (await answer(c, case["id"], {"reached": "1", "score": "3"})).status_code == 303
    assert (await reload(case["id"]))["status"] == states.CLOSED


async def test_dissatisfied_reopens_for_the_complaint_supervisor(new_client):
    case = await closed_case(handler="complaint_officer")
    c = await sign_in(await new_client(), "cr_officer")
    before = now()
    r = await answer(c, case["id"], {"reached": "1", "score": "2", "note": "渗水仍未解决"})
    assert r.status_code == 303
    after = await reload(case["id"])
    boss = await employee("complaint_supervisor")
    assert (after["status"], after["handler_role"], after["handler"], after["reopen_count"]) == (
        states.REOPENED, "complaint_supervisor", boss["id"], 1)
    assert after["reopened_at"] >= before and after["received_at"] == case["received_at"]
    # the clocks restart from the reopen moment (P3: first response 24 h)
    assert after["response_due"] == after["reopened_at"] + timedelta(hours=24)
    assert after["responded_at"] is None and after["closed_at"] is None
    cb = await Callback.select().where(Callback.case == case["id"]).first()
    assert (cb["score"], cb["reopened"]) == (2, True)
    got = await notices("complaint_supervisor", case["id"])
    assert len(got) == 1 and "已重开" in got[0]["text"]
    ev = await CaseEvent.select().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "reopen")).first()
    assert ev["to_status"] == states.REOPENED and "不满意" in ev["note"]
    assert await AuditLog.exists().where((AuditLog.action == "care.reopen") & (AuditLog.entity_id == str(case["id"])))
    # a reopened case is not waiting for a callback
    page = await c.get(f"/care/callbacks/{case['id']}")
    assert 'data-testid="callback-form"' not in page.text and "重开" in page.text


async def test_very_dissatisfied_past_the_reopen_window_is_refused(new_client):
    case = await closed_case(closed_at=ago(days=40), received_at=ago(days=50))
    c = await sign_in(await new_client(), "cr_officer")
    r = await answer(c, case["id"], {"reached": "1", "score": "1"}, htmx=True)
    assert r.status_code == 400 and "不能重开" in r.text
    assert (await reload(case["id"]))["status"] == states.CALLBACK
    assert (await Callback.select().where(Callback.case == case["id"]).first())["called_at"] is None


async def test_without_csrf_the_answer_is_refused(new_client):
    case = await closed_case()
    c = await sign_in(await new_client(), "cr_officer")
    r = await c.post(f"/care/callbacks/{case['id']}", data={"reached": "1", "score": "5"})
    assert r.status_code == 403
    assert (await reload(case["id"]))["status"] == states.CALLBACK


async def test_the_case_page_panel_and_its_form_return_to_the_case_page(new_client):
    from app.care.core import get_case
    from app.care.panels import panels_for

    case = await closed_case()
    c = await sign_in(await new_client(), "cr_officer")

    me = (await employee("cr_officer"))["id"]

    class U:  # the bits of the signed-in user the panel reads
        employee_id = me
        all_projects, project_ids = True, frozenset()

        def can(self, perm):
            return perm == "care"

    found = [t for t, data in await panels_for(U(), await get_case(U(), case["id"])) if t == "callbacks/_panel.html"]
    assert found, "the callbacks panel is declared for the case page"
    waiting = await make_case(status=states.HANDLING)
    assert not [t for t, _ in await panels_for(U(), await get_case(U(), waiting["id"])) if t == "callbacks/_panel.html"]
    r = await answer(c, case["id"], {"reached": "1", "score": "5", "back": "case"})
    assert r.status_code == 303 and r.headers["location"] == f"/care/cases/{case['id']}"
