"""Cases made directly for the callbacks and reminder tests (the cases part builds intake; these tests do not need it)."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from app.care import clocks, core, states
from app.care.settings import load_limits
from app.care.tables import CareCase, CaseEvent
from app.core.tables import Notification
from app.core.timeutil import now
from app.estate.tables import Project
from app.org.tables import Employee

_SEQ = itertools.count(1)


async def employee(username: str) -> dict:
    return await Employee.select(Employee.id, Employee.user, Employee.name).where(Employee.user.username == username).first()


async def project_id(code: str) -> int:
    return (await Project.select(Project.id).where(Project.code == code).first())["id"]


async def make_case(*, status: str = states.HANDLING, level: str = "P3", received_at: datetime | None = None,
                    project: str = "JC01", handler: str = "complaint_officer", handler_role: str = "complaint_officer",
                    kind: str = "投诉", callback_closed_at: datetime | None = None, **extra) -> dict:
    """A case as intake would leave it (due columns from app.care.clocks.due_columns), optionally closed (待回访) with its
    Callback row from core.schedule_callback. The handler is on the timeline (intake and finish events)."""
    received = received_at or now()
    limits = await load_limits()
    h = await employee(handler) if handler else None
    row = {"kind": kind, "level": level, "received_at": received}
    cal = await clocks.calendar_around(received)
    dues, _ = clocks.due_columns(row, None, [], cal, limits)
    number = f"KF-T{datetime.now():%H%M%S}-{next(_SEQ):04d}"
    values = dict(number=number, kind=kind, channel="电话", category="工程质量", project=await project_id(project),
                  title=f"测试案件 {number}", content="卫生间渗水", status=status, level=level, level_computed=level,
                  handler_role=handler_role, handler=h["id"] if h else None, received_by=h["id"] if h else None,
                  received_at=received, **dues)
    values.update(extra)
    case = CareCase(**values)
    await case.save()
    case_id = case.id
    await CaseEvent.insert(CaseEvent(case=case_id, at=received, actor=h["id"] if h else None, action="intake", to_status=states.REGISTERED))
    if callback_closed_at is not None:
        row = await CareCase.select(*CareCase.all_columns()).where(CareCase.id == case_id).first()
        cal = await clocks.calendar_around(callback_closed_at)
        vals = await core.schedule_callback(row, callback_closed_at, limits, cal)
        await CareCase.update({**vals, CareCase.closed_at: callback_closed_at, CareCase.responded_at: received,
                               CareCase.plan_at: received}).where(CareCase.id == case_id)
        await CaseEvent.insert(CaseEvent(case=case_id, at=callback_closed_at, actor=h["id"] if h else None, action="finish",
                                         from_status=states.EXECUTING, to_status=states.CALLBACK))
    return await CareCase.select(*CareCase.all_columns()).where(CareCase.id == case_id).first()


async def reload(case_id: int) -> dict:
    return await CareCase.select(*CareCase.all_columns()).where(CareCase.id == case_id).first()


async def notices(username: str, case_id: int, *, url_part: str = "") -> list[dict]:
    """The user's notices about the case's clocks and callback (the P1 每日进展 reminder, ref case:<id>:daily, is apart)."""
    e = await employee(username)
    rows = await Notification.select().where((Notification.user == e["user"]) & Notification.ref.like(f"case:{case_id}:%")
                                             & (Notification.ref != f"case:{case_id}:daily")).order_by(Notification.id)
    return [r for r in rows if url_part in r["url"]]


def ago(**kw) -> datetime:
    return now() - timedelta(**kw)
