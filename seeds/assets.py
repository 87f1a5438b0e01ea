"""Demo asset register: categories and ~15 asset cards across a few custodians, some older than their
depreciation years (fully depreciated). Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.assets.services import next_numbers
from app.assets.tables import AssetCard, AssetCategory
from app.core import audit
from app.core.timeutil import now, today_local
from app.org.tables import Employee

CATEGORIES = [("电子设备", 3, 10), ("办公设备", 5, 20), ("办公家具", 5, 30), ("运输设备", 4, 40), ("其他", 5, 90)]

# (name, spec, category, original value, months ago, depreciation years, custodian username, location)
CARDS = [
    ("笔记本电脑", "联想 ThinkPad E14", "电子设备", "5999.00", 50, 3, "contract", "客服部内勤组"),
    ("笔记本电脑", "联想 ThinkPad E14", "电子设备", "5999.00", 50, 3, "data", "客服部内勤组"),
    ("台式电脑", "戴尔 OptiPlex 7010", "电子设备", "4599.00", 20, 3, "reception", "售楼处接待台"),
    ("多功能一体机", "惠普 LaserJet MFP M437", "办公设备", "3899.00", 30, 5, "admin_staff", "客服部办公室"),
    ("彩色复印机", "佳能 iR-ADV C3326", "办公设备", "28800.00", 14, 5, "admin_staff", "客服部办公室"),
    ("录音电话系统", "海康威视 DS-8008", "办公设备", "12600.00", 40, 5, "reception", "客投组"),
    ("笔记本电脑", "华为 MateBook 14", "电子设备", "6999.00", 6, 3, "dept_head", "客服副经理办公室"),
    ("主管办公桌椅", "1.6 米班台含椅", "办公家具", "3200.00", 70, 5, "supervisor", "客服主管办公室"),
    ("档案密集柜", "手摇式 8 列", "办公家具", "8600.00", 26, 5, "archive", "档案室"),
    ("投影仪", "爱普生 CB-X50", "电子设备", "4299.00", 36, 3, "dept_head", "会议室"),
    ("平板电脑（签约展示）", "Apple iPad Air 11", "电子设备", "4799.00", 10, 3, "contract", "签约区"),
    ("排队叫号机", "触摸屏取号一体机", "办公设备", "9800.00", 18, 5, "reception", "售楼处大厅"),
    ("档案保险柜", "虎牌 BGX-5/D1-100", "办公家具", "2600.00", 80, 5, "archive", "档案室"),
    ("客服接待车", "别克 GL8 商务车", "运输设备", "268000.00", 30, 4, "admin_staff", "售楼处停车场"),
    ("台式电脑", "联想 启天 M437", "电子设备", "4999.00", 2, 3, "clerk", "客投组"),
]


def _months_ago(months: int):
    today = today_local()
    return today - timedelta(days=round(months * 30.44))


async def seed() -> None:
    for sort, (name, years, order) in enumerate(CATEGORIES):
        if not await AssetCategory.exists().where(AssetCategory.name == name):
            await AssetCategory.insert(AssetCategory(name=name, default_years=years, sort=order, active=True))
    if await AssetCard.exists().where(AssetCard.source_request.is_null()):
        return  # the opening balance is in
    cats = {c["name"]: c["id"] for c in await AssetCategory.select(AssetCategory.id, AssetCategory.name)}
    for name, spec, cat, value, months, years, username, location in CARDS:
        emp = await Employee.select(Employee.id, Employee.department).where(Employee.user.username == username).first()
        if not emp:
            continue
        bought = _months_ago(months)
        number = (await next_numbers(bought.year, 1))[0]
        rows = await AssetCard.insert(AssetCard(
            number=number, name=name, spec=spec, category=cats[cat], original_value=Decimal(value), purchase_date=bought,
            department=emp["department"], custodian=emp["id"], location=location, depreciation_years=years, status="在用", created_at=now(),
        )).returning(AssetCard.id)
        await audit.record(actor=None, action="assets.open", entity="asset_card", entity_id=rows[0]["id"],
                           summary=f"期初录入：{number} {name}，原值 {Decimal(value):,.2f} 元", after={"status": "在用", "number": number})
