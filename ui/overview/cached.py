"""Cached computation behind the Overview page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import metrics
from core.history import asof
from core.history.filters import Filters, filter_customers, for_customers
from ui.frame import loaders


@st.cache_data(ttl=600, max_entries=32, show_spinner="Computing retention metrics ...")
def headline_and_trend(url: str, version: str, f: Filters) -> tuple[metrics.Headline, pd.DataFrame]:
    """Headline metrics at the filters' end date and their 12-month trend, for the filtered customers.

    The as-of month is the filters' end date, but never later than :func:`core.history.asof.as_of_month`;
    the trend covers the months from the filters' start date.
    """
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    revenue = for_customers(loaders.table(url, version, "revenue"), customers)
    as_of = asof.clamp(f.end, asof.as_of_month(customers, revenue))
    months = 12
    if f.start:  # the sparklines cover the chosen range (at least 2 months, at most 36)
        span = (as_of.year - f.start.year) * 12 + as_of.month - f.start.month + 1
        months = max(2, min(36, span))
    return metrics.headline(customers, revenue, as_of), metrics.trend(customers, revenue, as_of, months)


def sparklines(trend: pd.DataFrame) -> dict[str, list[float]]:
    """metric name -> its monthly values, oldest first (for ``st.metric(chart_data=...)``)."""
    return {c: trend[c].tolist() for c in trend.columns if c != "as_of"}
