"""The uplift model: a T-learner fitted on a play's contacts, cross-fitted so its Qini curve is honest.

:class:`TwoModelUplift` fits one outcome model per arm; uplift = prediction as treated - prediction as held
out. :func:`fit_uplift` fits it on every measured contact of a play and also cross-fits it (out-of-fold
scores, folds stratified by arm and outcome, grouped by customer) so that the Qini curve of those scores
(:mod:`core.roi.qini`) judges the model on contacts it never saw.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from core.churn.model import threads
from core.errors import DataValidationError, InsufficientDataError
from core.export import units
from core.roi.arms import measured_arms
from core.roi.defaults import CONTROL, LABELS, RETAINED
from core.roi.estimates import is_binary
from core.roi.group_uplift import MISSING
from core.roi.qini import qini_coefficient, qini_from_arrays

#: the cross-fitting folds the model aims at, and the fewest that still judge it on contacts it never saw
FOLDS, MIN_FOLDS = 5, 2
#: the strata of the cross-fitting folds: 2 x treated + outcome (yes/no outcomes), named for the messages
_STRATA = {0: "held-out contact{s} where {o} is no", 1: "held-out contact{s} where {o} is yes",
           2: "treated contact{s} where {o} is no", 3: "treated contact{s} where {o} is yes"}
_STRATA_AMOUNT = {0: "held-out contact{s}", 2: "treated contact{s}"}


def _is_text(s: pd.Series) -> bool:
    """A column the model one-hot encodes (text, categories, booleans) rather than scales."""
    return not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def _preprocessor(X: pd.DataFrame) -> ColumnTransformer:
    """One-hot text columns (missing as its own value), median-imputed (with indicators) standardised numbers."""
    cats = [c for c in X.columns if _is_text(X[c])]
    nums = [c for c in X.columns if c not in cats]
    return ColumnTransformer([
        ("cat", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value=MISSING)),
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), cats),
        ("num", Pipeline([("fill", SimpleImputer(strategy="median", add_indicator=True)),
                          ("scale", StandardScaler())]), nums),
    ], verbose_feature_names_out=False)


def _categorical_as_text(X: pd.DataFrame) -> pd.DataFrame:
    """Non-numeric columns as object text (the imputer and encoder need one type per column)."""
    X = X.copy()
    for c in X.columns:
        s = X[c]
        if _is_text(s):
            X[c] = s.astype(str).astype(object).where(s.notna().to_numpy(), np.nan)
    return X


class TwoModelUplift(BaseEstimator):
    """Two-model (T-learner) uplift: one outcome model on the treated, one on the held out.

    Each arm gets a regularised linear model on one-hot categorical and standardised numeric features
    (missing values imputed, with indicators): a logistic regression for a yes/no outcome, ridge for an
    amount. Linear, regularised models rather than boosted trees because the held-out arm is small (15 %
    of ~1,500 contacts is ~225 rows, with a few dozen churners at most): a tree ensemble fitted on that
    memorises noise and the difference of two noisy models is noisier still, while a logistic model
    of each arm is stable there and already gives an uplift that varies with risk (the same log-odds
    shift moves riskier customers more, which is how the demo's plays work).

    Parameters
    ----------
    C : float
        Inverse L2 strength of the logistic regressions (yes/no outcomes).
    alpha : float
        L2 strength of the ridge regressions (amounts).
    random_state : int
        Passed to the logistic regressions (the default solver is deterministic).

    Attributes
    ----------
    features_ : list of str
        The columns ``fit`` saw, in order; ``predict_uplift`` reads these from ``X``.
    binary_ : bool
        Whether the outcome was yes/no.
    treated_model_, control_model_ : sklearn.pipeline.Pipeline
        The fitted outcome models.
    n_treated_, n_control_ : int
        Rows each was fitted on.
    """

    def __init__(self, C: float = 1.0, alpha: float = 1.0, random_state: int = 0):
        self.C = C
        self.alpha = alpha
        self.random_state = random_state

    def _model(self, X: pd.DataFrame) -> Pipeline:
        est = (LogisticRegression(C=self.C, max_iter=5000, random_state=self.random_state) if self.binary_
               else Ridge(alpha=self.alpha))
        return Pipeline([("prep", _preprocessor(X)), ("model", est)])

    def fit(self, X: pd.DataFrame, y, treated) -> TwoModelUplift:
        """Fit the treated and the control outcome model.

        Parameters
        ----------
        X : pandas.DataFrame
            Features known before the contact (numeric or categorical columns).
        y : array-like
            The outcome (1/0 for a yes/no outcome); no missing values.
        treated : array-like of bool
            True for treated contacts, False for held-out ones.

        Returns
        -------
        TwoModelUplift
            ``self``.

        Raises
        ------
        DataValidationError
            Lengths differ, ``X`` has no columns, or ``y`` has missing values.
        InsufficientDataError
            An arm has fewer than 2 rows, or (yes/no outcome) has only one outcome value.
        """
        y, treated = np.asarray(y, float), np.asarray(treated, bool)
        _check_fit_data(X, y, treated)
        self.binary_ = is_binary(y)
        _check_arms_learnable(y, treated, self.binary_)
        self.features_ = list(map(str, X.columns))
        Xc = _categorical_as_text(X)
        self.treated_model_ = self._model(Xc).fit(Xc[treated], y[treated])
        self.control_model_ = self._model(Xc).fit(Xc[~treated], y[~treated])
        self.n_treated_, self.n_control_ = int(treated.sum()), int((~treated).sum())
        return self

    def _predict(self, model: Pipeline, X: pd.DataFrame) -> np.ndarray:
        return model.predict_proba(X)[:, 1] if self.binary_ else model.predict(X)

    def predict_uplift(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted outcome if treated minus if held out, per row (probability points for yes/no).

        Raises
        ------
        DataValidationError
            The model is not fitted, or ``X`` lacks a feature it was fitted on.
        """
        if not hasattr(self, "treated_model_"):
            raise DataValidationError("This uplift model is not fitted yet: call fit(X, y, treated) or fit_uplift.")
        missing = [c for c in self.features_ if c not in X]
        if missing:
            raise DataValidationError(f"The rows lack the feature(s) {', '.join(missing)} the uplift model was "
                                      "fitted on: build them as for the contacts (see candidates_now).")
        Xc = _categorical_as_text(X[self.features_])
        return self._predict(self.treated_model_, Xc) - self._predict(self.control_model_, Xc)


def _check_fit_data(X, y: np.ndarray, treated: np.ndarray) -> None:
    """A DataFrame with columns, and an outcome and treated flags of its length, the outcome complete."""
    if not isinstance(X, pd.DataFrame) or X.shape[1] == 0:
        raise DataValidationError("The uplift model needs a DataFrame with at least one feature column.")
    if not len(X) == len(y) == len(treated):
        raise DataValidationError(f"Features ({len(X)} rows), outcome ({len(y)}) and treated flags "
                                  f"({len(treated)}) must have the same length.")
    if np.isnan(y).any():
        raise DataValidationError("The outcome has missing values: keep the measured rows "
                                  "(core.roi.outcomes.measured).")


def _check_arms_learnable(y: np.ndarray, treated: np.ndarray, binary: bool) -> None:
    """Each arm has at least 2 rows and, for a yes/no outcome, both outcome values."""
    for name, m in (("treated", treated), ("held-out", ~treated)):
        if m.sum() < 2:
            raise InsufficientDataError(f"The {name} arm has {int(m.sum())} measured contacts; the uplift "
                                        "model needs at least 2 in each arm (more for a useful model).")
        if binary and len(np.unique(y[m])) < 2:
            raise InsufficientDataError(
                f"Every {name} contact has the outcome {y[m][0]:g}, so there is nothing to learn the arm's "
                "outcome from: measure a longer window or wait for more contacts.")


@dataclass
class UpliftResult:
    """An uplift model fitted on every measured contact and its honest (cross-fitted) evaluation.

    Attributes
    ----------
    model : TwoModelUplift
        Fitted on all measured contacts: use it to score new customers (:func:`core.roi.targets.target_list`).
    scores : pandas.DataFrame
        One row per measured contact: ``id, customer_id, arm, treated``, the outcome, the features,
        ``fold`` (the cross-fitting fold it was scored in) and ``uplift``, the out-of-fold prediction (from
        a model fitted on the other folds, which never saw the contact's customer).
    qini : pandas.DataFrame
        :func:`core.roi.qini.qini_curve` of the out-of-fold scores.
    qini_coefficient : float
        :func:`core.roi.qini.qini_coefficient` of that curve.
    features, outcome, control, folds
        What was fitted.
    """

    model: TwoModelUplift
    scores: pd.DataFrame
    qini: pd.DataFrame
    qini_coefficient: float
    features: list
    outcome: str
    control: str
    folds: int


def fit_uplift(frame: pd.DataFrame, features: Sequence[str], outcome: str = RETAINED,
               control: str = CONTROL, random_state: int = 0, folds: int | None = None, *, arm: str | None = None,
               C: float = 1.0, alpha: float = 1.0) -> UpliftResult:
    """Fit a :class:`TwoModelUplift` on a play's contacts and cross-fit it for an honest Qini curve.

    Folds are stratified by arm (and outcome, for a yes/no outcome, so every fold's held-out arm has
    churners) and grouped by customer, so a customer contacted twice never sits on both sides.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of one play plus any feature columns (for example ``risk`` from
        :func:`core.roi.contact_risk.risk_at_contact`).
    features : sequence of str
        Columns known before the contact: ``risk``, ``segment``, ``plan``, ``mrr_before``, ``pre_usage`` ...
    outcome, control, arm
        As :func:`core.roi.group_uplift.uplift_by`.
    random_state : int
        Seeds the fold assignment.
    folds : int, optional
        Cross-fitting folds (at least 2). Default: :data:`FOLDS`, or fewer (down to :data:`MIN_FOLDS`) when a play
        has fewer contacts of a kind (held out or treated, with each outcome) than that: each fold needs one.
    C, alpha : float
        :class:`TwoModelUplift`'s regularisation.

    Returns
    -------
    UpliftResult

    Raises
    ------
    DataValidationError
        A feature is not a column, or ``folds`` is below 2.
    InsufficientDataError
        An arm has too few measured contacts (or too few of an outcome value) for ``folds`` folds (for
        :data:`MIN_FOLDS` when ``folds`` is not given); the message says how many there are, how many are needed and
        what to import.

    Examples
    --------
    >>> import core
    >>> from core.roi.inputs import inputs_from_frames
    >>> from core.roi.outcomes import measured, outcomes
    >>> demo = core.make_demo(1500, seed=0)
    >>> f = outcomes(inputs_from_frames(demo.interventions, demo.customers, demo.revenue, demo.activity),
    ...              "Renewal save offer")
    >>> res = fit_uplift(f, ["segment", "plan", "mrr_before", "pre_usage"])
    >>> len(res.scores) == measured(f, "retained").shape[0]
    True
    """
    features = list(features)
    _check_features(frame, features, folds)
    rows, treated = measured_arms(frame, outcome, control, arm)
    y = rows[outcome].to_numpy(float)
    strata, folds = _fold_strata(y, treated, folds, LABELS.get(outcome, outcome))
    X = rows[features].reset_index(drop=True)
    make = functools.partial(TwoModelUplift, C=C, alpha=alpha, random_state=random_state)
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=random_state)
    # native threads capped as core.churn.model's fits (RETENTION_THREADS): spinning BLAS workers on a busy small
    # machine made a fit several times slower (benchmarks/roi.py)
    with threadpool_limits(limits=threads()):
        oof, fold = _cross_fit(make, split.split(X, strata, rows["customer_id"].astype(str).to_numpy()),
                               X, y, treated)
        model = make().fit(X, y, treated)
    scores = _scores_table(rows, X, features, treated, outcome, y, fold, oof)
    curve = qini_from_arrays(oof, y, treated)
    return UpliftResult(model, scores, curve, qini_coefficient(curve), features, outcome, control, folds)


