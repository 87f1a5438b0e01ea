"""E2 用车 through the real routes: chain, no overlapping bookings of a vehicle or a driver (adjacent allowed;
rejected or withdrawn bookings free the slot; race-safe), time validation, trip log with the odometer never
going backwards."""
import re

import pytest

from app.core.tables import AuditLog
from app.office.tables import TripLog, Vehicle, VehicleBooking
from app.workflow.tables import Request
from tests.conftest import csrf_token, sign_in
from tests.integration.office.helpers import make_driver, make_vehicle, slot, vehicle_form
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, status, submit

pytestmark = pytest.mark.integration


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', html))


async def number(rid: int) -> str:
    return (await Request.select(Request.number).where(Request.id == rid).first())["number"]


async def test_booking_chain_local_out_of_town_and_overnight(new_client):
    v = await make_vehicle()
    applicant = await sign_in(await new_client(), "mortgage")
    rid, r = await submit(applicant, "vehicle", vehicle_form(v, "self", *slot(3, 9, 11)))
    assert rid, r.text[-3000:]
    assert await chain(rid) == ["dept_head", "admin_staff"]
    assert (await number(rid)).startswith("YC-")
    printed = await applicant.get(f"/workflow/requests/{rid}/print")
    assert printed.status_code == 200 and "自驾" in printed.text
    rid, _ = await submit(applicant, "vehicle", vehicle_form(v, "self", *slot(3, 13, 17), out_of_town="1"))
    assert await chain(rid) == ["dept_head", "vp", "admin_staff"]
    rid, _ = await submit(applicant, "vehicle", vehicle_form(v, "self", *slot(4, 9, 10, end_days_ahead=5)))  # back the next day: overnight
    assert await chain(rid) == ["dept_head", "vp", "admin_staff"]
    assert (await VehicleBooking.select(VehicleBooking.overnight).where(VehicleBooking.request == rid).first())["overnight"]


async def test_overlapping_booking_refused_same_vehicle_and_same_driver_adjacent_allowed(new_client):
    v1, v2, d = await make_vehicle(), await make_vehicle(), await make_driver()
    a = await sign_in(await new_client(), "bureau")
    b = await sign_in(await new_client(), "title")
    first, r = await submit(a, "vehicle", vehicle_form(v1, str(d), *slot(6, 10, 12)))
    assert first, r.text[-3000:]
    no = await number(first)
    before = await Request.count()
    # same vehicle, overlapping (other driver: self-drive)
    _, r = await submit(b, "vehicle", vehicle_form(v1, "self", *slot(6, 11, 13)))
    assert r.status_code == 400
    err = field_errors(r.text)
    assert err["vehicle"].startswith("该车辆在该时间段已被预约：" + no) and "审批中" in err["vehicle"]
    # same driver, another vehicle, overlapping; the whole range inside the first one too
    _, r = await submit(b, "vehicle", vehicle_form(v2, str(d), *slot(6, 9, 11)))
    assert r.status_code == 400 and field_errors(r.text)["driver"].startswith("该司机在该时间段已被预约：" + no)
    _, r = await submit(b, "vehicle", vehicle_form(v2, str(d), "%sT10:30" % slot(6, 0, 0)[0][:10], "%sT11:00" % slot(6, 0, 0)[0][:10]))
    assert r.status_code == 400 and "driver" in field_errors(r.text)
    assert await Request.count() == before
    # adjacent on both sides: allowed for the same vehicle and the same driver
    after, r = await submit(b, "vehicle", vehicle_form(v1, str(d), *slot(6, 12, 14)))
    assert after, r.text[-3000:]
    earlier, r = await submit(b, "vehicle", vehicle_form(v1, str(d), *slot(6, 8, 10)))
    assert earlier, r.text[-3000:]
    # an approved booking still holds the slot
    await approve_as(new_client, first, "dept_head")
    await approve_as(new_client, first, "admin_staff")
    assert await status(first) == "已通过"
    _, r = await submit(b, "vehicle", vehicle_form(v1, "self", *slot(6, 11, 12)))
    assert r.status_code == 400 and no in field_errors(r.text)["vehicle"]


async def test_rejected_or_withdrawn_booking_frees_the_slot(new_client):
    v = await make_vehicle()
    a = await sign_in(await new_client(), "reception")
    first, _ = await submit(a, "vehicle", vehicle_form(v, "self", *slot(8, 9, 12)))
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(8, 10, 11)))
    assert r.status_code == 400
    head = await sign_in(await new_client(), "dept_head")
    assert (await act(head, await pending_task(first, "dept_head"), "驳回", "改期")).status_code == 303
    assert not (await VehicleBooking.select(VehicleBooking.holds).where(VehicleBooking.request == first).first())["holds"]
    second, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(8, 10, 11)))
    assert second, r.text[-2000:]
    token = await csrf_token(a, f"/workflow/requests/{second}")
    assert (await a.post(f"/workflow/requests/{second}/withdraw", data={"_csrf_token": token})).status_code == 303
    third, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(8, 9, 12)))
    assert third, r.text[-2000:]


