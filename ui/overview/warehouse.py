"""The Overview page when a company's warehouse is set (``RETENTION_WAREHOUSE_URL``, :mod:`ui.frame.warehouse`): the
warehouse's customers, their recurring-revenue headline and MRR movements, added up there
(:mod:`core.buyers.warehouse_overview`); the store's figures stay on the other pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.buyers import warehouse_overview
from core.buyers.overview import Overview
from core.errors import WorkbenchError
from ui import components
from ui.frame import errors, warehouse
from ui.overview import sections

#: which months the sparklines show on the warehouse (the sidebar's date range applies to the store's pages)
SPARK = "the small charts show the 12 months to then"


@st.cache_data(ttl=600, max_entries=4, show_spinner="Adding up the overview in the warehouse ...")
def _overview(key: tuple, day: str) -> Overview:
    """The warehouse's Overview (``day``: today, so it is read again each day)."""
    return warehouse_overview.overview(warehouse.source(key))


@st.cache_data(ttl=600, max_entries=4, show_spinner="Adding up the MRR movements in the warehouse ...")
def _movements(key: tuple, day: str) -> pd.DataFrame:
    return warehouse_overview.movements(warehouse.source(key))


def page() -> None:
    """The page's sections on the warehouse; a warehouse that cannot be read is one plain message."""
    key, day = warehouse.key(), warehouse.version()
    try:
        source = warehouse.source(key)
        ov = _overview(key, day)
    except WorkbenchError as exc:
        errors.show(exc)
        warehouse.needs("Overview", "customers with signup dates, and revenue with MRR per month")
        return
    warehouse.says_so(f"Figures from {source.name}, read only: added up in the warehouse, only the totals come "
                      "back, again each day; as of the last month with MRR. The sidebar's filters apply to the "
                      "store's pages, not to these.")
    if not ov.sections:
        st.info(" ".join(components.plain(n) for n in ov.notes))
        return
    sections.notes(ov)
    for s in ov.sections:
        sections.section(s, titled=len(ov.sections) > 1, spark=SPARK)
    if any(s.key == "recurring" for s in ov.sections):
        st.subheader("MRR at risk")
        st.info(warehouse_overview.AT_RISK)
        st.page_link("pages/churn_drivers.py", label="Open the Churn drivers page", icon=":material/link:")
        st.page_link("pages/health_scores.py", label="Open the Health scores page", icon=":material/link:")
        _shown_movements(key, day)


def _shown_movements(key: tuple, day: str) -> None:
    try:
        table = _movements(key, day)
    except WorkbenchError as exc:
        st.subheader("MRR movements")
        errors.show(exc)
        return
    sections.movements(table)
