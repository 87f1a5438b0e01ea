"""例会 through the real routes (SPEC §G [S 1.6]): the 客服副经理 records minutes with action items, garbage refused on the
field with nothing written, the owner sees the item (overdue marked) and marks it done, nobody else may; only the
客服主管 / 客服副经理 record; the profile section lists the open items. Each test makes its own employees."""
import re
import uuid
from datetime import date, timedelta

import pytest
from piccolo.apps.user.tables import BaseUser

from app.core.timeutil import today_local
from app.hr_meeting.tables import ActionItem, Meeting
from app.org.tables import Employee
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration

PASSWORD = "Meeting2026x"


@pytest.fixture
async def staff():
    made = []

    async def make():
        tag = uuid.uuid4().hex[:8]
        base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
            Employee.user.username == "sales").first()
        user = await BaseUser.create_user(username=f"mt_{tag}", password=PASSWORD, email=f"mt_{tag}@test.invalid", active=True)
        emp = Employee(user=user.id, employee_no=f"MT{tag}", name=f"例会{tag[:4]}", company=base["company"], department=base["department"],
                       position=base["position"], manager=base["manager"], hired_on=date(2020, 1, 1), active=True)
        await emp.save()
        made.append((emp.id, user.id))
        return {"id": emp.id, "name": emp.name, "username": user.username}

    yield make
    for eid, uid in made:
        await Employee.update({Employee.active: False}).where(Employee.id == eid)
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == uid)


def minutes(chair: int, present: list[int], absent: list[int], items: list[tuple[str, int, date]], held: date | None = None) -> dict:
    held = held or today_local() - timedelta(days=10)
    data = {"held_on": held.isoformat(), "chair": str(chair), "attendees": [str(i) for i in present], "absent": [str(i) for i in absent],
            "topics": "本周投诉复盘", "decisions": "按时回访"}
    for n, (text, owner, due) in enumerate(items, start=1):
        data.update({f"item_text_{n}": text, f"item_owner_{n}": str(owner), f"item_due_{n}": due.isoformat()})
    return data


