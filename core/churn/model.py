"""Churn models: a baseline and a boosted model, honest validation, calibration and SHAP.

Every model is a scikit-learn pipeline whose categorical columns are one-hot encoded before
fitting (SHAP's TreeExplainer gives wrong values for HistGradientBoosting's native categoricals), after
rare categories are pooled into "other" (:class:`core.churn.feature_screen.RareCategories`).
Probabilities are calibrated on out-of-fold predictions of the training rows (folds grouped by
customer), so the calibrator never sees the rows it is judged on. :mod:`core.churn.pipeline` turns a
fitted model into the page's report (validation, tiers, segments, model card).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from core.churn.feature_screen import RareCategories
from core.errors import DataValidationError
from core.history.features import ChurnData, is_controllable, snapshot_features

__all__ = ["ChurnData", "ChurnModel", "Explanation", "evaluate", "is_controllable", "snapshot_features"]


def threads() -> int:
    """Native threads (OpenMP, BLAS) a fit may use: ``RETENTION_THREADS``, default 1.

    On a small shared machine, OpenMP workers that spin while another process holds a core made the
    boosted fit 10-100x slower (benchmarks/churn.py: 1.5 s quiet, 164 s beside other work, 2.3 s capped
    at one thread), so the default trades a little speed on an idle machine for no cliff on a busy one.
    """
    try:
        return max(1, int(os.environ.get("RETENTION_THREADS", "1")))
    except ValueError:
        return 1


def _limited(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=threads()):
            return method(*args, **kwargs)
    return wrapper


def _pipeline(X: pd.DataFrame, kind: str, random_state: int) -> Pipeline:
    cats = [c for c in X.columns if X[c].dtype == object]
    nums = [c for c in X.columns if c not in cats]
    pre = ColumnTransformer([
        ("cat", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value="(missing)")),
                          ("pool", RareCategories()),  # rare and unseen categories -> "other"
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), cats),
        ("num", Pipeline([("fill", SimpleImputer(strategy="median", add_indicator=True)),
                          ("scale", StandardScaler())]), nums),
    ], verbose_feature_names_out=False)
    if kind == "logistic":
        model = LogisticRegression(C=1.0, max_iter=5000)
    elif kind == "boosting":
        # Early stopping on a stratified 10 % slice, always (scikit-learn turns it on only above 10,000 rows, so a
        # 7,500-row snapshot grew all 100 trees), and trees at most 5 deep: SHAP's cost grows with the square of
        # the depth. Held-out ROC-AUC against scikit-learn's defaults: bank-like snapshot (benchmarks/
        # churn_snapshot.py) 0.815 vs 0.799, telco 0.840 vs 0.830, demo 0.729 vs 0.720; fit and SHAP 2-4x faster.
        model = HistGradientBoostingClassifier(random_state=random_state, early_stopping=True, max_depth=5)
    else:
        raise DataValidationError(f"Unknown model '{kind}'. Choose logistic or boosting.")
    return Pipeline([("prep", pre), ("model", model)])


@dataclass
class Explanation:
    """SHAP values in log-odds, one column per original feature (one-hot columns summed back)."""

    values: pd.DataFrame
    base: float
    output: np.ndarray  # the model's log-odds for each row

    def importance(self) -> pd.Series:
        """Mean absolute SHAP value per feature, largest first."""
        return self.values.abs().mean().sort_values(ascending=False)


class ChurnModel:
    """A churn classifier (``kind`` = "logistic" baseline or "boosting"), scikit-learn style.

    Parameters
    ----------
    kind : {'logistic', 'boosting'}
    random_state : int
    """

    def __init__(self, kind: str = "boosting", random_state: int = 0):
        self.kind = kind
        self.random_state = random_state

    @_limited
    def fit(self, X: pd.DataFrame, y) -> ChurnModel:
        if len(X) != len(y):
            raise DataValidationError("Features and label have different lengths.")
        self.features_ = list(X.columns)
        self.pipeline_ = _pipeline(X, self.kind, self.random_state).fit(X, np.asarray(y))
        return self

    def _check(self):
        if not hasattr(self, "pipeline_"):
            raise DataValidationError("This churn model is not fitted yet: call fit(X, y) first.")

    @_limited
    def predict_proba(self, X: pd.DataFrame, calibrated: bool = False) -> np.ndarray:
        """Probability of churn for each row (``calibrated`` after :meth:`calibrate`)."""
        self._check()
        p = self.pipeline_.predict_proba(X[self.features_])[:, 1]
        if not calibrated:
            return p
        if not hasattr(self, "calibrator_"):
            raise DataValidationError("This churn model is not calibrated yet: call calibrate(X, y) first.")
        return self._apply_calibration(p)

    @_limited
    def calibrate(self, X: pd.DataFrame, y, groups=None, folds: int = 5) -> ChurnModel:
        """Fit a calibrator on out-of-fold predictions of the training rows.

        Isotonic regression when there are at least 1,000 rows and 100 churners, else Platt scaling
        (a logistic regression on the log-odds). Folds are grouped by ``groups`` (the customer), so
        rows of one customer at several cutoffs never sit on both sides of a fold.
        """
        self._check()
        y = np.asarray(y)
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        oof = np.empty(len(y))
        for train, test in GroupKFold(n_splits=folds).split(X, y, groups):
            pipe = clone(self.pipeline_).fit(X.iloc[train][self.features_], y[train])
            oof[test] = pipe.predict_proba(X.iloc[test][self.features_])[:, 1]
        if len(y) >= 1000 and y.sum() >= 100:
            self.calibration_method_ = "isotonic"
            self.calibrator_ = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(oof, y)
        else:
            self.calibration_method_ = "platt"
            self.calibrator_ = LogisticRegression().fit(_logit(oof)[:, None], y)
        self.oof_ = oof
        return self

    def _apply_calibration(self, p: np.ndarray) -> np.ndarray:
        if self.calibration_method_ == "isotonic":
            return self.calibrator_.predict(p)
        return self.calibrator_.predict_proba(_logit(p)[:, None])[:, 1]

    @_limited
    def log_odds(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        return self.pipeline_.decision_function(X[self.features_])

    @_limited
    def explain(self, X: pd.DataFrame, background: pd.DataFrame | None = None) -> Explanation:
        """SHAP values (log-odds) per original feature; values + base add up to :meth:`log_odds`."""
        import shap  # about 2 s to import: only when a model is explained, not on every page

        self._check()
        prep, model = self.pipeline_.named_steps["prep"], self.pipeline_.named_steps["model"]
        Z = prep.transform(X[self.features_])
        names = prep.get_feature_names_out()
        if self.kind == "logistic":
            bg = prep.transform((background if background is not None else X)[self.features_])
            explainer = shap.LinearExplainer(model, shap.maskers.Independent(bg, max_samples=len(bg)))
            sv = explainer.shap_values(Z)
            base = float(np.ravel(explainer.expected_value)[0])
        else:
            explainer = shap.TreeExplainer(model)
            sv = explainer.shap_values(Z)
            base = float(np.ravel(explainer.expected_value)[0])
        sv = np.asarray(sv)
        owner = _owners(names, self.features_, prep)
        grouped = pd.DataFrame({f: sv[:, [i for i, o in enumerate(owner) if o == f]].sum(axis=1)
                                for f in self.features_})
        return Explanation(values=grouped, base=base, output=self.log_odds(X))


def explain_reusing(model: ChurnModel, X: pd.DataFrame, ids, done: Explanation, done_ids,
                    background: pd.DataFrame | None = None) -> Explanation:
    """SHAP of ``X`` (customers ``ids``), copying the rows of customers already explained in ``done`` (customers
    ``done_ids``) instead of explaining them again.

    Only for rows that are the same in both (a snapshot's held-out stayers are also today's customers, with the
    same features); SHAP of a row does not depend on the other rows explained with it, so the values are equal.
    """
    pos = pd.Index(pd.Series(done_ids).astype(str)).get_indexer(pd.Series(ids).astype(str))
    new = pos < 0
    values, output = np.empty((len(X), done.values.shape[1])), np.empty(len(X))
    values[~new], output[~new] = done.values.to_numpy()[pos[~new]], done.output[pos[~new]]
    if new.any():
        rest = model.explain(X[new], background=background)
        values[new], output[new] = rest.values[list(done.values.columns)].to_numpy(), rest.output
    return Explanation(values=pd.DataFrame(values, columns=done.values.columns), base=done.base, output=output)


def _logit(p):
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _owners(names, features, prep) -> list[str]:
    """Which original feature each transformed column came from."""
    cats = list(prep.transformers_[0][2])
    out = []
    for n in names:
        n = n.removeprefix("missingindicator_")  # "was missing" columns belong to their feature
        if n in features:
            out.append(n)
            continue
        match = [c for c in cats if n.startswith(f"{c}_")]
        out.append(max(match, key=len) if match else n)
    return out


def _resampled_scores(metric: str, y: np.ndarray, p: np.ndarray, n: int, seed: int, block: int = 2_000_000):
    """``metric`` ("roc_auc" or "pr_auc") of ``n`` bootstrap resamples, resamples of a single class left out.

    Equal to calling :func:`sklearn.metrics.roc_auc_score` / :func:`~sklearn.metrics.average_precision_score` on
    ``y[idx], p[idx]`` for each ``idx = rng.integers(0, len(y), len(y))`` (the same draws; tested), computed at
    once: a resample is a count per row, and both metrics are sums over groups of tied scores ranked from the
    highest. 400 sklearn calls took 1.5-3 s of a 10,000-customer fit; this takes a few milliseconds.
    """
    rng = np.random.default_rng(seed)
    order = np.argsort(-p, kind="stable")
    ys, ps = y[order].astype(float), p[order]
    starts = np.r_[0, np.flatnonzero(np.diff(ps)) + 1]  # first row of each group of tied scores
    out = []
    per_block = max(1, block // max(1, len(y)))
    for first in range(0, n, per_block):
        w = np.stack([np.bincount(rng.integers(0, len(y), len(y)), minlength=len(y))
                      for _ in range(min(per_block, n - first))])[:, order].astype(float)
        pos, neg = np.add.reduceat(w * ys, starts, axis=1), np.add.reduceat(w * (1 - ys), starts, axis=1)
        P, N = pos.sum(axis=1), neg.sum(axis=1)
        ok = (P > 0) & (N > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if metric == "roc_auc":  # a churner outranks the stayers of lower groups and ties half of its own
                vals = (pos * (N[:, None] - np.cumsum(neg, axis=1) + 0.5 * neg)).sum(axis=1) / (P * N)
            else:  # average precision: each group's recall step times the precision down to it
                tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
                vals = (pos / P[:, None] * tp / np.maximum(tp + fp, 1e-300)).sum(axis=1)
        out.append(vals[ok])
    return np.concatenate(out)


def _bootstrap(metric: str, y, p, n: int, seed: int) -> tuple[float, float]:
    vals = _resampled_scores(metric, np.asarray(y), np.asarray(p, float), n, seed)
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def evaluate(y, p, n_boot: int = 200, seed: int = 0) -> dict:
    """ROC-AUC and PR-AUC with 95 % bootstrap intervals, and the Brier score."""
    y, p = np.asarray(y), np.asarray(p)
    return {"roc_auc": float(roc_auc_score(y, p)), "roc_auc_ci": _bootstrap("roc_auc", y, p, n_boot, seed),
            "pr_auc": float(average_precision_score(y, p)),
            "pr_auc_ci": _bootstrap("pr_auc", y, p, n_boot, seed + 1),
            "brier": float(brier_score_loss(y, p)), "n": int(len(y)), "churn_rate": float(y.mean())}


