"""Org queries: the chart (departments with their people), positions with duties, the staff directory."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.org.tables import Company, Department, Employee, Position


async def org_chart() -> list[dict[str, Any]]:
    """Companies → departments (nested) → employees, in three queries."""
    companies = await Company.select().order_by(Company.sort).order_by(Company.id)
    departments = await Department.select().order_by(Department.sort).order_by(Department.id)
    employees = await Employee.select(
        Employee.id, Employee.name, Employee.department, Employee.is_group_lead, Employee.manager.name,
        Employee.position.name, Employee.position.sort,
    ).where(Employee.active == True).order_by(Employee.position.sort).order_by(Employee.id)  # noqa: E712
    people: dict[int, list] = defaultdict(list)
    for e in employees:
        people[e["department"]].append(e)
    children: dict[int | None, list] = defaultdict(list)
    for d in departments:
        children[d["parent"]].append(d)

    def build(dept: dict) -> dict:
        return {**dept, "employees": people.get(dept["id"], []), "children": [build(c) for c in children.get(dept["id"], [])]}

    out = []
    for c in companies:
        roots = [build(d) for d in children.get(None, []) if d["company"] == c["id"]]
        out.append({**c, "departments": roots, "headcount": sum(_count(r) for r in roots)})
    return out


def _count(dept: dict) -> int:
    return len(dept["employees"]) + sum(_count(c) for c in dept["children"])


async def positions() -> list[dict[str, Any]]:
    rows = await Position.select().order_by(Position.is_department_post, ascending=False).order_by(Position.sort)
    counts = await Employee.raw(
        "SELECT position, COUNT(*) AS n FROM employee WHERE active = {} GROUP BY position", True
    )
    by_pos = {r["position"]: r["n"] for r in counts}
    for r in rows:
        r["headcount"] = by_pos.get(r["id"], 0)
    return rows


async def company_identity(company_id: int | None) -> dict | None:
    """A company's name and 统一社会信用代码 (the buyer on its invoices), or None."""
    from app.org.tables import Company

    if not company_id:
        return None
    return await Company.select(Company.id, Company.name, Company.credit_code).where(Company.id == company_id).first()
