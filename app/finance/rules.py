"""Finance rules as pure functions (no I/O): an invoice's identity (SPEC E13)."""
from __future__ import annotations

import re

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
