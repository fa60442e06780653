"""Data behind the Service operations page: the tickets judged for churn within N days, each service level's table,
the leading indicators and the detractors' follow-up, cached per store version, N and the sidebar's segment, plan and
region (a rerun that changes none of them recomputes nothing; a new choice of customers reuses the store's tickets and
signals)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.history.filters import Filters
from core.history.inputs import load_inputs
from core.service import follow_up as fu
from core.service.indicators import Flags, flags
from core.service.inputs import ServiceInputs, load_service
from core.service.leads import monthly, ranking
from core.service.levels import level_table
from core.service.outcomes import Judged, judge
from core.service.scope import scoped, scoped_customers, scoped_flags
from core.service.target import Target, TargetResult, evaluate
from ui.frame import loaders


@st.cache_data(show_spinner="Reading the tickets and what followed them ...", max_entries=2)
def _inputs(url: str, version: str) -> ServiceInputs:
    """The store's tickets, customers and MRR (:func:`core.service.inputs.load_service`)."""
    return load_service(loaders.get_engine(url))


@st.cache_data(show_spinner="Judging the tickets ...", max_entries=8)
def judged(url: str, version: str, days: int, f: Filters) -> Judged:
    """The tickets of the customers chosen in the sidebar (:func:`core.service.scope.scoped`) judged for churn within
    ``days`` days (:func:`core.service.outcomes.judge`)."""
    return judge(scoped(_inputs(url, version), f), days)


@st.cache_data(show_spinner="Fitting the adjusted churn rates ...", max_entries=32)
def table(url: str, version: str, days: int, f: Filters, key: str) -> pd.DataFrame:
    """The table of the service level ``key`` (:func:`core.service.levels.level_table`)."""
    return level_table(judged(url, version, days, f), key)


@st.cache_data(show_spinner="Pricing the target ...", max_entries=32)
def target(url: str, version: str, days: int, f: Filters, measure: str, hours: float,
           cost: float | None) -> TargetResult:
    """What the target costs and keeps (:func:`core.service.target.evaluate`)."""
    return evaluate(judged(url, version, days, f), Target(measure, hours), cost)


@st.cache_data(show_spinner="Checking each signal at every month's end ...", max_entries=4)
def _flags(url: str, version: str, days: int, open_days: int) -> tuple[Flags, pd.DataFrame]:
    """Every customer's signals at every month end (:func:`core.service.indicators.flags`), and the customers."""
    engine = loaders.get_engine(url)
    inputs = load_inputs(engine)
    return flags(inputs, _inputs(url, version).tickets, days, open_days), inputs.customers


@st.cache_data(show_spinner=False, max_entries=8)
def leads(url: str, version: str, days: int, open_days: int, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """(the ranking, the monthly dashboard, whether the store has usage) of the leading indicators of the customers
    chosen in the sidebar (:mod:`core.service.leads`)."""
    found, customers = _flags(url, version, days, open_days)
    chosen = scoped_flags(found, customers, f)
    return ranking(chosen), monthly(chosen), found.usage


@st.cache_data(show_spinner=False, max_entries=2)
def _feedback(url: str, version: str) -> pd.DataFrame:
    """The store's NPS answers with their follow-up days (:func:`core.service.follow_up.load_feedback`)."""
    return fu.load_feedback(loaders.get_engine(url))


@st.cache_data(show_spinner=False, max_entries=8)
def follow_up(url: str, version: str, days: int, target_days: int, f: Filters) -> fu.FollowUp | None:
    """The detractors of the customers chosen in the sidebar followed up within ``target_days`` and their churn within
    ``days`` days (:mod:`core.service.follow_up`); None without a detractor answer."""
    inp = _inputs(url, version)  # the chosen customers' detractors, whether or not they opened a ticket
    frame = fu.detractor_frame(_feedback(url, version), scoped_customers(inp.customers, f), inp.end, target_days, days)
    return fu.follow_up(frame, target_days, days) if len(frame) else None


@st.cache_data(show_spinner=False, max_entries=8)
def follow_up_without_tickets(url: str, version: str, days: int, target_days: int, f: Filters) -> fu.FollowUp | None:
    """:func:`follow_up` for a store without tickets: its customers and last day read without them; None without a
    detractor answer."""
    customers, end = fu.customers_and_end(loaders.get_engine(url))
    frame = fu.detractor_frame(_feedback(url, version), scoped_customers(customers, f), end, target_days, days)
    return fu.follow_up(frame, target_days, days) if len(frame) else None
