"""Rules of the transaction pipeline (SPEC §A) as pure functions: no I/O, every rate and limit a parameter
(the defaults below are the SPEC's and become reference data in the admin).

Money is Decimal with two places, rounded half-up; areas are Decimal ㎡ with two places."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

DEPOSIT_MAX_RATIO = Decimal("0.20")  # 定金 ≤ 20% of the total price [L 民法典 art. 586]
AREA_TOLERANCE = Decimal("3")  # ±3% [L 商品房销售管理办法 art. 20]


def _money(v: Decimal) -> Decimal:
    return Decimal(v).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- A1 认购


def deposit_error(deposit: Decimal, total_price: Decimal, max_ratio: Decimal = DEPOSIT_MAX_RATIO) -> str | None:
    """定金 may not exceed 20% of the total price (the excess would not be a deposit in law)."""
    if deposit <= 0:
        return "定金必须大于 0"
    limit = _money(total_price * max_ratio)
    if deposit > limit:
        return f"定金不能超过总价的 {max_ratio * 100:.0f}%（最多 {limit:,.2f} 元）"
    return None


# ---------------------------------------------------------------- A0 共有人份额


def shares_error(shares: Iterable[Decimal]) -> str | None:
    """按份共有: the co-owners' shares (percent, two places) must sum to exactly 100."""
    values = list(shares)
    if any(s <= 0 for s in values):
        return "每位共有人的份额必须大于 0"
    total = sum(values, Decimal("0"))
    if total != HUNDRED:
        return f"共有份额合计应为 100%，现为 {total:.2f}%"
    return None


# ---------------------------------------------------------------- A2 审核单


def loan_error(total_price: Decimal, down_payment: Decimal, loan: Decimal) -> str | None:
    """贷款额 must equal 总价 − 首付."""
    if down_payment > total_price:
        return "首付款不能超过总价"
    expected = _money(total_price - down_payment)
    if _money(loan) != expected:
        return f"贷款额应等于总价减首付，即 {expected:,.2f} 元"
    return None


def loan_split_error(loan: Decimal, commercial: Decimal, provident: Decimal) -> str | None:
    """组合贷: 商贷额 + 公积金额 must equal the 审核单 贷款额."""
    if _money(commercial + provident) != _money(loan):
        return f"商贷额与公积金贷款额之和应等于贷款额 {loan:,.2f} 元"
    return None


# ---------------------------------------------------------------- A6 面积差


PER_UNIT_TEXT = "按套计价，不结算面积差"


@dataclass(frozen=True)
class AreaSettlement:
    ratio: Decimal | None  # deviation in percent, two places: (surveyed − contract) / contract × 100; None when 按套
    amount: Decimal  # > 0 the buyer pays; < 0 the developer refunds
    may_return: bool  # |ratio| > 3%: the buyer may return the unit
    explanation: str


