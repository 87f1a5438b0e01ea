"""A1 认购 demo data, after the demo deals: one 认购书 whose 特殊优惠 waits for the 销售经理 (优惠待批), one waiting for
finance's 定金 (待收定金), one 草稿; the subscription past its signing deadline becomes 逾期未签 (as the reminder run
would). Idempotent: does nothing once a 认购优惠 request exists."""
from __future__ import annotations

from decimal import Decimal

from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline import services
from app.pipeline.tables_subscription import SubscriptionDiscount
from seeds.pipeline import _id, _user, FormValues


async def seed() -> None:
    if await SubscriptionDiscount.exists():
        return
    units = await Unit.select(Unit.id, Unit.unit_price, Unit.total_price).where(
        (Unit.status == "可售") & (Unit.project.code == "JC01")).order_by(Unit.floor).order_by(Unit.id).limit(3)
    if len(units) < 3:
        return
    sales = await _user("sales")
    plans = [("优惠待批", "冯晓", Decimal("0.95"), "老带新优惠 5%"), ("待收定金", "韩梅", Decimal("1"), ""), ("草稿", "秦川", Decimal("0.99"), "开盘优惠 1%")]
    for n, (u, (goal, name, factor, note)) in enumerate(zip(units, plans)):
        total = (Decimal(u["total_price"]) * factor).quantize(Decimal("0.01"))
        price = (Decimal(u["unit_price"]) * factor).quantize(Decimal("0.01"))
        await services.subscribe(sales, u["id"], FormValues(
            name=name, id_type="居民身份证", id_number=_id(90 + n), mobile=f"1395100{n:04d}", address="苏州市工业园区", marital="未婚", spouse_name="",
            co_ownership="单独所有", unit_price=f"{price:.2f}", total_price=f"{total:.2f}", discount_note=note, deposit="50000.00",
            payment_method="一次性", down_payment=f"{total:.2f}", action="draft" if goal == "草稿" else "submit"))
    await services.expire_subscriptions(today_local())
