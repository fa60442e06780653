"""The global filters every page applies the same way (segment, plan, region, date range)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


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
    month = pd.to_datetime(customers["signup_date"]).dt.strftime("%Y-%m")
    mask = pd.Series(True, index=customers.index)
    if first_month:
        mask &= month >= first_month
    if last_month:
        mask &= month <= last_month
    return customers[mask]