def _check_features(frame: pd.DataFrame, features: list, folds: int | None) -> None:
    missing = [c for c in features if c not in frame]
    if missing or not features:
        raise DataValidationError(f"Feature column(s) {', '.join(missing) or '(none given)'} are not in the contacts. "
                                  f"Columns: {', '.join(map(str, frame.columns))}.")
    if folds is not None and folds < MIN_FOLDS:
        raise DataValidationError(f"Cross-fitting needs at least {MIN_FOLDS} folds (got {folds}); {FOLDS} is usual.")


def _fold_strata(y: np.ndarray, treated: np.ndarray, folds: int | None, label: str) -> tuple[np.ndarray, int]:
    """2 x treated + outcome (yes/no outcomes) or 2 x treated (amounts), and the folds (``folds``, or as many as
    the smallest stratum allows up to :data:`FOLDS`), after checking each stratum has at least one contact a fold."""
    binary = is_binary(y)
    strata = treated.astype(int) * 2 + (y.astype(int) if binary else 0)
    counts = pd.Series(strata).value_counts()
    what = _STRATA if binary else _STRATA_AMOUNT
    if folds is None:
        folds = int(min(FOLDS, max(MIN_FOLDS, min(counts.get(s, 0) for s in what))))
    short = {what[s]: int(counts.get(s, 0)) for s in what if counts.get(s, 0) < folds}
    if short:
        raise InsufficientDataError(_too_few(short, folds, label))
    return strata, folds


