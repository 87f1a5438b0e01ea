"""E2 → E13: a trip's fuel and tolls (company car) or the private-car allowance km × rate (私车公用) claimed through the
expense type, from the trip log: the record picker lists only the applicant's own unclaimed trips, the amounts must
match the log's receipts, each trip is claimed once (a unique link in the database), a rejected claim frees it."""
import re
from decimal import Decimal

import pytest

from app.finance.tables import ExpenseClaim, ExpenseTrip
from app.office.tables import TripLog, Vehicle
from app.org.tables import Employee
from app.workflow.tables import FlowSetting, Request
from tests.conftest import csrf_token, sign_in
from tests.integration.office.helpers import make_vehicle, slot, vehicle_form
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, submit

pytestmark = pytest.mark.integration


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', html))


async def logged_trip(new_client, username: str, *, private: bool = False, fuel: str = "300.00", toll: str = "45.00",
                      km: int = 120, days: int = 8) -> tuple[str, int]:
    """An approved booking of `username` with its trip log entered through the booking page. Returns (用车单号, trip id)."""
    vid = await make_vehicle(odometer=1000)
    if private:
        emp = await Employee.select(Employee.id).where(Employee.user.username == username).first()
        await Vehicle.update({Vehicle.private_owner: emp["id"]}).where(Vehicle.id == vid)
    c = await sign_in(await new_client(), username)
    rid, r = await submit(c, "vehicle", vehicle_form(vid, "self", *slot(days, 9, 11)))
    assert rid, r.text[-2000:]
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    number = (await Request.select(Request.number).where(Request.id == rid).first())["number"]
    booking = await TripLog.raw("SELECT id FROM office_booking WHERE request = {}", rid)
    bid = booking[0]["id"]
    token = await csrf_token(c, f"/office/bookings/{bid}")
    data = {"odometer_out": "1000", "odometer_in": str(1000 + km), "toll_amount": toll, "_csrf_token": token}
    if not private:
        data["fuel_amount"] = fuel
    r = await c.post(f"/office/bookings/{bid}/trip", data=data)
    assert r.status_code == 303, r.text[-2000:]
    trip = await TripLog.select(TripLog.id, TripLog.fuel_amount, TripLog.toll_amount).where(TripLog.booking == bid).first()
    assert trip["toll_amount"] == Decimal(toll)
    return number, trip["id"]


def trip_claim_form(ref: str, *, fuel: str | None = None, toll: str = "45.00", reason: str = "出车油费、路桥费") -> dict:
    data = {"reason": reason, "trip_ref": ref, "trip_toll": toll,
            "inv_kind": ["数电票"], "inv_number": [""], "inv_date": [""], "inv_seller": [""], "inv_amount": [""], "inv_tax": [""],
            "inv_buyer": [""], "inv_buyer_tax_id": [""]}
    if fuel is not None:
        data["trip_fuel"] = fuel
    return data


async def test_company_car_trip_claimed_once_with_the_logs_amounts(new_client):
    ref, trip_id = await logged_trip(new_client, "title")
    c = await sign_in(await new_client(), "title")
    # the picker offers the user's own unclaimed trip; another user's picker does not
    picker = await c.get(f"/workflow/new/expense/records?trip_ref={ref}", headers={"HX-Request": "true"})
    assert picker.status_code == 200 and ref in picker.text and "<html" not in picker.text
    other = await sign_in(await new_client(), "archive")
    assert ref not in (await other.get(f"/workflow/new/expense/records?trip_ref={ref}", headers={"HX-Request": "true"})).text
    # amounts that differ from the log's receipts are refused, the values kept
    before = await Request.count()
    rid, r = await submit(c, "expense", trip_claim_form(ref, fuel="350.00", toll="45.00"))
    assert rid == 0 and r.status_code == 400
    assert field_errors(r.text)["trip_fuel"] == "油费应与行车记录的票据金额一致（行车记录 300.00 元）"
    assert 'value="350.00"' in r.text and ref in r.text
    assert await Request.count() == before
    # the log's amounts: one claim line of fuel + tolls, no invoice lines needed
    rid, r = await submit(c, "expense", trip_claim_form(ref, fuel="300.00"))
    assert rid, r.text[-3000:]
    line = await ExpenseTrip.select().where(ExpenseTrip.request == rid).first()
    assert (line["trip"], line["fuel"], line["toll"], line["amount"], line["private"]) == (trip_id, Decimal("300.00"), Decimal("45.00"), Decimal("345.00"), False)
    assert (await Request.select(Request.amount).where(Request.id == rid).first())["amount"] == Decimal("345.00")
    page = await c.get(f"/workflow/requests/{rid}")
    assert 'data-testid="trip-claim-table"' in page.text and "¥345.00" in page.text
    # the same trip a second time: refused, naming the first claim; gone from the picker
    number = (await Request.select(Request.number).where(Request.id == rid).first())["number"]
    rid2, r = await submit(c, "expense", trip_claim_form(ref, fuel="300.00", reason="重复报销"))
    assert rid2 == 0 and r.status_code == 400
    assert field_errors(r.text)["trip_ref"].startswith(f"该次出车已在报销单 {number}")
    assert ref not in (await c.get(f"/workflow/new/expense/records?trip_ref={ref}", headers={"HX-Request": "true"})).text
    # another user cannot claim it either
    rid3, r = await submit(other, "expense", trip_claim_form(ref, fuel="300.00"))
    assert rid3 == 0 and "只能报销本人用车申请" in r.text
    # rejected: the trip is free again
    head = await sign_in(await new_client(), "dept_head")
    await act(head, await pending_task(rid, "dept_head"), "驳回", "请与加油票核对")
    assert not await ExpenseTrip.exists().where(ExpenseTrip.trip == trip_id)
    rid4, r = await submit(c, "expense", trip_claim_form(ref, fuel="300.00"))
    assert rid4, r.text[-2000:]


