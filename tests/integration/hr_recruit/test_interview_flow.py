"""面试审批 through the real routes (SPEC §E12 "Interviews: 人 → 经 → 副 (for 主管 and above)"): HR files it on a candidate
whose interview rounds are recorded (the picker refuses the others and anyone but HR); 人事 → 用人部门负责人, + 分管副总
when the staffing request's post is 主管 and above; the detail shows every round and the background check; approved
→ 面试通过 and only then may the 录用审批 name the candidate; 驳回 → 未录用; 撤回 → back to 面试中. Each test uses its own
position, so its candidates are its own."""
import pytest

from app.core.timeutil import today_local
from app.hr_recruit.tables import Candidate, Interview, InterviewReview
from tests.conftest import csrf_token, sign_in
from tests.integration.hr_recruit.test_recruit_flow import (
    GARBAGE, approved_staffing, id_number, new_position, offer_form, post, ready_candidate, review_approvers,
)
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, status, submit

pytestmark = pytest.mark.integration


async def cand_status(cid: int) -> str:
    return (await Candidate.select(Candidate.status).where(Candidate.id == cid).first())["status"]


async def test_chain_without_vp_detail_and_the_offer_after_it(new_client):
    sid = await approved_staffing(new_client, await new_position(2))  # 合同专员: not 主管 and above
    hr = await sign_in(await new_client(), "hr")
    cid = await ready_candidate(hr, sid, 61)
    head = await sign_in(await new_client(), "dept_head")
    rid, r = await submit(head, "offer", offer_form(cid))
    assert rid == 0 and "面试审批已通过" in r.text  # interviewed and checked, but no approved 面试审批 yet
    assert (await head.get("/workflow/new/interview")).status_code == 403  # HR only
    rid, r = await submit(hr, "interview", {"candidate": str(cid)})
    assert rid, r.text[:2000]
    assert await chain(rid) == ["hr", "dept_head"]
    assert await cand_status(cid) == "面试审批中"
    page = await hr.get(f"/workflow/requests/{rid}")
    assert 'data-testid="interview-rounds"' in page.text and "沟通清楚" in page.text and "86" in page.text
    assert "原单位核实无误" in page.text and "劳动合同法》第八条" in page.text
    # frozen while under review: no more rounds; a second 面试审批 on the same candidate is refused
    base = f"/hr/recruit/{sid}/candidates"
    r = await post(hr, f"{base}/{cid}/interviews", {"score": "70", "interviewer": "1", "held_on": today_local().isoformat()}, base)
    assert r.status_code == 400
    listing = await hr.get(base)
    assert listing.status_code == 200 and "面试审批中" in listing.text and f'data-testid="interview-form-{cid}"' not in listing.text
    again, r = await submit(hr, "interview", {"candidate": str(cid)})
    assert again == 0 and 'data-testid="error-candidate"' in r.text
    rid2, r = await submit(head, "offer", offer_form(cid))
    assert rid2 == 0
    for key in await chain(rid):
        await approve_as(new_client, rid, review_approvers[key])
    assert await status(rid) == "已通过" and await cand_status(cid) == "面试通过"
    assert 'data-testid="candidate-offer-ready"' in (await hr.get(base)).text
    offer, r = await submit(head, "offer", offer_form(cid))
    assert offer, r.text[:2000]
    assert await cand_status(cid) == "录用审批中"


async def test_chain_with_vp_for_a_senior_post(new_client):
    sid = await approved_staffing(new_client, await new_position(2, role="supervisor"))  # 客服主管: 主管 and above
    hr = await sign_in(await new_client(), "hr")
    cid = await ready_candidate(hr, sid, 62)
    rid, r = await submit(hr, "interview", {"candidate": str(cid)})
    assert rid, r.text[:2000]
    assert await chain(rid) == ["hr", "dept_head", "vp"]
    assert (await InterviewReview.select(InterviewReview.target_senior).where(InterviewReview.request == rid).first())["target_senior"]
    for key in await chain(rid):
        await approve_as(new_client, rid, review_approvers[key])
    assert await status(rid) == "已通过" and await cand_status(cid) == "面试通过"


async def test_picker_refusals(new_client):
    sid = await approved_staffing(new_client, await new_position(3))
    hr = await sign_in(await new_client(), "hr")
    r = await post(hr, f"/hr/recruit/{sid}/candidates", {"name": "未面试者", "mobile": "13912345670", "id_number": id_number(63)})
    assert r.status_code == 303
    fresh = (await Candidate.select(Candidate.id).where(Candidate.staffing == sid).first())["id"]
    for value in (str(fresh), "999999", "abc", ""):
        rid, r = await submit(hr, "interview", {"candidate": value})
        assert rid == 0 and 'data-testid="error-candidate"' in r.text, value
    options = await hr.get("/workflow/new/interview/records", params={"q": ""}, headers={"HX-Request": "true"})
    assert options.status_code == 200 and "未面试者" not in options.text
    cid = await ready_candidate(hr, sid, 64)
    options = await hr.get("/workflow/new/interview/records", params={"q": ""}, headers={"HX-Request": "true"})
    assert "候选人64" in options.text
    for who in ("dept_head", "supervisor", "sales"):
        c = await sign_in(await new_client(), who)
        assert (await c.get("/workflow/new/interview")).status_code == 403, who
        rid, r = await submit(c, "interview", {"candidate": str(cid)})
        assert rid == 0 and r.status_code == 403, who
    assert not await InterviewReview.exists().where(InterviewReview.candidate.is_in([fresh, cid]))


async def test_rejected_marks_the_candidate_dropped_and_withdrawn_goes_back(new_client):
    sid = await approved_staffing(new_client, await new_position(3))
    hr = await sign_in(await new_client(), "hr")
    rejected, kept = await ready_candidate(hr, sid, 65), await ready_candidate(hr, sid, 66)
    rid, r = await submit(hr, "interview", {"candidate": str(rejected)})
    assert rid, r.text[:2000]
    await approve_as(new_client, rid, "hr2")
    head = await sign_in(await new_client(), "dept_head")
    r = await act(head, await pending_task(rid, "dept_head"), "驳回", "专业能力不符合岗位要求")
    assert r.status_code in (200, 303)
    assert await status(rid) == "已驳回" and await cand_status(rejected) == "未录用"
    rid2, r = await submit(head, "offer", offer_form(rejected))
    assert rid2 == 0
    rid, r = await submit(hr, "interview", {"candidate": str(kept)})
    assert rid, r.text[:2000]
    token = await csrf_token(hr, f"/workflow/requests/{rid}")
    r = await hr.post(f"/workflow/requests/{rid}/withdraw", data={"comment": "补充一轮面试", "_csrf_token": token})
    assert r.status_code < 400 and await status(rid) == "已撤回"
    assert await cand_status(kept) == "面试中"  # rounds may be added again
    base = f"/hr/recruit/{sid}/candidates"
    r = await post(hr, f"{base}/{kept}/interviews", {"score": "90", "interviewer": "1", "held_on": today_local().isoformat()}, base)
    assert r.status_code == 303 and await Interview.count().where(Interview.candidate == kept) == 2


async def test_interview_garbage_never_500(new_client):
    hr = await sign_in(await new_client(), "hr")
    for value in GARBAGE:
        rid, r = await submit(hr, "interview", {"candidate": value})
        assert rid == 0 and r.status_code < 500, (value, r.status_code)
    for q in ("", "候", "\u0000", "x" * 300):
        assert (await hr.get("/workflow/new/interview/records", params={"q": q}, headers={"HX-Request": "true"})).status_code < 500