async def test_minutes_items_done_and_overdue(new_client, staff):
    a, b = await staff(), await staff()
    boss = await sign_in(await new_client(), "dept_head")
    chair = (await Employee.select(Employee.id).where(Employee.user.username == "dept_head").first())["id"]
    today = today_local()
    token = await csrf_token(boss, "/hr/meetings/new")
    data = minutes(chair, [chair, a["id"]], [b["id"]], [(f"回访客户{a['name']}", a["id"], today - timedelta(days=1)),
                                                       (f"整理资料{a['name']}", a["id"], today + timedelta(days=5))])
    r = await boss.post("/hr/meetings/new", data={**data, "_csrf_token": token})
    assert r.status_code in (302, 303), r.text[-2000:]
    mid = int(re.search(r"/hr/meetings/(\d+)", r.headers["location"]).group(1))
    page = await boss.get(f"/hr/meetings/{mid}")
    assert a["name"] in page.text and b["name"] in page.text and 'data-testid="item-overdue"' in page.text
    assert 'data-testid="item-done-' not in page.text  # the chair is not the owner
    lst = await boss.get("/hr/meetings")
    assert lst.status_code == 200 and f"/hr/meetings/{mid}" in lst.text
    # who reads the minutes: those at the meeting (b was absent: listed) and the leads; not everyone else
    outsider = await staff()
    out = await sign_in(await new_client(), outsider["username"], PASSWORD)
    assert (await out.get(f"/hr/meetings/{mid}")).status_code == 403
    assert f"/hr/meetings/{mid}" not in (await out.get("/hr/meetings")).text
    absent = await sign_in(await new_client(), b["username"], PASSWORD)
    assert (await absent.get(f"/hr/meetings/{mid}")).status_code == 200
    # the owner's items
    me = await sign_in(await new_client(), a["username"], PASSWORD)
    r = await me.get("/hr/meetings/items")
    assert r.text.count('data-testid="my-item"') == 2 and r.text.count('data-testid="item-overdue"') == 1
    items = await ActionItem.select(ActionItem.id, ActionItem.due_on).where(ActionItem.meeting == mid).order_by(ActionItem.id)
    # the worker tells the owner of the overdue item once (twice run: still one notification)
    from app.core.tables import Notification
    from app.hr_meeting.remind import reference, remind_once

    await remind_once()
    await remind_once()
    uid = (await Employee.select(Employee.user).where(Employee.id == a["id"]).first())["user"]
    notes = await Notification.select(Notification.ref, Notification.read_at).where(Notification.user == uid)
    assert [n["ref"] for n in notes] == [reference(items[0]["id"])]
    # someone else may not mark it done
    other = await sign_in(await new_client(), b["username"], PASSWORD)
    r = await other.post(f"/hr/meetings/items/{items[0]['id']}/done", data={"_csrf_token": await csrf_token(other, "/hr/meetings/items")})
    assert r.status_code == 403
    r = await me.post(f"/hr/meetings/items/{items[0]['id']}/done", data={"_csrf_token": await csrf_token(me, "/hr/meetings/items")})
    assert r.status_code in (302, 303)
    done = await ActionItem.select(ActionItem.done, ActionItem.done_on).where(ActionItem.id == items[0]["id"]).first()
    assert done == {"done": True, "done_on": today_local()}
    assert (await Notification.select(Notification.read_at).where(Notification.user == uid).first())["read_at"] is not None
    r = await me.get("/hr/meetings/items")
    assert r.text.count('data-testid="my-item"') == 1 and 'data-testid="item-overdue"' not in r.text
    r = await me.post("/hr/meetings/items/999999999/done", data={"_csrf_token": await csrf_token(me, "/hr/meetings/items")})
    assert r.status_code == 404
    # the profile section and the timeline
    from app.hr_meeting import profile

    sec = await profile.section({"id": a["id"]}, None)
    assert [i["id"] for i in sec["ctx"]["items"]] == [items[1]["id"]]
    ev = await profile.events(a["id"])
    assert len(ev) == 1 and ev[0]["url"] == f"/hr/meetings/{mid}"


async def test_bad_minutes_refused_and_nothing_written(new_client, staff):
    a = await staff()
    boss = await sign_in(await new_client(), "supervisor")
    token = await csrf_token(boss, "/hr/meetings/new")
    before = await Meeting.count()
    today = today_local()
    bad = minutes(a["id"], [a["id"]], [a["id"]], [("事项", a["id"], today - timedelta(days=30))], held=today - timedelta(days=5))
    bad.update({"item_owner_2": "abc", "item_text_3": "没有负责人", "held_on": "2026-02-30x"})
    r = await boss.post("/hr/meetings/new", data={**bad, "_csrf_token": token})
    assert r.status_code == 422
    for field in ("held_on", "absent", "item_text_2", "item_owner_3", "item_due_3"):
        assert f'data-testid="error-{field}"' in r.text, field
    r = await boss.post("/hr/meetings/new", data={"_csrf_token": token, "chair": "9" * 30, "attendees": ["x\x00"]})
    assert r.status_code == 422
    assert await Meeting.count() == before


async def test_only_leads_record(new_client):
    for role in ("sales", "hr", "gm"):
        c = await sign_in(await new_client(), role)
        assert (await c.get("/hr/meetings/new")).status_code == 403, role
        r = await c.post("/hr/meetings/new", data={"_csrf_token": await csrf_token(c, "/hr/meetings")})
        assert r.status_code == 403, role
        assert (await c.get("/hr/meetings")).status_code == 200
        assert (await c.get("/hr/meetings/items")).status_code == 200
        assert (await c.get("/hr/meetings/999999999")).status_code == 404
