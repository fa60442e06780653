"""Period numbers as Ibis expressions, equal to :func:`core.cohorts.periods.period_number` on every engine.

Day and week numbers count from Monday 1970-01-05 (day 4 after 1970-01-01); months from 1970-01; quarters are
months // 3. Floor division keeps dates before 1970 in the right period. ``period`` is one of
:data:`core.cohorts.periods.PERIODS`, checked where the settings are made (this layer sits below the domains).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: day 0 of the integer days
EPOCH = ibis.date(1970, 1, 1)
_MONDAY = 4  # 1970-01-05 is day 4


def day_of(date: ir.DateValue) -> ir.IntegerValue:
    """Days since 1970-01-01 of ``date``."""
    return date.delta(EPOCH, unit="day")


def of_date(date: ir.DateValue, period: str) -> ir.IntegerValue:
    """The number of the period ``date`` falls in (NULL for a missing date)."""
    if period == "day":
        return day_of(date) - _MONDAY
    if period == "week":
        return (day_of(date) - _MONDAY) // 7
    if period not in ("month", "quarter"):
        raise ValueError(f"Unknown period '{period}'.")
    months = (date.year() - 1970) * 12 + date.month() - 1
    return months if period == "month" else months // 3
