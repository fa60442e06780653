"""The fitted churn model behind the Churn drivers page: fitted once per store version and horizon,
with a progress bar while it trains, and saved (model, card, scores) the first time.

What the page derives from the fitted model (the beeswarm and dependence charts, calibration, gains, segment
performance, today's customer list) is cached too, keyed by :func:`fit_key` (store URL, store version, horizon,
lapse period: the key the model itself is fitted under) and the page's inputs, so a warm rerun builds none of it
again. The model is passed as ``_r`` (left out of the cache key: the fit key names it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from core.buyers import engine_clv, lapse, lapse_setting
from core.churn import chart_text
from core.churn import pipeline as cr
from core.churn import store as churn_store
from core.errors import WorkbenchError
from core.export import units
from core.history.filters import Filters, filter_customers
from core.history.inputs import load_inputs
from core.history.warehouse_inputs import warehouse_inputs
from core.query import choice
from core.query.sources import Source
from core.query.warehouse import answered
from core.store.profile import StoreProfile
from ui.churn import charts, tables
from ui.frame import loaders, warehouse

#: (store URL, store version or the warehouse's stand-in for one (:func:`ui.frame.warehouse.version`), horizon in
#: days, lapse period in days or None): what a fitted model is cached under
FitKey = tuple[str, str, int, int | None]


@st.cache_resource(show_spinner=False, max_entries=1)
def _fits() -> dict:
    """Fitted results by (url, store version, horizon): shared by every session of this server."""
    return {}


def fit_key(url: str, version: str, horizon: int, lapse_days: int | None = None) -> FitKey:
    """The key :func:`fitted` caches the model under, and the charts and tables derived from it."""
    return url, version, int(horizon), lapse_days


def fitted(url: str, version: str, horizon: int,
           lapse_days: int | None = None) -> tuple[cr.ChurnResult, cr.Economics, int]:
    """(result, default economics, saved version). Trains with a progress bar on the first call; on the warehouse
    when ``version`` names it (:func:`ui.frame.warehouse.version`; nothing saved, None for the version). ``lapse_days``:
    a purchase log's N (churn = no purchase within N days of the last one; None: the proposal). The first fit of a
    store version is saved automatically (:func:`core.churn.store.save_fitted`): not a person's act, so no right is
    checked and no audit entry written."""
    if warehouse.named(version):
        return loaders.built_once(_fits(), fit_key(url, version, horizon, lapse_days),
                                  lambda: _on_warehouse(horizon, lapse_days), keep=4)

    def build():
        bar = st.progress(0.0, text="Training the churn model ...")
        try:
            engine = loaders.get_engine(url)
            inputs = load_inputs(engine, lapse_days=lapse_days)
            result = cr.fit_churn(inputs, horizon_days=horizon, progress=lambda f, t: bar.progress(f, text=t))
            econ = cr.default_economics(inputs)
            days = inputs.lapse.days if inputs.lapse is not None else None
            saved = churn_store.saved_for(engine, version, horizon, days)
            if saved is None:
                saved = churn_store.save_fitted(engine, result, econ, version)  # automatic: no right needed
        finally:
            bar.empty()
        return result, econ, saved

    return loaders.built_once(_fits(), fit_key(url, version, horizon, lapse_days), build, keep=4)


def newest_fit(url: str, version: str) -> tuple[FitKey, cr.ChurnResult, cr.Economics] | None:
    """The newest model this server fitted for ``url`` under ``version`` (any horizon), with its key and default
    economics; None when the Churn drivers page has fitted none (nothing is fitted here)."""
    found = [(key, fit) for key, fit in loaders.entries(_fits()) if key[:2] == (url, version)]
    if not found:
        return None
    key, (result, economics, _) = found[-1]
    return key, result, economics


def _on_warehouse(horizon: int, lapse_days: int | None) -> tuple[cr.ChurnResult, cr.Economics, None]:
    """The model fitted on the warehouse's customers and behaviour, as ``python -m core churn`` fits it there (a
    purchase log's buyers churning after ``lapse_days`` without a purchase; None: the proposal); not saved (the
    store's pages score the store's customers with the store's model)."""
    bar = st.progress(0.0, text="Training the churn model on the warehouse ...")
    try:
        inputs = warehouse_inputs(warehouse.source(warehouse.key()), lapse_days)
        fit = answered(cr.fit_churn)  # the warehouse is asked at every cutoff: its failures are one plain line
        result = fit(inputs, horizon_days=horizon, progress=lambda f, t: bar.progress(f, text=t))
    finally:
        bar.empty()
    return result, cr.default_economics(inputs), None


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def saved_lapse(url: str, version: str) -> lapse_setting.SavedLapse | None:
    """The store's saved lapse period (:func:`core.buyers.lapse_setting.saved`), None while the proposal applies."""
    return lapse_setting.saved(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def lapse_proposal(url: str, version: str) -> lapse.LapseProposal | None:
    """A purchase log's proposed lapse period (None for a store with churn dates or without purchases)."""
    return lapse.store_proposal(loaders.get_engine(url))


def purchase_log(url: str, version: str, on_warehouse: bool) -> tuple[lapse.LapseProposal | None, StoreProfile]:
    """(the proposed lapse period: None unless the data hold a purchase log's buyers, what the data hold): the
    warehouse's when ``on_warehouse``, else the store's."""
    if on_warehouse:
        return warehouse.lapse_proposal(warehouse.key()), warehouse.profile(warehouse.key())
    return lapse_proposal(url, version), loaders.store_profile(url, version)


@st.cache_data(ttl=600, max_entries=8, show_spinner="Fitting the lifetime-value models ...")
def lifetime_values(url: str, version: str, days: int, months: int, discount: float) -> tuple[dict, pd.DataFrame]:
    """(BG/NBD and Gamma-Gamma parameters, one row per buyer: :func:`core.buyers.clv.buyer_values`), the buyers'
    purchases counted by the store's engine (:mod:`core.buyers.engine_clv`; pandas when it is set), or by the
    warehouse when ``version`` names it (:func:`ui.frame.warehouse.version`)."""
    with _purchases(url, version) as (source, engine):
        fit, table = answered(engine_clv.buyer_values)(source, engine, days=days, horizon_months=months,
                                                       monthly_discount=discount)
    return {**fit.params, "as_of": fit.end, "spend_model": fit.spend is not None,
            "spend_frequency_correlation": fit.spend_frequency_correlation}, table


@st.cache_data(ttl=600, max_entries=4, show_spinner="Checking the purchase model on a hold-out ...")
def lifetime_holdout(url: str, version: str) -> dict | None:
    """The BG/NBD fitted on the first two thirds of the purchase log's span and checked on the last third:
    ``calibration_end, end, predicted, actual, error, by_frequency`` (:func:`core.buyers.engine_clv.holdout_check`,
    where :func:`lifetime_values` counts); None when that is too little data. The fitted models stay out (they do
    not pickle for the cache)."""
    try:
        with _purchases(url, version) as (source, engine):
            cut, last, check = answered(engine_clv.holdout_check)(source, engine)
    except WorkbenchError:
        return None
    return {"calibration_end": cut, "end": last, "predicted": check.predicted, "actual": check.actual,
            "error": check.error, "by_frequency": check.by_frequency}


@contextmanager
def _purchases(url: str, version: str) -> Iterator[tuple[Source | None, Engine]]:
    """(where the purchases are counted: the warehouse when ``version`` names it, else the store's configured
    engine, None for pandas; the store's engine)."""
    engine = loaders.get_engine(url)
    if warehouse.named(version):
        yield warehouse.source(warehouse.key()), engine
        return
    with choice.opened(engine) as source:
        yield source, engine


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def customer_list(fit: FitKey, _r: cr.ChurnResult, threshold: float, f: Filters) -> pd.DataFrame:
    """Today's scored customers within the sidebar filters, riskiest first."""
    customers = (warehouse.customers(warehouse.key()) if warehouse.named(fit[1])  # every warehouse customer
                 else filter_customers(loaders.table(fit[0], fit[1], "customer"), f))
    table = churn_store.score_table(_r, threshold, customers)
    return table[table["customer_id"].isin(customers["customer_id"].astype(str))].reset_index(drop=True)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def calibration(fit: FitKey, _r: cr.ChurnResult) -> pd.DataFrame:
    """Calibration bins of the held-out rows before and after calibration."""
    raw = cr.calibration_table(_r.test.y, _r.p_test_raw).assign(probabilities="before calibration")
    cal = cr.calibration_table(_r.test.y, _r.p_test).assign(probabilities="calibrated")
    return pd.concat([raw, cal], ignore_index=True)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def gains(fit: FitKey, _r: cr.ChurnResult) -> pd.DataFrame:
    """The held-out gains by decile (:func:`core.churn.pipeline.gains_table`)."""
    return cr.gains_table(_r.test.y, _r.p_test)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def segment_performance(fit: FitKey, _r: cr.ChurnResult, column: str) -> pd.DataFrame:
    """The held-out ranking and calibration within each value of ``column``
    (:func:`core.churn.pipeline.segment_performance`)."""
    return cr.segment_performance(_r.test.y, _r.p_test, _r.test.X[column])


# Charts are cached as objects (st.cache_resource: no copy; Streamlit only reads them to draw them).
@st.cache_resource(show_spinner=False, max_entries=32)
def chart(fit: FitKey, name: str, choices: tuple, _build) -> alt.TopLevelMixin:
    """The chart ``name`` of the model fitted under ``fit`` for the section's ``choices``, built once by ``_build``
    (so its Vega-Lite spec is converted once too: ui.components.vega_lite_spec)."""
    return _build()



@st.cache_resource(show_spinner=False, max_entries=8)
def beeswarm(fit: FitKey, _r: cr.ChurnResult, features: tuple[str, ...]) -> alt.LayerChart:
    """The beeswarm of ``features`` (:func:`ui.churn.charts.beeswarm`)."""
    return charts.beeswarm(_r.explanation.values, _r.test.X, list(features), seed=_r.seed)


@st.cache_resource(show_spinner=False, max_entries=8)
def beeswarm_text(fit: FitKey, _r: cr.ChurnResult, features: tuple[str, ...]) -> tuple[str, pd.DataFrame]:
    """The beeswarm's text alternative (:func:`core.churn.chart_text.beeswarm`) and its data: one row per customer
    drawn, one SHAP column per feature (:func:`ui.churn.tables.beeswarm_data`)."""
    values, X, seed = _r.explanation.values, _r.test.X, _r.seed
    dots = charts.beeswarm_data(values, X, list(features), seed=seed)
    rows = charts.sample_rows(values, charts.BEESWARM_ROWS, seed)
    return chart_text.beeswarm(dots), tables.beeswarm_data(values, rows, list(features), _r.test.customer_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def dependence_text(fit: FitKey, _r: cr.ChurnResult, feature: str) -> tuple[str, pd.DataFrame]:
    """The dependence chart's text alternative (:func:`core.churn.chart_text.dependence`) and its points."""
    points = charts.dependence_data(_r.explanation.values, _r.test.X, feature, seed=_r.seed)
    return chart_text.dependence(points, feature), tables.dependence_data(points, feature)


@st.cache_resource(show_spinner=False, max_entries=64)
def dependence(fit: FitKey, _r: cr.ChurnResult, feature: str) -> alt.Chart:
    """How the risk moves with ``feature`` (:func:`ui.churn.charts.dependence`)."""
    return charts.dependence(_r.explanation.values, _r.test.X, feature, seed=_r.seed)


@st.cache_resource(show_spinner=False, max_entries=8)
def importance(fit: FitKey, _r: cr.ChurnResult, controllable: bool, n: int) -> alt.Chart:
    """Mean |SHAP| bars of the controllable drivers or of all (:func:`ui.churn.charts.importance`)."""
    return charts.importance(_r.controllable_drivers() if controllable else _r.drivers, n=n)


def _with_interval(value: float, ci) -> str:
    """A score with its 95 % interval, as the review's table writes it: ``0.712 [0.690, 0.734]``."""
    return " ".join(x for x in (units.score(value), units.interval(*ci, "score")) if x)


def model_table(result: cr.ChurnResult) -> pd.DataFrame:
    """Both models' held-out figures, one row each."""
    rows = []
    for kind, m in result.metrics.items():
        rows.append({"model": kind + (" (used)" if kind == result.best else ""),
                     "ROC-AUC": _with_interval(m["roc_auc"], m["roc_auc_ci"]),
                     "PR-AUC": _with_interval(m["pr_auc"], m["pr_auc_ci"]),
                     "Brier": units.score(m["brier"]), "held-out rows": units.count(m["n"]),
                     "churn rate": units.percent(m["churn_rate"])})
    return pd.DataFrame(rows)
