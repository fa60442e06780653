"""The sidebar's global filters, shared by every page through session state (keys ``filters_*``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.history.filters import Filters, choices, date_range
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
    found = loaders.store_profile(url, version)
    default, (earliest, latest) = date_range(found.first_day, found.last_record_day, found.last_day,
                                             dt.date.today())
    _follow_the_data(default, earliest, latest)
    st.sidebar.date_input("Date range", key="filters_dates", min_value=earliest, max_value=latest,
                          help="The pages look at this period; its last day is the as-of date. It can reach from "
                               "the store's first dated day to its last (or today).")
    for column, label in (("segment", "Segment"), ("plan", "Plan"), ("region", "Region")):
        key = f"filters_{column}"
        # a value that no longer exists (after an import or reset) would make the widget fail
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in options[column]]
        st.sidebar.multiselect(label, options[column], key=key, placeholder="All")
    return current()


def _follow_the_data(default: tuple[dt.date, dt.date], earliest: dt.date, latest: dt.date) -> None:
    """Set the range to the store's default unless the reader chose one that still lies within the store's days:
    an import or a switch of store moves a range the reader never touched (or one now out of bounds)."""
    state = st.session_state
    chosen, previous = state.get("filters_dates"), state.get("filters_dates_default")
    untouched = chosen is None or tuple(chosen) == previous
    # one day while the reader picks the second of a range: leave it while it lies within the store's days
    inside = isinstance(chosen, (tuple, list)) and len(chosen) in (1, 2) and earliest <= chosen[0] \
        and chosen[-1] <= latest
    if untouched or not inside:
        state["filters_dates"] = default
    state["filters_dates_default"] = default


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
