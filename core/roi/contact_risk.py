"""Risk at contact: the churn model's probability and tier for each contact, from what was known before it.

The probability is the churn model's for the customer built from features as of the first day of the
contact's month (one feature build per month), and its tier (:func:`core.churn.pipeline.risk_tiers`).
The features never see the contact or what followed it; the model's *coefficients* were learned on
whatever period it was fitted on.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from core.churn.pipeline import risk_tiers
from core.errors import DataValidationError, InsufficientDataError
from core.history.features import asked_ahead, temporal_features
from core.store.dates import datetimes


def risk_at_contact(churn_inputs, model, threshold: float, frame: pd.DataFrame, *, horizon_days: int = 90,
                    progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
    """The churn model's probability and tier for each contact, from what was known before the contact.

    Features are built with :func:`core.history.features.temporal_features` at a cutoff on the first day
    of the contact's month (one build per month, shared by that month's contacts), so nothing that
    happened after the contact (or earlier in its month) is used. A contact dated on the first of a
    month shares that day with its cutoff, whose events count in the features.

    Parameters
    ----------
    churn_inputs : core.history.inputs.ChurnInputs
        The store's behaviour (:func:`core.history.inputs.load_inputs` or ``inputs_from_frames``).
    model : core.churn.model.ChurnModel
        A fitted churn model (``ChurnResult.model`` or :func:`core.churn.store.load_model`); its
        calibrated probability is used when it was calibrated, like the store's scores.
    threshold : float
        The high-risk threshold (``runs(engine)["threshold"]`` of the saved model, or
        ``best_threshold(net_value_curve(...))``); amber starts at half of it.
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of a play (needs ``customer_id`` and ``date``).
    horizon_days : int
        The model's horizon (passed to the feature build).
    progress : callable, optional
        ``progress(fraction, text)``, called after each month.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with ``risk`` (probability, NaN when the customer was not yet a customer, or no
        longer one, on the cutoff) and ``risk_tier`` (``red``, ``amber``, ``green``, or None with the
        risk).

    Raises
    ------
    DataValidationError
        ``frame`` lacks ``customer_id`` or ``date``, or the threshold is not between 0 and 1.

    Examples
    --------
    >>> import core
    >>> from core.churn.pipeline import fit_churn
    >>> from core.history.inputs import inputs_from_frames
    >>> from core.roi.inputs import inputs_from_frames as roi_inputs
    >>> from core.roi.outcomes import outcomes
    >>> demo = core.make_demo(1500, seed=0)
    >>> ci = inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback, demo.revenue)
    >>> fit = fit_churn(ci, n_boot=10)
    >>> ri = roi_inputs(demo.interventions, demo.customers, demo.revenue, demo.activity)
    >>> f = risk_at_contact(ci, fit.model, 0.1, outcomes(ri, "Onboarding call"))
    >>> sorted(f["risk_tier"].dropna().unique())  # doctest: +SKIP
    ['amber', 'green', 'red']
    """
    missing = [c for c in ("customer_id", "date") if c not in frame]
    if missing:
        raise DataValidationError(f"The contacts need the column(s) {', '.join(missing)}: "
                                  "pass core.roi.outcomes.outcomes(...).")
    if not 0 < threshold <= 1:
        raise DataValidationError(f"The risk threshold must be between 0 and 1 (got {threshold}).")
    out = frame.copy()
    risk = np.full(len(out), np.nan)
    cutoffs = datetimes(out["date"]).dt.to_period("M").dt.start_time.to_numpy()
    ids = out["customer_id"].astype(str).to_numpy()
    months = np.unique(cutoffs[~pd.isna(cutoffs)])
    with asked_ahead(churn_inputs, months):
        for i, cut in enumerate(months):
            here = np.nonzero(cutoffs == cut)[0]
            _score_month(churn_inputs, model, cut, horizon_days, ids[here], here, risk)
            if progress:
                progress((i + 1) / len(months),
                         f"Risk as of {pd.Timestamp(cut):%Y-%m} ({i + 1} of {len(months)} months)")
    out["risk"] = risk
    tier = risk_tiers(np.nan_to_num(risk), threshold)
    out["risk_tier"] = np.where(np.isnan(risk), None, tier).astype(object)
    return out


def _score_month(churn_inputs, model, cut, horizon_days: int, ids: np.ndarray, rows: np.ndarray,
                 risk: np.ndarray) -> None:
    """Write into ``risk[rows]`` the probability of customers ``ids`` from features as of ``cut`` (left NaN
    for a customer who was not a customer on that day)."""
    try:
        data = temporal_features(churn_inputs, cut, horizon_days=horizon_days, label=False)
    except InsufficientDataError:  # nobody was a customer yet: these contacts have no risk
        return
    p = _churn_probability(model, data.X)
    pos = pd.Index(data.customer_id.astype(str).to_numpy()).get_indexer(ids)
    risk[rows[pos >= 0]] = p[pos[pos >= 0]]


def _churn_probability(model, X: pd.DataFrame) -> np.ndarray:
    """Calibrated probability when the model was calibrated (what the store's scores and the tier
    threshold are on), else its plain ``predict_proba``; columns aligned with the fitted ones."""
    features = getattr(model, "features_", None)
    if features is not None:
        X = X.reindex(columns=list(features))  # a behaviour absent at an early cutoff becomes missing
    if hasattr(model, "calibrator_"):
        return np.asarray(model.predict_proba(X, calibrated=True), float)
    p = np.asarray(model.predict_proba(X), float)
    return p[:, 1] if p.ndim == 2 else p
