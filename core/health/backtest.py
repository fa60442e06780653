"""Back-test of a health score: how well it ranked the customers who churned next, and better weights.

For each of the last ``months`` month ends whose horizon (default 90 days) has passed, every
customer active that day is scored as it looked then (:func:`core.health.score.measure_frame` uses
nothing later) and labelled churned when its churn date falls in the horizon. Pooled over months:

* ROC-AUC of the score (a low score should mean churn), the same figure as
  ``sklearn.metrics.roc_auc_score(churned, -score)``;
* churn rate per band, and calibration per band: the churn probability a one-variable logistic fit
  of churn on the score gives the band's customers on average, beside the rate observed;
* suggested weights: per lifecycle profile, a logistic fit of churn on the measures' lost points
  ``(100 - points) / 100`` with non-negative coefficients (a measure can only lower the risk when
  its points rise, as the score assumes), normalised to add up to 100. They are fitted on the
  earlier months and both configurations are compared on the later ones, so the suggestion is
  judged on months it has not seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from core.errors import DataValidationError, InsufficientDataError
from core.export import units
from core.health.score import BANDS, MEASURES, STAGES, HealthConfig, measure_frame, score, store_measures
from core.history.features import asked_ahead
from core.history.inputs import ChurnInputs

Progress = Callable[[float, str], None]


@dataclass
class BacktestData:
    """Measures as they looked at past month ends, with what happened next.

    Attributes
    ----------
    frames : list of (Timestamp, DataFrame)
        Per cutoff, :func:`core.health.score.measure_frame` plus ``churned`` (1 when the customer churned
        within the horizon).
    horizon_days : int
    missing : list of str
        Measures the store has no data for.
    """

    frames: list
    horizon_days: int
    missing: list

    @property
    def cutoffs(self) -> list[pd.Timestamp]:
        return [c for c, _ in self.frames]


#: the back-test's horizon on a store with churn dates of its own (core/cli/defaults.py holds a copy for --help)
DEFAULT_HORIZON_DAYS = 90


def backtest_cutoffs(end: pd.Timestamp, start: pd.Timestamp, months: int, horizon_days: int) -> list[pd.Timestamp]:
    """The last ``months`` month ends after ``start`` whose horizon ends by ``end``."""
    last = pd.Timestamp(end) - pd.Timedelta(days=horizon_days)
    ends = pd.date_range(pd.Timestamp(start) + pd.offsets.MonthEnd(0), last, freq="ME")
    return list(ends[-int(months):]) if months > 0 else []


def default_horizon(inputs: ChurnInputs) -> int:
    """The back-test's horizon: :data:`DEFAULT_HORIZON_DAYS`, or N on a store where the lapse rule applies (a buyer
    lapses N days after the last purchase at the earliest, so with a shorter horizon every recent buyer is a stayer
    by definition and the AUC mostly restates recency; as core.churn.horizon does for the churn model)."""
    return DEFAULT_HORIZON_DAYS if inputs.lapse is None else int(inputs.lapse.days)


def backtest_data(inputs: ChurnInputs, months: int = 12, horizon_days: int | None = None,
                  progress: Progress | None = None, end=None) -> BacktestData:
    """Build the measures and churn labels of the last ``months`` month ends whose horizon has passed
    (by the data's last day, or by ``end`` when given and earlier: the back-test as it stood that day);
    ``horizon_days`` defaults to :func:`default_horizon`.

    Raises
    ------
    InsufficientDataError
        The data is too short for one cutoff, or no customer churned in any horizon.
    """
    cust = inputs.customers
    horizon_days = default_horizon(inputs) if horizon_days is None else horizon_days
    if cust["signup_date"].notna().sum() == 0:
        raise InsufficientDataError("The back-test needs signup dates: import customers with their signup dates.")
    if cust["churn_date"].notna().sum() == 0:
        raise InsufficientDataError("The back-test needs churn dates to check the score against: import customers "
                                    "with churn dates (or load the demo on the Data page).")
    end = inputs.end() if end is None else min(inputs.end(), pd.Timestamp(end).normalize())
    start = cust["signup_date"].min() + pd.Timedelta(days=120)
    cutoffs = backtest_cutoffs(end, start, months, horizon_days)
    if not cutoffs:
        raise InsufficientDataError(f"The data ({cust['signup_date'].min():%Y-%m-%d} to {end:%Y-%m-%d}) is too "
                                    f"short to see {horizon_days} days after a past month end; the back-test "
                                    "needs at least seven months of history.")
    churn = cust.set_index(cust["customer_id"].astype(str))["churn_date"]
    frames, missing = [], []
    with asked_ahead(inputs, cutoffs):
        for i, c in enumerate(cutoffs):
            if progress:
                progress(i / len(cutoffs), f"Scoring {c:%b %Y} as it looked then ...")
            f, missing = measure_frame(inputs, c)
            d = churn.loc[f["customer_id"]].to_numpy()
            f["churned"] = (pd.notna(d) & (d <= np.datetime64(c + pd.Timedelta(days=horizon_days)))).astype(int)
            frames.append((c, f))
    if sum(int(f["churned"].sum()) for _, f in frames) == 0:
        raise InsufficientDataError("No customer churned within the horizon after any back-test month; the score "
                                    "cannot be checked against churn yet.")
    return BacktestData(frames, int(horizon_days), missing)


@dataclass
class BacktestResult:
    """How one configuration did in the back-test.

    Attributes
    ----------
    rows : pandas.DataFrame
        ``cutoff, customer_id, segment, stage, score, band, churned`` for every scored row.
    auc : float
        Pooled ROC-AUC of the score for churn within the horizon (low score = risk).
    by_month : pandas.DataFrame
        ``cutoff, customers, churners, churn_rate, auc``.
    bands : pandas.DataFrame
        ``band, customers, share, churners, churn_rate, predicted`` (mean probability from a logistic
        fit of churn on the score), ``lift`` (band churn rate / overall).
    band_months : pandas.DataFrame
        ``cutoff, band, customers, churn_rate``: the bands' churn rates month by month.
    red_green_ratio : float
        Red's churn rate divided by green's (NaN when green has no churner or no customer).
    """

    rows: pd.DataFrame
    auc: float
    by_month: pd.DataFrame
    bands: pd.DataFrame
    band_months: pd.DataFrame
    red_green_ratio: float

    @property
    def red_green_text(self) -> str:
        """How many times as often red churned as green, in words where there is no ratio (green without a
        churner or without a customer)."""
        b = self.bands.set_index("band")
        if np.isfinite(self.red_green_ratio):
            return units.multiple(self.red_green_ratio)
        if not b.at["green", "customers"]:
            return "no customer in green"
        if not b.at["red", "customers"]:
            return "no customer in red"
        return "no customer churned" if not b.at["red", "churners"] else "no green customer churned"


def _auc(y, s) -> float:
    y, s = np.asarray(y), np.asarray(s, float)
    ok = ~np.isnan(s)
    y, s = y[ok], s[ok]
    return float(roc_auc_score(y, -s)) if 0 < y.sum() < len(y) else float("nan")


def evaluate(config: HealthConfig, data: BacktestData, cutoffs=None) -> BacktestResult:
    """Score every back-test month with ``config`` and measure how it ranked churn (``cutoffs``: a subset)."""
    keep = None if cutoffs is None else {pd.Timestamp(c) for c in cutoffs}
    parts = []
    for c, f in data.frames:
        if keep is not None and c not in keep:
            continue
        s = score(config, f)
        parts.append(pd.DataFrame({"cutoff": c, "customer_id": s["customer_id"], "segment": s["segment"],
                                   "stage": s["stage"], "score": s["score"], "band": s["band"],
                                   "churned": f["churned"].to_numpy()}))
    if not parts:
        raise DataValidationError("No back-test month was chosen; pick at least one.")
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["score"].notna()].reset_index(drop=True)
    by_month = rows.groupby("cutoff").agg(customers=("churned", "size"), churners=("churned", "sum")).reset_index()
    by_month["churn_rate"] = by_month["churners"] / by_month["customers"]
    by_month["auc"] = [_auc(g["churned"], g["score"]) for _, g in rows.groupby("cutoff")]
    overall = rows["churned"].mean()
    pred = np.full(len(rows), overall)
    if 0 < rows["churned"].sum() < len(rows):
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(rows[["score"]].to_numpy(), rows["churned"].to_numpy())
        pred = lr.predict_proba(rows[["score"]].to_numpy())[:, 1]
    rows_p = rows.assign(predicted=pred)
    bands = (rows_p.groupby("band").agg(customers=("churned", "size"), churners=("churned", "sum"),
                                        predicted=("predicted", "mean"))
             .reindex(list(BANDS)).fillna({"customers": 0, "churners": 0}).reset_index())
    bands["share"] = bands["customers"] / max(len(rows), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        bands["churn_rate"] = bands["churners"] / bands["customers"]
        bands["lift"] = bands["churn_rate"] / overall
    bands = bands[["band", "customers", "share", "churners", "churn_rate", "predicted", "lift"]]
    bm = rows.groupby(["cutoff", "band"]).agg(customers=("churned", "size"), churn_rate=("churned", "mean"))
    rate = bands.set_index("band")["churn_rate"]
    ratio = float(rate["red"] / rate["green"]) if rate.get("green", 0) > 0 else float("nan")
    return BacktestResult(rows, _auc(rows["churned"], rows["score"]), by_month, bands, bm.reset_index(), ratio)


@dataclass
class Suggestion:
    """Weights fitted from the back-test, beside the current ones.

    Attributes
    ----------
    config : HealthConfig
        The current configuration with the suggested weights.
    train_cutoffs, eval_cutoffs : list of Timestamp
        Months the weights were fitted on, and the later months both are compared on.
    auc_current, auc_suggested : float
        ROC-AUC on the evaluation months, over the rows both configurations score.
    weights : pandas.DataFrame
        ``stage, measure, current, suggested``.
    """

    config: HealthConfig
    train_cutoffs: list
    eval_cutoffs: list
    auc_current: float
    auc_suggested: float
    weights: pd.DataFrame


def _lost_points(config: HealthConfig, f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lost points matrix in 0..1 with missing measures filled by the row's score, stages, churned) of the rows
    with a score: a customer below the minimum of measures has no score to fill with and is not back-tested
    (:func:`evaluate` leaves it out too)."""
    s = score(config, f)
    ok = s["score"].notna().to_numpy()
    P = s[[f"points:{k}" for k in MEASURES]].to_numpy(float)[ok]
    fill = np.repeat(s["score"].to_numpy(float)[ok, None], P.shape[1], axis=1)
    P = np.where(np.isnan(P), fill, P)
    return (100.0 - P) / 100.0, s["stage"].to_numpy()[ok], f["churned"].to_numpy()[ok]


def _fit_nonneg(X: np.ndarray, y: np.ndarray, usable: np.ndarray, l2: float) -> np.ndarray:
    """Logistic regression with an intercept and coefficients >= 0 (0 where not ``usable``)."""
    n, k = X.shape

    def loss(theta):
        z = theta[0] + X @ theta[1:]
        p = expit(z)  # 1 / (1 + exp(-z)) without overflowing for a large negative z
        ll = np.mean(np.logaddexp(0, z) - y * z) + l2 * np.sum(theta[1:] ** 2)
        g = np.r_[np.mean(p - y), X.T @ (p - y) / n + 2 * l2 * theta[1:]]
        return ll, g

    base = np.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6))
    bounds = [(None, None)] + [(0.0, None) if u else (0.0, 0.0) for u in usable]
    res = minimize(loss, np.r_[base, np.zeros(k)], jac=True, method="L-BFGS-B", bounds=bounds)
    return np.maximum(res.x[1:], 0.0)


