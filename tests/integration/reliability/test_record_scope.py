"""Record scope (issue 11 §5): a role that HAS the permission, on a record of another project (outside its scope),
gets 403/404 on the record's page and on its actions — with a valid CSRF token — and no row changes. The main record
types: deal/unit, approval request, care case, repair, ledger correction. The scoped demo accounts: contract (JC01) /
contract2 (JC02), mortgage / mortgage2, sales (JC01) / sales3 (JC02), cr_officer2 (JC01), complaint_officer2 (JC02)."""
from __future__ import annotations

import pytest

from app.care.tables import CareCase, CareRepair
from app.pipeline.tables import Deal
from app.workflow.tables import Request
from tests.conftest import HX_CSRF_RE, sign_in
from tests.integration.reliability.routes import diff, row_counts
from tests.integration.workflow.helpers import expense_form, submit

pytestmark = pytest.mark.integration

REFUSED = (403, 404)


async def _client(new_client, username: str):
    c = await sign_in(await new_client(), username)
    token = HX_CSRF_RE.search((await c.get("/")).text).group(1)
    return c, token


async def _check(c, token: str, gets: list[str], posts: list[tuple[str, dict]]) -> list[str]:
    wrong = []
    before = await row_counts()
    for path in gets:
        for headers in ({}, {"HX-Request": "true"}):
            r = await c.get(path, headers=headers)
            if r.status_code not in REFUSED:
                wrong.append(f"GET {path} {headers}: {r.status_code}")
    for path, data in posts:
        for headers in ({"x-csrftoken": token}, {"x-csrftoken": token, "HX-Request": "true"}):
            r = await c.post(path, data={**data, "_csrf_token": token}, headers=headers)
            if r.status_code not in REFUSED:
                wrong.append(f"POST {path} {headers.get('HX-Request', '')}: {r.status_code}")
    after = await row_counts()
    if diff(before, after):
        wrong.append(f"rows changed: {diff(before, after)}")
    return wrong


async def _deal(project: str, stage: str) -> dict:
    d = await Deal.select(Deal.id, Deal.unit, Deal.buyer, Deal.contract_no).where(
        (Deal.project.code == project) & (Deal.stage == stage)).order_by(Deal.id).first()
    assert d, (project, stage)
    return d


async def test_a_deal_and_unit_of_another_project(new_client):
    d = await _deal("JC01", "已签约")
    own, _ = await _client(new_client, "contract")
    assert (await own.get(f"/pipeline/units/{d['unit']}")).status_code == 200  # the record is real and reachable in scope
    for user in ("contract2", "mortgage2", "sales3"):
        c, token = await _client(new_client, user)
        deal = f"/pipeline/deals/{d['id']}"
        wrong = await _check(c, token, [f"/pipeline/units/{d['unit']}", f"/archive/deals/{d['id']}"], [
            (f"{deal}/check-sheet", {}), (f"{deal}/draft", {"online_no": "WQ-X"}), (f"{deal}/printed", {}),
            (f"{deal}/sign", {}), (f"{deal}/entries", {}), (f"{deal}/mortgage/submit", {}), (f"{deal}/filing/prepare", {}),
            (f"{deal}/title/submit", {}), (f"{deal}/handover-notice", {}), (f"{deal}/handover", {}),
            (f"/pipeline/buyers/{d['buyer']}/unmask", {}), (f"/archive/deals/{d['id']}/lend", {"borrower": "x"}),
            (f"/pipeline/units/{d['unit']}/subscribe", {}),
        ])
        assert not wrong, (user, wrong)


async def test_a_request_one_is_not_part_of(new_client):
    applicant = await sign_in(await new_client(), "title")
    rid, r = await submit(applicant, "expense", expense_form("33.00"))
    assert rid, getattr(r, "text", "")[:300]
    assert (await applicant.get(f"/workflow/requests/{rid}")).status_code == 200
    for user in ("contract2", "sales3", "guard"):
        c, token = await _client(new_client, user)
        base = f"/workflow/requests/{rid}"
        wrong = await _check(c, token, [base, f"{base}/print", f"{base}/edit"], [
            (f"{base}/comment", {"comment": "越权评论"}), (f"{base}/urge", {}), (f"{base}/withdraw", {}),
            (f"{base}/cc", {"users": "1"}), (f"{base}/edit", expense_form("1.00")),
        ])
        assert not wrong, (user, wrong)
    assert (await Request.select(Request.status).where(Request.id == rid).first())["status"] == "审批中"


async def _case(project: str, repair: bool) -> int:
    repair_cases = [r["case"] for r in await CareRepair.select(CareRepair.case)]
    q = CareCase.select(CareCase.id).where(CareCase.project.code == project)
    q = q.where(CareCase.id.is_in(repair_cases or [0])) if repair else q.where(CareCase.id.not_in(repair_cases or [0]))
    row = await q.order_by(CareCase.id).first()
    assert row, (project, repair)
    return row["id"]


@pytest.mark.parametrize("repair", [False, True], ids=["care-case", "repair"])
async def test_a_care_case_or_repair_of_another_project(new_client, repair):
    from app.care.routes import ACTIONS
    from app.repairs.services import STEPS

    # the demo data has repairs in JC01 only: complaint_officer2 (JC02) tries those; cases exist in both projects
    pairs = (("complaint_officer2", "JC01"),) if repair else (("complaint_officer2", "JC01"), ("cr_officer2", "JC02"))
    for user, other_project in pairs:
        cid = await _case(other_project, repair)
        c, token = await _client(new_client, user)
        posts = [(f"/care/cases/{cid}/act/{a}", {"comment": "越权"}) for a in sorted(ACTIONS)]
        posts += [(f"/care/cases/{cid}/unmask", {}), (f"/care/cases/{cid}/payment", {})]
        if repair:
            posts += [(f"/care/cases/{cid}/repair/{s}", {}) for s in STEPS]
        wrong = await _check(c, token, [f"/care/cases/{cid}"], posts)
        assert not wrong, (user, wrong)


async def test_a_ledger_correction_of_another_project(new_client):
    d = await _deal("JC01", "已签约")
    assert d["contract_no"]
    own, _ = await _client(new_client, "contract")
    frag = await own.get(f"/ledgers/corrections/current?deal_ref={d['contract_no']}&field=contracts.online_no",
                         headers={"HX-Request": "true"})
    assert frag.status_code == 200
    online_no = (await Deal.select(Deal.online_no).where(Deal.id == d["id"]).first())["online_no"]
    assert online_no and online_no in frag.text
    c, token = await _client(new_client, "contract2")
    # the form's current-value fragment answers for a contract outside the scope exactly as for one that does not exist
    out = await c.get(f"/ledgers/corrections/current?deal_ref={d['contract_no']}&field=contracts.online_no",
                      headers={"HX-Request": "true"})
    none = await c.get("/ledgers/corrections/current?deal_ref=NO-SUCH-0000&field=contracts.online_no", headers={"HX-Request": "true"})
    assert out.status_code in (200, *REFUSED) and online_no not in out.text and out.text == none.text
    before = await row_counts()
    rid, r = await submit(c, "ledger_correction", {"deal_ref": d["contract_no"], "field": "contracts.online_no",
                                                   "new_value": "WQ-SCOPE-1", "reason": "越权更正"})
    assert not rid and r.status_code in (400, 403, 404, 422), r.status_code
    assert not diff(before, await row_counts())
