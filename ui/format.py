"""How numbers are written on screen (one place, so every page agrees)."""

import math


def pct(x: float, digits: int = 1) -> str:
    """0.1234 -> '12.3 %'; NaN -> '–'."""
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x * 100:.{digits}f} %"


def money(x: float) -> str:
    """1234567.8 -> '$1,234,568'."""
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"${x:,.0f}"


def count(x: int) -> str:
    return f"{x:,}"
