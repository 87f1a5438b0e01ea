"""Demo seal register: the company's six seals with their keepers (SPEC §E3). Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from app.org.tables import Company, Employee
from app.seals.tables import Seal

# (name, kind, keeper username, keeper's department)
SEALS = [
    ("锦程地产公章", "公章", "admin_staff", "行政"),
    ("锦程地产合同专用章", "合同专用章", "admin_staff", "行政"),
    ("锦程地产业务资料专用章", "业务资料专用章", "admin_staff2", "行政"),
    ("锦程地产财务专用章", "财务专用章", "finance_manager", "财务"),
    ("锦程地产法定代表人名章", "法定代表人名章", "finance_manager", "财务"),
    ("锦程地产发票专用章", "发票专用章", "accountant", "财务"),
]


async def seed() -> None:
    company = await Company.select(Company.id).where(Company.name == "锦程房地产开发有限公司").first()
    for name, kind, keeper, dept in SEALS:
        if await Seal.exists().where(Seal.name == name):
            continue
        emp = await Employee.select(Employee.id).where(Employee.user.username == keeper).first()
        await Seal.insert(Seal(name=name, kind=kind, company=company["id"] if company else None, keeper=emp["id"] if emp else None,
                               keeper_dept=dept, active=True, note="演示数据"))
