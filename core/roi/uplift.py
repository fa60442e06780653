"""Where a retention play works: uplift by group and by churn risk, an uplift model, a Qini curve, the next
wave's target list under a budget, and contact fatigue.

Definitions (the unit is one contact of :func:`core.roi.effect.outcomes`, measured rows only, see
:func:`core.roi.effect.measured`; "treated" pools every arm but the control unless one ``arm`` is named):

* **Uplift** of a group = mean outcome of its treated contacts minus mean outcome of its held-out
  contacts, with :func:`core.roi.effect.diff_interval`'s 95 % interval (Wald for a yes/no outcome, Welch for an
  amount). Groups are randomised too (the holdout was drawn among everyone targeted), so each group's
  difference is an unbiased estimate for that group; with several groups one interval in twenty misses
  by chance.
* **Risk at contact** (:func:`risk_at_contact`): the churn model's probability for the customer built
  from features as of the first day of the contact's month (one feature build per month), and its tier
  (:func:`core.churn.pipeline.risk_tiers`). The features never see the contact or what followed it; the
  model's *coefficients* were learned on whatever period it was fitted on.
* **Uplift model** (:class:`TwoModelUplift`, :func:`fit_uplift`): a T-learner, one outcome model per arm,
  uplift = prediction as treated - prediction as held out. :func:`fit_uplift` also cross-fits it
  (out-of-fold scores, folds stratified by arm and outcome, grouped by customer) so that the Qini
  curve of those scores judges the model on contacts it never saw.
* **Qini curve** (:func:`qini_curve`), Radcliffe's: sort contacts by score, highest first; after the top
  ``k`` contacts, ``qini(k) = Y_t(k) - Y_c(k) * N_t(k) / N_c(k)`` where ``Y`` sums the outcome and ``N``
  counts contacts of each arm among the top ``k`` (the control term is 0 while ``N_c(k) = 0``): the extra
  successes targeting those ``k`` brought, in treated-contact units. Tied scores enter together. The
  **random** line joins (0, 0) to (1, qini(N)), what a random order gains on average.
* **Qini coefficient** (:func:`qini_coefficient`): the area between the Qini curve and the random line
  over the share targeted (0 to 1), divided by the number of treated contacts. It is in outcome units
  (retention points for ``retained``): the average, over targeting depths, of the extra uplift per treated
  contact the ranking buys over a random order. 0 for a random ranking, negative for a harmful one.
* **Contacts in the last 30 days** (:func:`contacts_before`, :func:`fatigue`): other contacts made (any
  play; held-out rows were not made) to the same customer, dated from 30 days before the contact up to
  and including its own day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from core.churn.pipeline import TIERS, risk_tiers
from core.errors import DataValidationError, InsufficientDataError
from core.roi import effect as roi

FATIGUE_DAYS = 30
FATIGUE_BUCKETS = ("0", "1", "2", "3+")
ALL = "All"
MISSING = "(missing)"
TOO_FEW_HELD_OUT = "too few held out (fewer than 2 measured control contacts)"
TOO_FEW_TREATED = "too few treated (fewer than 2 measured treated contacts)"
SAME_OUTCOME = "interval too narrow: every contact of one arm had the same outcome (a larger group is needed)"
UPLIFT_COLUMNS = ["group", "n", "n_control", "treatment", "control", "difference", "low", "high", "note"]
TARGET_COLUMNS = ["customer_id", "segment", "plan", "predicted_uplift", "expected_value", "cost", "cumulative_cost"]
_EPOCH = np.datetime64("1970-01-01", "D")


# --------------------------------------------------------------------------- shared helpers
def _arms(frame: pd.DataFrame, outcome: str, control: str, arm: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The measured rows of the control arm and of the treated arm(s), and a treated flag per row."""
    rows = roi.measured(frame, outcome)
    present = set(frame["arm"].astype(str))
    if control not in present:
        raise DataValidationError(f"There is no control arm '{control}' in these contacts. Arms: "
                                  f"{', '.join(sorted(present)) or 'none'}; pass the held-out arm as control.")
    if arm is not None:
        if arm == control or arm not in present:
            raise DataValidationError(f"'{arm}' is not a treatment arm of these contacts. Arms: "
                                      f"{', '.join(sorted(present - {control})) or 'none'}.")
        rows = rows[rows["arm"].isin([arm, control])]
    return rows, (rows["arm"] != control).to_numpy()


