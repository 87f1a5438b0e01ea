"""Labour-contract rules (SPEC §E4, 71p 第十章 员工劳动合同管理流程), pure: no I/O. Each rule names its legal basis
[L] in its docstring and in the message the page shows; the values a locality may change come from the settings
(app/hr_contract/settings.py) and are passed in.

Terms are counted in calendar months from the start date: a contract from 1 Jan to 31 Mar is a term of 3 months
(its day after the end, 1 Apr, is 3 months after the start)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable

FIXED = "固定期限"
OPEN = "无固定期限"
TASK = "以完成一定工作任务为期限"
KINDS = (FIXED, OPEN, TASK)

PENDING = "待签"
SIGNED = "已签"
EXPIRED = "已到期"
ENDED = "已终止"
STATUSES = (PENDING, SIGNED, EXPIRED, ENDED)
ON_EXPIRY = "期满终止"
END_REASONS = {ON_EXPIRY: EXPIRED, "协商解除": ENDED, "员工提出解除": ENDED, "公司提出解除": ENDED}  # reason → status

ART_10 = "《劳动合同法》第十条"
ART_14 = "《劳动合同法》第十四条"
ART_19 = "《劳动合同法》第十九条"
ART_20 = "《劳动合同法》第二十条"
ART_46 = "《劳动合同法》第四十六条第（五）项"
ART_47 = "《劳动合同法》第四十七条"
ART_82 = "《劳动合同法》第八十二条"


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier); a day the target month lacks becomes its last day."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_reaches(start: date, end: date, months: int) -> bool:
    """Whether a contract from `start` to `end` (both inclusive) lasts at least `months` calendar months."""
    return end + timedelta(days=1) >= add_months(start, months)


# ---- probation (试用期) -------------------------------------------------------------------------------------------

def probation_max_months(kind: str, start: date | None, end: date | None) -> int:
    """The longest probation the term allows, in months [L 《劳动合同法》第十九条]: 劳动合同期限三个月以上不满一年的，
    试用期不得超过一个月；一年以上不满三年的，不得超过二个月；三年以上固定期限和无固定期限的，不得超过六个月。
    以完成一定工作任务为期限的劳动合同或者劳动合同期限不满三个月的，不得约定试用期。"""
    if kind == OPEN:
        return 6
    if kind == TASK or start is None or end is None:
        return 0
    if term_reaches(start, end, 36):
        return 6
    if term_reaches(start, end, 12):
        return 2
    if term_reaches(start, end, 3):
        return 1
    return 0


def probation_term_text(kind: str, start: date | None, end: date | None) -> str:
    """Which band of art. 19 the term falls in, as the page says it."""
    if kind == OPEN:
        return "无固定期限劳动合同"
    if kind == TASK:
        return "以完成一定工作任务为期限的劳动合同"
    if start is None or end is None:
        return "劳动合同"
    if term_reaches(start, end, 36):
        return "合同期限三年以上"
    if term_reaches(start, end, 12):
        return "合同期限一年以上不满三年"
    if term_reaches(start, end, 3):
        return "合同期限三个月以上不满一年"
    return "合同期限不满三个月"


def probation_latest_end(kind: str, start: date, end: date | None) -> date | None:
    """The last day a probation may run to, or None when the term allows none [L art. 19]."""
    months = probation_max_months(kind, start, end)
    if not months:
        return None
    return add_months(start, months) - timedelta(days=1)


def check_probation(kind: str, start: date, end: date | None, probation_end: date | None) -> str:
    """'' when the agreed probation is lawful, else the message [L 《劳动合同法》第十九条]."""
    if probation_end is None:
        return ""
    if probation_end < start:
        return "试用期结束日不能早于合同开始日"
    if end is not None and probation_end > end:
        return "试用期结束日不能晚于合同结束日"
    band = probation_term_text(kind, start, end)
    latest = probation_latest_end(kind, start, end)
    if latest is None:
        return f"{band}不得约定试用期（{ART_19}）"
    if probation_end > latest:
        months = probation_max_months(kind, start, end)
        return f"{band}，试用期不得超过 {months} 个月，最晚至 {latest:%Y-%m-%d}（{ART_19}）"
    return ""


def probation_pay_minimum(pay: Decimal, pct: int) -> Decimal:
    """The lowest probation pay: `pct` % of the contract's pay [L 《劳动合同法》第二十条: 不得低于本单位相同岗位最低档工资
    或者劳动合同约定工资的百分之八十，并不得低于用人单位所在地的最低工资标准]; the setting's default is 80."""
    return (Decimal(pay) * Decimal(pct) / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_probation_pay(pay: Decimal, probation_pay: Decimal, pct: int) -> str:
    """'' when the probation pay is at least `pct` % of the pay, else the message [L art. 20]."""
    least = probation_pay_minimum(pay, pct)
    if Decimal(probation_pay) < least:
        return f"试用期工资不得低于合同约定工资的 {pct}%（不低于 {least:.2f} 元）（{ART_20}）"
    return ""


# ---- signing within one month (订立书面劳动合同) ------------------------------------------------------------------

@dataclass(frozen=True)
class SigningRisk:
    days: int  # days of employment so far without a signed contract (the start day is day 1)
    text: str


def signing_risk(start: date, signed_on: date | None, today: date, within_days: int = 30) -> SigningRisk | None:
    """The double-pay risk [L 《劳动合同法》第十条、第八十二条]: 已建立劳动关系，未同时订立书面劳动合同的，应当自用工之日起
    一个月内订立；超过一个月不满一年未订立的，应当向劳动者每月支付二倍的工资。From day `within_days` + 1 (day 31 by
    default) without a signed contract the risk is flagged with the days so far; a contract signed late keeps the flag
    with the days it was missing. From one year on the law deems an open-ended contract concluded (第十四条第三款)."""
    upto = signed_on if signed_on is not None else today
    days = (upto - start).days + 1
    if days <= within_days:
        return None
    if signed_on is not None:
        return SigningRisk(days, f"用工第 {days} 天才签订书面劳动合同，超过一个月未签期间存在支付二倍工资的风险（{ART_10}、{ART_82}）")
    text = f"已用工 {days} 天仍未签订书面劳动合同，自第 {within_days + 1} 天起存在每月支付二倍工资的风险（{ART_10}、{ART_82}）"
    if today >= add_months(start, 12):
        text += f"；满一年未签，视为已订立无固定期限劳动合同（{ART_14}第三款）"
    return SigningRisk(days, text)


# ---- renewal reminders (续签提醒) ---------------------------------------------------------------------------------

def previous_workday(day: date, is_workday: Callable[[date], bool]) -> date:
    """`day` itself when it is a working day, else the last working day before it."""
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def reminder_days(end: date, offsets: Iterable[int], is_workday: Callable[[date], bool]) -> list[tuple[int, date]]:
    """The renewal reminders of a contract ending on `end` [C: 60 and 30 days before the end, settings]: (offset, day)
    each, a day on a rest day (weekend or statutory holiday, app/core/workdays.py) moved to the previous working day."""
    return [(n, previous_workday(end - timedelta(days=n), is_workday)) for n in sorted(set(offsets), reverse=True) if n > 0]


# ---- the open-ended-contract entitlement (无固定期限劳动合同) ------------------------------------------------------

@dataclass(frozen=True)
class PastContract:
    kind: str
    start: date
    end: date | None
    status: str


def service_years(since: date, until: date) -> int:
    """Whole years of continuous service from `since` to `until`."""
    years = until.year - since.year
    if add_months(since, 12 * years) > until:
        years -= 1
    return max(0, years)


def open_ended_entitlement(hired_on: date | None, contracts: list[PastContract], as_of: date, years_needed: int = 10) -> str:
    """'' or why the employee may ask for an open-ended contract [L 《劳动合同法》第十四条]: 劳动者在该用人单位连续工作满
    十年的；或连续订立二次固定期限劳动合同，且劳动者没有第三十九条和第四十条第一项、第二项规定的情形，续订劳动合同的
    (renewing the third time). `contracts` in order of signing; `as_of` is the renewal date considered."""
    reasons = []
    first = hired_on or min((c.start for c in contracts), default=None)
    if first is not None and service_years(first, as_of) >= years_needed:
        reasons.append(f"连续工作满 {years_needed} 年")
    concluded = [c for c in contracts if c.status in (SIGNED, EXPIRED)]
    tail = 0
    for c in reversed(concluded):
        if c.kind != FIXED:
            break
        tail += 1
    if tail >= 2:
        reasons.append("已连续订立二次固定期限劳动合同，再续订时")
    if not reasons:
        return ""
    return "、".join(reasons) + f"，劳动者提出或同意续订的，应当订立无固定期限劳动合同（{ART_14}；有第三十九条、第四十条第一项、第二项情形的除外）"


# ---- severance (经济补偿) -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Severance:
    months: Decimal  # N, the months of pay owed
    base: Decimal  # the monthly pay it is counted on (capped at cap_times × the local average)
    amount: Decimal
    capped: bool
    text: str


def severance_months(since: date, until: date) -> Decimal:
    """N by the years of service [L 《劳动合同法》第四十七条]: 每满一年支付一个月工资；六个月以上不满一年的，按一年计算；
    不满六个月的，支付半个月工资。`until` is the last day of service (inclusive)."""
    after = until + timedelta(days=1)
    years = after.year - since.year
    if add_months(since, 12 * years) > after:
        years -= 1
    years = max(0, years)
    rest_from = add_months(since, 12 * years)
    n = Decimal(years)
    if rest_from < after:
        n += Decimal(1) if add_months(rest_from, 6) <= after else Decimal("0.5")
    return n


def severance(since: date, until: date, monthly_pay: Decimal, local_average: Decimal, cap_times: int = 3,
              cap_years: int = 12) -> Severance:
    """The economic compensation [L 《劳动合同法》第四十七条]: N months of the monthly pay; 月工资高于本地区上年度职工月
    平均工资三倍的，按职工月平均工资三倍的数额支付，年限最高不超过十二年 (the 12-year cap applies to capped pay only)."""
    n = severance_months(since, until)
    pay = Decimal(monthly_pay)
    ceiling = Decimal(local_average) * cap_times
    capped = local_average > 0 and pay > ceiling
    base = ceiling if capped else pay
    if capped and n > cap_years:
        n = Decimal(cap_years)
    amount = (base * n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"经济补偿 N = {n.normalize():f} 个月工资，按月工资 {base:.2f} 元计"
    if capped:
        text += f"（月工资高于本地区职工月平均工资 {cap_times} 倍，按 {cap_times} 倍计，年限最高 {cap_years} 年）"
    return Severance(n, base, amount, capped, f"{text} = {amount:.2f} 元（{ART_47}）")


def expiry_compensation_due(company_offers_renewal: bool, terms_not_lower: bool) -> tuple[bool, str]:
    """Whether the expiry of a fixed-term contract owes compensation [L 《劳动合同法》第四十六条第（五）项]: 固定期限劳动合同
    期满终止的应当支付经济补偿，除用人单位维持或者提高劳动合同约定条件续订而劳动者不同意续订的情形外."""
    if company_offers_renewal and terms_not_lower:
        return False, f"公司以不低于原合同的条件续订而员工不同意的，期满终止无需支付经济补偿（{ART_46}）"
    if company_offers_renewal:
        return True, f"公司降低条件续订、员工不同意的，期满终止应支付经济补偿（{ART_46}）"
    return True, f"公司不续订的，期满终止应支付经济补偿（{ART_46}）"
