"""Health scores: hand-weighted measures, the way customer-success platforms build them.

A score from 0 to 100 is a weighted sum of **measures** (usage, tickets, NPS, MRR trend ...), each
turned into points from 0 to 100 by a **rule**: *linear* between two bounds (the worse bound gives
0 points, the better one 100, clipped outside), or *tiers* (the points of the step a value falls
in). Weights add to 100 in each lifecycle **profile** (onboarding, adoption, renewal window).
A measure a customer has no data for is dropped and the others are re-weighted, so

    score = sum over available measures of weight * points / (sum of available weights)

and each measure's **contribution** (``weight * points / available weight``) adds up to the score.
Bands: red up to ``red_max`` (default 50), amber up to ``amber_max`` (75), green above. A score built on one or
two measures looks as sure as one built on ten, so a customer with fewer measures than ``min_measures`` (default
3; a measure counts when the customer has data for it and it weighs in the customer's stage) gets no score and no
band; :mod:`core.health.coverage` says how many that leaves out and which data would add measures.

On a purchase log, buyers churn by the lapse rule and have no renewals: *Purchase recency* (days since the last
purchase, :mod:`core.health.recency`) stands in for *Renewal proximity*, which has no data for them. A measure marked
``only_with_data`` (purchase recency) is not listed on a store where it has no data (one without the lapse rule).

Measures are read as of a day with :func:`measure_frame`, from the same leak-free features as the
churn model (:func:`core.history.features.temporal_features`): nothing after that day is used, so the
back-test (:mod:`core.health.backtest`) scores past months exactly as they looked then.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.health.recency import FALLBACK_LAPSE_DAYS, lapse_days, purchase_recency, with_recency_weight
from core.health.rules import check_rule, points, rule_text  # noqa: F401 (rule_text: read from here too)
from core.history.features import temporal_features
from core.history.frame_behaviour import latest_two_values
from core.history.inputs import ChurnInputs

STAGES = ("onboarding", "adoption", "renewal")
GROUPS = ("behavioural", "support", "relational", "financial")
BANDS = ("red", "amber", "green")
#: the fewest measures a customer needs for a score and a band (the default of :attr:`HealthConfig.min_measures`)
MIN_MEASURES = 3


@dataclass(frozen=True)
class Measure:
    """One measure: where its value comes from and what it means."""

    label: str
    group: str
    column: str  # column of :func:`measure_frame`
    text: str
    higher_is_better: bool = True
    only_with_data: bool = False  # not a measure of a store where no customer has data for it


#: every measure the workbench can build from the store (key -> definition)
MEASURES: dict[str, Measure] = {
    "usage": Measure("Usage level", "behavioural", "usage_level_30d",
                     "log(1 + usage per day) over the last 30 days, all metrics summed"),
    "breadth": Measure("Breadth of use", "behavioural", "active_days_30d",
                       "days with any activity in the last 30 days"),
    "usage_trend": Measure("Usage trend", "behavioural", "usage_trend_90d",
                           "usage level now minus 90 days earlier (log scale: -0.3 is about 26 % less use); no "
                           "data when there was no use in either window (nothing to trend)"),
    "tickets": Measure("Support tickets", "support", "tickets_90d",
                       "tickets opened in the last 90 days", higher_is_better=False),
    "unresolved": Measure("Unresolved tickets", "support", "tickets_unresolved",
                          "tickets of the last 90 days still open", higher_is_better=False),
    "resolve_time": Measure("Time to resolve", "support", "hours_to_resolve",
                            "median hours to resolve tickets closed in the last 180 days", higher_is_better=False),
    "nps": Measure("NPS answer", "relational", "nps_latest", "the latest NPS answer (0-10)"),
    "csat": Measure("CSAT", "relational", "csat_latest", "the latest CSAT answer (1-5)"),
    "ces": Measure("CES", "relational", "ces_latest", "the latest customer-effort answer (1-7, higher = easier)"),
    "mrr_trend": Measure("MRR trend", "financial", "mrr_change_3m", "relative MRR change over 3 months"),
    "failed_payments": Measure("Failed payments", "financial", "failed_payments_90d",
                               "failed payments in the last 90 days", higher_is_better=False),
    "renewal": Measure("Renewal proximity", "financial", "days_to_renewal",
                       "days to the next renewal (fewer days = less time to fix problems)"),
    "recency": Measure("Purchase recency", "behavioural", "days_since_purchase",
                       "days since the last purchase (buyers without a contract; they churn when no purchase follows "
                       "within the lapse period)", higher_is_better=False, only_with_data=True),
}
#: measures added after configurations were saved: a saved one without them gets the default rule and weight 0
_ADDED = ("recency",)

#: default rules; ``None`` bounds are set from the data by :func:`default_config`
_RULES = {
    "usage": {"kind": "linear", "worst": None, "best": None},
    "breadth": {"kind": "linear", "worst": 5, "best": 25},
    "usage_trend": {"kind": "tiers", "edges": [-0.5, -0.2, 0.0], "points": [0, 40, 75, 100]},
    "tickets": {"kind": "tiers", "edges": [1, 2, 4], "points": [100, 80, 50, 20]},
    "unresolved": {"kind": "tiers", "edges": [1, 2], "points": [100, 40, 0]},
    "resolve_time": {"kind": "linear", "worst": None, "best": None},
    "nps": {"kind": "tiers", "edges": [7, 9], "points": [10, 60, 100]},
    "csat": {"kind": "linear", "worst": 1, "best": 5},
    "ces": {"kind": "linear", "worst": 1, "best": 7},
    "mrr_trend": {"kind": "linear", "worst": -0.2, "best": 0.1},
    "failed_payments": {"kind": "tiers", "edges": [1, 2], "points": [100, 40, 0]},
    "renewal": {"kind": "linear", "worst": 0, "best": 180},
    "recency": {"kind": "linear", "worst": FALLBACK_LAPSE_DAYS, "best": 0},  # worst: N of the store's lapse rule
}
#: quantiles used for data-driven bounds (worst, best) of scale-dependent measures
_QUANTILES = (0.1, 0.9)
_FALLBACK = {"usage": (0.5, 4.0), "resolve_time": (120.0, 8.0)}

DEFAULT_WEIGHTS = {
    "onboarding": {"usage": 30, "breadth": 15, "usage_trend": 0, "tickets": 10, "unresolved": 15,
                   "resolve_time": 5, "nps": 0, "csat": 10, "ces": 5, "mrr_trend": 0, "failed_payments": 10,
                   "renewal": 0, "recency": 0},
    "adoption": {"usage": 20, "breadth": 5, "usage_trend": 15, "tickets": 5, "unresolved": 10,
                 "resolve_time": 5, "nps": 10, "csat": 5, "ces": 5, "mrr_trend": 10, "failed_payments": 5,
                 "renewal": 5, "recency": 0},
    "renewal": {"usage": 15, "breadth": 5, "usage_trend": 15, "tickets": 5, "unresolved": 10,
                "resolve_time": 5, "nps": 15, "csat": 5, "ces": 5, "mrr_trend": 5, "failed_payments": 5,
                "renewal": 10, "recency": 0},
}


@dataclass
class HealthConfig:
    """A health-score configuration: rules, a weight profile per lifecycle stage, bands, stages.

    Attributes
    ----------
    rules : dict
        measure key -> ``{"kind": "linear", "worst": a, "best": b}`` (0 points at ``worst``, 100 at
        ``best``, either way round) or ``{"kind": "tiers", "edges": [e1 < e2 ...], "points": [p0 ... pk]}``
        (a value below ``e1`` gets ``p0``, from ``e1`` up to ``e2`` ``p1`` ...).
    weights : dict
        stage -> measure key -> weight; each stage's weights add to 100.
    red_max, amber_max : float
        Band limits: red up to ``red_max``, amber up to ``amber_max``, green above.
    onboarding_days, renewal_days : int
        Onboarding is the first ``onboarding_days`` after signup; the renewal window the
        ``renewal_days`` before the renewal. Onboarding wins where both apply.
    min_measures : int
        A customer needs at least this many measures (with data, and weight in its stage) to get a score
        and a band; 1 to the number of measures.
    """

    rules: dict = field(default_factory=lambda: copy.deepcopy(_RULES))
    weights: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_WEIGHTS))
    red_max: float = 50.0
    amber_max: float = 75.0
    onboarding_days: int = 90
    renewal_days: int = 90
    min_measures: int = MIN_MEASURES

    def validate(self) -> HealthConfig:
        """Check the configuration; return it, or raise :class:`DataValidationError` saying what to fix."""
        if not isinstance(self.rules, dict) or not all(isinstance(r, dict) for r in self.rules.values()):
            raise DataValidationError('The rules must map each measure to a rule such as {"kind": "linear", '
                                      '"worst": 0, "best": 10}.')
        if not isinstance(self.weights, dict) or not all(isinstance(w, dict) for w in self.weights.values()):
            raise DataValidationError("The weights must map each stage to its measures' weights.")
        for key, rule in self.rules.items():
            if key not in MEASURES:
                raise DataValidationError(f"Unknown measure '{key}'; known measures: {', '.join(MEASURES)}.")
            check_rule(key, rule)
        missing = [k for k in MEASURES if k not in self.rules]
        if missing:
            raise DataValidationError(f"No scoring rule for {', '.join(missing)}; give each measure a rule.")
        self._check_weights()
        if not 0 < float(self.red_max) < float(self.amber_max) < 100:
            raise DataValidationError(f"Bands need 0 < red limit < amber limit < 100 (got red up to "
                                      f"{self.red_max:g}, amber up to {self.amber_max:g}).")
        if int(self.onboarding_days) < 0 or int(self.renewal_days) < 0:
            raise DataValidationError("The onboarding and renewal windows need a number of days of 0 or more.")
        if not 1 <= int(self.min_measures) <= len(MEASURES):
            raise DataValidationError(f"The minimum number of measures per customer must be 1 to {len(MEASURES)} "
                                      f"(got {self.min_measures}).")
        return self

    def _check_weights(self) -> None:
        """One profile per stage, known measures, weights of 0 or more adding up to 100."""
        if set(self.weights) != set(STAGES):
            raise DataValidationError(f"Weights need one profile per stage: {', '.join(STAGES)}.")
        for stage, w in self.weights.items():
            unknown = [k for k in w if k not in MEASURES]
            if unknown:
                raise DataValidationError(f"The {stage} profile names unknown measures: {', '.join(unknown)}.")
            try:
                values = [float(x) for x in w.values()]
            except (TypeError, ValueError):
                raise DataValidationError(f"The {stage} profile has an empty or non-numeric weight; use 0 to "
                                          "100.") from None
            if any(not np.isfinite(x) or x < 0 for x in values):
                raise DataValidationError(f"The {stage} profile has a negative or empty weight; use 0 to 100.")
            total = float(sum(float(v) for v in w.values()))
            if abs(total - 100) > 1e-6:
                raise DataValidationError(f"The {stage} weights add up to {total:g}, not 100; change them so "
                                          f"they add up to 100 (they are shares of the score).")

    def to_dict(self) -> dict:
        """A JSON-ready copy (what a saved version stores)."""
        return {"rules": copy.deepcopy(self.rules), "weights": copy.deepcopy(self.weights),
                "red_max": float(self.red_max), "amber_max": float(self.amber_max),
                "onboarding_days": int(self.onboarding_days), "renewal_days": int(self.renewal_days),
                "min_measures": int(self.min_measures)}

    @classmethod
    def from_dict(cls, d: dict) -> HealthConfig:
        """The configuration a :meth:`to_dict` copy describes (validated)."""
        try:
            rules = copy.deepcopy(d["rules"])
            for k in _ADDED if isinstance(rules, dict) else ():
                rules.setdefault(k, copy.deepcopy(_RULES[k]))
            cfg = cls(rules=rules, weights=copy.deepcopy(d["weights"]),
                      red_max=float(d.get("red_max", 50)), amber_max=float(d.get("amber_max", 75)),
                      onboarding_days=int(d.get("onboarding_days", 90)), renewal_days=int(d.get("renewal_days", 90)),
                      min_measures=int(d.get("min_measures", MIN_MEASURES)))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataValidationError(f"This health configuration is incomplete ({exc}); it needs rules and "
                                      "weights.") from exc
        return cfg.validate()

    def with_weights(self, weights: dict) -> HealthConfig:
        """A copy with other weight profiles (validated)."""
        out = HealthConfig.from_dict(self.to_dict())
        out.weights = copy.deepcopy(weights)
        return out.validate()


def default_config(frame: pd.DataFrame | None = None) -> HealthConfig:
    """The default configuration; bounds of scale-dependent measures (usage, time to resolve) are set
    from the 10th and 90th percentiles of ``frame`` (a :func:`measure_frame`) when given. When its customers have a
    purchase recency (a purchase log), its worst bound is the lapse period N and it takes the renewal weight (half
    of it when other customers have renewals: a mix)."""
    cfg = HealthConfig()
    for key, (worst, best) in _FALLBACK.items():
        col = MEASURES[key].column
        if frame is not None and col in frame and frame[col].notna().sum() >= 20:
            lo, hi = np.nanquantile(frame[col].to_numpy(float), _QUANTILES)
            if hi > lo:
                worst, best = (lo, hi) if MEASURES[key].higher_is_better else (hi, lo)
                worst, best = float(np.round(worst, 2)), float(np.round(best, 2))
        cfg.rules[key] = {"kind": "linear", "worst": worst, "best": best}
    n = lapse_days(frame) if frame is not None else None
    if n is not None:  # buyers under the lapse rule: 100 points just after a purchase, 0 at N days without one
        cfg.rules["recency"]["worst"] = n
        cfg.weights = with_recency_weight(cfg.weights, bool(frame["days_to_renewal"].notna().any()))
    return cfg.validate()


def stage_of(tenure_days, days_to_renewal, config: HealthConfig) -> np.ndarray:
    """Lifecycle stage per customer: onboarding, else renewal window, else adoption."""
    t = np.asarray(tenure_days, float)
    r = np.asarray(days_to_renewal, float)
    return np.where(t < config.onboarding_days, "onboarding",
                    np.where(r <= config.renewal_days, "renewal", "adoption")).astype(object)


def measure_frame(inputs: ChurnInputs, day) -> tuple[pd.DataFrame, list[str]]:
    """The raw value of every measure for each customer active at the end of ``day``.

    Parameters
    ----------
    inputs : ChurnInputs
        The store's data (:func:`core.history.inputs.load_inputs`).
    day : date-like
        Nothing after this day is used.

    Returns
    -------
    frame : pandas.DataFrame
        ``customer_id, segment, mrr, tenure_days, days_to_renewal`` and one column per measure
        (:attr:`Measure.column`); NaN where the customer has no data for it.
    missing : list of str
        The store's measures (:func:`store_measures`) it has no data for at all.
    """
    data = temporal_features(inputs, day, label=False)
    c = pd.Timestamp(day).normalize()
    X = data.X
    out = pd.DataFrame({"customer_id": data.customer_id.to_numpy(),
                        "segment": X["segment"].to_numpy() if "segment" in X else None})
    cust = inputs.customers.set_index(inputs.customers["customer_id"].astype(str))
    out["tenure_days"] = (c - cust.loc[out["customer_id"], "signup_date"]).dt.days.to_numpy(float)
    out["days_to_renewal"] = X["days_to_renewal"].to_numpy(float)
    out["mrr"] = X["mrr_latest"].to_numpy(float) if "mrr_latest" in X else np.nan
    if inputs.lapse is not None:  # N beside each covered buyer's purchase recency (default_config's worst bound)
        out["days_since_purchase"], out["lapse_days"] = purchase_recency(inputs, out["customer_id"], c)
    for m in MEASURES.values():
        if m.column in X:
            out[m.column] = X[m.column].to_numpy(float)
    if "lapse_days" in out:  # a buyer without a contract has no renewal
        out.loc[out["lapse_days"].notna(), "days_to_renewal"] = np.nan
    # no use now and none 90 days earlier is no trend, not a flat one: counted as flat it gave an idle customer the
    # trend's full points, so a lapsed buyer outscored a young idle one and the back-test AUC fell below 0.5 (CDNOW)
    idle = (out["usage_level_30d"] == 0) & (out["usage_trend_90d"] == 0) if "usage_trend_90d" in out else None
    if idle is not None:
        out.loc[idle, "usage_trend_90d"] = np.nan
    fb = inputs.feedback
    ces = fb[(fb["channel"].astype(str).str.lower() == "ces") & (fb["date"] < c + pd.Timedelta(days=1))
             & fb["score"].notna()] if len(fb) else fb
    if len(ces):
        index = pd.Index(out["customer_id"], dtype=object)
        pos = index.get_indexer(ces["customer_id"].astype(str))
        out["ces_latest"], _ = latest_two_values(ces[pos >= 0], pos[pos >= 0], len(out), "score", "date")
    for m in MEASURES.values():
        if m.column not in out:
            out[m.column] = np.nan
    return out, store_measures(out)[1]


def store_measures(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(the measures of the store of a :func:`measure_frame` (:func:`listed`), those of them without any data)."""
    has = {k: m.column in frame and frame[m.column].notna().any() for k, m in MEASURES.items()}
    keys = listed(has)
    return keys, [k for k in keys if not has[k]]


