"""The Cohort curves page when a company's warehouse is set (``RETENTION_WAREHOUSE_URL``, :mod:`ui.frame.warehouse`):
the warehouse's customers, its cohort table and survival, counted there (:mod:`core.cohorts.warehouse_views`); the
store's figures stay on the other pages."""

from __future__ import annotations

import streamlit as st

from core.cohorts import warehouse_views
from core.cohorts.settings import CohortSettings
from core.errors import WorkbenchError
from ui import components
from ui.cohorts import sections
from ui.frame import errors, warehouse

#: the reader's pick of the warehouse's segments
SEGMENTS_KEY = "cohorts_warehouse_segments"


@st.cache_data(ttl=600, max_entries=1, show_spinner=False)
def _customer_columns(key: tuple) -> tuple[list[str], list[str]]:
    """(the warehouse's segments, the customer columns survival can compare)."""
    source = warehouse.source(key)
    return warehouse_views.segments(source), warehouse_views.groups(source)


@st.cache_data(ttl=600, max_entries=32, show_spinner="Counting the cohorts in the warehouse ...")
def _table(key: tuple, options: tuple, picked: tuple):
    return warehouse_views.table(warehouse.source(key), CohortSettings(**dict(options)), picked)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Fitting survival curves ...")
def _km(key: tuple, group: str | None, horizon: float, picked: tuple):
    return warehouse_views.survival_curves(warehouse.source(key), group, horizon, picked)


def page() -> None:
    """The page's sections on the warehouse; a warehouse that cannot be read is one plain message."""
    key = warehouse.key()
    try:
        source = warehouse.source(key)
        segments, groups = _customer_columns(key)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.info(components.plain(f"Figures from {source.name}, read only: counted in the warehouse, only the totals come "
                             "back. The sidebar's filters apply to the store's pages, not to these; pick the "
                             "warehouse's segments here."), icon=":material/database:")
    picked = tuple(st.multiselect("Segments", segments, key=SEGMENTS_KEY, placeholder="All segments",
                                  help="Only these segments' customers (none picked: every customer)")
                   if segments else ())
    options = sections.choices(warehouse_views.defaults(source))
    try:
        t = _table(key, options, picked)
    except WorkbenchError as exc:
        errors.show(exc)
    else:
        sections.charted(t, ("warehouse", key, options, picked))
        sections.downloads(t)
    _survival(key, groups, picked)


def _survival(key: tuple, groups: list[str], picked: tuple) -> None:
    st.subheader("Survival (Kaplan-Meier)")
    group, horizon = sections.survival_choices(groups)
    try:
        km = _km(key, None if group.startswith("(") else group, float(horizon), picked)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    sections.survival_views(km, group, horizon, ("warehouse", key, picked))
