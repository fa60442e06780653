"""Cached computation behind the Overview page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.buyers import overview as core_overview
from core.buyers import overview_views
from core.buyers.lapse import store_days
from core.buyers.purchases import PurchaseLog, load_purchase_log
from core.history.engine_movements import configured_movements
from core.history.filters import Filters, filter_customers, for_customers
from core.review import at_risk as core_at_risk
from ui.frame import loaders


@st.cache_data(ttl=600, max_entries=8, show_spinner="Reading purchases ...")
def purchase_log(url: str, version: str) -> PurchaseLog:
    """The store's purchase log (:func:`core.buyers.purchases.load_purchase_log`), all customers."""
    return load_purchase_log(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def lapse_days(url: str, version: str) -> int | None:
    """The store's lapse period N (:func:`core.buyers.lapse.store_days`: saved, else proposed from every buyer)."""
    return store_days(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=32, show_spinner="Computing the overview ...")
def overview(url: str, version: str, f: Filters) -> core_overview.Overview:
    """The Overview of the filtered customers (:func:`core.buyers.overview_views.overview`): as of the filters' end
    date, never later than where the data ends; the sparklines cover the months from the filters' start date; the
    headline's revenue summed by the configured engine."""
    found = loaders.store_profile(url, version)
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    revenue = for_customers(loaders.table(url, version, "revenue"), customers)
    log = None
    if core_overview.needs_purchases(found):
        log = purchase_log(url, version).for_customers(customers["customer_id"])
    return overview_views.overview(loaders.get_engine(url), found, customers, revenue, log, end=f.end, start=f.start,
                                   lapse_days=lapse_days(url, version))


@st.cache_data(ttl=600, max_entries=32, show_spinner="Computing the MRR movements ...")
def movements(url: str, version: str, f: Filters) -> pd.DataFrame:
    """MRR movements of the filtered customers (:func:`core.history.movements.mrr_movements`), month by month over
    the filters' date range (within the months that have MRR); summed by the configured engine when one is set."""
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    revenue = for_customers(loaders.table(url, version, "revenue"), customers)
    return configured_movements(loaders.get_engine(url), customers, revenue, start=f.start, end=f.end)


@st.cache_data(ttl=600, max_entries=32, show_spinner="Computing the MRR at risk ...")
def _at_risk(url: str, version: str, f: Filters, as_of, saved: tuple) -> tuple[core_at_risk.AtRisk, ...]:
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    revenue = for_customers(loaders.table(url, version, "revenue"), customers)
    return core_at_risk.at_risk(loaders.get_engine(url), customers, revenue, as_of)


def at_risk(url: str, version: str, f: Filters, as_of) -> tuple[core_at_risk.AtRisk, ...]:
    """MRR at high churn risk and MRR in red of the filtered customers as of the Overview's as-of day
    (:func:`core.review.at_risk.at_risk`), recomputed when a churn model or a health configuration is saved."""
    return _at_risk(url, version, f, as_of, core_at_risk.saved_versions(loaders.get_engine(url)))
