"""From a store to a validated, explained, priced churn model: what the Churn drivers page shows.

:func:`fit_churn` builds the features, leaves out identifiers, personal data and free text
(:mod:`core.churn.feature_screen`), fits the logistic baseline and the boosted model, validates
both on data they never saw (out of time where the store has dated behaviour: train on earlier
cutoffs, test on the latest cutoff whose horizon has passed; a seeded stratified random split for a
snapshot), keeps the better one by held-out ROC-AUC, calibrates it, explains it with SHAP and scores
today's customers. The other functions are the report's tables: calibration, gains by decile,
expected net value across thresholds, confusion at a threshold, risk tiers, per-segment performance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from core.churn.economics import Economics, default_economics  # noqa: F401 (re-exported: cr.Economics)
from core.churn.feature_screen import FeatureScreen, not_applicable, screen_churn_data
from core.churn.horizon import HISTORY_DAYS, could_lapse_metrics, recency_days
from core.churn.model import ChurnModel, Explanation, evaluate, explain_reusing
from core.errors import DataValidationError, InsufficientDataError
from core.history.features import (
    FEATURE_TEXT,
    ChurnData,
    asked_ahead,
    concat,
    engine_recency,
    snapshot_features,
    temporal_features,
)
from core.history.inputs import ChurnInputs

TIERS = ("high risk", "medium risk", "low risk")  # riskiest first; never the health bands' red, amber, green
OLD_TIER_NAMES = dict(zip(("red", "amber", "green"), TIERS))  # the names of scores saved before issue 20


def _noop(_fraction: float, _text: str) -> None:
    return None


# --- report tables --------------------------------------------------------------------------------

def calibration_table(y, p, bins: int = 10) -> pd.DataFrame:
    """Observed churn rate against mean predicted probability in ``bins`` equal-count bins.

    The same bins as ``sklearn.calibration.calibration_curve(strategy="quantile")``.
    """
    y, p = np.asarray(y), np.asarray(p, float)
    edges = np.unique(np.percentile(p, np.linspace(0, 100, bins + 1)))
    which = np.searchsorted(edges[1:-1], p, side="left")  # as sklearn: a score on an edge goes below it
    df = pd.DataFrame({"bin": which, "y": y, "p": p}).groupby("bin").agg(
        customers=("y", "size"), mean_predicted=("p", "mean"), observed=("y", "mean")).reset_index()
    return df


def gains_table(y, p, groups: int = 10) -> pd.DataFrame:
    """Customers ranked by risk, cut into ``groups`` equal parts (decile 1 = riskiest).

    Columns: ``decile, customers, churners, churn_rate, lift`` (rate / overall rate),
    ``cum_customers_share``, ``cum_churners_share`` (the gains curve) and ``cum_lift``.
    """
    y, p = np.asarray(y), np.asarray(p, float)
    if len(y) < groups:
        raise InsufficientDataError(f"Gains need at least {groups} customers.")
    order = np.argsort(-p, kind="stable")
    decile = np.empty(len(y), int)
    decile[order] = np.arange(len(y)) * groups // len(y) + 1
    df = pd.DataFrame({"decile": decile, "y": y}).groupby("decile")["y"].agg(customers="size", churners="sum")
    df = df.reset_index()
    rate = y.mean()
    df["churn_rate"] = df["churners"] / df["customers"]
    df["lift"] = df["churn_rate"] / rate
    df["cum_customers_share"] = df["customers"].cumsum() / len(y)
    df["cum_churners_share"] = df["churners"].cumsum() / max(1, y.sum())
    df["cum_lift"] = df["cum_churners_share"] / df["cum_customers_share"]
    return df


def net_value_curve(p, economics: Economics, y=None, thresholds=None) -> pd.DataFrame:
    """Net value of reaching out to every customer whose churn probability is at least each threshold.

    ``expected_net`` = sum over reached customers of (p x success x value - cost), from calibrated
    probabilities; with outcomes ``y``, ``realised_net`` = churners reached x success x value -
    reached x cost (what the held-out period would have paid).
    """
    p = np.asarray(p, float)
    if thresholds is None:
        thresholds = np.round(np.arange(0.01, 1.0, 0.01), 2)
    e = economics
    order = np.argsort(-p, kind="stable")
    ps = p[order]
    gain = np.concatenate([[0.0], np.cumsum(ps * e.success_rate * e.value_saved - e.outreach_cost)])
    k = np.searchsorted(-ps, -np.asarray(thresholds), side="right")  # customers with p >= t
    out = pd.DataFrame({"threshold": thresholds, "reached": k, "expected_net": gain[k]})
    if y is not None:
        ys = np.concatenate([[0], np.cumsum(np.asarray(y)[order])])
        out["churners_reached"] = ys[k]
        out["realised_net"] = ys[k] * e.success_rate * e.value_saved - k * e.outreach_cost
    return out


def best_threshold(curve: pd.DataFrame) -> float:
    """The threshold with the highest expected net value (the lowest such threshold on ties)."""
    return float(curve.loc[curve["expected_net"].idxmax(), "threshold"])


def confusion_at(y, p, threshold: float) -> dict:
    """Counts and rates when everyone with ``p >= threshold`` is flagged."""
    y, flag = np.asarray(y).astype(bool), np.asarray(p) >= threshold
    tp, fp = int((flag & y).sum()), int((flag & ~y).sum())
    fn, tn = int((~flag & y).sum()), int((~flag & ~y).sum())
    return {"threshold": float(threshold), "true_positive": tp, "false_positive": fp, "false_negative": fn,
            "true_negative": tn, "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"), "flagged": tp + fp}


def risk_tiers(p, threshold: float) -> np.ndarray:
    """``high risk`` at or above the threshold, ``medium risk`` from half of it, ``low risk`` below (:data:`TIERS`)."""
    p = np.asarray(p, float)
    return np.where(p >= threshold, TIERS[0], np.where(p >= threshold / 2, TIERS[1], TIERS[2])).astype(object)


def segment_performance(y, p, groups, min_rows: int = 200, min_churners: int = 20,
                        auc_gap: float = 0.10) -> pd.DataFrame:
    """ROC-AUC and calibration per segment, with a warning where the figures cannot be trusted.

    Columns: ``segment, customers, churners, churn_rate, mean_predicted, roc_auc, calibration``
    (mean predicted / observed rate; 1 is perfect) and ``warning`` (empty when fine): too small
    (fewer than ``min_rows`` customers or ``min_churners`` churners) or much worse than overall
    (ROC-AUC more than ``auc_gap`` below the overall figure, or predicted and observed rates apart
    by more than half).
    """
    y, p = np.asarray(y), np.asarray(p, float)
    overall = roc_auc_score(y, p)
    rows = []
    for seg, idx in pd.Series(np.arange(len(y))).groupby(pd.Series(groups).fillna("(missing)").to_numpy()):
        ys, ps = y[idx.to_numpy()], p[idx.to_numpy()]
        auc = roc_auc_score(ys, ps) if 0 < ys.sum() < len(ys) else float("nan")
        cal = ps.mean() / ys.mean() if ys.mean() > 0 else float("nan")
        warn = []
        if len(ys) < min_rows or ys.sum() < min_churners:
            warn.append(f"too small to judge ({len(ys)} customers, {int(ys.sum())} churners)")
        else:
            if auc < overall - auc_gap:
                warn.append(f"ranks worse than overall (ROC-AUC {auc:.2f} vs {overall:.2f})")
            if not 2 / 3 <= cal <= 1.5:
                warn.append(f"predicted churn is off ({ps.mean():.1%} predicted vs {ys.mean():.1%} observed)")
        rows.append({"segment": seg, "customers": len(ys), "churners": int(ys.sum()), "churn_rate": ys.mean(),
                     "mean_predicted": ps.mean(), "roc_auc": auc, "calibration": cal, "warning": "; ".join(warn)})
    return pd.DataFrame(rows)


# --- fitting --------------------------------------------------------------------------------------

@dataclass
class ChurnResult:
    """A validated churn model and everything the page, the CLI and the model card report.

    Attributes
    ----------
    source : str
        ``"temporal"`` (out-of-time validation) or ``"snapshot"`` (random split).
    validation : str
        How the held-out rows were chosen, in words.
    horizon_days : int
    train_cutoffs, test_cutoff, scored_at
        Cutoff dates of the training rows, of the held-out rows, and the day today's scores describe.
    train, test, current : ChurnData
        Training rows, held-out rows, and today's active customers (no label).
    metrics : dict
        Model kind -> :func:`core.churn.model.evaluate` on the held-out rows (uncalibrated probabilities).
    best : str
        The kind kept (higher held-out ROC-AUC).
    models : dict
        Kind -> fitted :class:`core.churn.model.ChurnModel`; the kept one is calibrated.
    p_test_raw, p_test : numpy.ndarray
        Held-out probabilities before and after calibration.
    p_current : numpy.ndarray
        Calibrated probabilities of today's customers.
    explanation : Explanation
        SHAP of the held-out rows; ``current_explanation`` of today's customers.
    drivers : pandas.DataFrame
        ``feature, mean_abs_shap, controllable, direction, description``, largest first.
    screen : FeatureScreen
        The candidate columns kept as features and the ones left out, with why (for the model card).
    extra : dict
        ``lapse`` on a purchase log: ``days, proposed_days, reason, definition`` of the churn rule; ``could_lapse``
        when the horizon is shorter than N: the held-out ROC-AUC among the buyers who could lapse within it
        (:func:`core.churn.horizon.could_lapse_metrics`).
    """

    source: str
    validation: str
    horizon_days: int
    train_cutoffs: list
    test_cutoff: pd.Timestamp | None
    scored_at: pd.Timestamp
    train: ChurnData
    test: ChurnData
    current: ChurnData
    metrics: dict
    best: str
    models: dict
    p_test_raw: np.ndarray
    p_test: np.ndarray
    p_current: np.ndarray
    explanation: Explanation
    current_explanation: Explanation
    drivers: pd.DataFrame
    seed: int = 0
    brier_calibrated: float = float("nan")
    extra: dict = field(default_factory=dict)
    screen: FeatureScreen | None = None

    @property
    def model(self) -> ChurnModel:
        return self.models[self.best]

    def controllable_drivers(self) -> pd.DataFrame:
        """Only the drivers a play can move, ranked."""
        return self.drivers[self.drivers["controllable"]].reset_index(drop=True)


def plan_cutoffs(end: pd.Timestamp, first: pd.Timestamp, horizon_days: int, n_train: int = 6,
                 step_months: int = 1) -> tuple[list[pd.Timestamp], pd.Timestamp]:
    """Training cutoffs and the test cutoff for out-of-time validation.

    The test cutoff is ``end - horizon`` (the last cutoff whose horizon has passed). Training
    cutoffs step back monthly from ``test - horizon``, so every training label was known on the
    test cutoff; each needs 120 days of history after ``first`` (the usage-trend window).
    """
    h = pd.Timedelta(days=horizon_days)
    test = (end - h).normalize()
    newest = test - h
    train = [newest - pd.DateOffset(months=step_months * k) for k in range(n_train)]
    train = sorted(pd.Timestamp(t) for t in train if t >= first + pd.Timedelta(days=HISTORY_DAYS))
    return train, test


def _drivers(ex: Explanation, X: pd.DataFrame, controllable: dict) -> pd.DataFrame:
    imp = ex.importance()
    direction = []
    for f in imp.index:
        x = pd.to_numeric(X[f], errors="coerce") if X[f].dtype != object else None
        if x is None or x.notna().sum() < 3 or x.nunique() < 2:
            direction.append("depends on the category")
            continue
        ok = x.notna().to_numpy()
        if np.ptp(ex.values[f].to_numpy()[ok]) == 0:  # the model never uses it: no correlation to speak of
            direction.append("no effect")
            continue
        r = np.corrcoef(x.to_numpy()[ok], ex.values[f].to_numpy()[ok])[0, 1]
        direction.append("higher -> more churn" if r > 0.1 else "higher -> less churn" if r < -0.1 else "mixed")
    return pd.DataFrame({"feature": imp.index, "mean_abs_shap": imp.to_numpy(),
                         "controllable": [bool(controllable.get(f, False)) for f in imp.index],
                         "direction": direction,
                         "description": [FEATURE_TEXT.get(f, "uploaded or customer attribute") for f in imp.index]})


def _could_lapse(inputs: ChurnInputs, test: ChurnData, cutoff, horizon_days: int, raw: dict) -> dict | None:
    """On a purchase log with a horizon shorter than N, the held-out ROC-AUC among the rows that could lapse within
    it (:func:`core.churn.horizon.could_lapse_metrics`); None otherwise."""
    rule = getattr(inputs, "lapse", None)
    source = getattr(inputs, "source", None)
    if rule is None or (rule.purchases is None and source is None) or horizon_days >= rule.days:
        return None
    recency = recency_days(rule.purchases, test.customer_id, cutoff) if rule.purchases is not None else \
        engine_recency(inputs, test.customer_id, cutoff)
    return could_lapse_metrics(test.y, raw, recency, rule.days, horizon_days)


def fit_churn(inputs: ChurnInputs, horizon_days: int = 90, n_cutoffs: int = 6, test_size: float = 0.25,
              seed: int = 0, n_boot: int = 200, progress=None, marks: dict | None = None) -> ChurnResult:
    """Fit, validate, calibrate and explain the churn model on the store's data.

    Parameters
    ----------
    inputs : ChurnInputs
        From :func:`core.history.inputs.load_inputs`.
    horizon_days : int
        Churn within this many days after a cutoff is the label (temporal data).
    n_cutoffs : int
        Monthly training cutoffs (temporal data).
    test_size : float
        Held-out share for snapshot data (seeded, stratified).
    seed : int
        Seeds the split, the models and the bootstrap.
    n_boot : int
        Bootstrap resamples for the metric intervals.
    progress : callable, optional
        ``progress(fraction, text)``, called as the steps complete.
    marks : dict, optional
        Column -> ``"controllable"`` or ``"fixed"``, set by the analyst; kept over the marks from column names.

    Returns
    -------
    ChurnResult
    """
    progress = progress or _noop
    if horizon_days < 7:
        raise DataValidationError(f"A horizon of {horizon_days} days is too short; use at least 7 (default 90).")
    progress(0.02, "Building features")
    end = inputs.end()
    first = inputs.customers["signup_date"].min()
    train_cutoffs, test_cutoff = plan_cutoffs(end, first, horizon_days, n_cutoffs)
    if inputs.has_behaviour() and train_cutoffs:
        with asked_ahead(inputs, [*train_cutoffs, test_cutoff, end]):
            train = concat([temporal_features(inputs, c, horizon_days) for c in train_cutoffs])
            test = temporal_features(inputs, test_cutoff, horizon_days)
            current = temporal_features(inputs, end, horizon_days, label=False)
        source = "temporal"
        trained = (f"1 cutoff, {train_cutoffs[0]:%Y-%m-%d}" if len(train_cutoffs) == 1 else
                   f"{len(train_cutoffs)} monthly cutoffs {train_cutoffs[0]:%Y-%m-%d} to {train_cutoffs[-1]:%Y-%m-%d}")
        validation = (f"out of time: trained on {trained}, tested on {test_cutoff:%Y-%m-%d} "
                      f"(churn within {horizon_days} days of each cutoff)")
    else:
        if inputs.has_behaviour():
            raise InsufficientDataError(
                f"Out-of-time validation needs at least {2 * horizon_days + 120} days of history "
                f"(the data spans {(end - first).days}); use a shorter horizon.")
        data = snapshot_features(inputs.customers)
        idx = np.arange(len(data.y))
        tr, te = train_test_split(idx, test_size=test_size, random_state=seed, stratify=data.y)
        train, test = data.rows(tr), data.rows(te)
        current = data.rows(np.nonzero(data.y == 0)[0])
        current.y = None
        source, test_cutoff, train_cutoffs = "snapshot", None, []
        end = data.cutoff.iloc[0]
        validation = (f"random split: {1 - test_size:.0%} to train, {test_size:.0%} held out "
                      f"(stratified, seed {seed}); a snapshot has no dates to split on")
    lapse = inputs.lapse.card() if getattr(inputs, "lapse", None) else None  # a purchase log's churn rule
    if lapse:
        validation += f"; {lapse['definition']}"
    if not inputs.customers["churn_date"].notna().any():
        raise InsufficientDataError("No customer in the store has a churn date, so there is nothing to learn from: "
                                    "import customers with a churn date (or a churn flag with --as-of).")
    # judged on every customer once, before any fit: an identifier or free text never reaches the model
    screen = screen_churn_data([train, test, current], marks=marks, left_out=not_applicable(inputs))
    train, test, current = (screen.apply(d) for d in (train, test, current))
    for part, name in ((train, "training"), (test, "held-out")):
        if part.y.sum() < 10 or (1 - part.y).sum() < 10:
            raise InsufficientDataError(f"The {name} rows have {int(part.y.sum())} churners and "
                                        f"{int((1 - part.y).sum())} stayers; a model needs at least 10 of each.")
    metrics, models, raw = {}, {}, {}
    for i, kind in enumerate(("logistic", "boosting")):
        progress(0.1 + 0.2 * i, f"Fitting the {'logistic baseline' if kind == 'logistic' else 'boosted model'}")
        m = ChurnModel(kind, random_state=seed).fit(train.X, train.y)
        raw[kind] = m.predict_proba(test.X)
        metrics[kind] = evaluate(test.y, raw[kind], n_boot=n_boot, seed=seed)
        models[kind] = m
    best = max(metrics, key=lambda k: metrics[k]["roc_auc"])
    model = models[best]
    could = _could_lapse(inputs, test, test_cutoff, horizon_days, raw) if source == "temporal" else None
    progress(0.5, "Calibrating probabilities (5-fold, grouped by customer)")
    model.calibrate(train.X, train.y, groups=train.customer_id.to_numpy())
    p_test = model.predict_proba(test.X, calibrated=True)
    progress(0.75, "Explaining with SHAP")
    background = train.X.sample(min(500, len(train.X)), random_state=seed)
    ex = model.explain(test.X, background=background)
    cur_ex = (explain_reusing(model, current.X, current.customer_id, ex, test.customer_id, background)
              if source == "snapshot" else model.explain(current.X, background=background))
    drivers = _drivers(ex, test.X, train.controllable)
    progress(0.95, "Scoring today's customers")
    p_current = model.predict_proba(current.X, calibrated=True)

    result = ChurnResult(
        source=source, validation=validation, horizon_days=horizon_days, train_cutoffs=train_cutoffs,
        test_cutoff=test_cutoff, scored_at=end, train=train, test=test, current=current, metrics=metrics,
        best=best, models=models, p_test_raw=raw[best], p_test=p_test, p_current=p_current, explanation=ex,
        current_explanation=cur_ex, drivers=drivers, seed=seed, screen=screen,
        brier_calibrated=float(brier_score_loss(test.y, p_test)),
        extra={**({"lapse": lapse} if lapse else {}), **({"could_lapse": could} if could else {})})
    progress(1.0, "Done")
    return result
