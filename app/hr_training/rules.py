"""学历/资格证书培训 (SPEC §E7) — pure rules, no I/O. The limits are the `cert_training` flow's settings (审批参数),
editable in the admin; DEFAULTS are the SPEC's values.

- Eligibility [C]: a regular employee (在职，试用期已满) with at least `min_service_years` of service (from Employee.hired_on).
- The company's share [C]: `share_min_pct`–`share_max_pct` % of the cost, paid on success (once the certificate is shown).
- The service-period agreement [C]: `period_min_years`–`period_max_years` years, starting the day the certificate is shown.
- The penalty for leaving early [L] 劳动合同法 第二十二条: pro rata to the unserved part of the service period and never more
  than the training cost the company paid.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

LEGAL_22 = ("[L] 劳动合同法 第二十二条：用人单位为劳动者提供专项培训费用、进行专业技术培训的，可以与劳动者订立协议约定服务期；"
            "劳动者违反服务期约定的，违约金不得超过用人单位提供的培训费用，且不得超过服务期尚未履行部分所应分摊的培训费用")
LEGAL_22_SHORT = "[L] 劳动合同法 第二十二条"
ELIGIBILITY_BASIS = "[C] 公司培训制度：转正后的在职员工，司龄满规定年限方可申请"

DEFAULTS: dict[str, Decimal] = {
    "min_service_years": Decimal("1"),
    "share_min_pct": Decimal("50"),
    "share_max_pct": Decimal("100"),
    "period_min_years": Decimal("1"),
    "period_max_years": Decimal("5"),
    "gm_from": Decimal("10000.00"),
}


def add_years(d: date, years: int) -> date:
    """The same day `years` later; 29 Feb falls on 28 Feb in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def service_anniversary(hired_on: date, years: int) -> date:
    """The first day on which `years` full years of service are completed."""
    return add_years(hired_on, years)


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str  # why not (empty when eligible), with the rule


def eligibility(*, active: bool, hired_on: date | None, on: date, min_years: int, probation_end: date | None = None) -> Eligibility:
    """[C] a regular employee (在职，不在试用期) with ≥ min_years of service on `on`: exactly min_years years after the
    hire date counts; a day short does not."""
    rule = f"（{ELIGIBILITY_BASIS}，现行标准：司龄满 {min_years} 年）"
    if not active:
        return Eligibility(False, "您的员工档案不是在职状态，不能申请" + rule)
    if hired_on is None:
        return Eligibility(False, "人事尚未登记您的入职日期，暂不能申请，请联系人事专员" + rule)
    if probation_end is not None and probation_end >= on:
        return Eligibility(False, f"您仍在试用期内（至 {probation_end:%Y-%m-%d}），转正后方可申请" + rule)
    due = service_anniversary(hired_on, min_years)
    if on < due:
        return Eligibility(False, f"您于 {hired_on:%Y-%m-%d} 入职，司龄未满 {min_years} 年（{due:%Y-%m-%d} 起可申请）" + rule)
    return Eligibility(True, "")


def company_share(cost: Decimal, pct: Decimal) -> Decimal:
    """The company's share of the cost, in CNY to the cent."""
    return (Decimal(cost) * Decimal(pct) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def share_error(pct: Decimal, lo: Decimal, hi: Decimal) -> str:
    if pct < lo or pct > hi:
        return f"公司承担比例应在 {lo.normalize():f}% 至 {hi.normalize():f}% 之间（[C] 公司培训制度，取得证书后报销）"
    return ""


def period_error(years: int, lo: Decimal, hi: Decimal) -> str:
    if years < lo or years > hi:
        return f"服务期应为 {int(lo)} 至 {int(hi)} 年（[C] 公司培训制度；服务期约定见 {LEGAL_22_SHORT}）"
    return ""


def service_end(start: date, years: int) -> date:
    """The last day of a service period of `years` years starting on `start` (inclusive)."""
    return add_years(start, years) - timedelta(days=1)


@dataclass(frozen=True)
class Penalty:
    amount: Decimal  # the penalty due if the person left on `leave_on`
    base: Decimal  # the training cost the company paid (the cap)
    total_days: int
    unserved_days: int


def penalty(*, cost: Decimal, paid: Decimal, start: date | None, years: int, leave_on: date) -> Penalty:
    """[L] 劳动合同法 第二十二条: the penalty if the employment ends on `leave_on` (解除或终止劳动合同之日; the days before it
    are served). Pro rata: paid × unserved days / the period's days, to the cent; never more than the training cost the
    company paid (min(paid, cost)). Before the service period starts (no certificate yet) nothing was paid: 0.
    Leaving on day 0 → the whole amount; on the period's last day → one day's share; the day after it or later → 0."""
    base = max(Decimal(0), min(Decimal(paid), Decimal(cost)))
    if start is None or years <= 0:
        return Penalty(Decimal("0.00"), base.quantize(CENT), 0, 0)
    end_excl = add_years(start, years)
    total = (end_excl - start).days
    served = min(total, max(0, (leave_on - start).days))
    unserved = total - served
    amount = (base * unserved / total).quantize(CENT, rounding=ROUND_HALF_UP) if total else Decimal("0.00")
    return Penalty(min(amount, base.quantize(CENT)), base.quantize(CENT), total, unserved)


def penalty_text(p: Penalty) -> str:
    if not p.total_days:
        return "尚未开始服务期（取得证书并报销后起算），目前无违约金"
    if not p.unserved_days:
        return "服务期已届满，无违约金"
    return (f"{p.amount:,.2f} 元（公司已承担培训费用 {p.base:,.2f} 元 × 未履行 {p.unserved_days} 天 ÷ 服务期 {p.total_days} 天，"
            f"不超过公司承担的培训费用；{LEGAL_22_SHORT}）")