async def test_a_booking_made_between_check_and_save_is_caught_inside_the_transaction(new_client):
    """Two people check the same free slot, then both submit: form.save re-checks under the vehicle lock, so the
    second is refused with the field message and nothing of it is written."""
    from piccolo.apps.user.tables import BaseUser

    from app.core.auth import load_user
    from app.workflow import engine
    from app.workflow.definitions import get_flow

    v = await make_vehicle()
    flow = get_flow("vehicle")
    ids = {r["username"]: r["id"] for r in await BaseUser.select(BaseUser.id, BaseUser.username).where(BaseUser.username.is_in(["contract", "data"]))}
    ua, ub = await load_user(ids["contract"]), await load_user(ids["data"])
    data = vehicle_form(v, "self", *slot(10, 14, 16))
    ra, rb = await flow.form.parse(data, ua, None), await flow.form.parse(data, ub, None)
    assert not ra.errors and not rb.errors  # both saw the slot free
    first = await engine.submit(ua, flow, ra)
    before = await Request.count()
    with pytest.raises(engine.WorkflowError) as refused:
        await engine.submit(ub, flow, rb)
    assert refused.value.field == "vehicle" and refused.value.message.startswith("该车辆在该时间段已被预约：" + first["number"])
    assert await Request.count() == before
    assert await VehicleBooking.count().where((VehicleBooking.vehicle == v) & (VehicleBooking.holds == True)) == 1  # noqa: E712


async def test_booking_time_and_input_validation(new_client):
    v = await make_vehicle(seats=5)
    d = await make_driver()
    a = await sign_in(await new_client(), "archive")
    before = await Request.count()
    dep, ret = slot(12, 15, 9)
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", dep, ret))
    assert r.status_code == 400 and field_errors(r.text)["return_at"] == "返回时间必须晚于出发时间"
    assert f'value="{dep}"' in r.text and f'value="{ret}"' in r.text
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(12, 9, 9)))
    assert field_errors(r.text)["return_at"] == "返回时间必须晚于出发时间"
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", "明天上午", "2026-13-45T25:00"))
    err = field_errors(r.text)
    assert err["depart_at"].startswith("出发时间格式应为") and err["return_at"].startswith("返回时间格式应为")
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(-2, 9, 10)))
    assert field_errors(r.text)["depart_at"] == "出发时间不能早于当前时间"
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(12, 9, 10, end_days_ahead=50)))
    assert field_errors(r.text)["return_at"] == "单次用车不能超过 30 天"
    _, r = await submit(a, "vehicle", vehicle_form(v, str(d), *slot(12, 9, 10), passengers="5"))
    assert field_errors(r.text)["passengers"].startswith("乘车人数超过该车可乘人数")
    _, r = await submit(a, "vehicle", vehicle_form(v, "self", *slot(12, 9, 10), passengers="两人"))
    assert field_errors(r.text)["passengers"] == "乘车人数应为整数"
    _, r = await submit(a, "vehicle", vehicle_form(999999, "9999", *slot(12, 9, 10), destination="", purpose=""))
    err = field_errors(r.text)
    assert err["vehicle"] == "所选车辆不存在或已停用，请重新选择" and err["driver"] == "所选司机不存在或已停用，请重新选择"
    assert err["destination"] == "请填写目的地" and err["purpose"] == "请填写用车事由"
    _, r = await submit(a, "vehicle", {"vehicle": "abc", "driver": ""})
    err = field_errors(r.text)
    assert err["vehicle"] == "所选车辆不存在或已停用，请重新选择" and err["driver"] == "请选择司机，或选择“自驾”"
    assert await Request.count() == before


async def _approved_booking(new_client, vehicle_id: int, applicant, days: int) -> tuple[int, int]:
    rid, r = await submit(applicant, "vehicle", vehicle_form(vehicle_id, "self", *slot(days, 9, 11)))
    assert rid, r.text[-2000:]
    await approve_as(new_client, rid, "dept_head")
    await approve_as(new_client, rid, "admin_staff")
    assert await status(rid) == "已通过"
    return rid, (await VehicleBooking.select(VehicleBooking.id).where(VehicleBooking.request == rid).first())["id"]


