"""The global filters every page applies the same way (segment, plan, region, date range)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core.store.dates import datetimes

#: the default date range covers this many years, ending today or, for data that ended long ago, on its last day
DEFAULT_YEARS = 3
#: data whose last day is more than this long before today is history (a 1997-98 purchase log): its range ends there
HISTORY_AFTER = dt.timedelta(days=365)
#: how far back the range may reach on a store without dates (Streamlit's own default bound)
UNDATED_YEARS = 10


@dataclass(frozen=True)
class Filters:
    """What the reader chose in the sidebar. Empty tuples mean "all".

    ``end`` is the as-of date of the pages (the last day they look at); ``start`` bounds trends.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    segments: tuple[str, ...] = field(default_factory=tuple)
    plans: tuple[str, ...] = field(default_factory=tuple)
    regions: tuple[str, ...] = field(default_factory=tuple)


def filter_customers(customers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Customers matching the segment, plan and region choices (the date range does not drop customers)."""
    mask = pd.Series(True, index=customers.index)
    for column, chosen in (("segment", f.segments), ("plan", f.plans), ("region", f.regions)):
        if chosen:
            mask &= customers[column].isin(chosen)
    return customers[mask]


def for_customers(frame: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Rows of a child table (revenue, activity, ...) that belong to ``customers``."""
    return frame[frame["customer_id"].isin(customers["customer_id"])]


def choices(customers: pd.DataFrame) -> dict[str, list[str]]:
    """The values each filter can take: ``{"segment": [...], "plan": [...], "region": [...]}``."""
    return {c: sorted(customers[c].dropna().unique().tolist()) for c in ("segment", "plan", "region")}


def signed_up_between(customers: pd.DataFrame, first_month: str | None, last_month: str | None) -> pd.DataFrame:
    """Customers whose signup month (``YYYY-MM``) lies in [first_month, last_month] (None: open end)."""
    month = datetimes(customers["signup_date"]).dt.strftime("%Y-%m")
    mask = pd.Series(True, index=customers.index)
    if first_month:
        mask &= month >= first_month
    if last_month:
        mask &= month <= last_month
    return customers[mask]


def _years_before(day: dt.date, years: int) -> dt.date:
    return (pd.Timestamp(day) - pd.DateOffset(years=years)).date()


def date_range(first: dt.date | None, records_end: dt.date | None, last: dt.date | None,
               today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The sidebar's default date range and the bounds it can be moved within, from the store's first dated day,
    the last day of its records and its last dated day (:class:`core.store.profile.StoreProfile`'s ``first_day``,
    ``last_record_day`` and ``last_day``; None when there is none).

    The range may reach from the store's first day to the later of its last day and today. By default it covers
    the last :data:`DEFAULT_YEARS` years up to today, or up to the last day of the records when they ended more
    than :data:`HISTORY_AFTER` ago (signups alone never end the data), and never starts before the first day.

    Returns
    -------
    ((start, end), (earliest, latest))

    Examples
    --------
    >>> date_range(dt.date(1997, 1, 1), dt.date(1998, 6, 30), dt.date(1998, 6, 30), dt.date(2026, 12, 3))
    ((datetime.date(1997, 1, 1), datetime.date(1998, 6, 30)), (datetime.date(1997, 1, 1), datetime.date(2026, 12, 3)))
    """
    end = records_end if records_end is not None and records_end < today - HISTORY_AFTER else today
    start = _years_before(end, DEFAULT_YEARS)
    if first is not None:
        start = max(start, min(first, end))
    earliest = min(first, start) if first is not None else _years_before(end, UNDATED_YEARS)
    latest = max(last, today) if last is not None else today
    return (start, end), (earliest, latest)
