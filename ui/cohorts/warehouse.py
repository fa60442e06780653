"""The Cohort curves page when a company's warehouse is set (``RETENTION_WAREHOUSE_URL``, the README's Engines and
warehouses): the warehouse's customers, its cohort table and survival, counted there
(:mod:`core.cohorts.warehouse_views`); the store's figures stay on the other pages."""

from __future__ import annotations

import streamlit as st

from core.cohorts import warehouse_views
from core.cohorts.settings import CohortSettings
from core.errors import WorkbenchError
from core.query import warehouse
from core.query.sources import Source
from ui import components
from ui.cohorts import sections
from ui.frame import errors

#: the reader's pick of the warehouse's segments
SEGMENTS_KEY = "cohorts_warehouse_segments"


def is_set() -> bool:
    """Whether a warehouse URL is set for this server."""
    return warehouse.identity() is not None


@st.cache_resource(ttl=600, max_entries=1, show_spinner="Connecting to the warehouse ...")
def _source(key: tuple) -> Source:
    """The configured warehouse (``key``: :func:`core.query.warehouse.identity`), shared by the sessions (its
    connection runs one query at a time)."""
    return warehouse.configured()


@st.cache_data(ttl=600, max_entries=1, show_spinner=False)
def _customer_columns(key: tuple) -> tuple[list[str], list[str]]:
    """(the warehouse's segments, the customer columns survival can compare)."""
    source = _source(key)
    return warehouse_views.segments(source), warehouse_views.groups(source)


@st.cache_data(ttl=600, max_entries=32, show_spinner="Counting the cohorts in the warehouse ...")
def _table(key: tuple, options: tuple, picked: tuple):
    return warehouse_views.table(_source(key), CohortSettings(**dict(options)), picked)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Fitting survival curves ...")
def _km(key: tuple, group: str | None, horizon: float, picked: tuple):
    return warehouse_views.survival_curves(_source(key), group, horizon, picked)


def page() -> None:
    """The page's sections on the warehouse; a warehouse that cannot be read is one plain message."""
    key = warehouse.identity()
    try:
        source = _source(key)
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
