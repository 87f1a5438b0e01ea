"""The 5xx the form fuzzer found (test_fuzz_forms.py), pinned: each is now a refused post with a Chinese message."""
from __future__ import annotations

import pytest

from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration

HUGE_NUMBER = "9" * 5000  # int() refuses strings of more than 4,300 digits (ValueError): it used to escape as a 500


async def _token(client) -> str:
    return HX_CSRF_RE.search((await client.get("/")).text).group(1)


async def test_outage_with_a_huge_deal_id_is_refused(client):
    await sign_in(client, "supervisor")
    token = await _token(client)
    r = await client.post("/pipeline/outages/new", data={"started_at": "2026-12-01T09:00", "ended_at": "2026-12-01T10:00", "cause": "停电",
                                                         "action_taken": "改期", "deal_ids": [HUGE_NUMBER, "²"], "_csrf_token": token})
    assert r.status_code == 400 and "所选合同无效" in r.text


async def test_permit_record_edit_with_a_huge_project_id_is_refused(client):
    from app.permits.tables import MaintenanceFund

    await sign_in(client, "supervisor")
    token = await _token(client)
    row = await MaintenanceFund.select(MaintenanceFund.id).first()
    assert row, "the demo has a 维修基金 record"
    r = await client.post(f"/permits/fund/{row['id']}/edit", data={"project": HUGE_NUMBER, "percent": HUGE_NUMBER, "_csrf_token": token})
    assert r.status_code == 400 and "项目的选项无效" in r.text


async def test_duty_plan_with_a_huge_employee_id_is_refused(client):
    await sign_in(client, "supervisor")
    token = await _token(client)
    r = await client.post("/duty/shifts", data={"employee": HUGE_NUMBER, "day": "2026-12-10", "_csrf_token": token})
    assert 400 <= r.status_code < 500


async def test_intake_with_a_repeated_room_field_is_refused_not_500(client):
    await sign_in(client, "reception")
    token = await _token(client)
    r = await client.post("/care/new", data={"room": ["1-101", "1-102"], "project": HUGE_NUMBER, "_csrf_token": token})
    assert 400 <= r.status_code < 500


async def test_fund_payment_with_a_huge_unit_id_is_refused(client):
    from app.permits.tables import MaintenanceFund

    await sign_in(client, "supervisor")
    token = await _token(client)
    row = await MaintenanceFund.select(MaintenanceFund.id).first()
    r = await client.post(f"/permits/fund/{row['id']}/act/pay", data={"unit": HUGE_NUMBER, "paid_on": "2026-12-01", "_csrf_token": token})
    assert 400 <= r.status_code < 500


async def test_shift_log_with_a_repeated_day_field_is_refused_not_500(client):
    from app.site.tables import SiteTeam

    await sign_in(client, "supervisor")
    token = await _token(client)
    team = (await SiteTeam.select(SiteTeam.id).order_by(SiteTeam.id).first())["id"]
    r = await client.post("/site/shifts/new", data={"team": str(team), "day": ["2026-12-01", "2026-12-02"], "slot": "1",
                                                    "att_1": "到岗", "_csrf_token": token})
    assert r.status_code < 500, r.status_code  # the form again with its message (the day sent twice is no day)
