"""Churn models: features from the store, a baseline and a boosted model, honest metrics, SHAP.

First slice: snapshot data (a churn flag at one date, like the telco export) with a seeded random
split. Every model is a scikit-learn pipeline whose categorical columns are one-hot encoded before
fitting (SHAP's TreeExplainer gives wrong values for HistGradientBoosting's native categoricals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from core.errors import DataValidationError, InsufficientDataError

#: features the business can move (plays can act on them); everything else is context
CONTROLLABLE_WORDS = ("usage", "ticket", "resolve", "support", "nps", "csat", "ces", "onboarding", "price",
                      "discount", "charge", "plan", "contract", "payment", "paperless", "security", "backup",
                      "protection", "techsupport", "streaming", "internet", "phone", "lines")
FIXED_WORDS = ("region", "tenure", "segment", "gender", "senior", "partner", "dependents", "channel", "age")
_ID_LIKE = ("customer_id", "customerid", "id", "column_1")


@dataclass
class ChurnData:
    """A feature table and its label.

    Attributes
    ----------
    X : pandas.DataFrame
        One row per customer; numeric and categorical (object) columns.
    y : numpy.ndarray
        1 where the customer churned (within the horizon, or ever for a snapshot).
    customer_id : pandas.Series
    controllable : dict
        feature -> True when the business can act on it.
    source : str
        ``"snapshot"`` or ``"temporal"``.
    """

    X: pd.DataFrame
    y: np.ndarray
    customer_id: pd.Series
    controllable: dict
    source: str


def is_controllable(feature: str) -> bool:
    """Whether a play can move this feature (support speed, usage, pricing ...) rather than context
    the business cannot change (region, tenure ...). Fixed words win over controllable ones."""
    f = feature.lower().replace(" ", "")
    if any(w in f for w in FIXED_WORDS):
        return False
    return any(w in f for w in CONTROLLABLE_WORDS)


def snapshot_features(customers: pd.DataFrame, as_of=None) -> ChurnData:
    """Features and label from a snapshot customer table (churn flag at one date).

    Parameters
    ----------
    customers : pandas.DataFrame
        The store's customer table (``attributes`` holds the upload's extra columns as dicts).
    as_of : date-like, optional
        The snapshot date; default the latest churn or signup date.

    Returns
    -------
    ChurnData
        Features: segment, plan, region, channel, tenure in months at the snapshot, and every
        uploaded attribute; label: churned (churn date set).
    """
    if customers.empty:
        raise InsufficientDataError("There are no customers to model: import a customer file or the demo.")
    signup = pd.to_datetime(customers["signup_date"])
    churn = pd.to_datetime(customers["churn_date"])
    if as_of is None:
        as_of = max(d for d in (churn.max(), signup.max()) if pd.notna(d))
    as_of = pd.Timestamp(as_of)
    X = pd.DataFrame(index=customers.index)
    for col in ("segment", "plan", "region", "channel"):
        if col in customers and customers[col].notna().any():
            X[col] = customers[col].astype(object)
    # completed calendar months at the snapshot (Dec 31 -> Jan 31 is one month, as billing counts)
    months = (as_of.year - signup.dt.year) * 12 + (as_of.month - signup.dt.month)
    months = months - ((signup.dt.day > as_of.day) & (signup.dt.day <= signup.dt.days_in_month)
                       & (as_of.day < as_of.days_in_month)).astype(int)
    X["tenure_months"] = months.astype(float)
    if "attributes" in customers:
        attrs = pd.DataFrame([a if isinstance(a, dict) else {} for a in customers["attributes"]],
                             index=customers.index)
        for col in attrs.columns:
            if col.lower().replace(" ", "") in _ID_LIKE or col in X:
                continue
            s = attrs[col]
            X[col] = pd.to_numeric(s, errors="coerce") if pd.api.types.is_numeric_dtype(s) else s.astype(object)
    y = churn.notna().to_numpy().astype(int)
    if y.sum() < 10 or (1 - y).sum() < 10:
        raise InsufficientDataError("A churn model needs at least 10 churned and 10 retained customers.")
    return ChurnData(X=X.reset_index(drop=True), y=y, customer_id=customers["customer_id"].reset_index(drop=True),
                     controllable={c: is_controllable(c) for c in X.columns}, source="snapshot")


def _pipeline(X: pd.DataFrame, kind: str, random_state: int) -> Pipeline:
    cats = [c for c in X.columns if X[c].dtype == object]
    nums = [c for c in X.columns if c not in cats]
    pre = ColumnTransformer([
        ("cat", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value="(missing)")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), cats),
        ("num", Pipeline([("fill", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), nums),
    ], verbose_feature_names_out=False)
    if kind == "logistic":
        model = LogisticRegression(C=1.0, max_iter=5000)
    elif kind == "boosting":
        model = HistGradientBoostingClassifier(random_state=random_state)
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

    def fit(self, X: pd.DataFrame, y) -> ChurnModel:
        if len(X) != len(y):
            raise DataValidationError("Features and label have different lengths.")
        self.features_ = list(X.columns)
        self.pipeline_ = _pipeline(X, self.kind, self.random_state).fit(X, np.asarray(y))
        return self

    def _check(self):
        if not hasattr(self, "pipeline_"):
            raise DataValidationError("This churn model is not fitted yet: call fit(X, y) first.")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of churn for each row."""
        self._check()
        return self.pipeline_.predict_proba(X[self.features_])[:, 1]

    def log_odds(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        return self.pipeline_.decision_function(X[self.features_])

    def explain(self, X: pd.DataFrame, background: pd.DataFrame | None = None) -> Explanation:
        """SHAP values (log-odds) per original feature; values + base add up to :meth:`log_odds`."""
        import shap

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


def _owners(names, features, prep) -> list[str]:
    """Which original feature each transformed column came from."""
    cats = list(prep.transformers_[0][2])
    out = []
    for n in names:
        if n in features:
            out.append(n)
            continue
        match = [c for c in cats if n.startswith(f"{c}_")]
        out.append(max(match, key=len) if match else n)
    return out


def _bootstrap(metric, y, p, n: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() == y[idx].max():
            continue
        vals.append(metric(y[idx], p[idx]))
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def evaluate(y, p, n_boot: int = 200, seed: int = 0) -> dict:
    """ROC-AUC and PR-AUC with 95 % bootstrap intervals, and the Brier score."""
    y, p = np.asarray(y), np.asarray(p)
    return {"roc_auc": float(roc_auc_score(y, p)), "roc_auc_ci": _bootstrap(roc_auc_score, y, p, n_boot, seed),
            "pr_auc": float(average_precision_score(y, p)),
            "pr_auc_ci": _bootstrap(average_precision_score, y, p, n_boot, seed + 1),
            "brier": float(brier_score_loss(y, p)), "n": int(len(y)), "churn_rate": float(y.mean())}


@dataclass
class ChurnReport:
    """Both models on the same held-out split, and the better one (by ROC-AUC)."""

    metrics: dict
    best: str
    model: ChurnModel
    test_index: np.ndarray
    drivers: pd.DataFrame = field(default_factory=pd.DataFrame)


def compare_models(data: ChurnData, test_size: float = 0.25, seed: int = 0, n_boot: int = 200) -> ChurnReport:
    """Fit the logistic baseline and the boosted model on one split; report both; keep the better.

    The split is a seeded, stratified random split (snapshot data has no time to split on).
    ``drivers`` ranks features by mean |SHAP| on the held-out rows, with ``controllable``.
    """
    idx = np.arange(len(data.y))
    train, test = train_test_split(idx, test_size=test_size, random_state=seed, stratify=data.y)
    metrics, models = {}, {}
    for kind in ("logistic", "boosting"):
        m = ChurnModel(kind, random_state=seed).fit(data.X.iloc[train], data.y[train])
        metrics[kind] = evaluate(data.y[test], m.predict_proba(data.X.iloc[test]), n_boot=n_boot, seed=seed)
        models[kind] = m
    best = max(metrics, key=lambda k: metrics[k]["roc_auc"])
    model = models[best]
    ex = model.explain(data.X.iloc[test], background=data.X.iloc[train].sample(min(500, len(train)),
                                                                               random_state=seed))
    imp = ex.importance()
    drivers = pd.DataFrame({"feature": imp.index, "mean_abs_shap": imp.to_numpy(),
                            "controllable": [data.controllable.get(f, False) for f in imp.index]})
    return ChurnReport(metrics=metrics, best=best, model=model, test_index=test, drivers=drivers)