def missing_measures(frame: pd.DataFrame) -> list[str]:
    """Labels of the store's measures no customer of a :func:`measure_frame` has data for."""
    return [MEASURES[k].label for k in store_measures(frame)[1]]


def listed(has_data: dict[str, bool]) -> list[str]:
    """The measures of a store, given which have data: all but those marked ``only_with_data`` without it."""
    return [k for k, m in MEASURES.items() if has_data.get(k) or not m.only_with_data]


def score(config: HealthConfig, frame: pd.DataFrame) -> pd.DataFrame:
    """Score each customer of a :func:`measure_frame`.

    Returns
    -------
    pandas.DataFrame
        The frame's ``customer_id, segment, mrr, tenure_days, days_to_renewal``, then ``stage``,
        ``score`` (0 to 100; NaN when fewer than ``config.min_measures`` weighted measures are available),
        ``band`` (None without a score), ``measures`` (the weighted measures available), and per measure
        ``points:<key>`` (0 to 100, NaN when missing) and ``contrib:<key>`` (adds up to the score).
    """
    config.validate()
    keys = list(MEASURES)
    n = len(frame)
    P = np.column_stack([points(config.rules[k], frame[MEASURES[k].column]) for k in keys]) if n else \
        np.zeros((0, len(keys)))
    stage = stage_of(frame["tenure_days"], frame["days_to_renewal"], config)
    W = np.zeros((n, len(keys)))
    for s in STAGES:
        W[stage == s] = [float(config.weights[s].get(k, 0.0)) for k in keys]
    avail = ~np.isnan(P)
    denom = (W * avail).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        C = np.where(avail, W * np.nan_to_num(P), 0.0) / denom[:, None]
    used = (avail & (W > 0)).sum(axis=1)
    C[(denom == 0) | (used < int(config.min_measures))] = np.nan  # too few measures: no score, no band
    total = C.sum(axis=1)
    out = frame[["customer_id", "segment", "mrr", "tenure_days", "days_to_renewal"]].reset_index(drop=True)
    out["stage"] = stage
    out["score"] = np.clip(total, 0.0, 100.0)
    out["band"] = band_of(out["score"], config)
    out["measures"] = used
    pts = pd.DataFrame(P, columns=[f"points:{k}" for k in keys])
    con = pd.DataFrame(np.where(avail | np.isnan(C), C, 0.0), columns=[f"contrib:{k}" for k in keys])
    return pd.concat([out, pts, con], axis=1)