def _to_100(coef: np.ndarray) -> list[int]:
    """Shares of 100 in whole numbers (largest remainder), adding up to exactly 100."""
    raw = coef / coef.sum() * 100
    out = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - out))[: 100 - out.sum()]:
        out[i] += 1
    return out.tolist()


def _keep_measures(weights: list[int], usable: np.ndarray, current: np.ndarray) -> list[int]:
    """Whole weights adding up to 100 in which every usable measure the current profile weighs keeps a point at
    least (taken from the largest weight). The fit may drop a measure to 0; a customer would then count one measure
    fewer, fall below the minimum and lose its score (on a purchase log, every idle buyer), and the suggestion
    would be judged on other customers than the configuration it replaces."""
    out = list(weights)
    for i in np.flatnonzero(usable & (current > 0)):
        if out[i] == 0:
            out[int(np.argmax(out))] -= 1
            out[i] = 1
    return out


def paired_auc(a: BacktestResult, b: BacktestResult) -> tuple[float, float]:
    """ROC-AUC of two back-test results on the rows (cutoff and customer) both scored: like with like."""
    m = a.rows.merge(b.rows, on=["cutoff", "customer_id"], suffixes=("_a", "_b"))
    return _auc(m["churned_a"], m["score_a"]), _auc(m["churned_b"], m["score_b"])


