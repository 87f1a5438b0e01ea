"""The SLA reminder worker (app/care/remind.py) on the real database: a breached P3 escalates to the 投诉主管 once (two
passes, two concurrent passes), amber once, paused cases skipped, 2× tells the 客服副经理, overdue callbacks tell the
caller pool — each notice exactly once."""
import asyncio
from datetime import timedelta

import pytest

from app.care import remind, states
from app.care.tables import CareClockMark, CaseEvent
from app.core.tables import AuditLog, Notification
from app.core.timeutil import now
from tests.integration.care.callbacks_helpers import ago, employee, make_case, notices, reload

pytestmark = pytest.mark.integration


async def test_breached_p3_escalates_to_the_complaint_supervisor_once(running_app):
    case = await make_case(received_at=ago(hours=30), status=states.HANDLING)  # P3 first response (24 h) missed
    assert case["response_due"] < now()
    r = await remind.remind_once()
    assert case["id"] in r.cases
    after = await reload(case["id"])
    boss = await employee("complaint_supervisor")
    assert (after["level"], after["handler_role"], after["handler"], after["escalations"]) == ("P2", "complaint_supervisor", boss["id"], 1)
    assert after["status"] == states.HANDLING and after["version"] == case["version"] + 1
    # the due columns are the P2 ones now (first response 4 h after intake)
    assert after["response_due"] == case["received_at"] + timedelta(hours=4)
    ev = await CaseEvent.select().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "escalate")).first()
    assert ev and ev["actor"] is None and "由 P3 升级为 P2" in ev["note"] and "投诉主管" in ev["note"]
    assert await AuditLog.exists().where((AuditLog.action == "care.escalate") & (AuditLog.entity_id == str(case["id"])))
    got = await notices("complaint_supervisor", case["id"])
    assert len(got) == 1 and "超时升级" in got[0]["text"] and got[0]["url"] == f"/care/cases/{case['id']}"
    assert len(await notices("supervisor", case["id"])) == 1  # 客服主管 (red clock)
    assert len(await notices("complaint_officer", case["id"])) == 1  # the handler it was taken from
    # a second pass sends nothing more and does not escalate again (P2 clocks already past are part of this escalation)
    await remind.remind_once()
    again = await reload(case["id"])
    assert (again["level"], again["escalations"], again["version"]) == ("P2", 1, after["version"])
    assert len(await notices("complaint_supervisor", case["id"])) == 1
    assert await CaseEvent.count().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "escalate")) == 1


async def test_two_passes_at_once_send_one_notice(running_app):
    case = await make_case(received_at=ago(hours=26))
    at = now()
    results = await asyncio.gather(remind.remind_once(at), remind.remind_once(at))
    assert sum(case["id"] in r.cases for r in results) == 1
    after = await reload(case["id"])
    assert (after["level"], after["escalations"]) == ("P2", 1)
    assert len(await notices("complaint_supervisor", case["id"])) == 1
    assert await CareClockMark.count().where((CareClockMark.case == case["id"]) & (CareClockMark.key == f"{case['id']}:response:breach")) == 1


async def test_amber_once_then_breach_later(running_app):
    case = await make_case(received_at=ago(hours=20))  # 20 of 24 h used: 83 %
    await remind.remind_once()
    got = await notices("complaint_officer", case["id"])
    assert len(got) == 1 and "即将到期" in got[0]["text"] and "首次响应" in got[0]["text"]
    after = await reload(case["id"])
    assert (after["level"], after["escalations"]) == ("P3", 0)
    assert await CaseEvent.exists().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "amber"))
    await remind.remind_once()
    assert len(await notices("complaint_officer", case["id"])) == 1
    # five hours later the clock is past due: the case escalates (measured with `now` moved on)
    await remind.remind_once(now() + timedelta(hours=5))
    assert (await reload(case["id"]))["level"] == "P2"


async def test_before_amber_nothing_happens(running_app):
    case = await make_case(received_at=ago(hours=2))
    await remind.remind_once()
    assert await notices("complaint_officer", case["id"]) == []
    assert not await CareClockMark.exists().where(CareClockMark.case == case["id"])


async def test_paused_and_finished_cases_are_skipped(running_app):
    paused = await make_case(received_at=ago(days=3), paused_since=ago(hours=1), pause_reason="等待客户提供照片")
    done = await make_case(received_at=ago(days=3), status=states.CLOSED)
    answered = await make_case(received_at=ago(hours=30), responded_at=ago(hours=29))  # first response given in time
    await remind.remind_once()
    for c in (paused, done):
        after = await reload(c["id"])
        assert (after["level"], after["escalations"]) == ("P3", 0)
        assert not await CareClockMark.exists().where(CareClockMark.case == c["id"])
    assert (await reload(answered["id"]))["level"] == "P3"
    assert not await CareClockMark.exists().where((CareClockMark.case == answered["id"]) & (CareClockMark.clock == "response"))


