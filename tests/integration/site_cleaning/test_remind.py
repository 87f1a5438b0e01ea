"""An overdue rectification tells the team's lead once (however often the worker runs), and the notice closes when the
ticket is re-inspected; an inspection's record page shows its score, deductions, photos and its ticket."""
from datetime import timedelta

import pytest

from app.core.tables import Notification
from app.core.timeutil import now
from app.site_cleaning import remind
from app.site_cleaning.tables import CleanTicket
from tests.conftest import sign_in
from tests.integration.site_cleaning.test_inspections import inspect, new_area

pytestmark = pytest.mark.integration


async def test_an_overdue_ticket_reminds_the_lead_once_and_the_reinspection_closes_it(new_client):
    area, items = await new_area()
    lead = await sign_in(await new_client(), "cleaning_lead")
    await inspect(lead, area, {items[0]: 10, items[1]: 10, items[2]: 10})
    t = await CleanTicket.select().where(CleanTicket.area == area).first()
    ref = remind.overdue_ref(t["id"])
    await remind.remind_once(t["due_at"] - timedelta(minutes=1))  # not yet due
    assert await Notification.count().where(Notification.ref == ref) == 0
    later = t["due_at"] + timedelta(minutes=1)
    await remind.remind_once(later)
    await remind.remind_once(later)
    assert await Notification.count().where(Notification.ref == ref) == 1
    # the record page of the failed inspection
    page = await lead.get(f"/site/cleaning/inspections/{t['inspection']}")
    assert page.status_code == 200 and "70 分" in page.text and 'data-testid="inspection-ticket"' in page.text
    assert page.text.count('data-testid="photo"') == 1
    hist = await lead.get(f"/site/cleaning/areas/{area}")
    assert hist.status_code == 200 and hist.text.count('data-testid="history-row"') == 1 and "70 分" in hist.text
    # fixed and re-inspected: the notice closes
    from tests.conftest import csrf_token
    from tests.samples import png

    url = f"/site/cleaning/rectifications/{t['id']}"
    token = await csrf_token(lead, url)
    assert (await lead.post(f"{url}/done", data={"_csrf_token": token}, files=[("camera", ("a.png", png(), "image/png"))])).status_code == 303
    assert (await inspect(lead, area, {}, photo=False, url=f"{url}/reinspect")).status_code == 303
    assert await Notification.count().where((Notification.ref == ref) & Notification.closed_at.is_null()) == 0
    await remind.remind_once(now() + timedelta(days=1))
    assert await Notification.count().where(Notification.ref == ref) == 1


async def test_two_reinspections_at_once_close_the_ticket_once(new_client):
    import asyncio

    from app.site_cleaning.tables import CleanInspection
    from tests.conftest import csrf_token
    from tests.samples import png

    area, items = await new_area()
    lead = await sign_in(await new_client(), "cleaning_lead")
    await inspect(lead, area, {items[0]: 10, items[1]: 10, items[2]: 10})
    t = await CleanTicket.select().where(CleanTicket.area == area).first()
    url = f"/site/cleaning/rectifications/{t['id']}"
    token = await csrf_token(lead, url)
    await lead.post(f"{url}/done", data={"_csrf_token": token}, files=[("camera", ("a.png", png(), "image/png"))])
    sup = await sign_in(await new_client(), "supervisor")
    tokens = [await csrf_token(c, url) for c in (lead, sup)]
    rs = await asyncio.gather(*[c.post(f"{url}/reinspect", data={"_csrf_token": tok}) for c, tok in zip((lead, sup), tokens)])
    assert sorted(r.status_code for r in rs) == [303, 400]
    assert await CleanInspection.count().where(CleanInspection.area == area) == 2
    assert (await CleanTicket.select(CleanTicket.status).where(CleanTicket.id == t["id"]).first())["status"] == "已复检"