def _too_few(short: dict[str, int], folds: int, label: str) -> str:
    """How many contacts of each short kind there are, how many the model needs, and what to import."""
    have = " and ".join(f"{units.count(n)} {name.format(s='' if n == 1 else 's', o=label)}"
                        for name, n in short.items())
    verb = "is" if next(iter(short.values())) == 1 else "are"
    return (f"Too few contacts to model uplift: the model is checked in {units.count(folds)} folds on contacts it "
            f"never saw, so it needs at least {units.count(folds)} contacts of each kind, and there {verb} {have}. "
            "Import more contacts of this play, held-out customers too, on the Data page (or choose a longer window).")


def _cross_fit(make, splits, X: pd.DataFrame, y: np.ndarray, treated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold uplift of each row (from a model ``make()`` fitted on the other folds), and its fold."""
    oof, fold = np.full(len(X), np.nan), np.zeros(len(X), int)
    for k, (train, test) in enumerate(splits):
        m = make().fit(X.iloc[train], y[train], treated[train])
        oof[test], fold[test] = m.predict_uplift(X.iloc[test]), k
    return oof, fold


def _scores_table(rows: pd.DataFrame, X: pd.DataFrame, features: list, treated: np.ndarray, outcome: str,
                  y: np.ndarray, fold: np.ndarray, oof: np.ndarray) -> pd.DataFrame:
    """:attr:`UpliftResult.scores`: each measured contact's ids, arm, outcome, features, fold and uplift."""
    keep = [c for c in ("id", "customer_id", "arm") if c in rows]
    scores = rows[keep].reset_index(drop=True)
    scores["treated"] = treated
    scores[outcome] = y
    for c in features:
        if c not in scores:
            scores[c] = X[c].to_numpy()
    scores["fold"] = fold
    scores["uplift"] = oof
    return scores