async def test_trip_log_odometer_never_goes_backwards(new_client):
    v = await make_vehicle(odometer=5000)
    applicant = await sign_in(await new_client(), "mortgage2")
    _, booking = await _approved_booking(new_client, v, applicant, 14)
    page = await applicant.get(f"/office/bookings/{booking}")
    assert page.status_code == 200 and 'data-testid="trip-form"' in page.text and 'value="5000"' in page.text
    token = await csrf_token(applicant, f"/office/bookings/{booking}")
    post = lambda c, data: c.post(f"/office/bookings/{booking}/trip", data={**data, "_csrf_token": token})  # noqa: E731
    r = await post(applicant, {"odometer_out": "4990", "odometer_in": "5050"})
    assert r.status_code == 400 and field_errors(r.text)["odometer_out"] == "出车里程不能小于该车上次记录的里程 5000 公里（里程不能倒退）"
    assert 'value="4990"' in r.text
    r = await post(applicant, {"odometer_out": "5000", "odometer_in": "4999"})
    assert r.status_code == 400 and field_errors(r.text)["odometer_in"] == "回车里程不能小于出车里程（5000 公里）"
    r = await post(applicant, {"odometer_out": "五千", "odometer_in": "-1"})
    err = field_errors(r.text)
    assert err["odometer_out"] == "出车里程应为整数" and err["odometer_in"] == "回车里程不能小于 0"
    assert not await TripLog.exists().where(TripLog.booking == booking)
    assert (await Vehicle.select(Vehicle.odometer).where(Vehicle.id == v).first())["odometer"] == 5000
    r = await post(applicant, {"odometer_out": "5000", "odometer_in": "5086", "fuel_note": "高速费 45 元"})
    assert r.status_code == 303
    trip = await TripLog.select().where(TripLog.booking == booking).first()
    assert trip["distance"] == 86 and trip["fuel_note"] == "高速费 45 元"
    assert (await Vehicle.select(Vehicle.odometer).where(Vehicle.id == v).first())["odometer"] == 5086
    assert await AuditLog.exists().where((AuditLog.action == "office.trip") & (AuditLog.entity_id == str(booking)))
    page = await applicant.get(f"/office/bookings/{booking}")
    assert 'data-testid="trip-distance">86 公里' in page.text and 'data-testid="trip-form"' not in page.text
    r = await post(applicant, {"odometer_out": "5086", "odometer_in": "5090"})
    assert r.status_code == 400 and "已登记行车记录" in r.text
    # the next trip of the car cannot start below 5086; 行政 may record it
    _, booking2 = await _approved_booking(new_client, v, applicant, 15)
    staff = await sign_in(await new_client(), "admin_staff")
    token2 = await csrf_token(staff, f"/office/bookings/{booking2}")
    r = await staff.post(f"/office/bookings/{booking2}/trip", data={"odometer_out": "5080", "odometer_in": "5100", "_csrf_token": token2})
    assert r.status_code == 400 and "5086 公里" in field_errors(r.text)["odometer_out"]
    r = await staff.post(f"/office/bookings/{booking2}/trip", data={"odometer_out": "5086", "odometer_in": "5100", "_csrf_token": token2})
    assert r.status_code == 303


async def test_trip_log_only_by_applicant_or_admin_and_only_when_approved(new_client):
    v = await make_vehicle()
    applicant = await sign_in(await new_client(), "contract2")
    pending, _ = await submit(applicant, "vehicle", vehicle_form(v, "self", *slot(16, 9, 11)))
    pb = (await VehicleBooking.select(VehicleBooking.id).where(VehicleBooking.request == pending).first())["id"]
    token = await csrf_token(applicant, f"/office/bookings/{pb}")
    page = await applicant.get(f"/office/bookings/{pb}")
    assert 'data-testid="trip-form"' not in page.text and "审批通过后" in page.text
    r = await applicant.post(f"/office/bookings/{pb}/trip", data={"odometer_out": "1000", "odometer_in": "1010", "_csrf_token": token})
    assert r.status_code == 400 and "审批通过后才能登记行车记录" in r.text
    _, booking = await _approved_booking(new_client, v, applicant, 17)
    other = await sign_in(await new_client(), "clerk")
    token = await csrf_token(other, f"/office/bookings/{booking}")
    assert 'data-testid="trip-form"' not in (await other.get(f"/office/bookings/{booking}")).text
    r = await other.post(f"/office/bookings/{booking}/trip", data={"odometer_out": "1000", "odometer_in": "1010", "_csrf_token": token})
    assert r.status_code == 403
    assert not await TripLog.exists().where(TripLog.booking == booking)
