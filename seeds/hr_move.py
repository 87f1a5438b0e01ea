"""晋升与调动 demo data (SPEC §E9, §E10): the grades (P1–P6, M1–M3) and one 入职 history row per demo employee with
their current post and a grade by role. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from app.core.timeutil import now, today_local
from app.hr_move.tables import Grade, PositionHistory
from app.org.tables import Employee

GRADES = [("P1", "专员一级", 1), ("P2", "专员二级", 2), ("P3", "专员三级", 3), ("P4", "高级专员", 4), ("P5", "资深专员", 5),
          ("P6", "首席专员", 6), ("M1", "主管级", 11), ("M2", "经理级", 12), ("M3", "公司领导", 13)]
BY_ROLE = {"supervisor": "M1", "cr_supervisor": "M1", "complaint_supervisor": "M1", "dept_head": "M2", "finance_manager": "M2",
           "sales_manager": "M2", "vp": "M3", "gm": "M3", "president": "M3", "marketing_vp": "M3", "finance_director": "M3"}


async def seed() -> None:
    have = {r["code"] for r in await Grade.select(Grade.code)}
    new = [Grade(code=c, name=n, rank=r) for c, n, r in GRADES if c not in have]
    if new:
        await Grade.insert(*new)
    grades = {r["code"]: r["id"] for r in await Grade.select(Grade.id, Grade.code)}
    done = {r["employee"] for r in await PositionHistory.select(PositionHistory.employee)}
    rows = []
    for e in await Employee.select(Employee.id, Employee.company, Employee.department, Employee.position, Employee.hired_on,
                                   Employee.position.role.as_alias("role")).where(Employee.active == True):  # noqa: E712
        if e["id"] in done:
            continue
        rows.append(PositionHistory(employee=e["id"], company=e["company"], department=e["department"], position=e["position"],
                                    grade=grades.get(BY_ROLE.get(e["role"], "P2")), since=e["hired_on"] or today_local(),
                                    reason="入职", created_at=now()))
    if rows:
        await PositionHistory.insert(*rows)
