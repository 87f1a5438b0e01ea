"""Demo reference data for the office chapter: 3 vehicles, 2 drivers and 12 stock items with their opening
balances (each a 期初 ledger row). Idempotent: each part is written only if its table is empty.
FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from piccolo.engine import engine_finder

from app.core.timeutil import now
from app.core.timeutil import today_local
from app.office.rules import add_months, month_text
from app.office.tables import Driver, StockEntry, StockItem, SuppliesBudget, Vehicle

VEHICLES = [  # plate, model, seats, odometer
    ("苏E·D8K26", "别克 GL8 商务车", 7, 48210),
    ("苏E·A3M51", "大众 帕萨特", 5, 23650),
    ("苏E·F0925", "比亚迪 汉 EV", 5, 8120),
]

BUDGETS = [("办公费—客服部", "50000.00"), ("印刷费—客服部", "3000.00"), ("办公费—销售部", "8000.00")]  # per month, 元

DRIVERS = [("周建国", "13912345678"), ("陈志强", "13862001234")]

ITEMS = [  # name, spec, unit, quantity, durable
    ("A4 复印纸", "70g 500张/包", "包", 120, False),
    ("签字笔", "0.5mm 黑色", "支", 200, False),
    ("文件夹", "A4 双强力夹", "个", 60, False),
    ("档案盒", "A4 55mm", "个", 80, False),
    ("订书钉", "24/6", "盒", 40, False),
    ("便利贴", "76×76mm", "本", 50, False),
    ("白板笔", "黑色", "支", 30, False),
    ("硒鼓", "HP 88A", "个", 6, False),
    ("订书机", "标准型 20页", "个", 12, True),
    ("计算器", "得力 1654 12位", "台", 8, True),
    ("U盘", "32G USB3.0", "个", 10, True),
    ("打孔器", "双孔 10页", "个", 5, True),
]


async def seed() -> None:
    async with engine_finder().transaction():
        if not await Vehicle.exists():
            await Vehicle.insert(*[Vehicle(plate=p, model=m, seats=s, odometer=o, active=True, sort=i) for i, (p, m, s, o) in enumerate(VEHICLES)])
        if not await Driver.exists():
            await Driver.insert(*[Driver(name=n, phone=ph, active=True) for n, ph in DRIVERS])
        if not await StockItem.exists():
            at = now()
            for name, spec, unit, qty, durable in ITEMS:
                rows = await StockItem.insert(StockItem(name=name, spec=spec, unit=unit, quantity=qty, durable=durable, active=True)).returning(StockItem.id)
                await StockEntry.insert(StockEntry(item=rows[0]["id"], at=at, kind="期初", qty_in=qty, qty_out=None, balance=qty,
                                                   actor_name="系统", note="期初库存"))

    await seed_budgets()
    await seed_private_car()


async def seed_private_car() -> None:
    """One private car on duty (私车公用): the 按揭专员's own car, its trips paid per km (idempotent)."""
    from app.org.tables import Employee

    if await Vehicle.exists().where(Vehicle.private_owner.is_not_null()):
        return
    owner = await Employee.select(Employee.id).where(Employee.user.username == "mortgage").first()
    if owner and not await Vehicle.exists().where(Vehicle.plate == "苏E·7P2Q9"):
        await Vehicle.insert(Vehicle(plate="苏E·7P2Q9", model="丰田 卡罗拉（私车）", seats=5, odometer=61200, active=True, sort=90, private_owner=owner["id"]))


async def seed_budgets() -> None:
    """办公用品月度预算 for this month and the next two, where the admin has not entered one yet (idempotent)."""
    from decimal import Decimal

    today = today_local()
    async with engine_finder().transaction():
        for k in range(3):
            month = month_text(add_months(today, k))
            have = {r["line"] for r in await SuppliesBudget.select(SuppliesBudget.line).where(SuppliesBudget.month == month)}
            new = [SuppliesBudget(month=month, line=line, amount=Decimal(amount)) for line, amount in BUDGETS if line not in have]
            if new:
                await SuppliesBudget.insert(*new)
