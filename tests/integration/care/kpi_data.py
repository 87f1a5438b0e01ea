"""Fixed data of the KPI board tests: in a fresh project, in a month three months back, rows whose figures are counted
by hand in the tests (so the demo history never leaks in)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.calls.tables import CallQa, CallRecord
from app.care.tables import Callback, CareCase, RecordAudit
from app.core.timeutil import SHANGHAI, today_local
from app.kpi.measures import month_text, shift
from app.org.tables import Employee
from tests.integration.ledgers.data import make_buyer, make_project


def kpi_month(back: int = 3) -> tuple[int, int]:
    t = today_local()
    return shift(t.year, t.month, -back)


def at(month: tuple[int, int], day: int, hour: int = 10) -> datetime:
    return datetime(month[0], month[1], 1, hour, tzinfo=SHANGHAI) + timedelta(days=day - 1)


async def emp_id(username: str) -> int:
    return (await Employee.select(Employee.id).where(Employee.user.username == username).first())["id"]


async def fixed_data() -> dict[str, Any]:
    """Cases c1–c7, callbacks cb1–cb4, calls k1–k6, audits a1–a2 (see the expected figures in the test)."""
    p = await make_project("KPI")
    m = kpi_month()
    nxt = shift(*m, 1)
    a, b = await emp_id("complaint_officer"), await emp_id("cr_officer")
    code = p["code"]

    def case(n, kind, level, status, handler, close_due, plan_due, closed_at):
        return CareCase(number=f"{code}-C{n}", kind=kind, channel="电话", project=p["id"], level=level, level_computed=level,
                        status=status, handler=handler, received_at=at(m, 1, 8), close_due=close_due, plan_due=plan_due,
                        closed_at=closed_at, on_time=None if closed_at is None or close_due is None else closed_at <= close_due)

    rows = [
        case(1, "投诉", "P3", "已关闭", a, at(m, 10), at(m, 5), at(m, 5)),  # on time
        case(2, "投诉", "P3", "已关闭", a, at(m, 12), at(m, 6), at(m, 14)),  # late
        case(3, "索赔", "P2", "处理中", b, at(m, 20), at(m, 4), None),  # open, past its due
        case(4, "投诉", "P1", "已关闭", b, None, at(m, 3), at(m, 2)),  # P1: against its plan clock, on time
        case(5, "咨询", "P3", "已关闭", a, at(m, 5), None, at(m, 4)),  # not a complaint
        case(6, "投诉", "P3", "不予受理", a, at(m, 8), at(m, 3), None),  # not accepted
        case(7, "投诉", "P3", "已关闭", a, at(nxt, 3), at(m, 28), at(nxt, 1)),  # due next month
    ]
    await CareCase.insert(*rows)
    ids = {r["number"].rsplit("-", 1)[1]: r["id"] for r in await CareCase.select(CareCase.id, CareCase.number).where(CareCase.project == p["id"])}
    cbs = [
        Callback(case=ids["C1"], project=p["id"], due_at=at(m, 7), called_at=at(m, 6), reached=True, score=5),
        Callback(case=ids["C2"], project=p["id"], due_at=at(m, 16), called_at=at(m, 17), reached=True, score=3),
        Callback(case=ids["C4"], project=p["id"], due_at=at(m, 9)),  # never made
        Callback(case=ids["C5"], project=p["id"], due_at=at(m, 8), called_at=at(m, 8), reached=True, score=4),  # a 咨询
    ]
    await Callback.insert(*cbs)
    cb_ids = {r["case"]: r["id"] for r in await Callback.select(Callback.id, Callback.case).where(Callback.project == p["id"])}

    def call(n, direction, answered, ring, rating=None, agent=None):
        return CallRecord(call_id=f"{code}-K{n}", started_at=at(m, 2 + n), direction=direction, answered=answered, ring_seconds=ring,
                          rating=rating, agent=agent, project=p["id"], imported_at=at(m, 27))

    await CallRecord.insert(call(1, "呼入", True, 10, 5, a), call(2, "呼入", True, 3, 4, b), call(3, "呼入", False, 2),
                            call(4, "呼入", False, 12), call(5, "呼出", True, 0, None, a), call(6, "呼入", True, 6, 2, a))
    calls = {r["call_id"].rsplit("-", 1)[1]: r["id"] for r in await CallRecord.select(CallRecord.id, CallRecord.call_id).where(CallRecord.project == p["id"])}
    await CallQa.insert(CallQa(call=calls["K1"], agent=a, reviewer=b, at=at(m, 20), score=80),
                        CallQa(call=calls["K6"], agent=a, reviewer=b, at=at(m, 21), score=65))
    buyer = await make_buyer("档案抽查测试", 77)
    await RecordAudit.insert(RecordAudit(buyer=buyer, project=p["id"], auditor=b, at=at(m, 11), fields_audited=10, fields_wrong=1),
                             RecordAudit(buyer=buyer, project=p["id"], auditor=b, at=at(m, 12), fields_audited=8, fields_wrong=0))
    audits = [r["id"] for r in await RecordAudit.select(RecordAudit.id).where(RecordAudit.project == p["id"]).order_by(RecordAudit.id)]
    return {"project": p, "month": month_text(m), "empty_month": month_text(shift(*m, -1)), "cases": ids, "callbacks": cb_ids,
            "calls": calls, "audits": audits, "a": a, "b": b}


async def drop(data: dict) -> None:
    pid = data["project"]["id"]
    await RecordAudit.delete().where(RecordAudit.project == pid)
    await CallQa.delete().where(CallQa.call.is_in(CallRecord.select(CallRecord.id).where(CallRecord.project == pid)))
    await CallRecord.delete().where(CallRecord.project == pid)
    await Callback.delete().where(Callback.project == pid)
    await CareCase.delete().where(CareCase.project == pid)
