"""Cached computations behind the Cohort curves page."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from core import metrics
from core.buyers.lapse import store_days
from core.cohorts import competing, survival, views
from core.cohorts import export as cohort_export
from core.cohorts import table as cohorts
from core.cohorts.settings import CohortSettings
from core.errors import WorkbenchError
from core.history import asof
from core.history.churn_dates import with_lapse
from core.history.filters import Filters, filter_customers, for_customers, signed_up_between
from core.store import columnar
from ui.frame import loaders


@st.cache_resource(ttl=600, max_entries=2, show_spinner="Reading activity ...")
def _activity(url: str, version: str) -> columnar.ActivityPairs:
    """Unique (customer, day) pairs from the column store (shared, never modified: callers subset)."""
    return columnar.activity_pairs(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=2, show_spinner=False)
def _churn_customers(url: str, version: str) -> pd.DataFrame:
    """The store's customers with the churn dates every figure reads (:func:`core.history.churn_dates.with_lapse`:
    the buyers-only customers' from the lapse rule, everyone else's own): what survival and lifetime value use."""
    return with_lapse(loaders.get_engine(url), loaders.table(url, version, "customer"), _activity(url, version))


@st.cache_data(ttl=600, max_entries=2, show_spinner=False)
def lapse_days(url: str, version: str) -> int | None:
    """The store's lapse period N (:func:`core.buyers.lapse.store_days`: saved, else proposed), None without buyers."""
    return store_days(loaders.get_engine(url))


def _customers(url: str, version: str, f: Filters, signups: tuple) -> pd.DataFrame:
    """The customers the filters and the signup months shown keep."""
    return signed_up_between(filter_customers(loaders.table(url, version, "customer"), f), *signups)


def _rows(url: str, version: str) -> views.Rows:
    """The store's activity pairs and revenue rows, read (and cached) only when the rows' path needs them."""
    return views.Rows(lambda: _activity(url, version), lambda: loaders.table(url, version, "revenue"))


@st.cache_data(ttl=600, max_entries=32, show_spinner="Computing the cohort table ...")
def table(url: str, version: str, f: Filters, options: tuple, signups: tuple = (None, None)) -> cohorts.CohortTable:
    """The cohort table for the filtered customers; ``options`` are (name, value) pairs of :class:`CohortSettings`.
    Counted by the configured engine when one is set, else from the rows (:func:`core.cohorts.views.table`)."""
    return views.table(loaders.get_engine(url), _customers(url, version, f, signups), CohortSettings(**dict(options)),
                       f.end, _rows(url, version))


@st.cache_data(ttl=600, max_entries=16, show_spinner="Comparing groups ...")
def breakdown(url: str, version: str, f: Filters, options: tuple, signups: tuple, group: str) -> pd.DataFrame:
    """Average curve per value of ``group`` (:func:`core.cohorts.views.breakdown`)."""
    return views.breakdown(loaders.get_engine(url), _customers(url, version, f, signups),
                           CohortSettings(**dict(options)), group, f.end, _rows(url, version))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def cell(url: str, version: str, f: Filters, options: tuple, signups: tuple, cohort: str, k: int) -> pd.DataFrame:
    """The customers of one cohort and whether each was retained in period ``k`` (with their first and last active
    days when the choices read activity; :func:`core.cohorts.views.cell`)."""
    return views.cell(loaders.get_engine(url), _customers(url, version, f, signups), CohortSettings(**dict(options)),
                      cohort, k, _rows(url, version))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def value_metrics(url: str, version: str, f: Filters) -> tuple:
    """(headline, lifetime value or the reason it cannot be computed) for the filtered customers, with the lapse
    rule's churn dates for the buyers-only customers."""
    customers = filter_customers(_churn_customers(url, version), f)
    revenue = for_customers(loaders.table(url, version, "revenue"), customers)
    as_of = asof.clamp(f.end, asof.as_of_month(customers, revenue))
    h = metrics.headline(customers, revenue, as_of)
    try:
        return h, metrics.lifetime_value(customers, revenue, as_of)
    except WorkbenchError as exc:
        return h, str(exc)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Fitting survival curves ...")
def km(url: str, version: str, f: Filters, group: str | None, horizon: float) -> survival.KMResult:
    """Kaplan-Meier curves for the filtered customers, by ``group`` (None: all customers), with the lapse rule's
    churn dates for the buyers-only customers; their lifetimes counted by the configured engine when one is set."""
    customers = filter_customers(_churn_customers(url, version), f)
    as_of = asof.clamp(f.end, asof.data_end(customers))
    return views.survival_curves(loaders.get_engine(url), customers, as_of, group, horizon)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Splitting churn by its cause ...")
def incidence(url: str, version: str, f: Filters, group: str | None) -> competing.Incidence:
    """The cumulative incidence of voluntary and involuntary churn for the filtered customers, by ``group`` (None:
    all customers), as of the same day as the survival curves (:func:`core.cohorts.competing.cumulative_incidence`)."""
    customers = filter_customers(_churn_customers(url, version), f)
    return competing.cumulative_incidence(customers, asof.clamp(f.end, asof.data_end(customers)), group)


def xlsx(t: cohorts.CohortTable) -> bytes:
    """The table, its sizes and the average row as one workbook, with its settings and the definitions sheet
    (:func:`core.cohorts.export.to_xlsx`, the workbook ``python -m core cohorts --out x.xlsx`` writes too)."""
    return cohort_export.to_xlsx(t)


def csv(t: cohorts.CohortTable) -> bytes:
    out = t.values.copy()
    out.insert(0, "customers", t.sizes)
    out.loc["average"] = [None, *t.average.tolist()]
    return out.to_csv().encode()


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def chart(key: tuple, name: str, choices: tuple, _build: Callable[[], alt.TopLevelMixin]) -> alt.TopLevelMixin:
    """The chart ``name`` of the table whose cache key is ``key`` (url, version, filters, options, cohorts shown)
    under the section's ``choices``, built once by ``_build`` (shared: never modified)."""
    return _build()
