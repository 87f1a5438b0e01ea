"""Asset test helpers: cards made directly (test fixtures), forms as the browser sends them."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.assets.services import next_numbers
from app.assets.tables import AssetCard, AssetCategory
from app.core.timeutil import now, today_local
from app.org.tables import Employee
from tests.integration.workflow.helpers import approve_as, chain, status

STEP_USERS = {"dept_head": "dept_head", "admin_review": "admin_staff", "admin_assess": "admin_staff", "finance_manager": "finance_manager",
              "vp": "vp", "gm": "gm"}


async def employee(username: str) -> dict:
    return await Employee.select(Employee.id, Employee.department).where(Employee.user.username == username).first()


async def category_id(name: str = "电子设备") -> int:
    return (await AssetCategory.select(AssetCategory.id).where(AssetCategory.name == name).first())["id"]


async def make_card(custodian: str, original: str = "5999.00", *, days_ago: int = 0, years: int = 3, name: str = "测试笔记本") -> dict:
    e = await employee(custodian)
    bought = today_local() - timedelta(days=days_ago)
    number = (await next_numbers(bought.year, 1))[0]
    rows = await AssetCard.insert(AssetCard(
        number=number, name=name, spec="测试型号", category=await category_id(), original_value=Decimal(original), purchase_date=bought,
        department=e["department"], custodian=e["id"], location="测试办公室", depreciation_years=years, status="在用", created_at=now(),
    )).returning(AssetCard.id, AssetCard.number)
    return rows[0]


async def purchase_form(lines: list[tuple[str, str, str]], holder: str = "data", quotes: list[tuple[str, str]] = (), **extra) -> dict:
    """lines: (name, quantity, unit price); holder: the custodian's username."""
    e = await employee(holder)
    cat = str(await category_id())
    data = {
        "a_name": [l[0] for l in lines], "a_spec": ["标准配置"] * len(lines), "a_category": [cat] * len(lines),
        "a_qty": [l[1] for l in lines], "a_price": [l[2] for l in lines],
        "department": str(e["department"]), "custodian": str(e["id"]), "location": "客服部办公室", "depreciation_years": "3",
        "reason": "新员工入职配置办公设备",
        "q_supplier": [q[0] for q in quotes], "q_price": [q[1] for q in quotes],
    }
    data.update(extra)
    return data


THREE_QUOTES = [("苏州甲科技有限公司", "15000.00"), ("苏州乙电脑商行", "15600.00"), ("苏州丙数码有限公司", "15900.00")]


def disposal_form(card_id: int, **extra) -> dict:
    data = {"asset": str(card_id), "reason": "主板故障，维修费用超过残值", "assessment": "经检测无法修复", "salvage": "100.00"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


async def approve_chain(new_client, rid: int, *, stop_before: str | None = None) -> None:
    for key in await chain(rid):
        if key == stop_before:
            return
        r = await approve_as(new_client, rid, STEP_USERS[key])
        assert r.status_code == 303, (key, r.text[:2000])
    assert await status(rid) == "已通过"
