"""The Overview page when a company's warehouse is set (``RETENTION_WAREHOUSE_URL``, :mod:`ui.frame.warehouse`): the
warehouse's customers, their recurring-revenue headline and MRR movements, a purchase log's buyer figures and revenue
retention by cohort, added up there (:mod:`core.buyers.warehouse_overview`); the store's figures stay on the other
pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.buyers import warehouse_overview
from core.buyers.overview import Overview
from core.errors import WorkbenchError
from core.history.warehouse_inputs import warehouse_inputs
from core.review import warehouse_at_risk
from core.review.at_risk import AtRisk, saved_versions
from ui import components
from ui.churn import cached as churn
from ui.frame import errors, loaders, warehouse
from ui.overview import sections

#: which months the sparklines show on the warehouse (the sidebar's date range applies to the store's pages)
SPARK = "the small charts show the 12 months to then"


@st.cache_data(ttl=600, max_entries=4, show_spinner="Adding up the overview in the warehouse ...")
def _overview(key: tuple, day: str) -> Overview:
    """The warehouse's Overview (``day``: today, so it is read again each day)."""
    return warehouse_overview.overview(warehouse.source(key))


@st.cache_data(ttl=600, max_entries=4, show_spinner="Adding up the MRR at risk in the warehouse ...")
def _at_risk(key: tuple, day: str, url: str, saved_health: int | None, as_of, fit_key: tuple | None,
             _fitted: tuple | None) -> tuple[AtRisk, AtRisk]:
    """MRR at risk (:func:`core.review.warehouse_at_risk.at_risk`) under the store's newest health configuration
    (``saved_health``) and the churn model fitted under ``fit_key`` (``_fitted``: its result and economics)."""
    inputs = warehouse_inputs(warehouse.source(key))
    return warehouse_at_risk.at_risk(loaders.get_engine(url), inputs, as_of, _fitted)


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
                      "back, again each day; as of the last month with MRR (a purchase log: its last purchase). The "
                      "sidebar's filters apply to the store's pages, not to these.")
    if not ov.sections:
        st.info(" ".join(components.plain(n) for n in ov.notes))
        return
    sections.notes(ov)
    for s in ov.sections:
        sections.section(s, titled=len(ov.sections) > 1, spark=SPARK)
    recurring = next((s for s in ov.sections if s.key == "recurring"), None)
    if recurring is not None:
        _shown_at_risk(key, day, recurring.as_of)
        _shown_movements(key, day)
    if any(s.key == "buyers" for s in ov.sections):  # a purchase log's ([purchases] in the mapping)
        sections.cohorts(ov)


def _shown_at_risk(key: tuple, day: str, as_of) -> None:
    """MRR at risk of the warehouse's customers, their lists linked to the pages that know them (the Feedback themes
    page when the mapping names texts); the churn figure from the model the Churn drivers page fitted today, if it
    has."""
    url = loaders.store_url()
    fit = churn.newest_fit(url, day)
    saved_health = saved_versions(loaders.get_engine(url))[1]
    try:
        figures = _at_risk(key, day, url, saved_health, as_of, None if fit is None else fit[0],
                           None if fit is None else fit[1:])
    except WorkbenchError as exc:
        st.subheader("MRR at risk")
        errors.show(exc)
        return
    sections.at_risk(figures, pages=("churn_risk", "health_page", *warehouse.text_pages()))


def _shown_movements(key: tuple, day: str) -> None:
    try:
        table = _movements(key, day)
    except WorkbenchError as exc:
        st.subheader("MRR movements")
        errors.show(exc)
        return
    sections.movements(table)
