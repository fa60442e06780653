"""Data behind the Intervention ROI page: the plays' inputs (read once per store version) and each play's
per-contact outcomes (cached per play, window and pre-period)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.churn import store as churn_store
from core.history.inputs import load_inputs
from core.roi.contact_risk import risk_at_contact
from core.roi.defaults import PRE_DAYS
from core.roi.inputs import RoiInputs
from core.roi.inputs import load_inputs as load_roi_inputs
from core.roi.outcomes import outcomes as play_outcomes
from core.roi.plays import plays_table
from core.roi.uplift_model import fit_uplift
from ui.frame import loaders


@st.cache_resource(show_spinner=False, max_entries=1)
def _built() -> dict:
    """RoiInputs by (url, store version): shared by every session, never modified."""
    return {}


def inputs(url: str, version: str) -> RoiInputs:
    """Plays, customers, revenue and usage of the store.

    Raises
    ------
    core.errors.InsufficientDataError
        The store has no interventions.
    """

    def build():
        with st.spinner("Reading plays, revenue and usage ..."):
            return load_roi_inputs(loaders.get_engine(url))

    return loaders.built_once(_built(), (url, version), build, keep=2)


@st.cache_data(ttl=600, max_entries=32, show_spinner="Measuring the play ...")
def outcomes(url: str, version: str, play: str, window: int, pre_days: int = PRE_DAYS) -> pd.DataFrame:
    """One row per contact of ``play`` with its outcomes (see :func:`core.roi.outcomes.outcomes`)."""
    return play_outcomes(inputs(url, version), play, window=window, pre_days=pre_days)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Summarising the plays ...")
def plays(url: str, version: str, window: int) -> pd.DataFrame:
    """One row per play (see :func:`core.roi.plays.plays_table`)."""
    return plays_table(inputs(url, version), window=window)


def _saved_model(url: str) -> tuple[int, float] | None:
    """(version, threshold) of the newest saved churn model, or None."""
    runs = churn_store.runs(loaders.get_engine(url))
    return None if runs.empty else (int(runs["version"].iloc[0]), float(runs["threshold"].iloc[0]))


@st.cache_data(ttl=600, max_entries=16, show_spinner="Scoring each contact's churn risk as of its month ...")
def _risk(url: str, version: str, play: str, window: int, model_version: int, threshold: float) -> pd.DataFrame:
    engine = loaders.get_engine(url)
    return risk_at_contact(load_inputs(engine), churn_store.load_model(engine, model_version), threshold,
                           outcomes(url, version, play, window))[["id", "risk", "risk_tier"]]


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _latest_scores(url: str, version: str, model_version: int) -> pd.DataFrame:
    return churn_store.latest_scores(loaders.get_engine(url), model_version)


def latest_scores(url: str) -> pd.DataFrame | None:
    """Today's churn scores of the newest saved churn model (the one :func:`with_risk` scores contacts with), or
    None when no churn model is saved."""
    saved = _saved_model(url)
    return None if saved is None else _latest_scores(url, loaders.store_version(url), saved[0])


def with_risk(url: str, version: str, play: str, window: int, frame: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` with each contact's churn risk and tier at contact (the newest saved churn model), or None
    when no churn model is saved."""
    saved = _saved_model(url)
    if saved is None:
        return None
    risk = _risk(url, version, play, window, *saved)
    return frame.merge(risk, on="id", how="left")


@st.cache_data(ttl=600, max_entries=16, show_spinner="Fitting the uplift model ...")
def uplift_model(frame: pd.DataFrame, features: tuple[str, ...], outcome: str, control: str):
    """:func:`core.roi.uplift_model.fit_uplift` (cross-fitted, seed 0) on the contacts in scope."""
    return fit_uplift(frame, list(features), outcome=outcome, control=control)