def area_settlement(contract_area: Decimal, surveyed_area: Decimal, unit_price: Decimal, *, per_unit_pricing: bool = False,
                    tolerance: Decimal = AREA_TOLERANCE) -> AreaSettlement:
    """Area-difference settlement by the 3% rule.

    Within ±3%: settle on the actual area. Above +3%: the buyer pays for the first 3% only. Below −3%: the developer
    refunds the first 3% and refunds double for the part beyond 3%. Units priced per unit (按套) are not adjusted.
    Example (100 ㎡ at 10,000/㎡): 95 ㎡ → refund 70,000.00; 104 ㎡ → the buyer pays 30,000.00."""
    if contract_area <= 0:
        raise ValueError("合同面积必须大于 0")
    diff = surveyed_area - contract_area
    ratio = (diff / contract_area * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    exact_ratio = diff / contract_area * HUNDRED
    may_return = abs(exact_ratio) > tolerance
    if per_unit_pricing:
        return AreaSettlement(ratio, Decimal("0.00"), False, PER_UNIT_TEXT)
    band = contract_area * tolerance / HUNDRED  # the area that 3% represents
    if abs(exact_ratio) <= tolerance:
        amount = _money(diff * unit_price)
        text = f"误差 {ratio}%，在 ±{tolerance}% 以内，按实测面积据实结算"
    elif diff > 0:
        amount = _money(band * unit_price)
        text = f"误差 {ratio}%，超出 +{tolerance}%：买受人只补 {tolerance}% 以内部分，超出部分由开发商承担；买受人有权退房"
    else:
        inside = band * unit_price
        beyond = (-diff - band) * unit_price * 2
        amount = -_money(inside + beyond)
        text = f"误差 {ratio}%，超出 -{tolerance}%：{tolerance}% 以内部分返还，超出部分双倍返还；买受人有权退房"
    return AreaSettlement(ratio, amount, may_return, text)


def settle_by_basis(basis: str, *, contract_build: Decimal, contract_inner: Decimal, surveyed_build: Decimal | None,
                    surveyed_inner: Decimal | None, unit_price: Decimal, tolerance: Decimal = AREA_TOLERANCE) -> AreaSettlement:
    """The settlement follows the unit's pricing basis (计价方式): 建筑面积 compares the surveyed building area with the
    contract building area, 套内面积 the surveyed inner area with the contract inner area (the unit price is then per
    ㎡ of inner area); 按套 has no area settlement."""
    if basis == "按套":
        return AreaSettlement(None, Decimal("0.00"), False, PER_UNIT_TEXT)
    if basis == "套内面积":
        if surveyed_inner is None:
            raise ValueError("按套内面积计价的房源须填写实测套内面积")
        s = area_settlement(contract_inner, surveyed_inner, unit_price, tolerance=tolerance)
    elif basis == "建筑面积":
        if surveyed_build is None:
            raise ValueError("须填写实测建筑面积")
        s = area_settlement(contract_build, surveyed_build, unit_price, tolerance=tolerance)
    else:
        raise ValueError(f"未知的计价方式「{basis}」")
    return AreaSettlement(s.ratio, s.amount, s.may_return, f"按{basis}计价，{s.explanation}")


# ---------------------------------------------------------------- A7 契税


HOME_COUNTS = ("首套", "二套", "三套及以上")


@dataclass(frozen=True)
class DeedTaxRate:
    homes: str  # 首套 | 二套 | 三套及以上
    max_area: Decimal | None  # inclusive upper bound of the band; None = no bound
    rate: Decimal  # percent


# SPEC A7: 财政部 税务总局 住建部公告2024年第16号 (from 2024-12-01): 首套 ≤140 ㎡ 1%, >140 ㎡ 1.5%; 二套 ≤140 ㎡ 1%,
# >140 ㎡ 2%; otherwise the local statutory rate (3–5%; 3% by default).
DEFAULT_DEED_TAX = (
    DeedTaxRate("首套", Decimal("140"), Decimal("1")),
    DeedTaxRate("首套", None, Decimal("1.5")),
    DeedTaxRate("二套", Decimal("140"), Decimal("1")),
    DeedTaxRate("二套", None, Decimal("2")),
    DeedTaxRate("三套及以上", None, Decimal("3")),
)


def taxable_price(total_price: Decimal, area_amount: Decimal | None) -> Decimal:
    """The deed tax is levied on the price after the area settlement (合同总价 + 面积差结算额, a refund is negative)."""
    return _money(Decimal(total_price) + Decimal(area_amount or 0))


def deed_tax(taxable: Decimal, area: Decimal, *, homes: str, table: Iterable[DeedTaxRate] = DEFAULT_DEED_TAX) -> tuple[Decimal, Decimal]:
    """Returns (rate in percent, tax) for the buyer's home count and the area band (bounded bands first)."""
    rows = sorted((r for r in table if r.homes == homes), key=lambda b: (b.max_area is None, b.max_area or 0))
    rate = next((r.rate for r in rows if r.max_area is None or area <= r.max_area), None)
    if rate is None:
        raise ValueError(f"契税税率表中没有「{homes}」、面积 {area}㎡ 适用的税率，请系统管理员在管理后台补充")
    return rate, _money(taxable * rate / HUNDRED)


# ---------------------------------------------------------------- time limits


def filing_due(signed_on: date, days: int = 30) -> date:
    """合同备案 within one month of signing (30 calendar days by statute)."""
    return signed_on + timedelta(days=days)


def filing_reminder_days(signed_on: date, today: date, reminders: tuple[int, ...] = (20, 25, 28), limit: int = 30) -> tuple[int, str]:
    """(days since signing, level) with level "" | "提醒" | "逾期" (red from day limit + 1)."""
    n = (today - signed_on).days
    if n > limit:
        return n, "逾期"
    if n >= min(reminders):
        return n, "提醒"
    return n, ""


def title_due(handover_on: date | None, signed_on: date, *, presale: bool, contract_due: date | None = None, days: int = 90) -> date | None:
    """The certificate deadline: the contract's, else 90 days from handover (presale) or from signing (completed units)."""
    if contract_due:
        return contract_due
    start = handover_on if presale else signed_on
    return start + timedelta(days=days) if start else None


def working_day_due(start: date, working_days: int, calendar) -> date:
    """A WD clock (bank approval 5 WD [S 4.3], loan release 2 WD [S 4.4]): `calendar` is a core WorkCalendar."""
    return calendar.add_working_days(start, working_days)


def clock_level(start: date, today: date, amber_wd: int, red_wd: int, calendar) -> str:
    """"" | "amber" | "red" for a WD clock such as the bank approval (amber at 3 WD, red at 5 WD)."""
    used = calendar.working_days_between(start, today)
    if used >= red_wd:
        return "red"
    if used >= amber_wd:
        return "amber"
    return ""


# ---------------------------------------------------------------- A6 交房 (issue 10)


def notice_deadline(handover_on: date, min_days: int) -> date:
    """The last day the 交房通知书 may be sent: `min_days` calendar days before the handover date (SPEC 6c, N = 15)."""
    return handover_on - timedelta(days=min_days)


def notice_error(sent_on: date, handover_on: date, min_days: int) -> str | None:
    """A notice sent after its deadline does not give the buyer the contract's notice period: refused."""
    last = notice_deadline(handover_on, min_days)
    if sent_on > last:
        return f"交房通知书须在交房日 {min_days} 天前发出（交房日 {handover_on.isoformat()} 的最晚发出日为 {last.isoformat()}）"
    return None


def late_delivery_penalty(delivery_due: date | None, handed_over_on: date, paid: Decimal, daily_rate_pct: Decimal) -> tuple[int, Decimal]:
    """逾期交付违约金: handed over after the contract's delivery date, the developer owes days late × the daily rate (in %
    of the price paid, e.g. 0.05 % a day) × the price paid. Returns (days late, amount); (0, 0.00) when on time."""
    if delivery_due is None or handed_over_on <= delivery_due:
        return 0, Decimal("0.00")
    days = (handed_over_on - delivery_due).days
    return days, _money(Decimal(paid) * Decimal(daily_rate_pct) / HUNDRED * days)
# ---------------------------------------------------------------- A7 产权证: fees and deadlines


def registration_fee(copies: int, *, per_case: Decimal, per_extra_copy: Decimal, free_copies: int = 1) -> Decimal:
    """登记费 [L]: a flat fee per residential case (80 CNY) with `free_copies` certificates (one) included; each extra copy
    costs `per_extra_copy` (10 CNY)."""
    if copies < 1:
        raise ValueError("证书份数至少为 1")
    return _money(Decimal(per_case) + max(0, copies - free_copies) * Decimal(per_extra_copy))


def title_deadline(contract_due: date | None, handed_over_on: date | None, signed_on: date | None, days: int = 90) -> date | None:
    """The certificate deadline [S 5.7, L 司法解释 14]: the contract's 办证期限; else `days` from handover (a presale unit,
    handed over after signing) or, with no handover recorded, from signing (a completed unit sold as it stands)."""
    if contract_due:
        return contract_due
    start = handed_over_on or signed_on
    return start + timedelta(days=days) if start else None


def prereg_lapse(first_registered_on: date | None, days: int = 90) -> date | None:
    """The pre-registration lapses when no registration is applied for within `days` of registration becoming possible
    (the project's 首次登记) [L 民法典 221]."""
    return first_registered_on + timedelta(days=days) if first_registered_on else None
# ---------------------------------------------------------------- A1 认购: discount authority, the cancellation rule

CANCEL_OUTCOMES = ("退订", "没收定金")
CANCEL_CAUSES = ("双方均无过错", "买受人原因")


@dataclass(frozen=True)
class Discount:
    amount: Decimal  # 表价 − 成交总价 (0 when the price is the list price)
    pct: Decimal  # of the list price, 2 places
    needs_approval: bool  # any 优惠 beyond the price list: a lower price, or a 优惠 written in the 优惠说明
    special: bool  # beyond the 销售经理's authority (特殊优惠): 营销副总 and 总经理 too


def discount_of(list_total: Decimal, total_price: Decimal, note: str, manager_max_pct: Decimal) -> Discount:
    """SPEC A1 step 2: any discount beyond the price list needs the 销售经理; one above `manager_max_pct` % of the list
    price (the 销售经理's authority, a setting: up to and including it is within) goes on to the 营销副总 and the 总经理."""
    amount = max(_money(list_total - total_price), Decimal("0.00"))
    pct = _money(amount / list_total * 100) if list_total > 0 else Decimal("0.00")
    special = amount * 100 > list_total * manager_max_pct  # compared unrounded: one cent beyond the limit is beyond it
    return Discount(amount, pct, amount > 0 or bool((note or "").strip()), special)


def discount_chain(d: Discount) -> list[str]:
    """The approving roles, in order."""
    if not d.needs_approval:
        return []
    return ["sales_manager", "marketing_vp", "gm"] if d.special else ["sales_manager"]


def sign_reminder(deadline: date, today: date) -> str | None:
    """The signing deadline's reminders go out at D−1 and D0 (SPEC A1 exceptions)."""
    if deadline == today + timedelta(days=1):
        return "明天到期"
    if deadline == today:
        return "今天到期"
    return None


def is_overdue(deadline: date, today: date) -> bool:
    """After D0 the subscription is 逾期未签."""
    return deadline < today


def cancel_error(outcome: str, cause: str) -> str | None:
    """If neither side caused the failure to sign, the 定金 must be refunded (商品房买卖合同司法解释 第四条): no forfeit."""
    if outcome == "没收定金" and cause != "买受人原因":
        return "双方均无过错时定金必须退还，不能没收（商品房买卖合同司法解释第四条）"
    return None