async def test_the_database_refuses_a_second_link_to_one_trip(new_client):
    ref, trip_id = await logged_trip(new_client, "clerk", days=9)
    c = await sign_in(await new_client(), "clerk")
    rid, r = await submit(c, "expense", trip_claim_form(ref, fuel="300.00"))
    assert rid, r.text[-2000:]
    other = await Request.select(Request.id).where(Request.id != rid).first()
    with pytest.raises(Exception):
        await ExpenseTrip.insert(ExpenseTrip(request=other["id"], trip=trip_id, amount=Decimal("1.00")))


async def test_private_car_allowance_is_km_times_the_rate_setting(new_client):
    await FlowSetting.delete().where((FlowSetting.flow == "expense") & (FlowSetting.key == "private_car_rate"))
    await FlowSetting.insert(FlowSetting(flow="expense", key="private_car_rate", label="私车公用补贴标准（元/公里）", value=Decimal("1.15")))
    try:
        ref, trip_id = await logged_trip(new_client, "data", private=True, km=87, toll="20.00", days=10)
        c = await sign_in(await new_client(), "data")
        form = await c.get(f"/workflow/new/expense?trip_ref={ref}")
        assert form.status_code == 200 and f'value="{ref}"' in form.text  # 报销本次出车费用 from the booking page
        assert 'data-testid="private-car-rate"' in form.text and "1.15 元/公里" in form.text  # the rate next to the rule
        rid, r = await submit(c, "expense", trip_claim_form(ref, toll="20.00"))
        assert rid, r.text[-3000:]
        line = await ExpenseTrip.select().where(ExpenseTrip.request == rid).first()
        assert line["private"] and line["distance"] == 87 and line["rate"] == Decimal("1.15")
        assert line["allowance"] == Decimal("100.05") and line["fuel"] == Decimal("0.00") and line["amount"] == Decimal("120.05")
        claim = await ExpenseClaim.select(ExpenseClaim.total).where(ExpenseClaim.request == rid).first()
        assert claim["total"] == Decimal("120.05")
        page = await c.get(f"/workflow/requests/{rid}")
        assert "87 × 1.15 = ¥100.05" in page.text
    finally:
        await FlowSetting.delete().where((FlowSetting.flow == "expense") & (FlowSetting.key == "private_car_rate"))


async def test_trip_log_amounts_bad_input_keeps_values(new_client):
    vid = await make_vehicle(odometer=500)
    c = await sign_in(await new_client(), "archive")
    rid, _ = await submit(c, "vehicle", vehicle_form(vid, "self", *slot(11, 9, 11)))
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    bid = (await TripLog.raw("SELECT id FROM office_booking WHERE request = {}", rid))[0]["id"]
    token = await csrf_token(c, f"/office/bookings/{bid}")
    r = await c.post(f"/office/bookings/{bid}/trip", data={"odometer_out": "500", "odometer_in": "560", "fuel_amount": "12.345",
                                                           "toll_amount": "-3", "_csrf_token": token})
    assert r.status_code == 400
    errors = field_errors(r.text)
    assert "最多保留两位小数" in errors["fuel_amount"] and "不能为负数" in errors["toll_amount"]
    assert 'value="12.345"' in r.text and 'value="560"' in r.text
    assert not await TripLog.exists().where(TripLog.booking == bid)


async def test_a_private_car_is_booked_only_by_its_owner(new_client):
    vid = await make_vehicle()
    emp = await Employee.select(Employee.id).where(Employee.user.username == "title").first()
    await Vehicle.update({Vehicle.private_owner: emp["id"]}).where(Vehicle.id == vid)
    other = await sign_in(await new_client(), "archive")
    form = await other.get("/workflow/new/vehicle")
    plate = (await Vehicle.select(Vehicle.plate).where(Vehicle.id == vid).first())["plate"]
    assert plate not in form.text
    before = await Request.count()
    rid, r = await submit(other, "vehicle", vehicle_form(vid, "self", *slot(12, 9, 11)))
    assert rid == 0 and field_errors(r.text)["vehicle"] == "所选车辆不存在或已停用，请重新选择"
    assert await Request.count() == before
    owner = await sign_in(await new_client(), "title")
    page = (await owner.get("/workflow/new/vehicle")).text
    assert plate in page and "（私车公用）" in page
