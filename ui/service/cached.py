"""Data behind the Service operations page: the tickets judged for churn within N days, and each service level's
table, cached per store version and N (a rerun that changes neither recomputes nothing)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.service.inputs import load_service
from core.service.levels import level_table
from core.service.outcomes import Judged, judge
from core.service.target import Target, TargetResult, evaluate
from ui.frame import loaders


@st.cache_data(show_spinner="Reading the tickets and what followed them ...", max_entries=4)
def judged(url: str, version: str, days: int) -> Judged:
    """The store's tickets judged for churn within ``days`` days (:func:`core.service.outcomes.judge`)."""
    return judge(load_service(loaders.get_engine(url)), days)


@st.cache_data(show_spinner="Fitting the adjusted churn rates ...", max_entries=32)
def table(url: str, version: str, days: int, key: str) -> pd.DataFrame:
    """The table of the service level ``key`` (:func:`core.service.levels.level_table`)."""
    return level_table(judged(url, version, days), key)


@st.cache_data(show_spinner="Pricing the target ...", max_entries=32)
def target(url: str, version: str, days: int, measure: str, hours: float, cost: float | None) -> TargetResult:
    """What the target costs and keeps (:func:`core.service.target.evaluate`)."""
    return evaluate(judged(url, version, days), Target(measure, hours), cost)
