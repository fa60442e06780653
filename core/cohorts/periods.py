"""Periods as integers: the day/week/month/quarter a date falls in, the period's first day, and its label.

Cohort tables compute on these numbers (cohort period, activity period, churn period) and turn them back
into dates only to label the rows. Weeks start on Mondays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.store.dates import datetimes

PERIODS = ("day", "week", "month", "quarter")
_EPOCH = np.datetime64("1970-01-05", "D")  # a Monday, so week numbers start on Mondays
#: the period number of a missing date: far below every real one
MISSING = np.iinfo(np.int64).min // 2


def period_number(dates: pd.Series, period: str) -> np.ndarray:
    """Integer number of the day/week/month/quarter each date falls in (NaT -> a large negative sentinel)."""
    d = datetimes(dates).to_numpy(dtype="datetime64[D]")
    nat = np.isnat(d)
    if period == "day":
        out = (d - _EPOCH).astype(np.int64)
    elif period == "week":
        out = np.floor_divide((d - _EPOCH).astype(np.int64), 7)
    elif period in ("month", "quarter"):
        months = d.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
        out = months if period == "month" else np.floor_divide(months, 3)
    else:
        raise DataValidationError(f"Unknown period '{period}'. Choose one of: {', '.join(PERIODS)}.")
    return np.where(nat, MISSING, out)


def period_of_days(days: np.ndarray, period: str) -> np.ndarray:
    """:func:`period_number` for integer days since 1970-01-01, by lookup over the days' range."""
    if not len(days):
        return days.astype(np.int64)
    lo, hi = int(days.min()), int(days.max())
    span = np.arange(lo, hi + 1, dtype=np.int64)
    if period == "day":
        table = span - 4  # period_number counts days from Monday 1970-01-05
    elif period == "week":
        table = np.floor_divide(span - 4, 7)
    else:
        months = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        table = months if period == "month" else np.floor_divide(months, 3)
    return table[days.astype(np.int64) - lo]


def period_start(number: np.ndarray | int, period: str) -> pd.DatetimeIndex:
    """The first day of period ``number`` (inverse of :func:`period_number`)."""
    n = np.atleast_1d(np.asarray(number, dtype=np.int64))
    if period == "day":
        d = _EPOCH + n.astype("timedelta64[D]")
    elif period == "week":
        d = _EPOCH + (n * 7).astype("timedelta64[D]")
    elif period == "month":
        d = n.astype("datetime64[M]").astype("datetime64[D]")
    else:
        d = (n * 3).astype("datetime64[M]").astype("datetime64[D]")
    return pd.DatetimeIndex(d)


def period_labels(number: np.ndarray, period: str) -> list[str]:
    """The row label of each period: ``2024-05`` (month), ``2024-Q2`` (quarter), its first day otherwise."""
    starts = period_start(number, period)
    if period == "month":
        return [f"{s:%Y-%m}" for s in starts]
    if period == "quarter":
        return [f"{s.year}-Q{(s.month - 1) // 3 + 1}" for s in starts]
    return [f"{s:%Y-%m-%d}" for s in starts]


def last_complete_period(last_day: pd.Timestamp, period: str) -> int:
    """The last period that has fully ended by ``last_day`` (the period before the one of the next day)."""
    return int(period_number(pd.Series([last_day + pd.Timedelta(days=1)]), period)[0]) - 1