def suggest_weights(config: HealthConfig, data: BacktestData, eval_months: int = 3, min_churners: int = 30,
                    l2: float = 1e-3) -> Suggestion:
    """Fit weights per lifecycle profile on the earlier back-test months; compare on the last ``eval_months``.

    A profile with fewer than ``min_churners`` churners in the training months gets the weights
    fitted on all profiles together. Measures with no data keep weight 0; a measure with data that the
    current profile weighs keeps a point at least, so the suggestion scores every customer the current
    configuration scores. Customers without a score are not fitted on, and both AUCs are measured on the rows
    both configurations score (:func:`paired_auc`).

    Raises
    ------
    InsufficientDataError
        Fewer than ``eval_months + 1`` back-test months, or no churner to fit on.
    """
    cutoffs = data.cutoffs
    if len(cutoffs) <= eval_months:
        raise InsufficientDataError(f"Suggesting weights needs more than {eval_months} back-test months (got "
                                    f"{len(cutoffs)}); lengthen the back-test.")
    train, test = cutoffs[:-eval_months], cutoffs[-eval_months:]
    Xs, ys, stages = [], [], []
    for c, f in data.frames:
        if c in train:
            X, st, churned = _lost_points(config, f)
            Xs.append(X), ys.append(churned), stages.append(st)
    X, y, st = np.vstack(Xs), np.concatenate(ys), np.concatenate(stages)
    if y.sum() == 0:
        raise InsufficientDataError("No customer churned in the training months; there is nothing to fit.")
    keys = store_measures(data.frames[-1][1])[0]  # no purchase recency without the lapse rule
    usable = np.array([k in keys and k not in data.missing for k in MEASURES])
    pooled = _fit_nonneg(X, y, usable, l2)
    weights = {}
    for s in STAGES:
        m = st == s
        coef = _fit_nonneg(X[m], y[m], usable, l2) if y[m].sum() >= min_churners and (~y[m].astype(bool)).any() \
            else pooled
        if coef.sum() <= 0:
            coef = pooled if pooled.sum() > 0 else np.array([float(config.weights[s].get(k, 0)) for k in MEASURES])
        current = np.array([float(config.weights[s].get(k, 0)) for k in MEASURES])
        weights[s] = dict(zip(MEASURES, _keep_measures(_to_100(coef), usable, current)))
    suggested = config.with_weights(weights)
    table = pd.DataFrame([{"stage": s, "measure": MEASURES[k].label, "key": k,
                           "current": float(config.weights[s].get(k, 0)), "suggested": float(weights[s][k])}
                          for s in STAGES for k in keys])
    auc_current, auc_suggested = paired_auc(evaluate(config, data, test), evaluate(suggested, data, test))
    return Suggestion(suggested, train, test, auc_current, auc_suggested, table)
