"""Cached computations behind the Cohort curves page."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from core import cohorts, survival
from core.filters import Filters, filter_customers, for_customers
from core.store import load_columns
from ui import loaders


@st.cache_data(ttl=600, max_entries=4, show_spinner="Reading activity ...")
def _activity(url: str, version: str) -> pd.DataFrame:
    return load_columns(loaders.get_engine(url), "activity", ["customer_id", "date"])


@st.cache_data(ttl=600, max_entries=32, show_spinner="Computing the cohort table ...")
def table(url: str, version: str, f: Filters, options: tuple) -> cohorts.CohortTable:
    """The cohort table for the filtered customers; ``options`` are cohort_table's keyword arguments."""
    opts = dict(options)
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    activity = revenue = None
    if opts["cohort_by"] == "first_activity" or opts["retained_by"] == "activity":
        activity = for_customers(_activity(url, version), customers)
    if opts["measure"] in ("net_revenue", "gross_revenue"):
        revenue = for_customers(loaders.table(url, version, "revenue"), customers)
    end = cohorts.data_end(customers, activity, revenue)  # never count months the data has not reached
    as_of = min(pd.Timestamp(f.end), end) if f.end else end
    return cohorts.cohort_table(customers, activity, revenue, as_of=as_of, **opts)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Fitting survival curves ...")
def km(url: str, version: str, f: Filters, group: str | None, horizon: float) -> survival.KMResult:
    """Kaplan-Meier curves for the filtered customers, by ``group`` (None: all customers)."""
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    end = cohorts.data_end(customers)
    d = survival.durations(customers, as_of=min(pd.Timestamp(f.end), end) if f.end else end)
    return survival.kaplan_meier(d, group=group, horizon=horizon)


def xlsx(t: cohorts.CohortTable) -> bytes:
    """The table, its sizes and the average row as one workbook."""
    out = t.values.copy()
    out.insert(0, "customers", t.sizes)
    out.loc["average"] = [None, *t.average.tolist()]
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        out.to_excel(xw, sheet_name="cohorts")
        pd.Series(t.settings).to_frame("setting").to_excel(xw, sheet_name="settings")
    return buf.getvalue()


def csv(t: cohorts.CohortTable) -> bytes:
    out = t.values.copy()
    out.insert(0, "customers", t.sizes)
    out.loc["average"] = [None, *t.average.tolist()]
    return out.to_csv().encode()
