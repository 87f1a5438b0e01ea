"""Reminders close themselves when the step they announce is done (issue 8 §3): the pipeline's clocks (signing, filing,
bank approval, release, the cancellations after a voiding), the permit deadlines and the overdue document loans. Each
worker's remind_once sends, the completing action goes through its route, and every recipient's copy is closed and
read, while an unrelated reminder stays open."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.archive import remind as archive_remind
from app.archive import services as archive_services
from app.archive.tables import DocumentLoan
from app.core.tables import Notification
from app.core.timeutil import today_local
from app.permits import remind as permit_remind
from app.permits.tables import Deadline, Qualification
from app.pipeline import remind as pipeline_remind
from app.pipeline.remind import cancel_ref, clock_ref
from app.pipeline.tables import Deal, DealDocument, VoidStep
from tests.conftest import sign_in
from tests.integration.archive.test_archive import _emp, _file, _lend_form, _post, _user
from tests.integration.permits.helpers import created_id, employee_id
from tests.integration.permits.helpers import post as permit_post
from tests.integration.pipeline.test_pipeline import check_and_sign, post, subscribed
from tests.integration.pipeline.test_voiding import signed, void

pytestmark = pytest.mark.integration


async def notes(ref: str) -> list[dict]:
    return await Notification.select(Notification.user.username, Notification.text, Notification.closed_at, Notification.read_at).where(
        Notification.ref == ref).order_by(Notification.id)


async def assert_open(ref: str, user: str | None = None) -> list[dict]:
    rows = await notes(ref)
    assert rows, f"no reminder with ref {ref}"
    if user:
        assert user in {r["user.username"] for r in rows}, rows
    assert all(r["closed_at"] is None for r in rows), rows
    return rows


async def assert_closed(ref: str) -> None:
    rows = await notes(ref)
    assert rows, f"no reminder with ref {ref}"
    assert all(r["closed_at"] is not None and r["read_at"] is not None for r in rows), rows


async def test_signing_closes_the_signing_reminders_of_that_deal_only(new_client):
    unit, deal = await subscribed(new_client, sign_deadline=(today_local() + timedelta(days=1)).isoformat())
    other_unit, other = await subscribed(new_client, sign_deadline=today_local().isoformat())
    await pipeline_remind.remind_once()
    ref = clock_ref(deal["id"], "sign")
    rows = await assert_open(ref, "sales")
    assert "签约期限明天到期" in rows[0]["text"]
    await assert_open(clock_ref(other["id"], "sign"), "sales")
    await check_and_sign(new_client, unit, deal, f"RC-{deal['id']}")
    await assert_closed(ref)
    await assert_open(clock_ref(other["id"], "sign"))  # another deal's reminder is untouched
    count = len(await notes(ref))
    await pipeline_remind.remind_once()
    assert len(await notes(ref)) == count  # signed: nothing more


async def test_a_closed_reminder_is_not_sent_again_the_same_day(new_client):
    _, deal = await subscribed(new_client, sign_deadline=today_local().isoformat())
    await pipeline_remind.remind_once()
    ref = clock_ref(deal["id"], "sign")
    count = len(await assert_open(ref, "sales"))
    await pipeline_remind.step_done(deal["id"], "sign")  # closed while the condition still holds (still 已认购)
    await pipeline_remind.remind_once()
    rows = await notes(ref)
    assert len(rows) == count and all(r["closed_at"] is not None for r in rows)


async def test_filing_closes_on_the_filing_not_on_the_submission(new_client):
    unit, deal, _ = await signed(new_client)
    _, other, _ = await signed(new_client)
    await Deal.update({Deal.signed_on: today_local() - timedelta(days=40)}).where(Deal.id.is_in([deal["id"], other["id"]]))
    await pipeline_remind.remind_once()
    ref = clock_ref(deal["id"], "filing")
    rows = await assert_open(ref, "bureau")
    assert "合同备案已逾期" in rows[0]["text"]
    bureau = await sign_in(await new_client(), "bureau")
    page = f"/pipeline/units/{unit['id']}"
    contract = await sign_in(await new_client(), "contract")
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/filing/prepare", {"on": today_local().isoformat()}, page)).status_code == 303
    await DealDocument.update({DealDocument.received_on: today_local()}).where((DealDocument.deal == deal["id"]) & (DealDocument.stage == "备案"))
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/filing/submit", {"on": today_local().isoformat(), "acceptance_no": f"BS-RC-{deal['id']}"}, page)
    assert r.status_code == 303, r.text[:500]
    await assert_open(ref)  # submitted is not filed: the clock still runs
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/filing/filed", {"on": today_local().isoformat(), "filing_no": f"BA-RC-{deal['id']}"}, page)
    assert r.status_code == 303, r.text[:500]
    await assert_closed(ref)
    await assert_open(clock_ref(other["id"], "filing"))


async def test_bank_approval_and_release_close_their_clocks(new_client):
    unit, deal, _ = await signed(new_client, loan=True)  # submitted to the bank
    _, other, _ = await signed(new_client, loan=True)
    await Deal.update({Deal.bank_submitted_on: today_local() - timedelta(days=20)}).where(Deal.id.is_in([deal["id"], other["id"]]))
    await pipeline_remind.remind_once()
    bank = clock_ref(deal["id"], "bank")
    rows = await assert_open(bank, "mortgage")
    assert "银行审批已超过" in rows[0]["text"]
    mortgage = await sign_in(await new_client(), "mortgage")
    page = f"/pipeline/units/{unit['id']}"
    for action, extra in (("bank_approve", {}), ("register_submit", {}), ("register", {"reg_cert_no": f"DJ-{deal['id']}"})):
        r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/{action}", {"on": today_local().isoformat(), **extra}, page)
        assert r.status_code == 303, (action, r.text[:500])
    await assert_closed(bank)
    await assert_open(clock_ref(other["id"], "bank"))
    await Deal.update({Deal.registered_on: today_local() - timedelta(days=20)}).where(Deal.id == deal["id"])
    await pipeline_remind.remind_once()
    release = clock_ref(deal["id"], "release")
    rows = await assert_open(release, "mortgage")
    assert "银行放款已超过" in rows[0]["text"]
    loan = f"{Decimal(deal['total_price']) - Decimal('900000.00'):.2f}"
    assert (await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/release_apply", {"on": today_local().isoformat()}, page)).status_code == 303
    r = await post(mortgage, f"/pipeline/deals/{deal['id']}/mortgage/release", {"on": today_local().isoformat(), "amount": loan}, page)
    assert r.status_code == 303, r.text[:500]
    await assert_closed(release)


async def test_voiding_stops_the_clocks_and_each_cancellation_closes_its_reminder(new_client):
    unit, deal, no = await signed(new_client)
    await Deal.update({Deal.signed_on: today_local() - timedelta(days=40)}).where(Deal.id == deal["id"])
    await pipeline_remind.remind_once()
    await assert_open(clock_ref(deal["id"], "filing"), "bureau")
    await void(new_client, no)
    await assert_closed(clock_ref(deal["id"], "filing"))
    await VoidStep.update({VoidStep.due_on: today_local() - timedelta(days=1)}).where(VoidStep.deal == deal["id"])
    step = await VoidStep.select().where(VoidStep.deal == deal["id"]).first()
    await pipeline_remind.remind_once()
    ref = cancel_ref(deal["id"], step["id"])
    rows = await assert_open(ref, "bureau")
    assert f"合同作废后的{step['step']}已逾期" in rows[0]["text"]
    bureau = await sign_in(await new_client(), "bureau")
    page = f"/pipeline/units/{unit['id']}"
    r = await post(bureau, f"/pipeline/deals/{deal['id']}/void-steps/{step['id']}", {"on": today_local().isoformat(), "receipt_no": "HZ-RC"}, page)
    assert r.status_code == 303, r.text[:500]
    await assert_closed(ref)


async def _qualification(client, days: int) -> tuple[int, dict]:
    company = (await Qualification.select(Qualification.company).order_by(Qualification.id).first())["company"]  # the demo's (other tests add their own)
    today = today_local()
    data = {"company": str(company), "cert_no": f"Q-RC-{today.toordinal()}-{days}", "grade": "三级", "regime": "年报制",
            "issued_on": "2024-03-01", "expires_on": (today + timedelta(days=days)).isoformat(), "owner": str(await employee_id("bureau")), "active": "1"}
    return created_id(await permit_post(client, "/permits/qualification/new", data), "qualification"), data


async def _deadline_id(record_id: int) -> int:
    return (await Deadline.select(Deadline.id).where((Deadline.kind == "qualification") & (Deadline.record_id == record_id)
                                                     & (Deadline.item == "expiry")).first())["id"]


async def test_permit_reminders_close_when_renewed_or_closed(new_client):
    c = await sign_in(await new_client(), "bureau")
    renewed, data = await _qualification(c, 45)
    ended, data2 = await _qualification(c, 44)
    kept, _ = await _qualification(c, 43)
    today = today_local()
    await permit_remind.remind_once(today + timedelta(days=50))  # overdue: the owner and the 客服主管
    refs = {rid: permit_remind.deadline_ref(await _deadline_id(rid)) for rid in (renewed, ended, kept)}
    for ref in refs.values():
        assert {r["user.username"] for r in await assert_open(ref)} == {"bureau", "supervisor"}
    r = await permit_post(c, f"/permits/qualification/{renewed}/edit", {**data, "expires_on": (today + timedelta(days=3 * 365)).isoformat()})
    assert r.status_code == 303, r.text[-2000:]
    await assert_closed(refs[renewed])
    data2.pop("active")  # no longer held: its deadline is done
    r = await permit_post(c, f"/permits/qualification/{ended}/edit", data2)
    assert r.status_code == 303, r.text[-2000:]
    assert (await Deadline.select(Deadline.done).where(Deadline.id == await _deadline_id(ended)).first())["done"] is True
    await assert_closed(refs[ended])
    await assert_open(refs[kept])


async def test_returning_a_loan_closes_its_overdue_notices(new_client):
    f = await _file("TRC")
    keeper = await _user("archive")
    clerk = await _emp("clerk")
    loans = []
    for item in ("购房审核单", "认购书"):
        await archive_services.file_original(keeper, f["deal"], item, True)
        loans.append(await archive_services.lend(keeper, f["deal"], _lend_form(item, borrower=clerk, approver=await _emp("supervisor"))))
    await DocumentLoan.update({DocumentLoan.out_on: today_local() - timedelta(days=12),
                               DocumentLoan.due_on: today_local() - timedelta(days=3)}).where(DocumentLoan.id.is_in([ln["id"] for ln in loans]))
    today = today_local()
    await archive_remind.remind_once(today)
    await archive_remind.remind_once(today + timedelta(days=1))  # two notices, one a day
    back, kept = (archive_remind.loan_ref(ln["id"]) for ln in loans)
    assert len(await assert_open(back, "clerk")) == 2
    c = await sign_in(await new_client(), "archive")
    page = f"/archive/deals/{f['deal']}"
    r = await _post(c, f"/archive/loans/{loans[0]['id']}/return", {"next": page}, page)
    assert r.status_code in (302, 303), r.text[:500]
    assert (await DocumentLoan.select(DocumentLoan.status).where(DocumentLoan.id == loans[0]["id"]).first())["status"] == archive_services.RETURNED
    await assert_closed(back)
    await assert_open(kept)
    clerk_page = await (await sign_in(await new_client(), "clerk")).get("/notifications?kind=overdue")
    assert clerk_page.status_code == 200
    rows = clerk_page.text.split('data-testid="note-row"')[1:]
    returned = [row for row in rows if loans[0]["number"] in row]
    assert len(returned) == 2 and all('data-state="closed"' in row and 'data-testid="note-closed">已办结' in row for row in returned)
    assert any(loans[1]["number"] in row and 'data-state="read"' not in row and 'data-state="closed"' not in row for row in rows)
