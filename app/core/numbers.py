"""Areas and percentages as the portal shows them everywhere (pages, timeline texts, ledgers): 88.88㎡ and −3.00%."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def format_area(value: Any) -> str:
    """88.88㎡ everywhere (never 100 or 100.0); an empty value shows as empty."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}㎡"
    except (InvalidOperation, ValueError):
        return str(value)


def format_pct(value: Any, digits: int = 2) -> str:
    """A percentage as −3.00% (a true minus sign, two decimals; the portal's 60.00% style); empty stays empty."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{abs(number):,.{digits}f}"
    sign = "−" if number < 0 and Decimal(text.replace(",", "")) != 0 else ""
    return f"{sign}{text}%"
