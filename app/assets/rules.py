"""Pure asset rules (no I/O): straight-line depreciation and net value (SPEC §E17)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def months_between(start: date, end: date) -> int:
    """Whole months from start to end (a month counts once the same day of the month is reached); never negative."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class NetValue:
    original: Decimal
    months_used: int
    depreciation_years: int
    accumulated: Decimal
    net: Decimal

    @property
    def years_used(self) -> Decimal:
        return (Decimal(self.months_used) / 12).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def fully_depreciated(self) -> bool:
        return self.net == 0


def net_value(original: Decimal, depreciation_years: int, purchased_on: date, today: date) -> NetValue:
    """Straight line, no residual: net = original − original × min(years used, depreciation years) / depreciation years,
    with years used = whole months / 12. Two places, rounded half-up. Zero depreciation years: written off at once."""
    original = Decimal(original).quantize(CENT)
    months = months_between(purchased_on, today)
    life = max(int(depreciation_years or 0), 0) * 12
    if life == 0:
        accumulated = original
    else:
        accumulated = (original * min(months, life) / life).quantize(CENT, rounding=ROUND_HALF_UP)
    return NetValue(original=original, months_used=months, depreciation_years=int(depreciation_years or 0),
                    accumulated=accumulated, net=original - accumulated)