def _interval_row(y: pd.Series, treated: np.ndarray, binary: bool) -> dict:
    """n, means and the difference with its interval, or NaN and a note when an arm is too small."""
    y_t, y_c = y.to_numpy(float)[treated], y.to_numpy(float)[~treated]
    row = {"n": int(len(y_t)), "n_control": int(len(y_c)),
           "treatment": float(y_t.mean()) if len(y_t) else np.nan,
           "control": float(y_c.mean()) if len(y_c) >= 2 else np.nan}
    d, lo, hi, _ = roi.diff_interval(y_t, y_c, binary=binary)
    note = TOO_FEW_HELD_OUT if len(y_c) < 2 else TOO_FEW_TREATED if len(y_t) < 2 else ""
    if not note and binary and (y_t.min() == y_t.max() or y_c.min() == y_c.max()):
        # Wald's variance p (1 - p) is 0 for an arm whose outcomes are all equal: the interval is too narrow
        note = SAME_OUTCOME
    return row | {"difference": d, "low": lo, "high": hi, "note": note}


def _group_order(values: pd.Series, by: str) -> list:
    present = list(pd.unique(values))
    if by == "risk_tier":  # riskiest first, as the churn page lists them
        first = [t for t in TIERS if t in present]
        return first + sorted(v for v in present if v not in first)
    return sorted(present, key=lambda v: (v == MISSING, str(v)))


# --------------------------------------------------------------------------- risk at contact
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


