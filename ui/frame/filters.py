"""The sidebar's global filters, shared by every page through session state (keys ``filters_*``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.history.filters import Filters, choices
from ui.frame import loaders


def show() -> Filters:
    """Draw the global filters in the sidebar and return the reader's choice.

    Widget values live under ``filters_*`` keys, so they persist when the reader changes page.
    """
    url = loaders.store_url()
    version = loaders.store_version(url)
    customers = loaders.table(url, version, "customer")
    options = choices(customers)
    st.sidebar.header("Filters")
    today = dt.date.today()
    three_years = today.replace(year=today.year - 3, day=min(today.day, 28) if today.month == 2 else today.day)
    st.session_state.setdefault("filters_dates", (three_years, today))
    st.sidebar.date_input("Date range", key="filters_dates",
                          help="The pages look at this period; its last day is the as-of date.")
    for column, label in (("segment", "Segment"), ("plan", "Plan"), ("region", "Region")):
        key = f"filters_{column}"
        # a value that no longer exists (after an import or reset) would make the widget fail
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in options[column]]
        st.sidebar.multiselect(label, options[column], key=key, placeholder="All")
    return current()


def current() -> Filters:
    """The filters chosen in the sidebar, read from the widgets' own session-state keys.

    The keys are the single source of truth, so a page sees the same choice whether or not
    the frame has redrawn the sidebar in this run.
    """
    state = st.session_state
    dates = state.get("filters_dates")
    start, end = dates if isinstance(dates, (tuple, list)) and len(dates) == 2 else (None, None)
    return Filters(start=start, end=end, segments=tuple(state.get("filters_segment", ())),
                   plans=tuple(state.get("filters_plan", ())), regions=tuple(state.get("filters_region", ())))
