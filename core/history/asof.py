"""Where the data ends, and the window a figure covers: one definition each, for every page, the CLI and the review.

Two ends, on purpose:

* :func:`data_end` is **the last day the data speaks about**: the latest signup, churn or activity day (and any
  other dated rows a caller names, such as verbatims), or the last day of the last revenue month (a monthly
  revenue row stands for its whole month). Day-level figures (cohort periods, survival durations, churn labels,
  play windows, churn after feedback) never count a day after it as observed.
* :func:`as_of_month` is **the as-of month of the monthly figures** (MRR, NRR, GRR, logo churn, LTV): the last
  month with recurring revenue; without any, the last month with a sale (a purchase log); without either, the
  month of the customers' last signup or churn date. It differs
  from :func:`data_end` because activity, tickets or churn recorded after the last billed month would move the
  as-of month into a month without MRR, where MRR reads 0 and NRR and GRR collapse. A snapshot file without
  revenue (like the telco export) is so read at its own snapshot date, not at today's, where it would show no
  churn at all.

:class:`Window` is the 12 whole months ending with the as-of month (:func:`window`), and :func:`clamp` is the
sidebar's rule: the filters' end date, never later than the data's end.

Dates may come as datetime64 columns, ``datetime.date`` objects or ISO text, with None, NaN or NaT for missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.store.columnar import ActivityPairs
from core.store.dates import datetimes

_EPOCH = np.datetime64("1970-01-01", "D")


def last_date(values) -> pd.Timestamp:
    """The latest date of ``values`` (NaT when there is none).

    Parameters
    ----------
    values : pandas.Series or array-like
        datetime64 values, ``datetime.date``/``datetime.datetime`` objects or ISO text (``2024-05-01``,
        ``2024-05-01 10:30:00``), missing ones as None, NaN or NaT, in any mix.

    Examples
    --------
    >>> last_date(pd.Series(["2024-05-01", None, float("nan"), "2024-06-30"]))
    Timestamp('2024-06-30 00:00:00')
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.Timestamp(s.max())
    s = s.dropna()
    if s.empty:
        return pd.NaT
    try:  # ISO text sorts like dates: take the max first, then parse one value instead of every row
        return pd.Timestamp(s.max())
    except TypeError:  # a mix of kinds (text and dates) does not compare: parse them all
        return datetimes(s, format="mixed").max()


def _today() -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def _customer_dates(customers: pd.DataFrame | None) -> list[pd.Timestamp]:
    if customers is None:
        return []
    return [last_date(customers[c]) for c in ("signup_date", "churn_date") if c in customers]


def data_end(customers: pd.DataFrame | None = None, activity=None, revenue: pd.DataFrame | None = None,
             extra=()) -> pd.Timestamp:
    """The last day the data speaks about (today when it has no date at all).

    Parameters
    ----------
    customers : pandas.DataFrame, optional
        ``signup_date`` and/or ``churn_date`` columns (a missing column is skipped).
    activity : pandas.DataFrame or ActivityPairs, optional
        Rows with a ``date`` column, or the column store's pairs.
    revenue : pandas.DataFrame, optional
        A ``period`` column; each row stands for its whole month, so it counts to the month's last day.
    extra : iterable of array-like
        Other dated columns that count (verbatim dates, survey dates ...).

    Returns
    -------
    pandas.Timestamp
        Midnight of the last day.
    """
    dates = _customer_dates(customers)
    if isinstance(activity, ActivityPairs):
        if len(activity):
            dates.append(pd.Timestamp(_EPOCH + np.timedelta64(int(activity.days.max()), "D")))
    elif activity is not None and len(activity):
        dates.append(last_date(activity["date"]))
    if revenue is not None and len(revenue):
        dates.append(last_date(revenue["period"]) + pd.offsets.MonthEnd(0))
    dates += [last_date(v) for v in extra]
    dates = [d for d in dates if pd.notna(d)]
    return max(dates).normalize() if dates else _today()


def as_of_month(customers: pd.DataFrame, revenue: pd.DataFrame | None = None) -> pd.Timestamp:
    """The as-of month of the monthly figures, as its last day.

    The last month with recurring revenue (a row with ``mrr``); without any, the month of the last sale (a
    purchase log's one-off revenue); without either, the month of the latest signup or churn date; without any
    date, this month. See the module docstring for why this is not :func:`data_end`.
    """
    last = pd.NaT
    if revenue is not None and len(revenue) and "mrr" in revenue:
        last = last_date(revenue.loc[revenue["mrr"].notna(), "period"])
    if pd.isna(last) and revenue is not None and len(revenue):  # a purchase log: where its sales end
        last = last_date(revenue["period"])
    if pd.isna(last):
        dates = [d for d in _customer_dates(customers) if pd.notna(d)]
        last = max(dates) if dates else _today()
    return last.normalize() + pd.offsets.MonthEnd(0)


@dataclass(frozen=True)
class Window:
    """The whole months a monthly figure covers, ending with the as-of month.

    Attributes
    ----------
    start : pandas.Timestamp
        The first day of the first month.
    end : pandas.Timestamp
        The last day of the as-of month (the day active customers are counted on).
    as_of : pandas.Period
        The as-of month.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Period

    @property
    def day_before(self) -> pd.Timestamp:
        """The last day before the window: its start customers are the customers active that day."""
        return self.start - pd.Timedelta(days=1)

    @property
    def base_month(self) -> pd.Period:
        """The month before the window: the start customers' starting MRR (NRR's and GRR's base)."""
        return self.start.to_period("M") - 1


def window(as_of, months: int = 12) -> Window:
    """The ``months`` whole months ending with the month of ``as_of`` (any day of it, date-like or ISO text).

    Examples
    --------
    >>> w = window("2026-09-14")
    >>> (str(w.start.date()), str(w.end.date()), str(w.as_of), str(w.base_month))
    ('2025-10-01', '2026-09-30', '2026-09', '2025-09')
    """
    month = pd.Timestamp(as_of).to_period("M")
    return Window(start=(month - (months - 1)).to_timestamp(), end=month.to_timestamp(how="end").normalize(),
                  as_of=month)


def clamp(requested, end) -> pd.Timestamp:
    """The sidebar's end date, never later than the data's ``end`` (``end`` itself when none was chosen).

    Parameters
    ----------
    requested : date-like or None
        The filters' end date.
    end : date-like
        Where the data ends (:func:`data_end` or :func:`as_of_month`).

    Examples
    --------
    >>> clamp(None, "2026-10-31"), clamp("2030-01-01", "2026-10-31"), clamp("2026-05-02", "2026-10-31")
    (Timestamp('2026-10-31 00:00:00'), Timestamp('2026-10-31 00:00:00'), Timestamp('2026-05-02 00:00:00'))
    """
    end = pd.Timestamp(end)
    if requested is None or (not isinstance(requested, str) and pd.isna(requested)):
        return end
    return min(pd.Timestamp(requested), end)
