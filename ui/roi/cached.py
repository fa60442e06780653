"""Data behind the Intervention ROI page: the plays' inputs (read once per store version) and each play's
per-contact outcomes (cached per play, window and pre-period), and the heavy figures built on them (all plays'
summary, the next wave, fatigue, the power curve, the effect charts), cached per store version and inputs so a
warm rerun recomputes none of them. The contacts frame is part of a key (hashed by content); what follows from
the key (the store's inputs, the uplift model, today's churn scores) is passed with a leading underscore."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.churn import store as churn_store
from core.errors import InsufficientDataError
from core.history.filters import Filters, filter_customers
from core.history.inputs import load_inputs
from core.plays.results import reach as play_reach
from core.roi import wave as rw
from core.roi.contact_risk import risk_at_contact
from core.roi.defaults import PRE_DAYS
from core.roi.fatigue import fatigue as fatigue_by_contacts
from core.roi.inputs import RoiInputs
from core.roi.inputs import load_inputs as load_roi_inputs
from core.roi.outcomes import outcomes as play_outcomes
from core.roi.planning import power_curve as planning_curve
from core.roi.plays import plays_table, scope
from core.roi.summary import summary as plays_summary
from core.roi.uplift_model import UpliftResult, fit_uplift
from core.roi.warehouse_inputs import warehouse_roi_inputs
from ui.frame import loaders, warehouse
from ui.roi import charts


@st.cache_resource(show_spinner=False, max_entries=1)
def _built() -> dict:
    """RoiInputs by (url, store version): shared by every session, never modified."""
    return {}


def inputs(url: str, version: str) -> RoiInputs:
    """Plays, customers, revenue and usage of the store; of the company's warehouse when ``version`` names it
    (:func:`ui.frame.warehouse.version`: :func:`core.roi.warehouse_inputs.warehouse_roi_inputs`, its contacts'
    windows summed there).

    Raises
    ------
    core.errors.NoDataYetError
        The store has no interventions, or the warehouse's mapping names no contacts.
    """

    def build():
        if warehouse.named(version):
            with st.spinner("Reading the warehouse's plays, customers and revenue ..."):
                return warehouse_roi_inputs(warehouse.source(warehouse.key()))
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


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def reach(url: str, version: str) -> pd.DataFrame:
    """Per play, the playbook actions to reach and their results from contact logs (core.plays.results.reach)."""
    return play_reach(loaders.get_engine(url))


def saved_model(url: str) -> tuple[int, float] | None:
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
    saved = saved_model(url)
    return None if saved is None else _latest_scores(url, loaders.store_version(url), saved[0])


def with_risk(url: str, version: str, play: str, window: int, frame: pd.DataFrame) -> pd.DataFrame | None:
    """``frame`` with each contact's churn risk and tier at contact (the newest saved churn model), or None
    when no churn model is saved, or on a warehouse (the saved model scores the store's customers)."""
    saved = None if warehouse.named(version) else saved_model(url)
    if saved is None:
        return None
    risk = _risk(url, version, play, window, *saved)
    return frame.merge(risk, on="id", how="left")


def uplift_model(frame: pd.DataFrame, features: tuple[str, ...], outcome: str, control: str) -> UpliftResult:
    """:func:`core.roi.uplift_model.fit_uplift` (cross-fitted, seed 0) on the contacts in scope; a play too small to
    model raises its InsufficientDataError on every rerun without being tried again."""
    fitted = _uplift_or_why_not(frame, features, outcome, control)
    if isinstance(fitted, InsufficientDataError):
        raise fitted
    return fitted


@st.cache_data(ttl=600, max_entries=16, show_spinner="Fitting the uplift model ...")
def _uplift_or_why_not(frame: pd.DataFrame, features: tuple[str, ...], outcome: str,
                       control: str) -> UpliftResult | InsufficientDataError:
    """The fit, or why there is none (kept in the cache as a fit is: Streamlit caches no raised error)."""
    try:
        return fit_uplift(frame, list(features), outcome=outcome, control=control)
    except InsufficientDataError as exc:
        return exc


@st.cache_data(ttl=600, max_entries=16, show_spinner="Summarising the plays ...")
def summary(url: str, version: str, window: int, f: Filters) -> pd.DataFrame:
    """All plays at a glance within the sidebar filters (:func:`core.roi.summary.summary`)."""
    return plays_summary({p: scope(outcomes(url, version, p, window), f) for p in inputs(url, version).plays()})


@st.cache_data(ttl=600, max_entries=16, show_spinner="Scoring today's customers ...")
def next_wave(url: str, version: str, frame: pd.DataFrame, settings: rw.WaveSettings, f: Filters,
              model: tuple[int, float] | None, _res: UpliftResult, _scores: pd.DataFrame | None) -> rw.NextWave:
    """:func:`core.roi.wave.next_wave` of the contacts ``frame`` (their uplift model ``_res``: it follows from
    ``frame`` and ``settings.outcome``), with today's churn scores ``_scores`` of the saved churn ``model``
    (version, threshold; None: no scores), within the sidebar filters ``f``."""
    roi = inputs(url, version)
    ids = None
    if f.segments or f.plans or f.regions:
        ids = filter_customers(roi.customers, f)["customer_id"]
    return rw.next_wave(roi, frame, _res, settings, churn_scores=_scores, customer_ids=ids)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def fatigue(url: str, version: str, frame: pd.DataFrame, outcome: str, control: str) -> pd.DataFrame:
    """:func:`core.roi.fatigue.fatigue` of the contacts ``frame`` against every contact of the store."""
    return fatigue_by_contacts(inputs(url, version).interventions, frame, outcome, control)


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def power_curve(p_control: float, effect: float, holdout_share: float) -> pd.DataFrame:
    """:func:`core.roi.planning.power_curve` (pure arithmetic, cached for the rerun)."""
    return planning_curve(p_control, effect, holdout_share=holdout_share)


# Charts are cached as objects (st.cache_resource: no copy; Streamlit only reads them to draw them).
@st.cache_resource(show_spinner=False, max_entries=64)
def effects_chart(table: pd.DataFrame, label: str, scale: float, unit: str) -> alt.LayerChart:
    """:func:`ui.roi.charts.effects`, keyed by the table's content."""
    return charts.effects(table, label, scale, unit)
