"""Finance rules as pure functions (no I/O): an invoice's identity (SPEC E13), a trip's claim (fuel and tolls, or the
private-car allowance), the entertainment tolerance, the payroll-deduction schedule of an overdue advance (E14)."""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from app.core.months import month_text, parse_month  # noqa: F401  (re-exported: one set of month helpers)
from app.core.validators import validate_credit_code


def invoice_identity_errors(kind: str, code: str, number: str) -> dict[str, str]:
    """A legacy (paper) invoice is identified by 发票代码 (10 or 12 digits) + an 8-digit 号码; a 数电票/全电发票 by
    its 20-digit number alone, without a code. Returns {"code" | "number": message}."""
    errors: dict[str, str] = {}
    if not number:
        errors["number"] = "请填写发票号码"
    elif kind == "数电票" and not re.fullmatch(r"\d{20}", number):
        errors["number"] = "数电票号码应为 20 位数字"
    elif kind != "数电票" and not re.fullmatch(r"\d{8}|\d{20}", number):
        errors["number"] = "发票号码应为 8 位（或数电 20 位）数字"
    if "number" in errors:
        return errors
    if len(number) == 20:
        if code:
            errors["code"] = "20 位号码的数电（全电）发票没有发票代码，请留空"
    elif not code:
        errors["code"] = "8 位号码的纸质发票须填写发票代码"
    elif not re.fullmatch(r"\d{10}|\d{12}", code):
        errors["code"] = "发票代码应为 10 位或 12 位数字"
    return errors


def invoice_key(code: str, number: str) -> tuple[str, str]:
    """The identity the duplicate check uses: (code, number), code "" for a 20-digit number."""
    return ("" if len(number) == 20 else code, number)


def buyer_tax_id_error(tax_id: str, company_code: str) -> str | None:
    """The 购买方纳税人识别号 must be the claimant's company's 统一社会信用代码."""
    if not tax_id:
        return "请填写购买方纳税人识别号"
    if not company_code:
        return "本公司尚未在管理后台登记统一社会信用代码，请联系系统管理员"
    err = validate_credit_code(tax_id)
    if err:
        return err.replace("统一社会信用代码", "购买方纳税人识别号", 1)
    if tax_id != company_code.strip().upper():
        return f"购买方纳税人识别号不是本公司的统一社会信用代码（{company_code}），不能报销"
    return None


CENT = Decimal("0.01")


def trip_claim(*, private: bool, distance: int, fuel: Decimal, toll: Decimal, rate: Decimal) -> dict[str, Decimal]:
    """What a logged trip pays (SPEC E2 → E13). A company car: the fuel and tolls on the log's receipts. A private
    car on duty (私车公用): the allowance km × rate (元/公里, a setting; rounded half-up to the fen) plus tolls —
    its fuel is covered by the allowance, not reimbursed."""
    fuel, toll = Decimal(fuel), Decimal(toll)
    if private:
        allowance = (Decimal(distance) * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        return {"fuel": Decimal("0.00"), "toll": toll, "allowance": allowance, "amount": allowance + toll}
    return {"fuel": fuel, "toll": toll, "allowance": Decimal("0.00"), "amount": fuel + toll}


def entertainment_ceiling(expected: Decimal, tolerance_pct: Decimal) -> Decimal:
    """The most an entertainment claim may come to without the extra approval: the approved amount plus the
    tolerance (a percentage setting)."""
    return (Decimal(expected) * (Decimal(100) + Decimal(tolerance_pct)) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def deduction_schedule(amount: Decimal, instalments: int, first_month: date) -> list[tuple[str, Decimal]]:
    """The payroll deductions agreed in the written consent: equal instalments rounded down to the fen, the last
    one taking the remainder, one a month from `first_month`. [(YYYY-MM, amount)]; the sum is exactly `amount`."""
    amount = Decimal(amount)
    n = max(1, int(instalments))
    each = (amount / n).quantize(CENT, rounding=ROUND_DOWN)
    out = []
    y, m = first_month.year, first_month.month
    for i in range(n):
        part = each if i < n - 1 else amount - each * (n - 1)
        out.append((f"{y:04d}-{m:02d}", part))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# The legal basis shown when a payroll deduction is refused for want of the employee's written consent (SPEC E14:
# "overdue amounts may be deducted from pay with written consent").
DEDUCTION_BASIS = ("依据《工资支付暂行规定》第十五条，用人单位不得克扣劳动者工资（代扣个人所得税、社会保险费等法定情形除外）；"
                   "《劳动合同法》第三十条，用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。"
                   "逾期借款从工资中扣回，须取得员工本人签字的书面同意。")