async def test_twice_the_limit_also_tells_the_deputy_manager(running_app):
    case = await make_case(received_at=ago(hours=50))  # 50 h against 24 h: over 2×
    await remind.remind_once()
    assert len(await notices("dept_head", case["id"])) == 1
    assert await CareClockMark.exists().where(CareClockMark.key == f"{case['id']}:response:breach2")
    await remind.remind_once()
    assert len(await notices("dept_head", case["id"])) == 1


async def test_p2_breach_goes_to_the_department_manager_and_p1_to_the_gm(running_app):
    p2 = await make_case(level="P2", received_at=ago(hours=5), handler="complaint_supervisor", handler_role="complaint_supervisor")
    p1 = await make_case(level="P1", received_at=ago(hours=2), handler="dept_head", handler_role="dept_head")
    await remind.remind_once()
    a, b = await reload(p2["id"]), await reload(p1["id"])
    assert (a["level"], a["handler_role"]) == ("P1", "dept_head")
    assert (b["level"], b["handler_role"], b["handler"]) == ("P1", "gm", (await employee("gm"))["id"])
    assert len(await notices("gm", p1["id"])) == 1


async def test_overdue_callback_tells_the_caller_pool_once(running_app):
    case = await make_case(status=states.CALLBACK, received_at=ago(days=20), callback_closed_at=ago(days=10))
    await remind.remind_once()
    got = await notices("cr_officer", case["id"], url_part="/care/callbacks/")
    assert len(got) == 1 and "回访逾期" in got[0]["text"]
    assert len(await notices("supervisor", case["id"], url_part="/care/callbacks/")) == 1
    await remind.remind_once()
    assert len(await notices("cr_officer", case["id"], url_part="/care/callbacks/")) == 1
    assert (await reload(case["id"]))["level"] == "P3"  # a closed case's clocks do not run


async def test_worker_runs_as_a_command(running_app):
    import os
    import subprocess
    import sys

    case = await make_case(received_at=ago(hours=40))
    out = subprocess.run([sys.executable, "-m", "app.care.remind"], env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "care reminders" in out.stdout
    assert (await reload(case["id"]))["level"] == "P2"
    assert await Notification.exists().where(Notification.ref == f"case:{case['id']}:clock")


async def test_a_breached_clock_reaching_twice_its_limit_later_tells_the_deputy_manager_once(running_app):
    case = await make_case(level="P1", received_at=ago(minutes=90), handler="dept_head", handler_role="dept_head")
    await remind.remind_once()  # 1.5 h against 1 h: breached, not yet 2×
    assert (await reload(case["id"]))["handler_role"] == "gm"
    told = len(await notices("dept_head", case["id"]))  # the handler it was taken from
    later = now() + timedelta(hours=1)
    await remind.remind_once(later)
    got = await notices("dept_head", case["id"])
    assert len(got) == told + 1 and "严重超时" in got[-1]["text"]
    ev = await CaseEvent.select().where((CaseEvent.case == case["id"]) & (CaseEvent.action == "overdue_twice")).first()
    assert ev and "2 倍" in ev["note"]
    assert (await reload(case["id"]))["escalations"] == 1
    await remind.remind_once(later)
    assert len(await notices("dept_head", case["id"])) == told + 1


async def test_an_open_p1_without_todays_update_reminds_its_handler_once_a_day(running_app):
    """P1 closes per its plan with daily updates (SPEC D2): a P1 registered before today with no 每日进展 today gets one
    notice a day; recording the update closes it; a P1 updated today, a paused one and a P3 get none."""
    from datetime import datetime, time

    from app.care import core
    from app.core.timeutil import SHANGHAI, to_local

    p1 = await make_case(level="P1", received_at=ago(days=3), handler="dept_head", handler_role="dept_head")
    fresh_p1 = await make_case(level="P1", received_at=ago(days=3), handler="dept_head", handler_role="dept_head")
    p3 = await make_case(level="P3", received_at=ago(days=3))
    at = now()
    await core.event(fresh_p1["id"], None, "daily_update", "今日已通报客户",
                     at=max(at - timedelta(minutes=1), datetime.combine(to_local(at).date(), time.min, SHANGHAI)))
    daily = f"case:{p1['id']}:daily"
    head = await employee("dept_head")
    await remind.remind_daily(at, remind.PassResult())
    await remind.remind_daily(at, remind.PassResult())  # the second pass the same day sends nothing
    assert await Notification.count().where((Notification.ref == daily) & (Notification.user == head["user"])) == 1
    for other in (fresh_p1, p3):
        assert not await Notification.exists().where(Notification.ref == f"case:{other['id']}:daily")
    # the next day it is due again
    await remind.remind_daily(at + timedelta(days=1), remind.PassResult())
    assert await Notification.count().where(Notification.ref == daily) == 2
