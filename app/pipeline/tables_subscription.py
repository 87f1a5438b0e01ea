"""A1 认购: the payloads of its two request types on the approval engine (app/pipeline/steps/subscription.py)."""
from decimal import Decimal

from piccolo.columns import Boolean, Date, ForeignKey, Numeric, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.pipeline.tables import Deal
from app.workflow.tables import Request

ZERO = Decimal("0.00")


class SubscriptionDiscount(Table, tablename="pl_subscription_discount"):
    """认购优惠审批: a price below the list price (or another 优惠) on a 认购书, approved by the 销售经理, and beyond the
    manager's authority (特殊优惠) also by the 营销副总 and the 总经理."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    list_total = Numeric(digits=(15, 2))  # the unit's list price (表价)
    total_price = Numeric(digits=(15, 2))  # the price asked for
    discount_amount = Numeric(digits=(15, 2), default=ZERO)
    discount_pct = Numeric(digits=(7, 2), default=ZERO)
    special = Boolean(default=False)  # beyond the 销售经理's authority
    note = Varchar(length=200, default="")


class SubscriptionCancel(Table, tablename="pl_subscription_cancel"):
    """退订 / 没收定金 of a subscription that was not signed (逾期未签) or that the customer withdraws: proposed by the 销售经理,
    approved by the 客服副经理 and 财务. When neither side caused the failure the 定金 must be refunded (商品房买卖合同司法解释
    第四条); the refund goes out through 付款 (DealRefund kind 定金退款)."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    deal = ForeignKey(Deal, on_delete=OnDelete.restrict, index=True)
    outcome = Varchar(length=10)  # 退订 | 没收定金
    cause = Varchar(length=10)  # 双方均无过错 | 买受人原因
    deposit_received = Numeric(digits=(15, 2), default=ZERO)
    refund = Numeric(digits=(15, 2), default=ZERO)  # the 定金 to refund (all of it when neither side caused the failure)
    note = Text(default="")
    decided_on = Date(null=True, default=None)  # the approval day (the refund's clock starts)
