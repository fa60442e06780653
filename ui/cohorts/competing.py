"""The Cohort curves page's voluntary and involuntary churn: the cumulative incidence of each cause, for all customers
or per group (core.cohorts.competing; words from core.cohorts.competing_text)."""

from __future__ import annotations

import streamlit as st

from core.cohorts import competing_text
from core.errors import InsufficientDataError, WorkbenchError
from core.history.filters import Filters
from core.metrics import definition
from ui import components
from ui.cohorts import cached as cohorts
from ui.cohorts import charts
from ui.frame import errors

COLUMNS = {
    "group": st.column_config.TextColumn("Group"), "cause": st.column_config.TextColumn("Cause"),
    "customers": st.column_config.NumberColumn("Customers", format="localized"),
    "churned": st.column_config.NumberColumn("Churned of this cause", format="localized"),
    "at 12 months": st.column_config.TextColumn("By 12 months", help="With its 95% interval."),
    "at 24 months": st.column_config.TextColumn("By 24 months", help="With its 95% interval."),
}


def section(url: str, version: str, f: Filters, group: str) -> None:
    """The curves of each cause (one panel per group of ``group``; "(all customers)": none), their key figures and
    the table at 12 and 24 months, each with its download; what to import when no churn has a type."""
    st.subheader("Voluntary and involuntary churn")
    st.caption(definition("Cumulative incidence"))
    grouped = not group.startswith("(")
    try:
        inc = cohorts.incidence(url, version, f, group if grouped else None)
    except InsufficientDataError as exc:  # no churn type: say what to import
        st.info(components.plain(str(exc)), icon=":material/info:")
        return
    except WorkbenchError as exc:
        errors.show(exc)
        return
    components.chart(charts.incidence_curves(inc.curves, grouped), competing_text.sentence(inc),
                     competing_text.curve_data(inc.curves), "churn_by_cause.csv", key="cohorts_dl_incidence")
    shown = competing_text.table(inc)
    components.table(shown, COLUMNS, hide_index=True, width="stretch")
    components.csv_download(shown, "Download this table (CSV)", "churn_by_cause_summary.csv",
                            key="cohorts_incidence_csv")
