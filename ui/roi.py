"""Data behind the Intervention ROI page: the plays' inputs (read once per store version) and each play's
per-contact outcomes (cached per play, window and pre-period)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import roi
from ui import loaders


@st.cache_resource(show_spinner=False, max_entries=1)
def _built() -> dict:
    """RoiInputs by (url, store version): shared by every session, never modified."""
    return {}


def inputs(url: str, version: str) -> roi.RoiInputs:
    """Plays, customers, revenue and usage of the store.

    Raises
    ------
    core.errors.InsufficientDataError
        The store has no interventions.
    """

    def build():
        with st.spinner("Reading plays, revenue and usage ..."):
            return roi.load_inputs(loaders.get_engine(url))

    return loaders.built_once(_built(), (url, version), build, keep=2)


@st.cache_data(ttl=600, max_entries=32, show_spinner="Measuring the play ...")
def outcomes(url: str, version: str, play: str, window: int, pre_days: int = roi.PRE_DAYS) -> pd.DataFrame:
    """One row per contact of ``play`` with its outcomes (see :func:`core.roi.outcomes`)."""
    return roi.outcomes(inputs(url, version), play, window=window, pre_days=pre_days)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Summarising the plays ...")
def plays(url: str, version: str, window: int) -> pd.DataFrame:
    """One row per play (see :func:`core.roi.plays_table`)."""
    return roi.plays_table(inputs(url, version), window=window)
