"""Sections of the Cohort curves page below the main table (widgets and rendering only)."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkbenchError
from core.export import units
from core.metrics import GLOSSARY
from ui import components
from ui.cohorts import cached as cohorts
from ui.cohorts import charts
from ui.frame import errors


def breakdown(url, version, f, options, signups, percent) -> None:
    group = st.selectbox("Break down by", ["(none)", "segment", "plan", "region", "channel"], key="cohorts_group")
    if group == "(none)":
        return
    try:
        df = cohorts.breakdown(url, version, f, options, signups, group)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.altair_chart(charts.group_curves(df, percent), width="stretch")


def drill(url, version, f, options, signups, t) -> None:
    st.subheader("Customers in a cell")
    a, b = st.columns(2)
    cohort = a.selectbox("Cohort", list(t.values.index), index=len(t.values.index) - 1, key="cohorts_cell_cohort")
    reached = [int(k) for k in t.complete.columns[t.complete.loc[cohort].to_numpy()]] or [0]
    k = b.selectbox("Period", reached, index=len(reached) - 1, key="cohorts_cell_period")
    try:
        people = cohorts.cell(url, version, f, options, signups, cohort, int(k))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.caption(f"{int(people['retained'].sum()):,} of {len(people):,} customers of cohort {cohort} retained in "
               f"period {k}.")
    shown, links = components.with_customer_links(people)
    st.dataframe(shown, hide_index=True, width="stretch", height=260, column_config=links)
    components.csv_download(people, "Download these customers (CSV)", f"cohort_{cohort}_period_{k}.csv",
                            key="cohorts_dl_cell")


def value(url, version, f) -> None:
    st.subheader("Revenue retention and lifetime value")
    try:
        h, lt = cohorts.value_metrics(url, version, f)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    a, b, c = st.columns(3)
    a.metric("NRR (12 months)", units.percent(h.nrr), help=GLOSSARY["NRR"])
    b.metric("GRR (12 months)", units.percent(h.grr), help=GLOSSARY["GRR"])
    if isinstance(lt, str):
        c.metric("LTV", "–", help=GLOSSARY["LTV"])
        st.caption(lt)
        return
    c.metric("LTV", units.money(lt.ltv), help=GLOSSARY["LTV"])
    st.caption("NRR = start customers' MRR now / their MRR 12 months ago; GRR caps each at its start MRR. "
               + lt.formula + ".")