def risk_at_contact(churn_inputs, model, threshold: float, frame: pd.DataFrame, *, horizon_days: int = 90,
                    progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
    """The churn model's probability and tier for each contact, from what was known before the contact.

    Features are built with :func:`core.history.features.temporal_features` at a cutoff on the first day
    of the contact's month (one build per month, shared by that month's contacts), so nothing that
    happened after the contact (or earlier in its month) is used. A contact dated on the first of a
    month shares that day with its cutoff, whose events count in the features.

    Parameters
    ----------
    churn_inputs : core.history.features.ChurnInputs
        The store's behaviour (:func:`core.history.features.load_inputs` or ``inputs_from_frames``).
    model : core.churn.model.ChurnModel
        A fitted churn model (``ChurnResult.model`` or :func:`core.churn.store.load_model`); its
        calibrated probability is used when it was calibrated, like the store's scores.
    threshold : float
        The red-tier threshold (``runs(engine)["threshold"]`` of the saved model, or
        ``best_threshold(net_value_curve(...))``); amber starts at half of it.
    frame : pandas.DataFrame
        :func:`core.roi.effect.outcomes` of a play (needs ``customer_id`` and ``date``).
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
    >>> from core import roi, churn_features, churn_report
    >>> demo = core.make_demo(1500, seed=0)
    >>> ci = churn_features.inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback,
    ...                                        demo.revenue)
    >>> fit = churn_report.fit_churn(ci, n_boot=10)
    >>> ri = roi.inputs_from_frames(demo.interventions, demo.customers, demo.revenue, demo.activity)
    >>> f = risk_at_contact(ci, fit.model, 0.1, roi.outcomes(ri, "Onboarding call"))
    >>> sorted(f["risk_tier"].dropna().unique())  # doctest: +SKIP
    ['amber', 'green', 'red']
    """
    from core.history.features import temporal_features

    missing = [c for c in ("customer_id", "date") if c not in frame]
    if missing:
        raise DataValidationError(f"The contacts need the column(s) {', '.join(missing)}: pass roi.outcomes(...).")
    if not 0 < threshold <= 1:
        raise DataValidationError(f"The risk threshold must be between 0 and 1 (got {threshold}).")
    out = frame.copy()
    risk = np.full(len(out), np.nan)
    cutoffs = pd.to_datetime(out["date"]).dt.to_period("M").dt.start_time.to_numpy()
    ids = out["customer_id"].astype(str).to_numpy()
    months = np.unique(cutoffs[~pd.isna(cutoffs)])
    for i, cut in enumerate(months):
        here = np.nonzero(cutoffs == cut)[0]
        try:
            data = temporal_features(churn_inputs, cut, horizon_days=horizon_days, label=False)
        except InsufficientDataError:  # nobody was a customer yet: these contacts have no risk
            data = None
        if data is not None:
            p = _churn_probability(model, data.X)
            pos = pd.Index(data.customer_id.astype(str).to_numpy()).get_indexer(ids[here])
            risk[here[pos >= 0]] = p[pos[pos >= 0]]
        if progress:
            progress((i + 1) / len(months), f"Risk as of {pd.Timestamp(cut):%Y-%m} ({i + 1} of {len(months)} months)")
    out["risk"] = risk
    tier = risk_tiers(np.nan_to_num(risk), threshold)
    out["risk_tier"] = np.where(np.isnan(risk), None, tier).astype(object)
    return out


# --------------------------------------------------------------------------- uplift by group
def uplift_by(frame: pd.DataFrame, by: str, outcome: str = roi.RETAINED, control: str = roi.CONTROL, *,
              arm: str | None = None) -> pd.DataFrame:
    """The play's uplift within each group of ``by``, and overall.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.effect.outcomes` of one play (with ``risk_tier`` from :func:`risk_at_contact` to split
        by risk).
    by : str
        A column of ``frame``: ``segment``, ``plan``, ``region``, ``risk_tier``, ``channel`` ...
        Missing values form the group ``(missing)``.
    outcome : str
        ``retained``, ``revenue_kept`` or an imported numeric column.
    control : str
        The held-out arm.
    arm : str, optional
        One treatment arm; by default every arm but the control, pooled.

    Returns
    -------
    pandas.DataFrame
        One row per group (risk tiers red, amber, green; other groups sorted) then the ``All`` row:
        ``group, n`` (treated contacts measured), ``n_control, treatment, control`` (means),
        ``difference, low, high`` (treated minus control, 95 % interval) and ``note``: empty, or why the
        difference is NaN (fewer than two measured contacts held out, or treated), or a warning that a
        yes/no interval is too narrow because one arm's outcomes were all the same (Wald's variance is 0).

    Raises
    ------
    DataValidationError
        ``by`` or the outcome is not a column, or the control (or ``arm``) is not an arm of the play.

    Examples
    --------
    >>> import core
    >>> from core import roi
    >>> demo = core.make_demo(300, seed=0)
    >>> f = roi.outcomes(roi.inputs_from_frames(demo.interventions, demo.customers, demo.revenue,
    ...                                         demo.activity), "Onboarding call")
    >>> uplift_by(f, "segment")["group"].iloc[-1]
    'All'
    """
    if by not in frame:
        raise DataValidationError(f"There is no column '{by}' to split by. Columns: {', '.join(map(str, frame))}.")
    rows, treated = _arms(frame, outcome, control, arm)
    binary = roi.is_binary(rows[outcome])  # one interval family for every group, as roi.compare over all rows
    groups = rows[by].astype(object).where(rows[by].notna(), MISSING)
    out = []
    for g in _group_order(groups, by):
        m = (groups == g).to_numpy()
        out.append({"group": g} | _interval_row(rows[outcome][m], treated[m], binary))
    out.append({"group": ALL} | _interval_row(rows[outcome], treated, binary))
    return pd.DataFrame(out, columns=UPLIFT_COLUMNS)


# --------------------------------------------------------------------------- uplift model
def _preprocessor(X: pd.DataFrame) -> ColumnTransformer:
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]
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
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
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
        if not isinstance(X, pd.DataFrame) or X.shape[1] == 0:
            raise DataValidationError("The uplift model needs a DataFrame with at least one feature column.")
        y, treated = np.asarray(y, float), np.asarray(treated, bool)
        if not len(X) == len(y) == len(treated):
            raise DataValidationError(f"Features ({len(X)} rows), outcome ({len(y)}) and treated flags "
                                      f"({len(treated)}) must have the same length.")
        if np.isnan(y).any():
            raise DataValidationError("The outcome has missing values: keep the measured rows (roi.measured).")
        self.binary_ = roi.is_binary(y)
        for name, m in (("treated", treated), ("held-out", ~treated)):
            if m.sum() < 2:
                raise InsufficientDataError(f"The {name} arm has {int(m.sum())} measured contacts; the uplift "
                                            "model needs at least 2 in each arm (more for a useful model).")
            if self.binary_ and len(np.unique(y[m])) < 2:
                raise InsufficientDataError(
                    f"Every {name} contact has the outcome {y[m][0]:g}, so there is nothing to learn the arm's "
                    "outcome from: measure a longer window or wait for more contacts.")
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


