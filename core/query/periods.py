"""Period numbers as Ibis expressions, equal to :func:`core.cohorts.periods.period_number` on every engine.

Activity carries its day as an integer (days since 1970-01-01, as the column files hold it); dates (signup, churn)
are dates. Day and week numbers count from Monday 1970-01-05 (day 4); months from 1970-01; quarters are months // 3.
Floor division keeps days before 1970 in the right period. ``period`` is one of
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


def of_day(day: ir.IntegerValue, period: str) -> ir.IntegerValue:
    """The number of the period integer day ``day`` falls in."""
    if period in ("day", "week"):
        return day - _MONDAY if period == "day" else (day - _MONDAY) // 7
    return _of_months(_months(EPOCH + day.cast("int32").as_interval("D")), period)


def of_date(date: ir.DateValue, period: str) -> ir.IntegerValue:
    """The number of the period ``date`` falls in (NULL for a missing date)."""
    if period in ("day", "week"):
        return of_day(day_of(date), period)
    return _of_months(_months(date), period)


def _months(date: ir.DateValue) -> ir.IntegerValue:
    return (date.year() - 1970) * 12 + date.month() - 1


def _of_months(months: ir.IntegerValue, period: str) -> ir.IntegerValue:
    if period not in ("month", "quarter"):
        raise ValueError(f"Unknown period '{period}'.")
    return months if period == "month" else months // 3
