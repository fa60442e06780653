"""Data behind the Service operations page: the tickets judged for churn within N days, and each service level's
table, cached per store version and N (a rerun that changes neither recomputes nothing)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.history.inputs import load_inputs
from core.service.indicators import flags
from core.service.inputs import load_service
from core.service.leads import monthly, ranking
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


@st.cache_data(show_spinner="Checking each signal at every month's end ...", max_entries=8)
def leads(url: str, version: str, days: int, open_days: int) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """(the ranking, the monthly dashboard, whether the store has usage) of the leading indicators
    (:mod:`core.service.indicators`, :mod:`core.service.leads`)."""
    engine = loaders.get_engine(url)
    f = flags(load_inputs(engine), load_service(engine).tickets, days, open_days)
    return ranking(f), monthly(f), f.usage
