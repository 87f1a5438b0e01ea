"""Finance reference data: the demo companies' 统一社会信用代码 (the buyer on their invoices, SPEC E13).
Idempotent: fills a code only where it is still empty (an administrator's entry is kept)."""
from __future__ import annotations

from app.core.validators import uscc_check_char
from app.org.tables import Company

# demo codes with a valid GB 32100 check character (computed below)
DEMO_CREDIT_CODES = {
    "锦程房地产开发有限公司": "91320506MA1M9XK2R",
    "锦程置业（无锡）有限公司": "91320211MA1N8YH3T",
}


def credit_code(name: str) -> str:
    first17 = DEMO_CREDIT_CODES[name]
    return first17 + uscc_check_char(first17)


async def seed() -> None:
    for name in DEMO_CREDIT_CODES:
        await Company.update({Company.credit_code: credit_code(name)}).where((Company.name == name) & (Company.credit_code == ""))