@dataclass
class UpliftResult:
    """An uplift model fitted on every measured contact and its honest (cross-fitted) evaluation.

    Attributes
    ----------
    model : TwoModelUplift
        Fitted on all measured contacts: use it to score new customers (:func:`target_list`).
    scores : pandas.DataFrame
        One row per measured contact: ``id, customer_id, arm, treated``, the outcome, the features,
        ``fold`` (the cross-fitting fold it was scored in) and ``uplift``, the out-of-fold prediction (from
        a model fitted on the other folds, which never saw the contact's customer).
    qini : pandas.DataFrame
        :func:`qini_curve` of the out-of-fold scores.
    qini_coefficient : float
        :func:`qini_coefficient` of that curve.
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


def fit_uplift(frame: pd.DataFrame, features: Sequence[str], outcome: str = roi.RETAINED,
               control: str = roi.CONTROL, random_state: int = 0, folds: int = 5, *, arm: str | None = None,
               C: float = 1.0, alpha: float = 1.0) -> UpliftResult:
    """Fit a :class:`TwoModelUplift` on a play's contacts and cross-fit it for an honest Qini curve.

    Folds are stratified by arm (and outcome, for a yes/no outcome, so every fold's held-out arm has
    churners) and grouped by customer, so a customer contacted twice never sits on both sides.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.effect.outcomes` of one play plus any feature columns (for example ``risk`` from
        :func:`risk_at_contact`).
    features : sequence of str
        Columns known before the contact: ``risk``, ``segment``, ``plan``, ``mrr_before``, ``pre_usage`` ...
    outcome, control, arm
        As :func:`uplift_by`.
    random_state : int
        Seeds the fold assignment.
    folds : int
        Cross-fitting folds (at least 2).
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
        An arm has too few measured contacts (or too few of an outcome value) for ``folds`` folds.

    Examples
    --------
    >>> import core
    >>> from core import roi
    >>> demo = core.make_demo(1500, seed=0)
    >>> f = roi.outcomes(roi.inputs_from_frames(demo.interventions, demo.customers, demo.revenue,
    ...                                         demo.activity), "Renewal save offer")
    >>> res = fit_uplift(f, ["segment", "plan", "mrr_before", "pre_usage"])
    >>> len(res.scores) == roi.measured(f, "retained").shape[0]
    True
    """
    features = list(features)
    missing = [c for c in features if c not in frame]
    if missing or not features:
        raise DataValidationError(f"Feature column(s) {', '.join(missing) or '(none given)'} are not in the contacts. "
                                  f"Columns: {', '.join(map(str, frame.columns))}.")
    if folds < 2:
        raise DataValidationError(f"Cross-fitting needs at least 2 folds (got {folds}); 5 is usual.")
    rows, treated = _arms(frame, outcome, control, arm)
    y = rows[outcome].to_numpy(float)
    binary = roi.is_binary(y)
    strata = treated.astype(int) * 2 + (y.astype(int) if binary else 0)
    counts = pd.Series(strata).value_counts()
    need = [0, 1, 2, 3] if binary else [0, 2]
    short = [s for s in need if counts.get(s, 0) < folds]
    if short:
        what = {0: "held-out contacts with outcome 0", 1: "held-out contacts with outcome 1",
                2: "treated contacts with outcome 0", 3: "treated contacts with outcome 1"}
        if not binary:
            what = {0: "held-out contacts", 2: "treated contacts"}
        raise InsufficientDataError(
            "Too few " + " and ".join(f"{what[s]} ({counts.get(s, 0)})" for s in short)
            + f" for {folds} folds: use fewer folds, a longer window, or wait for more contacts.")
    X = rows[features].reset_index(drop=True)
    groups = rows["customer_id"].astype(str).to_numpy()
    oof, fold = np.full(len(rows), np.nan), np.zeros(len(rows), int)
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=random_state)
    # native threads capped as core.churn.model's fits (RETENTION_THREADS): spinning BLAS workers on a busy small
    # machine made a fit several times slower (benchmarks/roi.py)
    with threadpool_limits(limits=threads()):
        for k, (train, test) in enumerate(split.split(X, strata, groups)):
            m = TwoModelUplift(C=C, alpha=alpha, random_state=random_state)
            oof[test], fold[test] = m.fit(X.iloc[train], y[train], treated[train]).predict_uplift(X.iloc[test]), k
        model = TwoModelUplift(C=C, alpha=alpha, random_state=random_state).fit(X, y, treated)
    keep = [c for c in ("id", "customer_id", "arm") if c in rows]
    scores = rows[keep].reset_index(drop=True)
    scores["treated"] = treated
    scores[outcome] = y
    for c in features:
        if c not in scores:
            scores[c] = X[c].to_numpy()
    scores["fold"] = fold
    scores["uplift"] = oof
    curve = _qini(oof, y, treated)
    return UpliftResult(model, scores, curve, qini_coefficient(curve), features, outcome, control, folds)


# --------------------------------------------------------------------------- Qini
def qini_curve(frame: pd.DataFrame, score, outcome: str = roi.RETAINED, control: str = roi.CONTROL) -> pd.DataFrame:
    """Radcliffe's Qini curve of a ranking of the contacts, and the random line (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Contacts with ``arm`` and the outcome (measured rows are used, as :func:`core.roi.effect.measured`).
    score : str or array-like
        A column of ``frame`` or one value per row of ``frame``; higher = target first.
    outcome : str
        The outcome summed (``retained``: successes are retained customers).
    control : str
        The held-out arm; every other arm counts as treated.

    Returns
    -------
    pandas.DataFrame
        From the origin, one row per distinct score (tied contacts enter together), highest first:
        ``targeted`` (contacts in the top), ``treated, control`` (of which in each arm),
        ``share_targeted`` (targeted / all), ``qini`` (extra successes:
        ``Y_t - Y_c * N_t / N_c`` over the top) and ``random`` (``share_targeted * qini`` at 100 %).

    Raises
    ------
    DataValidationError
        The score has missing values or the wrong length, or there is no control arm.
    InsufficientDataError
        No measured contact in one of the arms.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"arm": ["t", "t", "holdout", "holdout"], "y": [1, 0, 0, 1], "s": [4, 3, 2, 1]})
    >>> qini_curve(f, "s", "y")["qini"].tolist()
    [0.0, 1.0, 1.0, 1.0, 0.0]
    """
    s = frame[score] if isinstance(score, str) else pd.Series(np.asarray(score), index=frame.index)
    if len(s) != len(frame):
        raise DataValidationError(f"The score has {len(s)} values for {len(frame)} contacts; give one per contact.")
    rows, treated = _arms(frame, outcome, control, None)
    s = pd.to_numeric(s.loc[rows.index], errors="coerce").to_numpy(float)
    if np.isnan(s).any():
        raise DataValidationError(f"{int(np.isnan(s).sum())} measured contacts have no score; score every contact.")
    if treated.all() or not treated.any():
        raise InsufficientDataError("A Qini curve needs measured contacts in both the treated and the control arm.")
    return _qini(s, rows[outcome].to_numpy(float), treated)


def _qini(s: np.ndarray, y: np.ndarray, t: np.ndarray) -> pd.DataFrame:
    """:func:`qini_curve` of scores ``s``, outcomes ``y`` and treated flags ``t`` (arrays)."""
    order = np.argsort(-s, kind="stable")
    s, y, t = s[order], y[order], t[order]
    n_t, n_c = np.cumsum(t), np.cumsum(~t)
    y_t, y_c = np.cumsum(np.where(t, y, 0.0)), np.cumsum(np.where(t, 0.0, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = y_t - np.where(n_c > 0, y_c * n_t / np.where(n_c > 0, n_c, 1), 0.0)
    last = np.r_[s[1:] != s[:-1], True]  # the end of each run of tied scores
    k = np.r_[0, np.nonzero(last)[0] + 1]
    n = len(s)
    qini = np.r_[0.0, q[last]]
    return pd.DataFrame({"targeted": k, "treated": np.r_[0, n_t[last]], "control": np.r_[0, n_c[last]],
                         "share_targeted": k / n, "qini": qini, "random": k / n * qini[-1]})


def qini_coefficient(curve: pd.DataFrame) -> float:
    """Area between a :func:`qini_curve` and its random line over the share targeted, per treated contact.

    ``integral_0^1 (qini - random) d(share) / N_t`` by the trapezoid rule (exact: the curve is linear
    between its points). In outcome units: for ``retained``, retention points the ranking gains per
    treated contact, averaged over targeting depths; 0 for a random ranking.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"arm": ["t", "t", "holdout", "holdout"], "y": [1, 0, 0, 1], "s": [4, 3, 2, 1]})
    >>> round(qini_coefficient(qini_curve(f, "s", "y")), 4)
    0.375
    """
    x, gap = curve["share_targeted"].to_numpy(float), (curve["qini"] - curve["random"]).to_numpy(float)
    area = float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(x)))
    n_t = float(curve["treated"].iloc[-1])
    return area / n_t if n_t else np.nan


# --------------------------------------------------------------------------- next wave
def candidates_now(roi_inputs: roi.RoiInputs, churn_scores: pd.DataFrame | None = None, *, as_of=None,
                   pre_days: int = roi.PRE_DAYS, exclude_contacted_days: int | None = None,
                   customer_ids=None) -> pd.DataFrame:
    """Today's active customers with the features :func:`core.roi.effect.outcomes` and :func:`risk_at_contact`
    give contacts, so an uplift model fitted on a play's contacts can score them.

    The features describe a contact made the day after ``as_of``: revenue and usage up to and including
    ``as_of``. An uplift model only speaks for customers like the contacts it learned from: restrict the
    candidates to those the play would target (``customer_ids``), since a linear model extrapolates
    freely: on the demo, the onboarding call's model, fitted on new customers whose risk was at most 0.24,
    predicts uplifts above 0.5 for the riskiest 5 % of all of today's customers (0.03 to 0.11 on its own
    contacts).

    Parameters
    ----------
    roi_inputs : core.roi.effect.RoiInputs
        The store's plays, customers, revenue and usage.
    churn_scores : pandas.DataFrame, optional
        ``customer_id, probability, tier``: :func:`core.churn.store.latest_scores`. Gives ``risk`` and
        ``risk_tier`` (missing for customers the saved model did not score).
    as_of : date-like, optional
        Default the end of the data.
    pre_days : int
        Days of revenue and usage before the next contact (as :func:`core.roi.effect.outcomes`'s ``pre_days``).
    exclude_contacted_days : int, optional
        Leave out customers with a contact made (any play; held-out rows were not made) in the last
        this many days up to ``as_of``: those a contact the day after ``as_of`` would find within its
        look-back (see :func:`contacts_before`).
    customer_ids : iterable of str, optional
        Only these customers (those the play would target now).

    Returns
    -------
    pandas.DataFrame
        One row per customer active at ``as_of`` (signed up on or before it, not churned by it):
        ``customer_id, segment, plan, region, risk, risk_tier, mrr_before`` (the latest revenue row),
        ``pre_revenue`` (revenue with a period in the last ``pre_days`` days) and ``pre_usage``
        (log of 1 + daily usage over the last ``pre_days`` days).

    Raises
    ------
    DataValidationError
        ``churn_scores`` lacks ``customer_id`` or ``probability``, or ``pre_days`` is below 1.
    InsufficientDataError
        No customer is active at ``as_of``.
    """
    if pre_days < 1:
        raise DataValidationError("The pre-period must be at least one day.")
    as_of = roi_inputs.end if as_of is None else pd.Timestamp(as_of).normalize()
    cust = roi_inputs.customers
    active = (cust["signup_date"] <= as_of) & (cust["churn_date"].isna() | (cust["churn_date"] > as_of))
    if customer_ids is not None:
        active &= cust["customer_id"].isin(pd.Index(list(customer_ids)).astype(str))
    cust = cust[active.to_numpy()].reset_index(drop=True)
    if exclude_contacted_days is not None:
        iv = roi_inputs.interventions
        iv = iv[iv["arm"].astype(str) != roi.CONTROL] if "arm" in iv else iv  # held-out rows were not contacts
        # the next contact goes out the day after as_of: a contact counts when it is within the days before that
        recent = iv[(iv["date"] <= as_of) & (iv["date"] > as_of - pd.Timedelta(days=exclude_contacted_days))]
        cust = cust[~cust["customer_id"].isin(recent["customer_id"].astype(str))].reset_index(drop=True)
    if cust.empty:
        raise InsufficientDataError(f"No customer is active on {as_of:%Y-%m-%d} (and not contacted lately).")
    ids = pd.Index(cust["customer_id"].astype(str))
    day = np.full(len(ids), ((np.datetime64(as_of.date(), "D") - _EPOCH).astype(np.int64) + 1))
    q = np.arange(len(ids))
    rev = roi_inputs.revenue
    r_codes = ids.get_indexer(rev["customer_id"].astype(str))
    r_days = (rev["period"].to_numpy("datetime64[D]") - _EPOCH).astype(np.int64)
    r_vals = rev["value"].to_numpy(float)
    # the same sorted-cumsum window sums as roi.outcomes, so the features mean the same for both
    pre_rev = roi.window_sums(r_codes, r_days, r_vals, q, day - pre_days, day)
    mrr = roi.last_before(r_codes, r_days, r_vals, q, day)
    acts = roi_inputs.activity
    if len(acts) and acts.value is not None:
        use = roi.window_sums(ids.get_indexer(acts.ids)[acts.codes], acts.days, acts.value, q, day - pre_days, day)
    else:
        use = np.zeros(len(ids))
    out = pd.DataFrame({"customer_id": ids.to_numpy(), "segment": cust["segment"].to_numpy(),
                        "plan": cust["plan"].to_numpy(), "region": cust["region"].to_numpy(),
                        "risk": np.nan, "risk_tier": None, "mrr_before": mrr, "pre_revenue": pre_rev,
                        roi.PRE_USAGE: np.log1p(np.maximum(use, 0) / pre_days)})
    if churn_scores is not None:
        missing = [c for c in ("customer_id", "probability") if c not in churn_scores]
        if missing:
            raise DataValidationError(f"The churn scores lack {', '.join(missing)}: pass churn_store.latest_scores().")
        sc = churn_scores.drop_duplicates("customer_id", keep="last").set_index(
            churn_scores["customer_id"].drop_duplicates(keep="last").astype(str))
        pos = sc.index.get_indexer(out["customer_id"])
        out["risk"] = np.where(pos >= 0, sc["probability"].to_numpy(float)[np.maximum(pos, 0)], np.nan)
        if "tier" in sc:
            out["risk_tier"] = np.where(pos >= 0, sc["tier"].to_numpy(object)[np.maximum(pos, 0)], None)
    return out


def target_list(candidates: pd.DataFrame, model, budget: float, cost_per_contact,
                value_per_save: float) -> pd.DataFrame:
    """Whom to contact in the next wave: highest expected net value first, until the budget is spent.

    ``expected_value = predicted_uplift * value_per_save - cost``: the uplift model's extra chance of
    keeping the customer (or extra outcome units) priced, net of the contact's cost. Only customers
    with a positive expected value are listed; going down that ranking, the list stops at the first
    customer whose cost no longer fits in what is left of the budget (it does not skip ahead to cheaper
    ones), so a bigger budget always gives a longer prefix of the same ranking.

    Parameters
    ----------
    candidates : pandas.DataFrame
        ``customer_id`` and the model's features (:func:`candidates_now`); ``segment`` and ``plan`` are
        copied when present.
    model : TwoModelUplift or UpliftResult
        A fitted uplift model (anything with ``predict_uplift(X)``).
    budget : float
        Money available for the wave (at least 0).
    cost_per_contact : float or array-like
        One contact's cost, or one cost per candidate row (at least 0).
    value_per_save : float or array-like
        What one extra retained customer is worth (for an amount outcome: what one unit is worth), or one
        value per candidate row (for example each customer's MRR x months x margin).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, segment, plan, predicted_uplift, expected_value, cost, cumulative_cost``,
        highest expected value first (ties by customer id); ``cumulative_cost`` never exceeds ``budget``.

    Raises
    ------
    DataValidationError
        Negative budget or cost, a cost or value array of the wrong length, a single value per save not
        above 0 (or a negative or missing one in an array), or ``customer_id`` missing.

    Examples
    --------
    >>> import pandas as pd
    >>> class Flat:
    ...     def predict_uplift(self, X):
    ...         return X["u"].to_numpy()
    >>> c = pd.DataFrame({"customer_id": ["a", "b", "c"], "u": [0.3, 0.1, 0.2]})
    >>> target_list(c, Flat(), budget=200, cost_per_contact=100, value_per_save=1000)["customer_id"].tolist()
    ['a', 'c']
    """
    model = getattr(model, "model", model)
    if "customer_id" not in candidates:
        raise DataValidationError("The candidates need a customer_id column: build them with candidates_now().")
    if not budget >= 0:
        raise DataValidationError(f"The budget must be zero or more (got {budget}).")
    value = np.asarray(value_per_save, float)
    if value.ndim == 0:
        if not value > 0:
            raise DataValidationError(f"The value of a save must be above 0 (got {value_per_save}).")
        value = np.full(len(candidates), float(value))
    if len(value) != len(candidates):
        raise DataValidationError(f"{len(value)} values for {len(candidates)} candidates: give one, or one per row.")
    if np.isnan(value).any() or (value < 0).any():
        raise DataValidationError("Every value of a save must be a number, zero or more.")
    cost = np.asarray(cost_per_contact, float)
    cost = np.full(len(candidates), float(cost)) if cost.ndim == 0 else cost
    if len(cost) != len(candidates):
        raise DataValidationError(f"{len(cost)} costs for {len(candidates)} candidates: give one cost, or one per row.")
    if np.isnan(cost).any() or (cost < 0).any():
        raise DataValidationError("Every contact cost must be a number, zero or more.")
    uplift = np.asarray(model.predict_uplift(candidates), float)
    out = pd.DataFrame({"customer_id": candidates["customer_id"].astype(str).to_numpy(),
                        "segment": candidates["segment"].to_numpy() if "segment" in candidates else None,
                        "plan": candidates["plan"].to_numpy() if "plan" in candidates else None,
                        "predicted_uplift": uplift, "expected_value": uplift * value - cost, "cost": cost})
    out = out[out["expected_value"] > 0]
    out = out.sort_values(["expected_value", "customer_id"], ascending=[False, True], kind="stable")
    cum = out["cost"].cumsum().to_numpy()
    fits = cum <= budget  # strict, so the list never costs more than the budget, not even by rounding
    stop = int(np.argmin(fits)) if not fits.all() else len(out)  # first that no longer fits ends the list
    out = out.iloc[:stop].reset_index(drop=True)
    out["cumulative_cost"] = cum[:stop]
    return out[TARGET_COLUMNS]


# --------------------------------------------------------------------------- fatigue
def contacts_before(interventions: pd.DataFrame, frame: pd.DataFrame, days: int = FATIGUE_DAYS) -> np.ndarray:
    """For each contact of ``frame``, how many OTHER contacts (any play) its customer received from ``days``
    days before its date up to and including its date.

    Only contacts made count: a row in the ``holdout`` arm (:data:`core.roi.effect.CONTROL`) is a contact that
    was not made, so it is not counted (when ``interventions`` has an ``arm`` column). A contact on the
    same day counts (their order within a day is unknown); one exactly ``days`` days earlier counts; the
    contact itself (same ``id``) does not, nor any later contact.

    Parameters
    ----------
    interventions : pandas.DataFrame
        Every contact of every play: ``id, customer_id, date`` (:attr:`core.roi.effect.RoiInputs.interventions`).
    frame : pandas.DataFrame
        The contacts to count for: ``id, customer_id, date`` (:func:`core.roi.effect.outcomes`).
    days : int
        The look-back (at least 0).

    Returns
    -------
    numpy.ndarray
        One integer per row of ``frame``.

    Raises
    ------
    DataValidationError
        A frame lacks ``id``, ``customer_id`` or ``date``, or ``days`` is negative.
    """
    for name, df in (("interventions", interventions), ("contacts", frame)):
        missing = [c for c in ("id", "customer_id", "date") if c not in df]
        if missing:
            raise DataValidationError(f"The {name} lack {', '.join(missing)}: pass RoiInputs.interventions and "
                                      "roi.outcomes(...), whose ids match.")
    if days < 0:
        raise DataValidationError(f"The look-back must be zero days or more (got {days}).")
    if not pd.Index(interventions["id"]).is_unique:
        raise DataValidationError("The interventions' ids repeat: pass RoiInputs.interventions (one id a contact).")
    if "arm" in interventions:
        interventions = interventions[interventions["arm"].astype(str) != roi.CONTROL]
    ids = pd.Index(pd.unique(interventions["customer_id"].astype(str)))
    codes = ids.get_indexer(interventions["customer_id"].astype(str)).astype(np.int64)
    iv_day = (pd.to_datetime(interventions["date"]).to_numpy("datetime64[D]") - _EPOCH).astype(np.int64)
    span, shift = np.int64(1 << 32), np.int64(1 << 31)
    key = np.sort(codes * span + iv_day + shift)
    q_code = ids.get_indexer(frame["customer_id"].astype(str)).astype(np.int64)
    q_day = (pd.to_datetime(frame["date"]).to_numpy("datetime64[D]") - _EPOCH).astype(np.int64)
    base = q_code * span + shift
    n = (np.searchsorted(key, base + q_day, "right") - np.searchsorted(key, base + q_day - days, "left"))
    n = np.where(q_code >= 0, n, 0)
    # the contact itself is in the window when it is among the interventions (matched by id)
    iv_ids = pd.Index(interventions["id"])
    at = iv_ids.get_indexer(frame["id"])
    a = np.maximum(at, 0)
    own = (at >= 0) & (codes[a] == q_code) & (iv_day[a] <= q_day) & (iv_day[a] >= q_day - days)
    return (n - own).astype(int)


def fatigue(interventions: pd.DataFrame, frame: pd.DataFrame, outcome: str = roi.RETAINED,
            control: str = roi.CONTROL, *, days: int = FATIGUE_DAYS, arm: str | None = None) -> pd.DataFrame:
    """The play's outcome and uplift by how many other contacts the customer got in the last ``days`` days.

    Parameters
    ----------
    interventions : pandas.DataFrame
        Every play's contacts (:attr:`core.roi.effect.RoiInputs.interventions`), see :func:`contacts_before`.
    frame : pandas.DataFrame
        :func:`core.roi.effect.outcomes` of one play.
    outcome, control, arm
        As :func:`uplift_by`; an imported ``converted`` or ``responded`` column gives the response.
    days : int
        The look-back window.

    Returns
    -------
    pandas.DataFrame
        One row per bucket ``0, 1, 2, 3+`` (always all four; an empty bucket has n = 0) then ``All``:
        ``contacts_30d, n, n_control, treatment, control, difference, low, high, note`` (as
        :func:`uplift_by`).
    """
    f = frame.copy()
    k = contacts_before(interventions, f, days)
    f["contacts_30d"] = np.where(k >= 3, "3+", k.astype(str)).astype(object)
    t = uplift_by(f, "contacts_30d", outcome, control, arm=arm).set_index("group")
    empty = {"n": 0, "n_control": 0, "treatment": np.nan, "control": np.nan, "difference": np.nan,
             "low": np.nan, "high": np.nan, "note": "no contacts"}
    rows = [t.loc[b].to_dict() if b in t.index else empty for b in (*FATIGUE_BUCKETS, ALL)]
    out = pd.DataFrame(rows, columns=UPLIFT_COLUMNS[1:])
    out.insert(0, "contacts_30d", [*FATIGUE_BUCKETS, ALL])
    return out.astype({"n": int, "n_control": int})
