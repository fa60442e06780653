"""The fitted churn model behind the Churn drivers page: fitted once per store version and horizon,
with a progress bar while it trains, and saved (model, card, scores) the first time."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.buyers import clv, lapse, lapse_setting
from core.churn import pipeline as cr
from core.churn import store as churn_store
from core.errors import WorkbenchError
from core.export import units
from core.history.filters import Filters, filter_customers
from core.history.inputs import load_inputs
from ui.frame import loaders


@st.cache_resource(show_spinner=False, max_entries=1)
def _fits() -> dict:
    """Fitted results by (url, store version, horizon): shared by every session of this server."""
    return {}


def fitted(url: str, version: str, horizon: int,
           lapse_days: int | None = None) -> tuple[cr.ChurnResult, cr.Economics, int]:
    """(result, default economics, saved version). Trains with a progress bar on the first call. ``lapse_days``:
    a purchase log's N (churn = no purchase within N days of the last one; None: the proposal)."""

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
                saved = churn_store.save_run(engine, result, econ, version)
        finally:
            bar.empty()
        return result, econ, saved

    return loaders.built_once(_fits(), (url, version, horizon, lapse_days), build, keep=4)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def saved_lapse(url: str, version: str) -> lapse_setting.SavedLapse | None:
    """The store's saved lapse period (:func:`core.buyers.lapse_setting.saved`), None while the proposal applies."""
    return lapse_setting.saved(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def lapse_proposal(url: str, version: str) -> lapse.LapseProposal | None:
    """A purchase log's proposed lapse period (None for a store with churn dates or without purchases)."""
    return lapse.store_proposal(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=8, show_spinner="Fitting the lifetime-value models ...")
def lifetime_values(url: str, version: str, days: int, months: int, discount: float) -> tuple[dict, pd.DataFrame]:
    """(BG/NBD and Gamma-Gamma parameters, one row per buyer: :func:`core.buyers.clv.buyer_values`)."""
    fit, table = clv.buyer_values(clv.read_transactions(loaders.get_engine(url)), days=days, horizon_months=months,
                                  monthly_discount=discount)
    return {**fit.params, "as_of": fit.end, "spend_model": fit.spend is not None,
            "spend_frequency_correlation": fit.spend_frequency_correlation}, table


@st.cache_data(ttl=600, max_entries=4, show_spinner="Checking the purchase model on a hold-out ...")
def lifetime_holdout(url: str, version: str) -> dict | None:
    """The BG/NBD fitted on the first two thirds of the purchase log's span and checked on the last third:
    ``calibration_end, end, predicted, actual, error, by_frequency`` (:func:`core.buyers.clv.holdout_check`); None
    when that is too little data. The fitted models stay out (they do not pickle for the cache)."""
    tr = clv.read_transactions(loaders.get_engine(url))
    first, last = tr["date"].min(), tr["date"].max()
    cut = (first + (last - first) * 2 / 3).normalize()
    try:
        check = clv.holdout_check(tr, cut, last)
    except WorkbenchError:
        return None
    return {"calibration_end": cut, "end": last, "predicted": check.predicted, "actual": check.actual,
            "error": check.error, "by_frequency": check.by_frequency}


def customer_list(url: str, version: str, result: cr.ChurnResult, threshold: float, f: Filters) -> pd.DataFrame:
    """Today's scored customers within the sidebar filters, riskiest first."""
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    table = churn_store.score_table(result, threshold, customers)
    return table[table["customer_id"].isin(customers["customer_id"].astype(str))].reset_index(drop=True)


def calibration(result: cr.ChurnResult) -> pd.DataFrame:
    """Calibration bins of the held-out rows before and after calibration."""
    raw = cr.calibration_table(result.test.y, result.p_test_raw).assign(probabilities="before calibration")
    cal = cr.calibration_table(result.test.y, result.p_test).assign(probabilities="calibrated")
    return pd.concat([raw, cal], ignore_index=True)


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