def band_of(scores, config: HealthConfig) -> np.ndarray:
    """red (score <= red_max), amber (<= amber_max), green; empty where the score is."""
    s = np.asarray(scores, float)
    out = np.where(s <= config.red_max, "red", np.where(s <= config.amber_max, "amber", "green")).astype(object)
    out[np.isnan(s)] = None
    return out


def contributions(config: HealthConfig, scored: pd.DataFrame, customer_id: str) -> pd.DataFrame:
    """One customer's measures from a :func:`score` frame, largest contribution first.

    Returns
    -------
    pandas.DataFrame
        ``measure, key, group, points, share`` (the measure's share of the score after
        re-weighting, 0 to 1), ``contribution`` (share x points; they add up to the score) and
        ``lost`` (share x (100 - points): what the measure keeps the score from).
    """
    row = scored[scored["customer_id"].astype(str) == str(customer_id)]
    if row.empty:
        raise DataValidationError(f"Customer {customer_id} has no health score on that day (not active then).")
    row = row.iloc[0]
    w = config.weights[row["stage"]]
    avail = {k: not np.isnan(row[f"points:{k}"]) and float(w.get(k, 0)) > 0 for k in MEASURES}
    denom = sum(float(w.get(k, 0)) for k in MEASURES if avail[k])
    recs = []
    for k in listed({k: scored[f"points:{k}"].notna().any() for k in MEASURES}):
        m, p = MEASURES[k], float(row[f"points:{k}"])
        share = float(w.get(k, 0)) / denom if avail[k] and denom > 0 else 0.0
        recs.append({"measure": m.label, "key": k, "group": m.group, "points": p, "share": share,
                     "contribution": share * p if avail[k] else 0.0,
                     "lost": share * (100 - p) if avail[k] else 0.0,
                     "status": "used" if avail[k] else ("no data" if np.isnan(p) else "weight 0")})
    return pd.DataFrame(recs).sort_values(["contribution", "share"], ascending=False).reset_index(drop=True)
